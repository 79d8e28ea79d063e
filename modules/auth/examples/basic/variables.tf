variable "endpoint" {
  description = "Base URL of an AWS emulator that every service of this example goes to, e.g. http://127.0.0.1:5000 for moto_server; null for AWS."
  type        = string
  default     = null
}

variable "name_prefix" {
  description = "Prefix of every name, e.g. example-dev: the user pool is <name_prefix>-users."
  type        = string
}

variable "region" {
  description = "AWS region of the user pool."
  type        = string
  default     = "us-east-1"
}
