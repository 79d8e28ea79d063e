# query: an Athena workgroup whose settings are enforced on every query: the
# result location, its encryption, the expected bucket owner and a scan limit.
# No named queries: the emulator cannot delete them (see the README).

data "aws_caller_identity" "current" {}

resource "aws_athena_workgroup" "this" {
  name          = var.name_prefix
  description   = "owlet queries of ${var.name_prefix}"
  state         = "ENABLED"
  force_destroy = var.force_destroy

  configuration {
    enforce_workgroup_configuration    = true
    publish_cloudwatch_metrics_enabled = true
    bytes_scanned_cutoff_per_query     = var.bytes_scanned_cutoff

    result_configuration {
      output_location       = "s3://${var.results_bucket}/${var.results_prefix}"
      expected_bucket_owner = data.aws_caller_identity.current.account_id

      encryption_configuration {
        encryption_option = var.kms_enabled ? "SSE_KMS" : "SSE_S3"
        kms_key_arn       = var.kms_enabled ? var.kms_key_arn : null
      }
    }
  }

  tags = var.tags
}
