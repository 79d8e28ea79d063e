output "vpc_id" {
  description = "ID of the VPC."
  value       = aws_vpc.this.id
}

output "private_subnet_ids" {
  description = "IDs of the private subnets, one per availability zone."
  value       = aws_subnet.private[*].id
}

output "lambda_security_group_id" {
  description = "ID of the security group for the Lambda's network interfaces."
  value       = aws_security_group.lambda.id
}

output "s3_endpoint_id" {
  description = "ID of the S3 gateway endpoint."
  value       = aws_vpc_endpoint.s3.id
}

output "interface_endpoint_ids" {
  description = "IDs of the interface endpoints by service name (empty when interface_endpoints is false)."
  value       = { for k, ep in aws_vpc_endpoint.interface : k => ep.id }
}

output "flow_log_id" {
  description = "ID of the VPC flow log, or null when flow_logs is false."
  value       = var.flow_logs ? aws_flow_log.this[0].id : null
}
