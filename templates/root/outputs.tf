# `owlet up` flattens `terraform output -json` into outputs.json; these names
# are part of docs/contracts.md.  No output is ever null (terraform does not
# store null outputs): absent things are "".

output "api_url" {
  description = "Base URL of the HTTP API (for local, owlet serves the API itself on loopback and reports its own URL)."
  value       = module.api.api_url
}

output "api_id" {
  description = "ID of the HTTP API."
  value       = module.api.api_id
}

output "routes" {
  description = "Route keys of the HTTP API, sorted."
  value       = module.api.route_keys
}

output "user_pool_id" {
  description = "ID of the Cognito user pool."
  value       = module.auth.user_pool_id
}

output "user_pool_client_id" {
  description = "ID of the Cognito app client (the JWT audience)."
  value       = module.auth.user_pool_client_id
}

output "issuer" {
  description = "Issuer of the user pool's tokens, https://cognito-idp.<region>.amazonaws.com/<pool id>."
  value       = module.auth.issuer
}

output "data_bucket" {
  description = "Name of the data bucket."
  value       = module.storage.data_bucket
}

output "meta_table" {
  description = "Name of the dataset metadata table (DynamoDB)."
  value       = module.storage.meta_table
}

output "logs_bucket" {
  description = "Name of the logs bucket."
  value       = module.storage.logs_bucket
}

output "function_name" {
  description = "Name of the Lambda function."
  value       = module.function.function_name
}

output "glue_database" {
  description = "Name of the Glue database."
  value       = module.catalog.database
}

output "glue_tables" {
  description = "Glue table names by dataset."
  value       = module.catalog.tables
}

output "athena_workgroup" {
  description = "Name of the Athena workgroup."
  value       = module.query.workgroup
}

output "athena_results" {
  description = "S3 URL of the Athena query results."
  value       = module.query.results_location
}

output "vpc_id" {
  description = "ID of the VPC, or \"\" when network.enabled is false."
  value       = local.vpc_enabled ? module.network[0].vpc_id : ""
}

output "kms_key_arn" {
  description = "ARN of the customer-managed KMS key, or \"\" when storage.kms is false."
  value       = module.storage.kms_key_arn == null ? "" : module.storage.kms_key_arn
}

output "region" {
  description = "AWS region of the stack."
  value       = var.region
}
