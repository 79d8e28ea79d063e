output "function_name" {
  description = "Name of the Lambda function."
  value       = module.function.function_name
}

output "dlq_name" {
  description = "Name of its dead-letter queue."
  value       = module.function.dlq_name
}
