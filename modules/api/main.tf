# api: an HTTP API (API Gateway v2) whose every route is behind a JWT
# authorizer on the Cognito user pool and proxies to the Lambda (payload
# format 2.0), with one route per dataset operation and a $default stage with
# access logs and throttling.

locals {
  # One route per operation, as owlet lists them from the model (the same
  # list gives the OpenAPI paths of `owlet openapi`).
  route_keys = toset(var.routes)
}

resource "aws_apigatewayv2_api" "this" {
  #checkov:skip=CKV2_AWS_77:AWS WAF cannot be associated with an HTTP API (WAFv2 protects REST API stages, not API Gateway v2 HTTP APIs); every route needs a Cognito JWT and the stage throttles
  name          = "${var.name_prefix}-api"
  protocol_type = "HTTP"
  description   = "owlet datasets API of ${var.name_prefix}"

  tags = var.tags
}

resource "aws_apigatewayv2_authorizer" "jwt" {
  api_id           = aws_apigatewayv2_api.this.id
  name             = "cognito"
  authorizer_type  = "JWT"
  identity_sources = ["$request.header.Authorization"]

  jwt_configuration {
    issuer   = var.jwt_issuer
    audience = var.jwt_audience
  }
}

resource "aws_apigatewayv2_integration" "lambda" {
  api_id                 = aws_apigatewayv2_api.this.id
  integration_type       = "AWS_PROXY"
  integration_method     = "POST"
  integration_uri        = var.function_invoke_arn
  payload_format_version = "2.0"
  timeout_milliseconds   = var.integration_timeout_ms
}

resource "aws_apigatewayv2_route" "this" {
  for_each = local.route_keys

  api_id             = aws_apigatewayv2_api.this.id
  route_key          = each.value
  target             = "integrations/${aws_apigatewayv2_integration.lambda.id}"
  authorization_type = "JWT"
  authorizer_id      = aws_apigatewayv2_authorizer.jwt.id
}

resource "aws_cloudwatch_log_group" "access" {
  name              = "/aws/apigateway/${var.name_prefix}-api"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn

  tags = var.tags
}

resource "aws_apigatewayv2_stage" "default" {
  api_id      = aws_apigatewayv2_api.this.id
  name        = "$default"
  auto_deploy = true

  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.access.arn
    format = jsonencode({
      requestId      = "$context.requestId"
      ip             = "$context.identity.sourceIp"
      requestTime    = "$context.requestTime"
      routeKey       = "$context.routeKey"
      status         = "$context.status"
      latencyMs      = "$context.responseLatency"
      integrationErr = "$context.integrationErrorMessage"
      authorizerErr  = "$context.authorizer.error"
      sub            = "$context.authorizer.claims.sub"
    })
  }

  default_route_settings {
    throttling_rate_limit    = var.throttle_rate
    throttling_burst_limit   = var.throttle_burst
    detailed_metrics_enabled = var.detailed_metrics
  }

  tags = var.tags
}

resource "aws_lambda_permission" "api" {
  statement_id  = "AllowHttpApiInvoke"
  action        = "lambda:InvokeFunction"
  function_name = var.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_apigatewayv2_api.this.execution_arn}/*/*"

  # one permission of a function at a time: the emulator (moto) edits the
  # function policy read-modify-write, and two deletes in the same second
  # left one behind (terraform then waited 5 minutes and failed)
  depends_on = [var.function_permissions]
}
