# The root module of one owlet environment.  `owlet render` copies it into
# state/<env>/ next to owlet.auto.tfvars.json and backend.hcl; every value
# comes from those two files, nothing here is edited per environment.

terraform {
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.70, < 6.0"
    }
  }

  # Partial configuration: bucket, key and region (and, for the local
  # emulator, its endpoint and dummy credentials) come from backend.hcl,
  # `terraform init -backend-config=backend.hcl`.
  backend "s3" {
    use_lockfile = true
    encrypt      = true
  }
}
