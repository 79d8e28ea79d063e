output "api_url" {
  description = "Base URL of the HTTP API."
  value       = module.api.api_url
}
