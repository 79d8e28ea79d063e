# The provider comes from the module's versions.tf (hashicorp/aws). AWS
# itself by default; with var.endpoint, the services this example uses go
# to that endpoint (an emulator such as moto_server). Credentials come from
# the usual chain (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; any value for
# moto).
provider "aws" {
  region = var.region

  endpoints {
    apigatewayv2 = var.endpoint
    lambda       = var.endpoint
    logs         = var.endpoint
    sts          = var.endpoint
  }
}

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

# The function that serves every route and the user pool whose tokens are
# accepted are made elsewhere (for instance by the function and auth
# modules); they need not exist to plan.
locals {
  function_name = "${var.name_prefix}-api"
  function_arn  = "arn:${data.aws_partition.current.partition}:lambda:${var.region}:${data.aws_caller_identity.current.account_id}:function:${local.function_name}"
}

module "api" {
  source = "../../"

  name_prefix         = var.name_prefix
  routes              = ["GET /datasets", "GET /datasets/{name}/stats", "POST /datasets/{name}/records"]
  function_name       = local.function_name
  function_invoke_arn = "arn:${data.aws_partition.current.partition}:apigateway:${var.region}:lambda:path/2015-03-31/functions/${local.function_arn}/invocations"
  jwt_issuer          = "https://cognito-idp.${var.region}.amazonaws.com/${var.region}_EXAMPLE"
  jwt_audience        = ["exampleclientid"]
}
