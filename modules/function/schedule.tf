# The daily compaction (docs/sql.md, "Compaction"): an EventBridge Scheduler
# schedule that invokes the function with {"owlet":"compact"}; the function
# turns raw JSON Lines into Parquet under curated/ through Athena's UNLOAD
# (lib/lambda/compact.c), as `owlet compact` does.  Its role may invoke this
# function and nothing else.  Off when compaction_schedule is "".

locals {
  with_schedule = var.compaction_schedule != ""
  schedule_name = "${var.name_prefix}-compact"
  # built from names, so that the plan shows the policy (as main.tf's)
  function_arn = "arn:${local.partition}:lambda:${local.region}:${local.account_id}:function:${local.function_name}"
}

resource "aws_iam_role" "schedule" {
  count                = local.with_schedule ? 1 : 0
  name                 = "${var.name_prefix}-compact-schedule"
  description          = "EventBridge Scheduler's role for the daily compaction of ${local.function_name}"
  max_session_duration = 3600
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "SchedulerOfThisAccount"
      Effect    = "Allow"
      Principal = { Service = "scheduler.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = { StringEquals = { "aws:SourceAccount" = local.account_id } }
    }]
  })

  tags = var.tags
}

resource "aws_iam_role_policy" "schedule" {
  count = local.with_schedule ? 1 : 0
  name  = "invoke-the-function"
  role  = aws_iam_role.schedule[0].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat([{
      Sid      = "InvokeTheFunction"
      Effect   = "Allow"
      Action   = ["lambda:InvokeFunction"]
      Resource = [local.function_arn, "${local.function_arn}:*"]
      }], [for st in [{
        # the schedule's own data (its input) is encrypted with the data key
        Sid       = "DecryptScheduleWithDataKey"
        Effect    = "Allow"
        Action    = ["kms:Decrypt"]
        Resource  = "arn:${local.partition}:kms:${local.region}:${local.account_id}:key/*"
        Condition = { "ForAnyValue:StringEquals" = { "kms:ResourceAliases" = var.kms_alias } }
    }] : st if local.with_kms])
  })
}

resource "aws_scheduler_schedule" "compact" {
  count                        = local.with_schedule ? 1 : 0
  name                         = local.schedule_name
  description                  = "Daily compaction of the datasets to Parquet (owlet)"
  schedule_expression          = var.compaction_schedule
  schedule_expression_timezone = "UTC"
  kms_key_arn                  = local.kms_key_arn

  flexible_time_window {
    mode                      = "FLEXIBLE"
    maximum_window_in_minutes = 60
  }

  target {
    arn      = aws_lambda_function.this.arn
    role_arn = aws_iam_role.schedule[0].arn
    input    = jsonencode({ owlet = "compact" })

    retry_policy {
      maximum_retry_attempts       = 2
      maximum_event_age_in_seconds = 3600
    }
  }
}
