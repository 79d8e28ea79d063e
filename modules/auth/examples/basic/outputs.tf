output "user_pool_id" {
  description = "ID of the user pool."
  value       = module.auth.user_pool_id
}

output "issuer" {
  description = "Issuer URL of the user pool's tokens."
  value       = module.auth.issuer
}
