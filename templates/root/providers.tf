# One static provider block for AWS and for the local emulator.  When
# var.emulator_endpoint is set, every service goes to it with dummy
# credentials and path-style S3; for AWS each of those settings is null or
# false, i.e. the provider's defaults (the standard credential chain).
# skip_requesting_account_id stays false in both: ARNs need the account id.

locals {
  emulator = var.emulator_endpoint != ""
  endpoint = local.emulator ? var.emulator_endpoint : null
}

provider "aws" {
  region = var.region

  access_key                  = local.emulator ? "test" : null
  secret_key                  = local.emulator ? "test" : null
  skip_credentials_validation = local.emulator
  skip_metadata_api_check     = local.emulator
  skip_region_validation      = local.emulator
  skip_requesting_account_id  = false
  s3_use_path_style           = local.emulator

  endpoints {
    apigateway   = local.endpoint
    apigatewayv2 = local.endpoint
    athena       = local.endpoint
    cloudwatch   = local.endpoint
    cognitoidp   = local.endpoint
    dynamodb     = local.endpoint
    ec2          = local.endpoint
    events       = local.endpoint
    glue         = local.endpoint
    iam          = local.endpoint
    kms          = local.endpoint
    lambda       = local.endpoint
    logs         = local.endpoint
    s3           = local.endpoint
    sqs          = local.endpoint
    sts          = local.endpoint
    xray         = local.endpoint
  }

  # owlet:* tags find a stack's resources (and a sandbox's owner and expiry)
  default_tags {
    tags = merge({
      Project         = var.project
      Environment     = var.environment
      ManagedBy       = "owlet"
      "owlet:project" = var.project
      "owlet:env"     = var.environment
      }, var.sandbox == "" ? {} : {
      "owlet:sandbox" = var.sandbox
      "owlet:expires" = var.sandbox_expires
    })
  }
}
