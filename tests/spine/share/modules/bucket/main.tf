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
  description = "Add a lifecycle configuration (about a minute against the emulator)."
  type        = bool
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

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  count  = var.slow ? 1 : 0
  bucket = aws_s3_bucket.this.id
  rule {
    id     = "abort-multipart"
    status = "Enabled"
    filter {}
    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }
}

output "name" {
  description = "The bucket's name."
  value       = aws_s3_bucket.this.id
}
