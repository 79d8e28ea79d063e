variable "name_prefix" {
  description = "Prefix of every name, e.g. owlet-demo-dev. The function is named <name_prefix>."
  type        = string
}

variable "environment" {
  description = "Name of the owlet environment (passed to the function as OWLET_ENV)."
  type        = string
}

variable "zip_path" {
  description = "Path of the deployment zip (bootstrap at its root), absolute or relative to terraform's working directory."
  type        = string
}

variable "zip_sha256" {
  description = "Base64-encoded SHA-256 of the zip (as filebase64sha256 gives it); a change redeploys the code."
  type        = string
}

variable "model_json" {
  description = "The normalised data model as JSON, stored as s3://<data_bucket>/_owlet/model.json and read by the function at init (OWLET_MODEL_KEY, OWLET_MODEL_SHA256); any size."
  type        = string
}

variable "architecture" {
  description = "Instruction set of the function: x86_64 or arm64 (arm64 is about 20% cheaper per GB-second)."
  type        = string
  default     = "x86_64"

  validation {
    condition     = contains(["x86_64", "arm64"], var.architecture)
    error_message = "The architecture must be x86_64 or arm64."
  }
}

variable "memory_mb" {
  description = "Memory of the function in MB (128-10240); CPU grows with it. Cost: $0.0000166667 per GB-second on x86_64, billed only while it runs."
  type        = number
  default     = 256
}

variable "timeout_s" {
  description = "Timeout of one invocation in seconds (1-900)."
  type        = number
  default     = 10
}

variable "reserved_concurrency" {
  description = "Concurrent executions reserved for (and the cap of) the function. It bounds the cost of a burst of requests or uploads. Reserving costs nothing but takes the amount from the account's pool."
  type        = number
  default     = 5
}

variable "log_retention_days" {
  description = "Days the function's log group keeps its events. Cost: $0.50 per GB ingested and $0.03 per GB-month stored."
  type        = number
  default     = 365
}

variable "kms_enabled" {
  description = "Encrypt the function's environment variables, log group and dead-letter queue with the customer-managed key kms_key_arn (else AWS-managed keys), and let the function use that key. A switch of its own because the key's ARN is not known until apply."
  type        = bool
  default     = false
}

variable "kms_key_arn" {
  description = "ARN of the customer-managed KMS key; required when kms_enabled is true."
  type        = string
  default     = null
}

variable "kms_alias" {
  description = "Alias of the same key (alias/...), known at plan time: the function's policy names the key by this alias (kms:ResourceAliases), so that the whole policy is known when planning. Required when kms_enabled is true."
  type        = string
  default     = null
}

variable "data_bucket" {
  description = "Name of the data bucket. The function reads raw/<dataset>/, writes stats/<dataset>/ (and raw/<dataset>/ for writable datasets) and is notified of objects created under raw/."
  type        = string
}

variable "meta_table" {
  description = "Name of the dataset metadata table (DynamoDB, storage module): the function adds the rows it stores and records bulk uploads there, and GET /datasets reads the row counts from it. Empty: none (GET /datasets counts the S3 listing)."
  type        = string
  default     = ""
}

variable "datasets" {
  description = "The model's datasets by name with the groups that may read and write them; the IAM policy is scoped to each dataset's prefixes and Glue table."
  type = map(object({
    read_groups  = list(string)
    write_groups = list(string)
  }))
}

variable "glue_database" {
  description = "Name of the Glue database whose tables the function may read (for Athena queries)."
  type        = string
}

variable "athena_workgroup" {
  description = "Name of the Athena workgroup the function may run queries in."
  type        = string
}

variable "athena_results_prefix" {
  description = "Key prefix of Athena query results in the data bucket, ending in /."
  type        = string
  default     = "athena-results/"
}

variable "s3_trigger" {
  description = "Invoke the function for every object created under raw/ in the data bucket (the aggregation trigger)."
  type        = bool
  default     = true
}

variable "vpc_enabled" {
  description = "Attach the function to the VPC (subnet_ids and security_group_ids). Without it the function runs outside any VPC."
  type        = bool
  default     = false
}

variable "subnet_ids" {
  description = "Private subnets for the function's network interfaces when vpc_enabled is true."
  type        = list(string)
  default     = []
}

variable "security_group_ids" {
  description = "Security groups of the function's network interfaces when vpc_enabled is true."
  type        = list(string)
  default     = []
}

variable "dlq_retention_seconds" {
  description = "How long failed asynchronous events (S3 notifications) stay in the dead-letter queue, in seconds."
  type        = number
  default     = 1209600
}

variable "create_dead_letter_queue" {
  description = "Create an SQS dead-letter queue for the function's failed asynchronous invocations (S3 notifications), name it in the function's dead-letter configuration and let the role send to it. Turn it off only for a Lambda emulator that does not return a function's DeadLetterConfig (moto), which would show as a change on every plan."
  type        = bool
  default     = true
}

variable "encrypt_environment_with_kms" {
  description = "With kms_enabled, encrypt the function's environment variables with kms_key_arn (the function's KMSKeyArn); without it Lambda uses its AWS-managed key. Turn it off only for a Lambda emulator that does not return KMSKeyArn (moto)."
  type        = bool
  default     = true
}

variable "set_logging_config" {
  description = "Set the function's logging configuration: text format, into this module's log group. Without it Lambda logs to the same /aws/lambda/<name> group by its defaults. Turn it off only for a Lambda emulator that does not return LoggingConfig (moto)."
  type        = bool
  default     = true
}

variable "extra_environment" {
  description = "More environment variables for the function (on top of OWLET_DATA_BUCKET, OWLET_MODEL_KEY, OWLET_MODEL_SHA256, OWLET_ENV, OWLET_GLUE_DATABASE, OWLET_ATHENA_WORKGROUP). No secrets here."
  type        = map(string)
  default     = {}
}

variable "tags" {
  description = "Tags added to every resource of this module (on top of the provider's default tags)."
  type        = map(string)
  default     = {}
}

variable "compaction_schedule" {
  description = "EventBridge Scheduler expression of the daily compaction (e.g. cron(15 3 * * ? *), UTC): the function is invoked with {\"owlet\":\"compact\"} and writes Parquet under curated/. \"\" renders no schedule (the local emulator's scheduler never fires; run `owlet compact` there)."
  type        = string
  default     = ""
}
