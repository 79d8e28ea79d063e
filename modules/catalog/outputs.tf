output "database" {
  description = "Name of the Glue database."
  value       = aws_glue_catalog_database.this.name
}

output "tables" {
  description = "Glue table names by dataset name."
  value       = { for k, t in aws_glue_catalog_table.this : k => t.name }
}

output "security_configuration" {
  description = "Name of the Glue security configuration for crawlers and jobs, or null when no KMS key was given."
  value       = var.kms_key_arn == null ? null : aws_glue_security_configuration.this[0].name
}
