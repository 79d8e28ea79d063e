output "state_bucket" {
  value = aws_s3_bucket.state.bucket
}

output "oidc_provider_arn" {
  value = local.oidc_provider_arn
}

output "deploy_role_arn" {
  value = aws_iam_role.deploy.arn
}

output "plan_role_arn" {
  value = var.plan_subject == "" ? "" : aws_iam_role.plan[0].arn
}
