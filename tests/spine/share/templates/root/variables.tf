variable "project" {
  description = "Project name."
  type        = string
}
variable "environment" {
  description = "Environment name."
  type        = string
}
variable "name_prefix" {
  description = "Prefix of every cloud name."
  type        = string
}
variable "region" {
  description = "AWS region."
  type        = string
}
variable "emulator_endpoint" {
  description = "The local emulator, or empty for AWS."
  type        = string
}
variable "protect" {
  description = "Protected environment."
  type        = bool
}
variable "groups" {
  description = "Cognito groups."
  type        = list(string)
}
variable "datasets" {
  description = "Datasets of the model."
  type        = any
}
variable "network" {
  description = "Network settings."
  type        = any
}
variable "storage" {
  description = "Storage settings."
  type        = any
}
variable "function" {
  description = "Function settings."
  type        = any
}
variable "api" {
  description = "API settings."
  type        = any
}
variable "slow" {
  description = "How many KMS keys (20 s each to create), for interruption tests: TF_VAR_slow=N."
  type        = number
  default     = 0
}
