variable "endpoint" {
  description = "Base URL of an AWS emulator that every service of this example goes to, e.g. http://127.0.0.1:5000 for moto_server; null for AWS."
  type        = string
  default     = null
}

variable "name_prefix" {
  description = "Prefix of every name, e.g. example-dev: the HTTP API is <name_prefix>; the function it calls is taken to be <name_prefix>-api."
  type        = string
}

variable "region" {
  description = "AWS region of the HTTP API and the function."
  type        = string
  default     = "us-east-1"
}
