# The provider comes from the module's versions.tf (hashicorp/aws). AWS
# itself by default; with var.endpoint, the services this example uses go
# to that endpoint (an emulator such as moto_server). Credentials come from
# the usual chain (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; any value for
# moto).
provider "aws" {
  region = var.region

  endpoints {
    cognitoidp = var.endpoint
    sts        = var.endpoint
  }
}

module "auth" {
  source = "../../"

  name_prefix = var.name_prefix
  groups      = ["analysts", "editors"]
}
