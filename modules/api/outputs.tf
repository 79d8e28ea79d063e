output "api_id" {
  description = "ID of the HTTP API."
  value       = aws_apigatewayv2_api.this.id
}

output "api_url" {
  description = "Base URL of the API's $default stage, e.g. https://<id>.execute-api.<region>.amazonaws.com."
  value       = aws_apigatewayv2_stage.default.invoke_url
}

output "execution_arn" {
  description = "Execution ARN of the API (for Lambda permissions)."
  value       = aws_apigatewayv2_api.this.execution_arn
}

output "route_keys" {
  description = "Every route key of the API, sorted, e.g. [\"GET /datasets\", \"GET /datasets/trips\", ...]."
  value       = sort(tolist(local.route_keys))
}

output "access_log_group" {
  description = "Name of the stage's access log group."
  value       = aws_cloudwatch_log_group.access.name
}
