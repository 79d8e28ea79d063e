# network: a VPC with private subnets only (no internet or NAT gateway), a
# locked-down default security group, an S3 gateway endpoint (free), flow
# logs, a security group for the Lambda's network interfaces and, optionally,
# interface endpoints.

data "aws_region" "current" {}

data "aws_availability_zones" "available" {
  state = "available"
}

locals {
  region = data.aws_region.current.name
  azs    = slice(data.aws_availability_zones.available.names, 0, var.az_count)
}

resource "aws_vpc" "this" {
  cidr_block         = var.cidr_block
  enable_dns_support = true
  # Interface endpoints' private DNS needs hostnames, whatever dns_hostnames says.
  enable_dns_hostnames = var.dns_hostnames || var.interface_endpoints

  tags = merge(var.tags, { Name = "${var.name_prefix}-vpc" })
}

# No ingress and no egress rule: nothing may use the default security group.
resource "aws_default_security_group" "this" {
  vpc_id = aws_vpc.this.id

  tags = merge(var.tags, { Name = "${var.name_prefix}-default-deny-all" })
}

resource "aws_subnet" "private" {
  count = var.az_count

  vpc_id                  = aws_vpc.this.id
  cidr_block              = cidrsubnet(var.cidr_block, 4, count.index)
  availability_zone       = local.azs[count.index]
  map_public_ip_on_launch = false

  tags = merge(var.tags, { Name = "${var.name_prefix}-private-${local.azs[count.index]}" })
}

resource "aws_route_table" "private" {
  vpc_id = aws_vpc.this.id

  tags = merge(var.tags, { Name = "${var.name_prefix}-private" })
}

resource "aws_route_table_association" "private" {
  count = var.az_count

  subnet_id      = aws_subnet.private[count.index].id
  route_table_id = aws_route_table.private.id
}

# --- S3 gateway endpoint (free) -------------------------------------------------

resource "aws_vpc_endpoint" "s3" {
  vpc_id            = aws_vpc.this.id
  service_name      = "com.amazonaws.${local.region}.s3"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = [aws_route_table.private.id]

  policy = length(var.s3_bucket_arns) == 0 ? null : jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "OwnBucketsOnly"
      Effect    = "Allow"
      Principal = "*"
      Action    = ["s3:GetObject", "s3:PutObject", "s3:ListBucket", "s3:GetBucketLocation", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"]
      Resource  = concat(var.s3_bucket_arns, [for arn in var.s3_bucket_arns : "${arn}/*"])
    }]
  })

  tags = merge(var.tags, { Name = "${var.name_prefix}-s3" })
}

# --- Security groups --------------------------------------------------------------

resource "aws_security_group" "lambda" {
  name        = "${var.name_prefix}-lambda"
  description = "Network interfaces of the owlet Lambda: HTTPS out to S3 and the VPC endpoints only"
  vpc_id      = aws_vpc.this.id

  tags = merge(var.tags, { Name = "${var.name_prefix}-lambda" })

  # Both resources revoke their group's default egress rule when created; run
  # one after the other (moto answered InvalidPermission.NotFound to the
  # default group's revoke once, under load, when they ran together).
  depends_on = [aws_default_security_group.this]
}

resource "aws_vpc_security_group_egress_rule" "lambda_s3" {
  security_group_id = aws_security_group.lambda.id
  description       = "HTTPS to S3 through the gateway endpoint"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  prefix_list_id    = aws_vpc_endpoint.s3.prefix_list_id

  # The emulator does not return the description of prefix-list rules; the
  # description is a constant, so ignoring changes to it loses nothing.
  lifecycle {
    ignore_changes = [description]
  }
}

resource "aws_vpc_security_group_egress_rule" "lambda_endpoints" {
  count = var.interface_endpoints ? 1 : 0

  security_group_id = aws_security_group.lambda.id
  description       = "HTTPS to the interface endpoints inside the VPC"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = var.cidr_block
}

resource "aws_security_group" "endpoints" {
  count = var.interface_endpoints ? 1 : 0

  name        = "${var.name_prefix}-endpoints"
  description = "Interface endpoints: HTTPS in from the owlet Lambda only"
  vpc_id      = aws_vpc.this.id

  tags = merge(var.tags, { Name = "${var.name_prefix}-endpoints" })
}

resource "aws_vpc_security_group_ingress_rule" "endpoints_from_lambda" {
  count = var.interface_endpoints ? 1 : 0

  security_group_id            = aws_security_group.endpoints[0].id
  description                  = "HTTPS from the owlet Lambda"
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  referenced_security_group_id = aws_security_group.lambda.id

  # As above: the emulator drops descriptions of rules that reference a group.
  lifecycle {
    ignore_changes = [description]
  }
}

resource "aws_vpc_endpoint" "interface" {
  for_each = var.interface_endpoints ? toset(var.interface_endpoint_services) : toset([])

  vpc_id              = aws_vpc.this.id
  service_name        = "com.amazonaws.${local.region}.${each.value}"
  vpc_endpoint_type   = "Interface"
  private_dns_enabled = true
  subnet_ids          = aws_subnet.private[*].id
  security_group_ids  = [aws_security_group.endpoints[0].id]

  tags = merge(var.tags, { Name = "${var.name_prefix}-${each.value}" })
}

# --- Flow logs ----------------------------------------------------------------------

# Delivered to the logs bucket itself (its bare ARN: objects land under
# AWSLogs/<account id>/vpcflowlogs/), which is also the form the emulator takes.
resource "aws_flow_log" "this" {
  count = var.flow_logs ? 1 : 0

  vpc_id               = aws_vpc.this.id
  traffic_type         = "ALL"
  log_destination_type = "s3"
  log_destination      = var.flow_logs_bucket_arn

  tags = merge(var.tags, { Name = "${var.name_prefix}-flow-logs" })

  lifecycle {
    precondition {
      condition     = var.flow_logs_bucket_arn != ""
      error_message = "The flow_logs_bucket_arn must be set when flow_logs is true."
    }
  }
}
