variable "name_prefix" {
  description = "Prefix of every name, e.g. owlet-demo-dev. The Glue database is named after it with hyphens turned into underscores."
  type        = string
}

variable "data_bucket" {
  description = "Name of the data bucket; each table's location is s3://<data_bucket>/raw/<dataset>/."
  type        = string
}

variable "datasets" {
  description = "The model's datasets by name: file format (csv or jsonl), optional partition field (files then live under raw/<dataset>/dt=YYYY-MM-DD/) and columns with their Glue types."
  type = map(object({
    description  = optional(string, "")
    format       = string
    partition_by = optional(string)
    columns = list(object({
      name      = string
      glue_type = string
    }))
  }))

  validation {
    condition     = alltrue([for ds in values(var.datasets) : contains(["csv", "jsonl"], ds.format)])
    error_message = "Each dataset's format must be csv or jsonl."
  }
}

variable "partition_start" {
  description = "First day (yyyy-MM-dd) of the dt= partition projection range; the range ends today."
  type        = string
  default     = "2020-01-01"
}

variable "kms_enabled" {
  description = "Create a Glue security configuration (S3, CloudWatch and job-bookmark encryption with kms_key_arn) for crawlers and jobs. A switch of its own because the key's ARN is not known until apply. The configuration itself costs nothing."
  type        = bool
  default     = false
}

variable "kms_key_arn" {
  description = "ARN of the KMS key of the security configuration; required when kms_enabled is true."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags added to every resource of this module (on top of the provider's default tags)."
  type        = map(string)
  default     = {}
}
