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
  description = "How many KMS keys to create (20 s each: a sleep after each creation)."
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
  description             = "${var.name} slow ${count.index}: takes 20 s to create"
  deletion_window_in_days = 7

  # created last, so that an interruption during it leaves nothing half-made
  # but a key: an S3 bucket whose creation is cancelled exists without being
  # in the state, and the next apply fails with BucketAlreadyExists
  depends_on = [aws_s3_object.marker]

  # the emulator creates a key in anything from 0 to 12 s, so a key alone is
  # not reliably slow enough to be interrupted (CI once saw the apply finish
  # before the test's SIGINT): every key waits 20 s after its creation
  provisioner "local-exec" {
    command = "exec sleep 20"
  }
}

output "name" {
  description = "The bucket's name."
  value       = aws_s3_bucket.this.id
}
