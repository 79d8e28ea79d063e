# As templates/root/providers.tf: with var.emulator_endpoint every service
# goes to the emulator with dummy credentials; for AWS, the provider's
# defaults (the standard credential chain).

locals {
  emulator = var.emulator_endpoint != ""
  endpoint = local.emulator ? var.emulator_endpoint : null
}

provider "aws" {
  region = var.region

  access_key                  = local.emulator ? "test" : null
  secret_key                  = local.emulator ? "test" : null
  skip_credentials_validation = local.emulator
  skip_metadata_api_check     = local.emulator
  skip_region_validation      = local.emulator
  s3_use_path_style           = local.emulator

  endpoints {
    iam = local.endpoint
    s3  = local.endpoint
    sts = local.endpoint
  }

  default_tags {
    tags = {
      ManagedBy       = "owlet"
      "owlet:project" = var.project
      "owlet:env"     = var.environment
      "owlet:part"    = "bootstrap"
    }
  }
}
