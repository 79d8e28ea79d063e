# The provider comes from the module's versions.tf (hashicorp/aws). AWS
# itself by default; with var.endpoint, the services this example uses go
# to that endpoint (an emulator such as moto_server). Credentials come from
# the usual chain (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; any value for
# moto).
provider "aws" {
  region = var.region

  endpoints {
    cloudwatch = var.endpoint
    sns        = var.endpoint
    sts        = var.endpoint
  }
}

# The function, the API and the dead-letter queue watched are made elsewhere
# (the function and api modules); they need not exist to plan.
module "alerts" {
  source = "../../"

  name_prefix   = var.name_prefix
  alarms        = true
  email         = "ops@example.com"
  function_name = var.name_prefix
  api_id        = "example"
  dlq           = true
  dlq_name      = "${var.name_prefix}-dlq"
}
