output "data_bucket" {
  description = "Name of the data bucket."
  value       = module.storage.data_bucket
}

output "logs_bucket" {
  description = "Name of the logs bucket."
  value       = module.storage.logs_bucket
}
