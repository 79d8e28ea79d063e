# storage: the data bucket, the logs bucket that receives its access logs
# (and the VPC flow logs), the dataset metadata table (DynamoDB), and
# optionally the customer-managed KMS key that the other modules use for
# encryption at rest.
#
# Sub-resources refer to the buckets by their configured names (known at plan
# time), so a plan shows every link between a bucket and its settings.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name

  bucket_names = {
    data = "${var.name_prefix}-data-${local.account_id}"
    logs = "${var.name_prefix}-logs-${local.account_id}"
  }
  bucket_arns = { for k, name in local.bucket_names : k => "arn:${local.partition}:s3:::${name}" }

  # Where each bucket's server access logs go, inside the logs bucket.
  access_log_prefix = "s3-access/data/"
}

# --- KMS (only when var.kms) --------------------------------------------------

resource "aws_kms_key" "this" {
  count = var.kms ? 1 : 0

  description             = "${var.name_prefix}: data, logs and queues at rest"
  enable_key_rotation     = true
  deletion_window_in_days = var.kms_deletion_window_days
  is_enabled              = true
  # rotation_period_in_days is left to AWS's default (365): the emulator never
  # returns it, which would show as drift on every plan.
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AccountAdministersKeyThroughIam"
        Effect    = "Allow"
        Principal = { AWS = "arn:${local.partition}:iam::${local.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        Sid       = "CloudWatchLogsOfThisAccount"
        Effect    = "Allow"
        Principal = { Service = "logs.${local.region}.amazonaws.com" }
        Action    = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
        Resource  = "*"
        Condition = {
          ArnLike = { "kms:EncryptionContext:aws:logs:arn" = "arn:${local.partition}:logs:${local.region}:${local.account_id}:*" }
        }
      },
      {
        # CloudWatch alarms publish to the alerts topic, encrypted with this key.
        Sid       = "CloudWatchAlarmsOfThisAccount"
        Effect    = "Allow"
        Principal = { Service = "cloudwatch.amazonaws.com" }
        Action    = ["kms:Decrypt", "kms:GenerateDataKey*"]
        Resource  = "*"
        Condition = {
          StringEquals = { "aws:SourceAccount" = local.account_id }
        }
      },
    ]
  })

  tags = var.tags
}

resource "aws_kms_alias" "this" {
  count = var.kms ? 1 : 0

  name          = "alias/${var.name_prefix}"
  target_key_id = aws_kms_key.this[0].key_id
}

# --- Buckets --------------------------------------------------------------------

resource "aws_s3_bucket" "data" {
  #checkov:skip=CKV_AWS_144:cross-region replication doubles the storage bill; versioning and protect cover recovery
  bucket        = local.bucket_names.data
  force_destroy = var.force_destroy

  # Only with var.inline_lifecycle_rules (the local emulator): see below.
  dynamic "lifecycle_rule" {
    for_each = var.inline_lifecycle_rules ? local.inline_lifecycle_rules.data : []
    content {
      id                                     = lifecycle_rule.value.id
      enabled                                = true
      prefix                                 = lifecycle_rule.value.prefix
      abort_incomplete_multipart_upload_days = lifecycle_rule.value.abort_days
      dynamic "expiration" {
        for_each = lifecycle_rule.value.expiration_days == null ? [] : [lifecycle_rule.value.expiration_days]
        content {
          days = expiration.value
        }
      }
      noncurrent_version_expiration {
        days = lifecycle_rule.value.noncurrent_days
      }
    }
  }

  tags = merge(var.tags, { Name = local.bucket_names.data, Purpose = "data" })
}

resource "aws_s3_bucket" "logs" {
  #checkov:skip=CKV_AWS_18:this is the access-log target bucket; logging it into itself would log its own deliveries in a loop
  #checkov:skip=CKV_AWS_145:S3 server access logging cannot deliver to a bucket whose default encryption is SSE-KMS, so this bucket keeps SSE-S3
  #checkov:skip=CKV_AWS_144:cross-region replication of logs doubles their cost for no recovery need
  bucket        = local.bucket_names.logs
  force_destroy = var.force_destroy

  dynamic "lifecycle_rule" {
    for_each = var.inline_lifecycle_rules ? local.inline_lifecycle_rules.logs : []
    content {
      id                                     = lifecycle_rule.value.id
      enabled                                = true
      abort_incomplete_multipart_upload_days = lifecycle_rule.value.abort_days
      expiration {
        days = lifecycle_rule.value.expiration_days
      }
      noncurrent_version_expiration {
        days = lifecycle_rule.value.noncurrent_days
      }
    }
  }

  tags = merge(var.tags, { Name = local.bucket_names.logs, Purpose = "logs" })
}

locals {
  # Bucket names taken from the resources (so that every sub-resource depends
  # on its bucket) and known at plan time.
  buckets = {
    data = aws_s3_bucket.data.bucket
    logs = aws_s3_bucket.logs.bucket
  }
}

resource "aws_s3_bucket_ownership_controls" "this" {
  for_each = local.buckets

  bucket = each.value
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "this" {
  for_each = local.buckets

  bucket                  = each.value
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "this" {
  for_each = local.buckets

  bucket = each.value
  versioning_configuration {
    status = "Enabled"
  }
}

# The data bucket uses the KMS key when there is one; the logs bucket always
# uses SSE-S3 (server access log delivery does not support SSE-KMS targets).
resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  for_each = local.buckets

  bucket = each.value
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = var.kms && each.key == "data" ? "aws:kms" : "AES256"
      kms_master_key_id = var.kms && each.key == "data" ? aws_kms_key.this[0].arn : null
    }
    bucket_key_enabled = var.kms && each.key == "data"
  }
}

resource "aws_s3_bucket_logging" "data" {
  bucket        = aws_s3_bucket.data.bucket
  target_bucket = aws_s3_bucket.logs.bucket
  target_prefix = local.access_log_prefix

  # The log delivery grant is the logs bucket's policy: it must exist first.
  depends_on = [aws_s3_bucket_policy.logs]
}

# Lifecycle rules: this resource for AWS.  With var.inline_lifecycle_rules
# (set for the local emulator) the same rules are inline on the buckets
# instead (the deprecated lifecycle_rule block, above): the provider waits a
# fixed 55 s after creating this resource (10 s, then GetBucketLifecycle-
# Configuration every 5 s until it has seen the rules several times), which
# the emulator does not need.  Keep the two renderings' rules the same.
locals {
  inline_lifecycle_rules = {
    data = [
      { id = "abort-incomplete-uploads-and-expire-old-versions", prefix = null, abort_days = var.abort_multipart_days,
      expiration_days = null, noncurrent_days = var.noncurrent_days },
      # Idempotency-Key records (see the rules below)
      { id = "expire-idempotency-records", prefix = "_idempotency/", abort_days = null, expiration_days = 1,
      noncurrent_days = 1 },
      # bulk uploads' original files (see the rules below)
      { id = "expire-uploaded-originals", prefix = "incoming/", abort_days = null,
      expiration_days = var.incoming_days, noncurrent_days = 1 },
    ]
    logs = [
      { id = "abort-incomplete-uploads-and-expire-old-versions", prefix = null, abort_days = var.abort_multipart_days,
      expiration_days = var.log_retention_days, noncurrent_days = var.noncurrent_days },
    ]
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  for_each = var.inline_lifecycle_rules ? {} : local.buckets

  bucket = each.value

  rule {
    id     = "abort-incomplete-uploads-and-expire-old-versions"
    status = "Enabled"

    filter {}

    abort_incomplete_multipart_upload {
      days_after_initiation = var.abort_multipart_days
    }

    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_days
    }

    dynamic "expiration" {
      for_each = each.key == "logs" ? [var.log_retention_days] : []
      content {
        days = expiration.value
      }
    }
  }

  # The data bucket's rules for one prefix each, the same list as the inline
  # rendering's: POST's Idempotency-Key records (kept 24 h by the function;
  # S3 removes them after the next midnight UTC past one day), and the
  # original files of bulk uploads under incoming/ (their rows are stored
  # under raw/ seconds after the upload; kept var.incoming_days days for a
  # look at what was sent).
  dynamic "rule" {
    for_each = each.key == "data" ? [for r in local.inline_lifecycle_rules.data : r if r.prefix != null] : []
    content {
      id     = rule.value.id
      status = "Enabled"

      filter {
        prefix = rule.value.prefix
      }

      expiration {
        days = rule.value.expiration_days
      }

      noncurrent_version_expiration {
        noncurrent_days = rule.value.noncurrent_days
      }
    }
  }

  depends_on = [aws_s3_bucket_versioning.this]
}

# Object-created events of the logs bucket go to EventBridge (free on the
# default bus); the data bucket's events go to the Lambda (function module).
# Only with var.logs_bucket_eventbridge (off for an emulator that does not
# keep the setting, which would be drift on every plan).
resource "aws_s3_bucket_notification" "logs" {
  count = var.logs_bucket_eventbridge ? 1 : 0

  bucket      = aws_s3_bucket.logs.bucket
  eventbridge = true
}

# --- Dataset metadata (DynamoDB) ---------------------------------------------------
# Per dataset the row count, bytes and last update the function stored, and
# the history of its bulk uploads (docs/contracts.md, "Dataset metadata").
# Billed per request: $0 when idle.  Encrypted at rest always: with the
# customer-managed key when var.kms, else with DynamoDB's AWS-owned key.

resource "aws_dynamodb_table" "meta" {
  name                        = "${var.name_prefix}-meta"
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "dataset"
  range_key                   = "item"
  deletion_protection_enabled = !var.force_destroy

  attribute {
    name = "dataset"
    type = "S"
  }

  attribute {
    name = "item"
    type = "S"
  }

  server_side_encryption {
    enabled     = var.kms
    kms_key_arn = var.kms ? aws_kms_key.this[0].arn : null
  }

  point_in_time_recovery {
    enabled = var.point_in_time_recovery
  }

  tags = merge(var.tags, { Name = "${var.name_prefix}-meta", Purpose = "metadata" })
}

# --- Bucket policies ------------------------------------------------------------

locals {
  deny_insecure_transport = {
    for k, arn in local.bucket_arns : k => {
      Sid       = "DenyInsecureTransport"
      Effect    = "Deny"
      Principal = { AWS = "*" } # the same as "*" for AWS; moto's logging check cannot read a bare "*"
      Action    = "s3:*"
      Resource  = [arn, "${arn}/*"]
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }
  }

  access_log_delivery = {
    Sid       = "S3ServerAccessLogsFromData"
    Effect    = "Allow"
    Principal = { Service = "logging.s3.amazonaws.com" }
    Action    = "s3:PutObject"
    Resource  = "${local.bucket_arns.logs}/${local.access_log_prefix}*"
    Condition = {
      ArnLike      = { "aws:SourceArn" = local.bucket_arns.data }
      StringEquals = { "aws:SourceAccount" = local.account_id }
    }
  }

  flow_log_delivery = [
    {
      Sid       = "VpcFlowLogsWrite"
      Effect    = "Allow"
      Principal = { Service = "delivery.logs.amazonaws.com" }
      Action    = "s3:PutObject"
      Resource  = "${local.bucket_arns.logs}/AWSLogs/${local.account_id}/*"
      Condition = {
        StringEquals = { "aws:SourceAccount" = local.account_id, "s3:x-amz-acl" = "bucket-owner-full-control" }
        ArnLike      = { "aws:SourceArn" = "arn:${local.partition}:logs:${local.region}:${local.account_id}:*" }
      }
    },
    {
      Sid       = "VpcFlowLogsAclCheck"
      Effect    = "Allow"
      Principal = { Service = "delivery.logs.amazonaws.com" }
      Action    = "s3:GetBucketAcl"
      Resource  = local.bucket_arns.logs
      Condition = {
        StringEquals = { "aws:SourceAccount" = local.account_id }
        ArnLike      = { "aws:SourceArn" = "arn:${local.partition}:logs:${local.region}:${local.account_id}:*" }
      }
    },
  ]
}

# The data bucket's only statement is the TLS-only Deny: without
# var.attach_deny_insecure_transport_policy there is no policy at all.
resource "aws_s3_bucket_policy" "data" {
  count = var.attach_deny_insecure_transport_policy ? 1 : 0

  bucket = aws_s3_bucket.data.bucket
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [local.deny_insecure_transport.data]
  })

  depends_on = [aws_s3_bucket_public_access_block.this]
}

resource "aws_s3_bucket_policy" "logs" {
  bucket = aws_s3_bucket.logs.bucket
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat(
      var.attach_deny_insecure_transport_policy ? [local.deny_insecure_transport.logs] : [],
      [local.access_log_delivery],
      var.flow_logs_delivery ? local.flow_log_delivery : [],
    )
  })

  depends_on = [aws_s3_bucket_public_access_block.this]
}
