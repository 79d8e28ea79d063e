# These variables match owlet.auto.tfvars.json exactly (docs/contracts.md).

variable "project" {
  description = "Project name from data_model.yml."
  type        = string
}

variable "environment" {
  description = "Name of the owlet environment: local, dev, prod, sandbox, ..."
  type        = string
}

variable "name_prefix" {
  description = "Prefix of every cloud name: <project>-<environment> (sandbox: plus the developer's name)."
  type        = string
}

variable "sandbox" {
  description = "A developer's sandbox (stack_suffix: developer): its name, tagged owlet:sandbox on every resource; empty for other stacks."
  type        = string
  default     = ""
}

variable "sandbox_expires" {
  description = "With sandbox: the date (YYYY-MM-DD) after which the sandbox counts as expired, tagged owlet:expires."
  type        = string
  default     = ""
}

variable "region" {
  description = "AWS region of the stack."
  type        = string
}

variable "emulator_endpoint" {
  description = "Base URL of the local AWS emulator, e.g. http://127.0.0.1:4566; empty for AWS. When set, the provider talks only to it and the modules render around its quirks."
  type        = string
  default     = ""
}

variable "protect" {
  description = "Protected environment: buckets are not force-destroyed, the user pool has deletion protection, the KMS key waits 30 days before deletion."
  type        = bool
  default     = false
}

variable "groups" {
  description = "Cognito groups of the model."
  type        = list(string)
  default     = []
}

variable "datasets" {
  description = "The model's datasets by name: description, format (csv or jsonl), key, partition_by, columns (name, model type, Glue type) and the groups that may read (\"*\" = any signed-in user) and write."
  type = map(object({
    description  = optional(string, "")
    format       = string
    key          = optional(string)
    partition_by = optional(string)
    columns = list(object({
      name      = string
      type      = string
      glue_type = string
    }))
    read_groups  = list(string)
    write_groups = list(string)
  }))
}

variable "network" {
  description = "VPC settings. enabled: put the Lambda in a VPC with private subnets in az_count AZs; flow_logs: VPC flow logs to the logs bucket ($0.25 per GB); interface_endpoints: PrivateLink endpoints (about $7.30 per endpoint per AZ per month)."
  type = object({
    enabled             = bool
    az_count            = optional(number, 2)
    flow_logs           = optional(bool, true)
    interface_endpoints = optional(bool, false)
  })
  default = { enabled = true }
}

variable "storage" {
  description = "Storage settings. kms: a customer-managed KMS key (about $1 per month) instead of SSE-S3 and AWS-managed keys; noncurrent_days: how long old object versions are kept; log_retention_days: how long access logs, flow logs and API access logs are kept; incoming_days: how long bulk uploads' original files are kept; point_in_time_recovery: continuous backups of the metadata table; force_destroy: buckets may be destroyed with objects in them (the negation of protect)."
  type = object({
    kms                    = bool
    noncurrent_days        = optional(number, 30)
    log_retention_days     = optional(number, 365)
    incoming_days          = optional(number, 7)
    point_in_time_recovery = optional(bool, true)
    force_destroy          = bool
  })
}

variable "function" {
  description = "The Lambda: architecture, memory_mb, timeout_s, reserved_concurrency, log_retention_days, the zip (zip_path relative to this directory or absolute, zip_sha256 in base64) and model_json (the normalised model, OWLET_MODEL)."
  type = object({
    architecture         = string
    memory_mb            = number
    timeout_s            = number
    reserved_concurrency = number
    log_retention_days   = number
    zip_path             = string
    zip_sha256           = string
    model_json           = string
  })
}

variable "api" {
  description = "The HTTP API: stage throttling (steady rate in requests per second, burst) and its route keys (\"GET /datasets\", ...), which owlet makes from the model, as it makes the OpenAPI paths from the same list."
  type = object({
    throttle_rate  = number
    throttle_burst = number
    routes         = list(string)
  })
}

variable "alerts" {
  description = "CloudWatch alarms (Lambda errors and throttles, API 5xx, dead-letter queue) to an SNS topic with an e-mail subscription."
  type = object({
    enabled = bool
    email   = optional(string, "")
  })
  default = { enabled = false }
}

variable "budget" {
  description = "An AWS Budgets cost budget (80 % forecast, 100 % actual, by e-mail). owlet renders it for AWS targets only: the emulator never finishes creating one."
  type = object({
    enabled     = bool
    monthly_usd = optional(number, 0)
    email       = optional(string, "")
  })
  default = { enabled = false }
}
