# The provider comes from the module's versions.tf (hashicorp/aws). AWS
# itself by default; with var.endpoint, the services this example uses go
# to that endpoint (an emulator such as moto_server). Credentials come from
# the usual chain (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; any value for
# moto).
provider "aws" {
  region = var.region

  endpoints {
    athena = var.endpoint
    sts    = var.endpoint
  }
}

# Query results go to a bucket made elsewhere (for instance the storage
# module's data bucket); it need not exist to plan.
module "query" {
  source = "../../"

  name_prefix    = var.name_prefix
  results_bucket = "${var.name_prefix}-data"
  force_destroy  = true
}
