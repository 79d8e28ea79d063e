output "topic_arn" {
  description = "ARN of the alerts topic, or null when no alarms are rendered."
  value       = local.topic_arn
}

output "alarm_names" {
  description = "Names of the CloudWatch alarms."
  value       = [for a in aws_cloudwatch_metric_alarm.this : a.alarm_name]
}
