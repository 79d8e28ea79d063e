output "alarm_names" {
  description = "Names of the CloudWatch alarms."
  value       = module.alerts.alarm_names
}
