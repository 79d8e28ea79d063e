# A small root for the spine's fast tests (owlet's real one is templates/root/).
terraform {
  required_version = ">= 1.6"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "= 5.100.0"
    }
  }
  backend "s3" {}
}
