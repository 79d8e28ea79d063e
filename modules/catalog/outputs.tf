output "database" {
  description = "Name of the Glue database."
  value       = aws_glue_catalog_database.this.name
}

output "tables" {
  description = "Glue table names by dataset name."
  value       = { for k, t in aws_glue_catalog_table.this : k => t.name }
}

output "curated_tables" {
  description = "Glue table names of the compacted Parquet (curated/<dataset>/) by dataset name."
  value       = { for k, t in aws_glue_catalog_table.curated : k => t.name }
}

output "security_configuration" {
  description = "Name of the Glue security configuration for crawlers and jobs, or null when kms_enabled is false."
  value       = var.kms_enabled ? aws_glue_security_configuration.this[0].name : null
}
