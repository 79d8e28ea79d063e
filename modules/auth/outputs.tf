output "user_pool_id" {
  description = "ID of the Cognito user pool."
  value       = aws_cognito_user_pool.this.id
}

output "user_pool_arn" {
  description = "ARN of the Cognito user pool."
  value       = aws_cognito_user_pool.this.arn
}

output "user_pool_client_id" {
  description = "ID of the app client (no secret); the audience of the API's JWT authorizer."
  value       = aws_cognito_user_pool_client.this.id
}

output "issuer" {
  description = "Issuer of the pool's tokens: https://cognito-idp.<region>.amazonaws.com/<pool id>; its JWKS is <issuer>/.well-known/jwks.json."
  value       = "https://cognito-idp.${data.aws_region.current.name}.amazonaws.com/${aws_cognito_user_pool.this.id}"
}

output "domain" {
  description = "Prefix of the hosted-UI domain: https://<domain>.auth.<region>.amazoncognito.com."
  value       = aws_cognito_user_pool_domain.this.domain
}

output "groups" {
  description = "Names of the groups created in the pool."
  value       = sort([for g in aws_cognito_user_group.this : g.name])
}
