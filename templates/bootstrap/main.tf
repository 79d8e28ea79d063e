# The state bucket, GitHub's OIDC provider and the roles of one environment.
# Every name and ARN pattern is scoped to the environment's name prefix
# (var.name_prefix) where AWS allows it.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  account           = data.aws_caller_identity.current.account_id
  p                 = data.aws_partition.current.partition
  np                = var.name_prefix
  np_glue           = replace(var.name_prefix, "-", "_")
  oidc_host         = "token.actions.githubusercontent.com"
  create_oidc       = var.oidc_provider_arn == ""
  oidc_provider_arn = local.create_oidc ? aws_iam_openid_connect_provider.github[0].arn : var.oidc_provider_arn
  state_bucket_arn  = "arn:${local.p}:s3:::${var.state_bucket}" # known at plan: the checks see every policy
  state_objects     = "${local.state_bucket_arn}/${var.state_key_prefix}*"
}

# ---- the terraform state bucket -------------------------------------------

resource "aws_s3_bucket" "state" {
  #checkov:skip=CKV_AWS_18:the state bucket's reads and writes are terraform's own; access logs would need a second bucket per environment
  #checkov:skip=CKV_AWS_144:terraform state is kept in one region; versioning keeps its history
  #checkov:skip=CKV2_AWS_62:nothing reacts to a new state version
  bucket        = var.state_bucket
  force_destroy = false

  # The emulator only: the same rule inline, as modules/storage does (moto
  # makes the provider wait about a minute for a lifecycle configuration)
  dynamic "lifecycle_rule" {
    for_each = local.emulator ? ["old-state-versions"] : []
    content {
      id                                     = lifecycle_rule.value
      enabled                                = true
      abort_incomplete_multipart_upload_days = 7
      noncurrent_version_expiration {
        days = var.noncurrent_days
      }
    }
  }
}

resource "aws_s3_bucket_versioning" "state" {
  bucket = aws_s3_bucket.state.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "state" {
  bucket = aws_s3_bucket.state.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "aws:kms" # the AWS-managed key aws/s3: no key to pay for
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_public_access_block" "state" {
  bucket                  = aws_s3_bucket.state.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "state" {
  bucket = aws_s3_bucket.state.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "state" {
  count  = local.emulator ? 0 : 1
  bucket = aws_s3_bucket.state.id
  rule {
    id     = "old-state-versions"
    status = "Enabled"
    filter {}
    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_days
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }
}

resource "aws_s3_bucket_policy" "state" {
  bucket = aws_s3_bucket.state.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "TLSOnly"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = [aws_s3_bucket.state.arn, "${aws_s3_bucket.state.arn}/*"]
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }]
  })
  depends_on = [aws_s3_bucket_public_access_block.state]
}

# ---- GitHub's OIDC identity provider: one per account ----------------------

resource "aws_iam_openid_connect_provider" "github" {
  count          = local.create_oidc ? 1 : 0
  url            = "https://${local.oidc_host}"
  client_id_list = ["sts.amazonaws.com"]
  # GitHub's published thumbprints; AWS trusts the host's CA itself today
  thumbprint_list = ["6938fd4d98bab03faadb97b34396831e3780aea1", "1c58a3a8518e8759bf075b76b750d4f2df264fcd"]
}

# ---- the roles the workflows assume ------------------------------------------

# Only tokens GitHub issued for this repository, for sts.amazonaws.com, with
# exactly this subject (the main branch, a GitHub environment, or a pull request).
locals {
  trust = { for k, sub in { deploy = var.deploy_subject, plan = var.plan_subject } : k => jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = local.oidc_provider_arn }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = {
          "${local.oidc_host}:aud" = "sts.amazonaws.com"
          "${local.oidc_host}:sub" = sub
        }
      }
    }]
  }) if sub != "" }
}

resource "aws_iam_role" "deploy" {
  name                 = "${local.np}-deploy"
  path                 = "/owlet-ci/" # outside role/<name prefix>-*, which the deploy role manages
  description          = "owlet: deploys ${local.np} from ${var.repository} (${var.deploy_subject})"
  assume_role_policy   = local.trust.deploy
  max_session_duration = 3600
}

resource "aws_iam_role" "plan" {
  count                = var.plan_subject == "" ? 0 : 1
  name                 = "${local.np}-plan"
  path                 = "/owlet-ci/"
  description          = "owlet: plans ${local.np} for pull requests of ${var.repository} (read-only, plus the state lock)"
  assume_role_policy   = local.trust.plan
  max_session_duration = 3600
}

locals {
  r = "${var.region}:${local.account}"
  # what the stack's modules make, by service, as ARN patterns
  stack = {
    buckets   = ["arn:${local.p}:s3:::${local.np}-*"]
    objects   = ["arn:${local.p}:s3:::${local.np}-*/*"]
    functions = ["arn:${local.p}:lambda:${local.r}:function:${local.np}", "arn:${local.p}:lambda:${local.r}:function:${local.np}-*"]
    roles     = ["arn:${local.p}:iam::${local.account}:role/${local.np}-*"]
    logs = [
      "arn:${local.p}:logs:${local.r}:log-group:/aws/lambda/${local.np}*",
      "arn:${local.p}:logs:${local.r}:log-group:/aws/apigateway/${local.np}*",
      "arn:${local.p}:logs:${local.r}:log-group:${local.np}*",
    ]
    apis    = ["arn:${local.p}:apigateway:${var.region}::/apis", "arn:${local.p}:apigateway:${var.region}::/apis/*", "arn:${local.p}:apigateway:${var.region}::/tags/*"]
    pools   = ["arn:${local.p}:cognito-idp:${local.r}:userpool/*"]
    catalog = ["arn:${local.p}:glue:${local.r}:catalog", "arn:${local.p}:glue:${local.r}:database/${local.np_glue}", "arn:${local.p}:glue:${local.r}:table/${local.np_glue}/*"]
    athena  = ["arn:${local.p}:athena:${local.r}:workgroup/${local.np}"]
    keys    = ["arn:${local.p}:kms:${local.r}:key/*", "arn:${local.p}:kms:${local.r}:alias/${local.np}"]
    queues  = ["arn:${local.p}:sqs:${local.r}:${local.np}-*"]
    network = ["arn:${local.p}:ec2:${local.r}:*"]
  }
  state_lock = "arn:${local.p}:s3:::${var.state_bucket}/${var.state_key_prefix}*.tflock"
}

resource "aws_iam_role_policy" "deploy" {
  name = "${local.np}-deploy"
  role = aws_iam_role.deploy.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Sid = "StateList", Effect = "Allow", Action = ["s3:ListBucket"], Resource = [local.state_bucket_arn] },
      { Sid = "State", Effect = "Allow", Action = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], Resource = [local.state_objects] },
      { Sid = "Buckets", Effect = "Allow", Action = ["s3:*"], Resource = concat(local.stack.buckets, local.stack.objects) },
      { Sid = "Function", Effect = "Allow", Action = ["lambda:*"], Resource = local.stack.functions },
      {
        Sid    = "Roles", Effect = "Allow", Resource = local.stack.roles
        Action = ["iam:CreateRole", "iam:DeleteRole", "iam:GetRole", "iam:UpdateRole", "iam:UpdateAssumeRolePolicy", "iam:TagRole", "iam:UntagRole", "iam:ListRoleTags", "iam:PutRolePolicy", "iam:GetRolePolicy", "iam:DeleteRolePolicy", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies", "iam:ListInstanceProfilesForRole"]
      },
      {
        Sid       = "PassRoles", Effect = "Allow", Action = ["iam:PassRole"], Resource = local.stack.roles
        Condition = { StringEquals = { "iam:PassedToService" = ["lambda.amazonaws.com", "vpc-flow-logs.amazonaws.com"] } }
      },
      { Sid = "Logs", Effect = "Allow", Action = ["logs:*"], Resource = concat(local.stack.logs, [for l in local.stack.logs : "${l}:*"]) },
      { Sid = "Api", Effect = "Allow", Action = ["apigateway:GET", "apigateway:POST", "apigateway:PUT", "apigateway:PATCH", "apigateway:DELETE"], Resource = local.stack.apis },
      { Sid = "Users", Effect = "Allow", Action = ["cognito-idp:*"], Resource = local.stack.pools },
      { Sid = "Catalog", Effect = "Allow", Action = ["glue:*"], Resource = local.stack.catalog },
      { Sid = "Query", Effect = "Allow", Action = ["athena:*"], Resource = local.stack.athena },
      {
        Sid       = "Keys", Effect = "Allow", Action = ["kms:*"], Resource = local.stack.keys
        Condition = { StringEquals = { "aws:ResourceTag/owlet:project" = var.project } }
      },
      { Sid = "Queues", Effect = "Allow", Action = ["sqs:*"], Resource = local.stack.queues },
      { Sid = "Network", Effect = "Allow", Action = ["ec2:*Vpc*", "ec2:*Subnet*", "ec2:*RouteTable*", "ec2:*SecurityGroup*", "ec2:*FlowLogs*", "ec2:CreateTags", "ec2:DeleteTags"], Resource = local.stack.network },
      {
        Sid    = "Unscoped", Effect = "Allow", Resource = ["*"]
        Action = ["sts:GetCallerIdentity", "ec2:DescribeVpcs", "ec2:DescribeSubnets", "ec2:DescribeRouteTables", "ec2:DescribeSecurityGroups", "ec2:DescribeSecurityGroupRules", "ec2:DescribeVpcEndpoints", "ec2:DescribeFlowLogs", "ec2:DescribeAvailabilityZones", "ec2:DescribeNetworkInterfaces", "ec2:DescribePrefixLists", "logs:DescribeLogGroups", "cognito-idp:CreateUserPool", "cognito-idp:ListUserPools", "cognito-idp:DescribeUserPoolDomain", "kms:CreateKey", "kms:ListAliases", "glue:GetSecurityConfiguration", "glue:GetSecurityConfigurations", "glue:CreateSecurityConfiguration", "glue:DeleteSecurityConfiguration"]
      },
    ]
  })
}

resource "aws_iam_role_policy" "plan" {
  count = var.plan_subject == "" ? 0 : 1
  name  = "${local.np}-plan"
  role  = aws_iam_role.plan[0].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Sid = "StateList", Effect = "Allow", Action = ["s3:ListBucket"], Resource = [local.state_bucket_arn] },
      { Sid = "StateRead", Effect = "Allow", Action = ["s3:GetObject"], Resource = [local.state_objects] },
      { Sid = "StateLock", Effect = "Allow", Action = ["s3:PutObject", "s3:DeleteObject"], Resource = [local.state_lock] },
      { Sid = "Buckets", Effect = "Allow", Action = ["s3:GetBucket*", "s3:GetEncryptionConfiguration", "s3:GetLifecycleConfiguration", "s3:GetReplicationConfiguration", "s3:GetAccelerateConfiguration", "s3:ListBucket"], Resource = local.stack.buckets },
      { Sid = "Function", Effect = "Allow", Action = ["lambda:GetFunction", "lambda:GetFunctionConfiguration", "lambda:GetFunctionCodeSigningConfig", "lambda:GetPolicy", "lambda:ListVersionsByFunction", "lambda:GetFunctionConcurrency"], Resource = local.stack.functions },
      { Sid = "Roles", Effect = "Allow", Action = ["iam:GetRole", "iam:GetRolePolicy", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies"], Resource = local.stack.roles },
      { Sid = "Logs", Effect = "Allow", Action = ["logs:ListTagsForResource", "logs:ListTagsLogGroup"], Resource = concat(local.stack.logs, [for l in local.stack.logs : "${l}:*"]) },
      { Sid = "Api", Effect = "Allow", Action = ["apigateway:GET"], Resource = local.stack.apis },
      { Sid = "Users", Effect = "Allow", Action = ["cognito-idp:DescribeUserPool", "cognito-idp:DescribeUserPoolClient", "cognito-idp:GetGroup", "cognito-idp:GetUserPoolMfaConfig"], Resource = local.stack.pools },
      { Sid = "Catalog", Effect = "Allow", Action = ["glue:GetDatabase", "glue:GetTable", "glue:GetTags"], Resource = local.stack.catalog },
      { Sid = "Query", Effect = "Allow", Action = ["athena:GetWorkGroup", "athena:ListTagsForResource"], Resource = local.stack.athena },
      { Sid = "Keys", Effect = "Allow", Action = ["kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListResourceTags"], Resource = local.stack.keys },
      { Sid = "Queues", Effect = "Allow", Action = ["sqs:GetQueueAttributes", "sqs:ListQueueTags"], Resource = local.stack.queues },
      { Sid = "Network", Effect = "Allow", Action = ["ec2:DescribeVpcAttribute"], Resource = local.stack.network },
      {
        Sid    = "Unscoped", Effect = "Allow", Resource = ["*"]
        Action = ["sts:GetCallerIdentity", "ec2:DescribeVpcs", "ec2:DescribeSubnets", "ec2:DescribeRouteTables", "ec2:DescribeSecurityGroups", "ec2:DescribeSecurityGroupRules", "ec2:DescribeVpcEndpoints", "ec2:DescribeFlowLogs", "ec2:DescribeAvailabilityZones", "ec2:DescribePrefixLists", "ec2:DescribeNetworkInterfaces", "logs:DescribeLogGroups", "cognito-idp:DescribeUserPoolDomain", "kms:ListAliases", "glue:GetSecurityConfiguration"]
      },
    ]
  })
}
