variable "name_prefix" {
  description = "Prefix of every name, e.g. owlet-demo-dev. The workgroup is named <name_prefix>."
  type        = string
}

variable "results_bucket" {
  description = "Name of the bucket that receives query results (owlet uses the data bucket)."
  type        = string
}

variable "results_prefix" {
  description = "Key prefix of query results in results_bucket, ending in /."
  type        = string
  default     = "athena-results/"
}

variable "kms_enabled" {
  description = "Encrypt query results with kms_key_arn (SSE_KMS) instead of SSE-S3. A switch of its own because the key's ARN is not known until apply."
  type        = bool
  default     = false
}

variable "kms_key_arn" {
  description = "ARN of the KMS key that encrypts query results; required when kms_enabled is true."
  type        = string
  default     = null
}

variable "bytes_scanned_cutoff" {
  description = "Largest number of bytes one query may scan before Athena cancels it (at least 10 MB). Cost guard: Athena bills $5 per TB scanned."
  type        = number
  default     = 1073741824
}

variable "force_destroy" {
  description = "Let terraform delete the workgroup even when it holds saved queries or history. Set only for environments that are not protected."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags added to every resource of this module (on top of the provider's default tags)."
  type        = map(string)
  default     = {}
}
