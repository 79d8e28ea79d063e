variable "name" {
  description = "Bucket name."
  type        = string
}
variable "force_destroy" {
  description = "Delete objects with the bucket."
  type        = bool
}
variable "datasets" {
  description = "One prefix marker per dataset."
  type        = list(string)
}
variable "slow" {
  description = "How many KMS keys to create (several seconds each against the emulator)."
  type        = number
}

resource "aws_s3_bucket" "this" {
  bucket        = var.name
  force_destroy = var.force_destroy
}

resource "aws_s3_object" "marker" {
  for_each = toset(var.datasets)
  bucket   = aws_s3_bucket.this.id
  key      = "${each.key}/.keep"
  content  = ""
}

resource "aws_kms_key" "slow" {
  count                   = var.slow
  description             = "${var.name} slow ${count.index}: takes seconds to create against the emulator"
  deletion_window_in_days = 7
}

output "name" {
  description = "The bucket's name."
  value       = aws_s3_bucket.this.id
}
