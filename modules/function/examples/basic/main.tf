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
    iam    = var.endpoint
    lambda = var.endpoint
    logs   = var.endpoint
    s3     = var.endpoint
    sqs    = var.endpoint
    sts    = var.endpoint
  }
}

# The data bucket, Glue database and Athena workgroup are made elsewhere
# (the storage, catalog and query modules); they need not exist to plan.
module "function" {
  source = "../../"

  name_prefix      = var.name_prefix
  environment      = "example"
  zip_path         = var.zip_path
  zip_sha256       = filebase64sha256(var.zip_path)
  model_json       = jsonencode({ project = "example", datasets = ["trips"] })
  data_bucket      = "${var.name_prefix}-data"
  datasets         = { trips = { read_groups = ["analysts"], write_groups = ["editors"] } }
  glue_database    = replace(var.name_prefix, "-", "_")
  athena_workgroup = var.name_prefix
}
