# alerts: CloudWatch alarms on the function, the API and the dead-letter
# queue, sent to an SNS topic with an e-mail subscription; and an AWS Budgets
# budget that e-mails at 80 % of the forecast and at 100 % of actual spend.
# Prices: $0.10 per alarm a month (ten free); SNS e-mail and a budget
# without actions cost nothing (owlet cost prices them).

locals {
  topic_arn = var.alarms ? (var.kms_enabled ? aws_sns_topic.encrypted[0].arn : aws_sns_topic.plain[0].arn) : null

  # Every alarm: a metric over five minutes at or above a threshold.
  alarms = var.alarms ? merge({
    lambda_errors = {
      namespace   = "AWS/Lambda", metric = "Errors", statistic = "Sum", threshold = 1
      dimensions  = { FunctionName = var.function_name }
      description = "The owlet Lambda failed at least once in five minutes."
    }
    lambda_throttles = {
      namespace   = "AWS/Lambda", metric = "Throttles", statistic = "Sum", threshold = 1
      dimensions  = { FunctionName = var.function_name }
      description = "The owlet Lambda was throttled (reserved concurrency reached) in five minutes."
    }
    api_5xx = {
      namespace   = "AWS/ApiGateway", metric = "5xx", statistic = "Sum", threshold = var.api_5xx_threshold
      dimensions  = { ApiId = var.api_id, Stage = "$default" }
      description = "The HTTP API answered 5xx at least ${var.api_5xx_threshold} times in five minutes."
    }
    }, var.dlq ? {
    dlq_messages = {
      namespace   = "AWS/SQS", metric = "ApproximateNumberOfMessagesVisible", statistic = "Maximum", threshold = 1
      dimensions  = { QueueName = var.dlq_name }
      description = "Events the Lambda could not handle wait in its dead-letter queue."
    }
  } : {}) : {}
}

# The topic is encrypted with the stack's customer-managed key when there is
# one (its key policy lets CloudWatch use it).
resource "aws_sns_topic" "encrypted" {
  count = var.alarms && var.kms_enabled ? 1 : 0

  name              = "${var.name_prefix}-alerts"
  kms_master_key_id = var.kms_key_arn

  tags = var.tags
}

resource "aws_sns_topic" "plain" {
  #checkov:skip=CKV_AWS_26:without storage.kms there is no customer-managed key, and CloudWatch alarms cannot publish to a topic under the AWS-managed key alias/aws/sns; alarm messages carry metric names, no data
  count = var.alarms && !var.kms_enabled ? 1 : 0

  name = "${var.name_prefix}-alerts"

  tags = var.tags
}

resource "aws_sns_topic_subscription" "email" {
  count = var.alarms ? 1 : 0

  topic_arn = local.topic_arn
  protocol  = "email"
  endpoint  = var.email
}

resource "aws_cloudwatch_metric_alarm" "this" {
  for_each = local.alarms

  alarm_name          = "${var.name_prefix}-${each.key}"
  alarm_description   = each.value.description
  namespace           = each.value.namespace
  metric_name         = each.value.metric
  statistic           = each.value.statistic
  dimensions          = each.value.dimensions
  period              = 300
  evaluation_periods  = 1
  threshold           = each.value.threshold
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  actions_enabled     = true
  alarm_actions       = [local.topic_arn]
  ok_actions          = [local.topic_arn]

  tags = var.tags
}

# --- Budget (AWS targets only: the emulator never finishes creating one) ------

resource "aws_budgets_budget" "this" {
  count = var.budget ? 1 : 0

  name         = "${var.name_prefix}-monthly"
  budget_type  = "COST"
  limit_amount = format("%.2f", var.budget_usd)
  limit_unit   = "USD"
  time_unit    = "MONTHLY"

  notification {
    comparison_operator        = "GREATER_THAN"
    threshold                  = 80
    threshold_type             = "PERCENTAGE"
    notification_type          = "FORECASTED"
    subscriber_email_addresses = [var.budget_email]
  }

  notification {
    comparison_operator        = "GREATER_THAN"
    threshold                  = 100
    threshold_type             = "PERCENTAGE"
    notification_type          = "ACTUAL"
    subscriber_email_addresses = [var.budget_email]
  }

  tags = var.tags
}
