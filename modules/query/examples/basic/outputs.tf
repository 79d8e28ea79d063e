output "workgroup" {
  description = "Name of the Athena workgroup."
  value       = module.query.workgroup
}
