# The bootstrap of one owlet environment: what its pipeline needs before the
# first `owlet up` (the state bucket, GitHub's OIDC provider, the roles the
# workflows assume).  `owlet bootstrap` copies it into state/<env>/bootstrap/
# next to bootstrap.auto.tfvars.json.  Its state is local, in that
# directory: the state bucket cannot hold the state of its own creation.

terraform {
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.70, < 6.0"
    }
  }

  backend "local" {
    path = "terraform.tfstate"
  }
}
