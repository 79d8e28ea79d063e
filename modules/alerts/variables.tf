variable "name_prefix" {
  description = "Prefix of every name: <project>-<environment>."
  type        = string
}

variable "alarms" {
  description = "Render the CloudWatch alarms, the SNS topic and its e-mail subscription."
  type        = bool
  default     = false
}

variable "email" {
  description = "Where the alarms go (an SNS e-mail subscription, confirmed by the recipient)."
  type        = string
  default     = ""
}

variable "function_name" {
  description = "The Lambda whose errors and throttles are watched."
  type        = string
  default     = ""
}

variable "api_id" {
  description = "The HTTP API whose 5xx answers are watched."
  type        = string
  default     = ""
}

variable "api_5xx_threshold" {
  description = "5xx answers in five minutes that raise the alarm."
  type        = number
  default     = 5
}

variable "dlq" {
  description = "Whether the function has a dead-letter queue to watch (not on the emulator)."
  type        = bool
  default     = false
}

variable "dlq_name" {
  description = "Name of the dead-letter queue."
  type        = string
  default     = null
}

variable "kms_enabled" {
  description = "Encrypt the topic with kms_key_arn (the stack's customer-managed key)."
  type        = bool
  default     = false
}

variable "kms_key_arn" {
  description = "The customer-managed KMS key, or null."
  type        = string
  default     = null
}

variable "budget" {
  description = "Render an AWS Budgets cost budget for the account (AWS targets only)."
  type        = bool
  default     = false
}

variable "budget_usd" {
  description = "The monthly limit in US dollars."
  type        = number
  default     = 0
}

variable "budget_email" {
  description = "Where the budget's notifications go."
  type        = string
  default     = ""
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
