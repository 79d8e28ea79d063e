# function: the owlet Lambda (custom runtime provided.al2023, handler
# bootstrap) that serves the HTTP API and aggregates uploaded files, with its
# execution role (least privilege: the data prefixes of each dataset, its Glue
# table, the Athena workgroup, the metadata table), log group, dead-letter queue, X-Ray tracing,
# reserved concurrency, optional VPC attachment and the S3 trigger on raw/.
#
# ARNs in the policy are built from names, so the policy is known at plan
# time and a plan shows exactly what the function may do.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account_id    = data.aws_caller_identity.current.account_id
  partition     = data.aws_partition.current.partition
  region        = data.aws_region.current.name
  function_name = var.name_prefix
  log_group     = "/aws/lambda/${local.function_name}"
  with_dlq      = var.create_dead_letter_queue
  with_kms      = var.kms_enabled
  kms_key_arn   = var.kms_enabled ? var.kms_key_arn : null

  bucket_arn    = "arn:${local.partition}:s3:::${var.data_bucket}"
  dlq_name      = "${var.name_prefix}-dlq"
  dlq_arn       = "arn:${local.partition}:sqs:${local.region}:${local.account_id}:${local.dlq_name}"
  glue_prefix   = "arn:${local.partition}:glue:${local.region}:${local.account_id}"
  workgroup_arn = "arn:${local.partition}:athena:${local.region}:${local.account_id}:workgroup/${var.athena_workgroup}"
  meta_arn      = "arn:${local.partition}:dynamodb:${local.region}:${local.account_id}:table/${var.meta_table}"

  environment = merge(var.extra_environment, var.meta_table == "" ? {} : { OWLET_META_TABLE = var.meta_table }, {
    OWLET_DATA_BUCKET      = var.data_bucket
    OWLET_MODEL_KEY        = aws_s3_object.model.key
    OWLET_MODEL_SHA256     = sha256(var.model_json)
    OWLET_ENV              = var.environment
    OWLET_GLUE_DATABASE    = var.glue_database
    OWLET_ATHENA_WORKGROUP = var.athena_workgroup
  })
  environment_size = sum([for k, v in local.environment : length(k) + length(v)])

  dataset_names  = sort(keys(var.datasets))
  writable_names = sort([for name, ds in var.datasets : name if length(ds.write_groups) > 0])

  statements = concat(
    [
      {
        Sid      = "WriteOwnLogs"
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:${local.log_group}:*"
      },
      {
        # the model, read once at init (aws_s3_object.model)
        Sid      = "ReadModel"
        Effect   = "Allow"
        Action   = ["s3:GetObject"]
        Resource = "${local.bucket_arn}/_owlet/model.json"
      },
      {
        Sid    = "ReadDatasetsAndStats"
        Effect = "Allow"
        Action = ["s3:GetObject"]
        # curated/: Athena reads the compacted days' Parquet with the caller's rights
        Resource = flatten([for n in local.dataset_names : ["${local.bucket_arn}/raw/${n}/*", "${local.bucket_arn}/stats/${n}/*", "${local.bucket_arn}/curated/${n}/*"]])
      },
      {
        Sid    = "WriteStats"
        Effect = "Allow"
        Action = ["s3:PutObject"]
        # the cached partials, and the aggregation trigger's failure records
        Resource = flatten([for n in local.dataset_names : ["${local.bucket_arn}/stats/${n}/*", "${local.bucket_arn}/failures/stats/raw/${n}/*"]])
      },
      {
        Sid      = "ListDatasetPrefixes"
        Effect   = "Allow"
        Action   = ["s3:ListBucket"]
        Resource = local.bucket_arn
        Condition = {
          StringLike = {
            "s3:prefix" = concat(
              flatten([for n in local.dataset_names : ["raw/${n}/*", "stats/${n}/*", "curated/${n}/*"]]),
              ["${var.athena_results_prefix}*"],
            )
          }
        }
      },
      {
        # compaction (the daily schedule, schedule.tf): Athena's UNLOAD writes
        # the Parquet with the caller's rights; a partition is emptied first
        Sid      = "CompactToCurated"
        Effect   = "Allow"
        Action   = ["s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"]
        Resource = [for n in local.dataset_names : "${local.bucket_arn}/curated/${n}/*"]
      },
      {
        Sid      = "AthenaResults"
        Effect   = "Allow"
        Action   = ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"]
        Resource = "${local.bucket_arn}/${var.athena_results_prefix}*"
      },
      {
        Sid      = "AthenaResultsBucket"
        Effect   = "Allow"
        Action   = ["s3:GetBucketLocation"]
        Resource = local.bucket_arn
      },
      {
        Sid      = "AthenaQueries"
        Effect   = "Allow"
        Action   = ["athena:StartQueryExecution", "athena:GetQueryExecution", "athena:GetQueryResults", "athena:StopQueryExecution", "athena:GetWorkGroup"]
        Resource = local.workgroup_arn
      },
      {
        Sid    = "GlueTablesOfDatasets"
        Effect = "Allow"
        Action = ["glue:GetDatabase", "glue:GetTable", "glue:GetPartition", "glue:GetPartitions"]
        Resource = concat(
          ["${local.glue_prefix}:catalog", "${local.glue_prefix}:database/${var.glue_database}"],
          flatten([for n in local.dataset_names : ["${local.glue_prefix}:table/${var.glue_database}/${n}", "${local.glue_prefix}:table/${var.glue_database}/${n}_curated"]]),
        )
      },
      {
        # X-Ray's PutTraceSegments and PutTelemetryRecords support no
        # resource-level permissions: "*" is the only valid resource.
        Sid      = "XRayTraces"
        Effect   = "Allow"
        Action   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
        Resource = "*"
      },
    ],
    [for st in [{
      Sid      = "WriteRecordsOfWritableDatasets"
      Effect   = "Allow"
      Action   = ["s3:PutObject"]
      Resource = [for n in local.writable_names : "${local.bucket_arn}/raw/${n}/*"]
      }, {
      # POST's Idempotency-Key records (docs/contracts.md), read back on a retry
      # (deleted when its request is refused for a taken key)
      Sid      = "IdempotencyRecordsOfWritableDatasets"
      Effect   = "Allow"
      Action   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
      Resource = [for n in local.writable_names : "${local.bucket_arn}/_idempotency/${n}/*"]
      }, {
      # the key markers that keep a dataset's key unique (docs/contracts.md,
      # "Keys"): written before the data, deleted when the request is refused
      Sid      = "KeyMarkersOfWritableDatasets"
      Effect   = "Allow"
      Action   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
      Resource = [for n in local.writable_names : "${local.bucket_arn}/_keys/${n}/*"]
      }, {
      # bulk uploads (docs/uploads.md): the presigned POSTs the function
      # signs act with this role, so it may put incoming/NAME/*; the trigger
      # reads them, writes rejects/ and the upload records under _uploads/
      Sid    = "BulkUploadsOfWritableDatasets"
      Effect = "Allow"
      Action = ["s3:GetObject", "s3:PutObject"]
      Resource = flatten([for n in local.writable_names : [
        "${local.bucket_arn}/incoming/${n}/*", "${local.bucket_arn}/rejects/${n}/*", "${local.bucket_arn}/_uploads/${n}/*",
      ]])
      }, {
      Sid       = "ListUploadsOfWritableDatasets"
      Effect    = "Allow"
      Action    = ["s3:ListBucket"]
      Resource  = local.bucket_arn
      Condition = { StringLike = { "s3:prefix" = [for n in local.writable_names : "_uploads/${n}/*"] } }
    }] : st if length(local.writable_names) > 0],
    [for st in [{
      # the dataset metadata table: counts added, uploads recorded, counts read
      Sid      = "DatasetMetadataTable"
      Effect   = "Allow"
      Action   = ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:UpdateItem", "dynamodb:PutItem", "dynamodb:Query"]
      Resource = local.meta_arn
    }] : st if var.meta_table != ""],
    [for st in [{
      # The key by its alias: the key's ARN is only known after apply.
      Sid       = "UseDataKey"
      Effect    = "Allow"
      Action    = ["kms:Decrypt", "kms:GenerateDataKey"]
      Resource  = "arn:${local.partition}:kms:${local.region}:${local.account_id}:key/*"
      Condition = { "ForAnyValue:StringEquals" = { "kms:ResourceAliases" = var.kms_alias } }
    }] : st if local.with_kms],
    [for st in [{
      Sid      = "SendToDeadLetterQueue"
      Effect   = "Allow"
      Action   = ["sqs:SendMessage"]
      Resource = local.dlq_arn
    }] : st if local.with_dlq],
    [for st in [
      {
        Sid    = "ManageOwnNetworkInterfaces"
        Effect = "Allow"
        Action = ["ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"]
        Resource = [
          "arn:${local.partition}:ec2:${local.region}:${local.account_id}:network-interface/*",
          "arn:${local.partition}:ec2:${local.region}:${local.account_id}:subnet/*",
          "arn:${local.partition}:ec2:${local.region}:${local.account_id}:security-group/*",
        ]
      },
      {
        # Describe calls support no resource-level permissions.
        Sid      = "DescribeNetworkInterfaces"
        Effect   = "Allow"
        Action   = ["ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"]
        Resource = "*"
      },
    ] : st if var.vpc_enabled],
  )
}

# --- Logs --------------------------------------------------------------------------

resource "aws_cloudwatch_log_group" "this" {
  name              = local.log_group
  retention_in_days = var.log_retention_days
  kms_key_id        = local.kms_key_arn

  tags = var.tags
}

# --- Dead-letter queue (AWS only) ------------------------------------------------------

resource "aws_sqs_queue" "dlq" {
  count = local.with_dlq ? 1 : 0

  name                              = local.dlq_name
  message_retention_seconds         = var.dlq_retention_seconds
  kms_master_key_id                 = local.kms_key_arn
  kms_data_key_reuse_period_seconds = local.with_kms ? 300 : null
  sqs_managed_sse_enabled           = local.with_kms ? null : true

  tags = var.tags
}

# --- Execution role -------------------------------------------------------------------

resource "aws_iam_role" "this" {
  name                 = "${var.name_prefix}-lambda"
  description          = "Execution role of the owlet function ${local.function_name}"
  max_session_duration = 3600
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "LambdaOfThisAccount"
      Effect    = "Allow"
      Principal = { Service = "lambda.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = { StringEquals = { "aws:SourceAccount" = local.account_id } }
    }]
  })

  tags = var.tags
}

resource "aws_iam_role_policy" "this" {
  name   = "least-privilege"
  role   = aws_iam_role.this.id
  policy = jsonencode({ Version = "2012-10-17", Statement = local.statements })
}

# --- The function ----------------------------------------------------------------------

resource "aws_lambda_function" "this" {
  #checkov:skip=CKV_AWS_272:owlet builds the zip reproducibly and pins it by sha256 (source_code_hash); signing would need AWS Signer jobs on an S3 copy, which owlet's build does not run
  function_name    = local.function_name
  description      = "owlet API and aggregation for ${var.name_prefix}"
  role             = aws_iam_role.this.arn
  runtime          = "provided.al2023"
  handler          = "bootstrap"
  architectures    = [var.architecture]
  filename         = var.zip_path
  source_code_hash = var.zip_sha256
  memory_size      = var.memory_mb
  timeout          = var.timeout_s

  reserved_concurrent_executions = var.reserved_concurrency

  # Only with var.encrypt_environment_with_kms (off for an emulator that
  # does not return KMSKeyArn).
  kms_key_arn = var.encrypt_environment_with_kms ? local.kms_key_arn : null

  environment {
    variables = local.environment
  }

  tracing_config {
    mode = "Active"
  }

  # Only with var.create_dead_letter_queue and var.set_logging_config (off for
  # an emulator that does not return them).
  dynamic "dead_letter_config" {
    for_each = local.with_dlq ? [1] : []
    content {
      target_arn = aws_sqs_queue.dlq[0].arn
    }
  }

  dynamic "logging_config" {
    for_each = var.set_logging_config ? [1] : []
    content {
      log_format = "Text"
      log_group  = aws_cloudwatch_log_group.this.name
    }
  }

  dynamic "vpc_config" {
    for_each = var.vpc_enabled ? [1] : []
    content {
      subnet_ids         = var.subnet_ids
      security_group_ids = var.security_group_ids
    }
  }

  tags = var.tags

  lifecycle {
    # Lambda refuses more than 4 KB of environment variables (names and
    # values); say so at plan time rather than as an API error mid-apply.
    precondition {
      condition     = local.environment_size <= 4096
      error_message = "The function's environment variables take ${local.environment_size} bytes, more than Lambda's 4 KB; extra_environment is too large."
    }
  }

  depends_on = [aws_iam_role_policy.this, aws_cloudwatch_log_group.this]
}

# --- The model: read once at init from the data bucket ------------------------------
# Not an environment variable: Lambda allows 4 KB of those, and a model of 50
# datasets is far larger.  OWLET_MODEL_SHA256 changes with the model, so a new
# model also updates the function's configuration and starts new instances.

resource "aws_s3_object" "model" {
  bucket       = var.data_bucket
  key          = "_owlet/model.json"
  content      = var.model_json
  content_type = "application/json"

  tags = var.tags
}

# --- S3 triggers: every object created under raw/ and incoming/ -------------------------------------

resource "aws_lambda_permission" "s3" {
  count = var.s3_trigger ? 1 : 0

  statement_id   = "AllowDataBucketNotifications"
  action         = "lambda:InvokeFunction"
  function_name  = aws_lambda_function.this.function_name
  principal      = "s3.amazonaws.com"
  source_arn     = local.bucket_arn
  source_account = local.account_id
}

resource "aws_s3_bucket_notification" "data" {
  count = var.s3_trigger ? 1 : 0

  bucket = var.data_bucket

  lambda_function {
    id                  = "owlet-aggregate-raw"
    lambda_function_arn = aws_lambda_function.this.arn
    events              = ["s3:ObjectCreated:*"]
    filter_prefix       = "raw/"
  }

  # bulk uploads: each file POSTed under incoming/ is checked and stored (docs/uploads.md)
  lambda_function {
    id                  = "owlet-uploads-incoming"
    lambda_function_arn = aws_lambda_function.this.arn
    events              = ["s3:ObjectCreated:*"]
    filter_prefix       = "incoming/"
  }

  depends_on = [aws_lambda_permission.s3]
}
