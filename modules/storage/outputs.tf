output "data_bucket" {
  description = "Name of the data bucket (raw/<dataset>/ holds uploaded files, stats/<dataset>/ the computed statistics, athena-results/ query results)."
  value       = aws_s3_bucket.data.bucket
}

output "data_bucket_arn" {
  description = "ARN of the data bucket."
  value       = aws_s3_bucket.data.arn
}

output "logs_bucket" {
  description = "Name of the logs bucket (S3 access logs under s3-access/, VPC flow logs under AWSLogs/)."
  value       = aws_s3_bucket.logs.bucket
}

output "logs_bucket_arn" {
  description = "ARN of the logs bucket."
  value       = aws_s3_bucket.logs.arn
}

output "kms_key_arn" {
  description = "ARN of the customer-managed KMS key, or null when var.kms is false."
  value       = var.kms ? aws_kms_key.this[0].arn : null
}

output "kms_alias" {
  description = "Alias of the customer-managed KMS key, or null when var.kms is false."
  value       = var.kms ? aws_kms_alias.this[0].name : null
}

output "meta_table" {
  description = "Name of the dataset metadata table (DynamoDB): per dataset its row count, bytes, last update and upload history."
  value       = aws_dynamodb_table.meta.name
}

output "meta_table_arn" {
  description = "ARN of the dataset metadata table."
  value       = aws_dynamodb_table.meta.arn
}
