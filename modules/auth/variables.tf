variable "name_prefix" {
  description = "Prefix of every name, e.g. owlet-demo-dev. The hosted-UI domain is <name_prefix>-<account id>."
  type        = string
}

variable "groups" {
  description = "Names of the Cognito groups to create, one per group of the data model (access rules name them)."
  type        = list(string)
  default     = []
}

variable "deletion_protection" {
  description = "Refuse to delete the user pool (and its users) until this is switched off. Set for protected environments."
  type        = bool
  default     = false
}

variable "password_minimum_length" {
  description = "Minimum length of user passwords (upper case, lower case, digits and symbols are also required)."
  type        = number
  default     = 14

  validation {
    condition     = var.password_minimum_length >= 8 && var.password_minimum_length <= 99
    error_message = "The password_minimum_length must be between 8 and 99."
  }
}

variable "token_validity_minutes" {
  description = "Lifetime of ID and access tokens in minutes (5-1440)."
  type        = number
  default     = 60
}

variable "refresh_token_validity_days" {
  description = "Lifetime of refresh tokens in days."
  type        = number
  default     = 30
}

variable "callback_urls" {
  description = "OAuth callback URLs of a web front end. Empty: no OAuth flow on the app client; users sign in through the API (SRP or USER_PASSWORD_AUTH over TLS)."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Tags added to every resource of this module (on top of the provider's default tags)."
  type        = map(string)
  default     = {}
}
