# The provider comes from the module's versions.tf (hashicorp/aws). AWS
# itself by default; with var.endpoint, the services this example uses go
# to that endpoint (an emulator such as moto_server). Credentials come from
# the usual chain (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; any value for
# moto).
provider "aws" {
  region = var.region

  # S3 by path (http://host/bucket/key), as emulators want
  s3_use_path_style = var.endpoint != null

  endpoints {
    kms = var.endpoint
    s3  = var.endpoint
    sts = var.endpoint
  }
}

module "storage" {
  source = "../../"

  name_prefix   = var.name_prefix
  force_destroy = true
}
