variable "name_prefix" {
  description = "Prefix of every name, e.g. owlet-demo-dev."
  type        = string
}

variable "cidr_block" {
  description = "IPv4 range of the VPC. Each private subnet gets a /20 of it."
  type        = string
  default     = "10.40.0.0/16"

  validation {
    condition     = can(cidrhost(var.cidr_block, 0))
    error_message = "The cidr_block must be an IPv4 CIDR such as 10.40.0.0/16."
  }
}

variable "az_count" {
  description = "Number of availability zones, one private subnet in each (2 or more for a Lambda that survives the loss of a zone). Subnets themselves cost nothing."
  type        = number
  default     = 2

  validation {
    condition     = var.az_count >= 1 && var.az_count <= 6
    error_message = "The az_count must be between 1 and 6."
  }
}

variable "flow_logs" {
  description = "Record VPC flow logs (all traffic) into the logs bucket. Cost: $0.25 per GB of flow logs delivered to S3 (vended logs) plus S3 storage; close to nothing for an idle stack."
  type        = bool
  default     = true
}

variable "flow_logs_bucket_arn" {
  description = "ARN of the bucket that receives the flow logs (the storage module's logs bucket). Its policy must let delivery.logs.amazonaws.com write under AWSLogs/<account id>/. Required when flow_logs is true."
  type        = string
  default     = ""
}

variable "interface_endpoints" {
  description = "Create interface endpoints (PrivateLink) so that a Lambda in the VPC reaches the services of interface_endpoint_services without a NAT gateway. Cost: about $7.30 per endpoint per AZ per month plus $0.01 per GB; with the defaults and 2 AZs about $29 per month."
  type        = bool
  default     = false
}

variable "dns_hostnames" {
  description = "DNS hostnames in the VPC (enable_dns_hostnames). Setting it makes the AWS provider wait a fixed 10 s after creating the VPC; the local emulator, where nothing resolves VPC hostnames, leaves it off. Always on when interface_endpoints is true (their private DNS needs it)."
  type        = bool
  default     = true
}

variable "interface_endpoint_services" {
  description = "Service names (the last part of com.amazonaws.<region>.<service>) that get an interface endpoint when interface_endpoints is true."
  type        = list(string)
  default     = ["athena", "xray"]
}

variable "s3_bucket_arns" {
  description = "ARNs of the buckets reachable through the S3 gateway endpoint; the endpoint policy allows object and list access to these buckets only. Empty: the endpoint's default (full access) policy."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Tags added to every resource of this module (on top of the provider's default tags)."
  type        = map(string)
  default     = {}
}
