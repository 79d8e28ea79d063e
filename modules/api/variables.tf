variable "name_prefix" {
  description = "Prefix of every name, e.g. owlet-demo-dev."
  type        = string
}

variable "routes" {
  description = "The route keys (\"GET /datasets\", \"POST /datasets/<name>/records\", ...), one route each, behind the JWT authorizer. owlet makes them from the model (lib/model/openapi.h), the same list as the OpenAPI paths."
  type        = list(string)

  validation {
    condition     = alltrue([for r in var.routes : can(regex("^(GET|POST) (/([A-Za-z0-9_.-]+|\\{[a-z]+\\}))+$", r))])
    error_message = "Each route is a key like \"GET /datasets\": GET or POST, a space, a path of literal segments or {param} segments."
  }
}

variable "function_name" {
  description = "Name of the Lambda function that serves every route."
  type        = string
}

variable "function_invoke_arn" {
  description = "Invoke ARN of the Lambda function (the integration URI)."
  type        = string
}

variable "function_permissions" {
  description = "IDs of the function's other Lambda permissions (the function module's `permissions`): this module's permission is created after them and destroyed before them, never at the same time."
  type        = list(string)
  default     = []
}

variable "jwt_issuer" {
  description = "Issuer URL the JWT authorizer trusts: https://cognito-idp.<region>.amazonaws.com/<user pool id>."
  type        = string
}

variable "jwt_audience" {
  description = "Audiences the JWT authorizer accepts: the user pool app client IDs."
  type        = list(string)
}

variable "throttle_rate" {
  description = "Steady-state request rate limit of the stage, requests per second."
  type        = number
  default     = 10
}

variable "throttle_burst" {
  description = "Burst limit of the stage, requests."
  type        = number
  default     = 20
}

variable "log_retention_days" {
  description = "Days the access log group keeps its events. Cost: $0.50 per GB ingested and $0.03 per GB-month stored."
  type        = number
  default     = 365
}

variable "kms_key_arn" {
  description = "KMS key that encrypts the access log group; null for CloudWatch's default encryption."
  type        = string
  default     = null
}

variable "detailed_metrics" {
  description = "Per-route CloudWatch metrics. Cost: custom metrics at $0.30 per metric per month, several per route."
  type        = bool
  default     = false
}

variable "integration_timeout_ms" {
  description = "Timeout of the Lambda integration in milliseconds (50-30000)."
  type        = number
  default     = 29000
}

variable "tags" {
  description = "Tags added to every resource of this module (on top of the provider's default tags)."
  type        = map(string)
  default     = {}
}
