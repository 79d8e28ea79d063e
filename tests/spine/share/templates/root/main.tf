provider "aws" {
  region                      = var.region
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  skip_requesting_account_id  = false
  s3_use_path_style           = true

  endpoints {
    s3  = var.emulator_endpoint
    sts = var.emulator_endpoint
    iam = var.emulator_endpoint
    kms = var.emulator_endpoint
  }
}

module "bucket" {
  source        = "./modules/bucket"
  name          = "${var.name_prefix}-data"
  force_destroy = var.storage.force_destroy
  datasets      = keys(var.datasets)
  slow          = var.slow
}

output "data_bucket" {
  description = "The data bucket."
  value       = module.bucket.name
}
