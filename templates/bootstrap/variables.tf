variable "project" {
  description = "The project's name (data_model.yml)."
  type        = string
}

variable "environment" {
  description = "The owlet environment these roles deploy."
  type        = string
}

variable "name_prefix" {
  description = "Prefix of every cloud name of the environment's stack: <project>-<environment>."
  type        = string
}

variable "region" {
  description = "The environment's region."
  type        = string
}

variable "emulator_endpoint" {
  description = "The local emulator's endpoint; empty for AWS."
  type        = string
  default     = ""
}

variable "state_bucket" {
  description = "The S3 bucket of the environment's terraform state (backend.bucket)."
  type        = string
}

variable "state_key_prefix" {
  description = "The state objects of the environment live under this prefix of the bucket."
  type        = string
}

variable "repository" {
  description = "The GitHub repository (OWNER/NAME) whose workflows may assume the roles."
  type        = string
}

variable "deploy_subject" {
  description = "The OIDC sub claim the deploy role admits: repo:OWNER/NAME:ref:refs/heads/main, or repo:OWNER/NAME:environment:ENV."
  type        = string
}

variable "plan_subject" {
  description = "The OIDC sub claim the plan role admits (repo:OWNER/NAME:pull_request); empty: no plan role."
  type        = string
  default     = ""
}

variable "oidc_provider_arn" {
  description = "The account's existing GitHub OIDC provider (one per account); empty: this bootstrap creates it."
  type        = string
  default     = ""
}

variable "noncurrent_days" {
  description = "Days an old state version is kept."
  type        = number
  default     = 90
}
