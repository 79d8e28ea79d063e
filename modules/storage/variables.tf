variable "name_prefix" {
  description = "Prefix of every name, e.g. owlet-demo-dev. Bucket names are <name_prefix>-data-<account id> and <name_prefix>-logs-<account id>."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{1,43}$", var.name_prefix))
    error_message = "The name_prefix must be 2-44 characters of lower-case letters, digits and hyphens."
  }
}

variable "kms" {
  description = "Encrypt the data bucket with a customer-managed KMS key (rotated yearly) instead of SSE-S3. The same key also encrypts log groups, the dead-letter queue, the Lambda environment, Glue and Athena results when other modules are given its ARN. Cost: about $1 per month for the key plus $0.03 per 10,000 requests (bucket keys keep the request count low)."
  type        = bool
  default     = false
}

variable "kms_deletion_window_days" {
  description = "Days a scheduled deletion of the KMS key waits before the key is gone (7-30)."
  type        = number
  default     = 30

  validation {
    condition     = var.kms_deletion_window_days >= 7 && var.kms_deletion_window_days <= 30
    error_message = "The kms_deletion_window_days must be between 7 and 30."
  }
}

variable "noncurrent_days" {
  description = "Days a noncurrent (overwritten or deleted) object version is kept before it expires. Longer means more storage cost for old versions."
  type        = number
  default     = 30

  validation {
    condition     = var.noncurrent_days >= 1
    error_message = "The noncurrent_days must be at least 1."
  }
}

variable "log_retention_days" {
  description = "Days access logs and flow logs are kept in the logs bucket before they expire."
  type        = number
  default     = 365

  validation {
    condition     = var.log_retention_days >= 1
    error_message = "The log_retention_days must be at least 1."
  }
}

variable "abort_multipart_days" {
  description = "Days after which an incomplete multipart upload is aborted and its parts deleted (parts are billed until then)."
  type        = number
  default     = 7
}

variable "incoming_days" {
  description = "Days the original files of bulk uploads (incoming/) are kept before they expire; their rows are stored under raw/ within seconds of the upload."
  type        = number
  default     = 7

  validation {
    condition     = var.incoming_days >= 1
    error_message = "The incoming_days must be at least 1."
  }
}

variable "point_in_time_recovery" {
  description = "Point-in-time recovery (continuous backups, 35 days) of the dataset metadata table. Cost: $0.20 per GB-month of the table, which holds a few KB per dataset."
  type        = bool
  default     = true
}

variable "force_destroy" {
  description = "Let terraform destroy both buckets even when they hold objects, and the metadata table (else it has deletion protection). Set only for environments that are not protected; for protected ones a destroy fails while data remains."
  type        = bool
  default     = false
}

variable "flow_logs_delivery" {
  description = "Allow the VPC flow logs delivery service to write under AWSLogs/<account id>/ in the logs bucket (set when the network module sends flow logs there)."
  type        = bool
  default     = false
}

variable "attach_deny_insecure_transport_policy" {
  description = "Put a statement in each bucket's policy that denies every request not made over TLS (aws:SecureTransport false); without it the data bucket has no policy at all. Turn it off only for an S3 emulator that evaluates a Deny with a Condition as an unconditional deny (moto: every request would get 403)."
  type        = bool
  default     = true
}

variable "logs_bucket_eventbridge" {
  description = "Send the logs bucket's object events to EventBridge (the account's default bus; free). Turn it off only for an S3 emulator that does not keep the setting (moto), which would show as a change on every plan."
  type        = bool
  default     = true
}

variable "inline_lifecycle_rules" {
  description = "Put the lifecycle rules inline on the buckets (the deprecated lifecycle_rule block) instead of aws_s3_bucket_lifecycle_configuration, whose creation the AWS provider follows with a fixed wait of about 55 s. For the local emulator, which needs no wait; AWS targets keep the separate resource."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags added to every resource of this module (on top of the provider's default tags)."
  type        = map(string)
  default     = {}
}
