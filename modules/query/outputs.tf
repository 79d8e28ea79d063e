output "workgroup" {
  description = "Name of the Athena workgroup."
  value       = aws_athena_workgroup.this.name
}

output "workgroup_arn" {
  description = "ARN of the Athena workgroup."
  value       = aws_athena_workgroup.this.arn
}

output "results_location" {
  description = "S3 URL where query results are written (enforced by the workgroup)."
  value       = "s3://${var.results_bucket}/${var.results_prefix}"
}
