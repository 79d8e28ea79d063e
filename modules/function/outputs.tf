output "function_name" {
  description = "Name of the Lambda function."
  value       = aws_lambda_function.this.function_name
}

output "function_arn" {
  description = "ARN of the Lambda function."
  value       = aws_lambda_function.this.arn
}

output "invoke_arn" {
  description = "Invoke ARN of the Lambda function (for API Gateway integrations)."
  value       = aws_lambda_function.this.invoke_arn
}

output "permissions" {
  description = "IDs of the function's Lambda permissions. A module that adds another permission to this function depends on them, so that no two permissions of one function are created or destroyed at once (the emulator's edit of the function policy races)."
  value       = aws_lambda_permission.s3[*].id
}

output "role_arn" {
  description = "ARN of the function's execution role."
  value       = aws_iam_role.this.arn
}

output "log_group" {
  description = "Name of the function's log group."
  value       = aws_cloudwatch_log_group.this.name
}

output "dlq_arn" {
  description = "ARN of the dead-letter queue, or null without create_dead_letter_queue."
  value       = local.with_dlq ? aws_sqs_queue.dlq[0].arn : null
}

output "dlq_name" {
  description = "Name of the dead-letter queue, or null without create_dead_letter_queue."
  value       = local.with_dlq ? aws_sqs_queue.dlq[0].name : null
}
