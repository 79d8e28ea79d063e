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
    s3         = var.emulator_endpoint
    sts        = var.emulator_endpoint
    iam        = var.emulator_endpoint
    kms        = var.emulator_endpoint
    cognitoidp = var.emulator_endpoint
  }
}

module "bucket" {
  source        = "./modules/bucket"
  name          = "${var.name_prefix}-data"
  force_destroy = var.storage.force_destroy
  datasets      = keys(var.datasets)
  slow          = var.slow

  depends_on = [aws_cognito_user_pool_client.this]
}

output "data_bucket" {
  description = "The data bucket."
  value       = module.bucket.name
}

# what `owlet serve` needs to start: a user pool and its client
resource "aws_cognito_user_pool" "this" {
  name = var.name_prefix
}

resource "aws_cognito_user_pool_client" "this" {
  name         = var.name_prefix
  user_pool_id = aws_cognito_user_pool.this.id
}

output "user_pool_id" {
  description = "The user pool."
  value       = aws_cognito_user_pool.this.id
}

output "user_pool_client_id" {
  description = "The app client."
  value       = aws_cognito_user_pool_client.this.id
}
