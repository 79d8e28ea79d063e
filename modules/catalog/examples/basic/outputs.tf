output "database" {
  description = "Name of the Glue database."
  value       = module.catalog.database
}

output "tables" {
  description = "The Glue tables by dataset."
  value       = module.catalog.tables
}
