# The stack: storage, network, auth, catalog, query, function and api, wired
# together.  Dataset-driven resources come from for_each over var.datasets
# inside the modules; nothing here is generated per model.

data "aws_partition" "current" {}

locals {
  # Paths in owlet.auto.tfvars.json are relative to this directory.
  zip_path = startswith(var.function.zip_path, "/") ? var.function.zip_path : "${path.root}/${var.function.zip_path}"

  access = {
    for name, ds in var.datasets : name => {
      read_groups  = ds.read_groups
      write_groups = ds.write_groups
    }
  }

  vpc_enabled = var.network.enabled

  # Bucket ARNs from the bucket names, which are known at plan time.
  data_bucket_arn = "arn:${data.aws_partition.current.partition}:s3:::${module.storage.data_bucket}"
  logs_bucket_arn = "arn:${data.aws_partition.current.partition}:s3:::${module.storage.logs_bucket}"
}

module "storage" {
  source = "./modules/storage"

  name_prefix              = var.name_prefix
  kms                      = var.storage.kms
  kms_deletion_window_days = var.protect ? 30 : 7
  noncurrent_days          = var.storage.noncurrent_days
  log_retention_days       = var.storage.log_retention_days
  incoming_days            = var.storage.incoming_days
  point_in_time_recovery   = var.storage.point_in_time_recovery
  force_destroy            = var.storage.force_destroy
  flow_logs_delivery       = var.network.enabled && var.network.flow_logs

  # For the emulator's quirks and the provider's waits (docs/modules.md);
  # AWS targets get each module's defaults, AWS's behaviour.
  attach_deny_insecure_transport_policy = !local.emulator
  logs_bucket_eventbridge               = !local.emulator
  inline_lifecycle_rules                = local.emulator
}

module "network" {
  source = "./modules/network"
  count  = local.vpc_enabled ? 1 : 0

  name_prefix          = var.name_prefix
  az_count             = var.network.az_count
  flow_logs            = var.network.flow_logs
  flow_logs_bucket_arn = local.logs_bucket_arn
  interface_endpoints  = var.network.interface_endpoints
  dns_hostnames        = !local.emulator
  s3_bucket_arns       = [local.data_bucket_arn]
}

module "auth" {
  source = "./modules/auth"

  name_prefix         = var.name_prefix
  groups              = var.groups
  deletion_protection = var.protect
}

module "catalog" {
  source = "./modules/catalog"

  name_prefix = var.name_prefix
  data_bucket = module.storage.data_bucket
  datasets    = var.datasets
  kms_enabled = var.storage.kms
  kms_key_arn = module.storage.kms_key_arn
}

module "query" {
  source = "./modules/query"

  name_prefix    = var.name_prefix
  results_bucket = module.storage.data_bucket
  kms_enabled    = var.storage.kms
  kms_key_arn    = module.storage.kms_key_arn
  force_destroy  = !var.protect
}

module "function" {
  source = "./modules/function"

  name_prefix          = var.name_prefix
  environment          = var.environment
  zip_path             = local.zip_path
  zip_sha256           = var.function.zip_sha256
  model_json           = var.function.model_json
  architecture         = var.function.architecture
  memory_mb            = var.function.memory_mb
  timeout_s            = var.function.timeout_s
  reserved_concurrency = var.function.reserved_concurrency
  log_retention_days   = var.function.log_retention_days
  kms_enabled          = var.storage.kms
  kms_key_arn          = module.storage.kms_key_arn
  kms_alias            = module.storage.kms_alias
  data_bucket          = module.storage.data_bucket
  meta_table           = module.storage.meta_table
  datasets             = local.access
  glue_database        = module.catalog.database
  athena_workgroup     = module.query.workgroup
  vpc_enabled          = local.vpc_enabled
  subnet_ids           = local.vpc_enabled ? module.network[0].private_subnet_ids : []
  security_group_ids   = local.vpc_enabled ? [module.network[0].lambda_security_group_id] : []

  # For the emulator's quirks (docs/modules.md); AWS targets get the defaults.
  create_dead_letter_queue     = !local.emulator
  encrypt_environment_with_kms = !local.emulator
  set_logging_config           = !local.emulator
  # the daily compaction to Parquet; moto's scheduler never fires, so not on the emulator
  compaction_schedule = local.emulator ? "" : "cron(15 3 * * ? *)"
}

module "api" {
  source = "./modules/api"

  name_prefix          = var.name_prefix
  routes               = var.api.routes
  function_name        = module.function.function_name
  function_invoke_arn  = module.function.invoke_arn
  function_permissions = module.function.permissions
  jwt_issuer           = module.auth.issuer
  jwt_audience         = [module.auth.user_pool_client_id]
  throttle_rate        = var.api.throttle_rate
  throttle_burst       = var.api.throttle_burst
  log_retention_days   = var.storage.log_retention_days
  kms_key_arn          = module.storage.kms_key_arn
}

module "alerts" {
  source = "./modules/alerts"
  count  = var.alerts.enabled || var.budget.enabled ? 1 : 0

  name_prefix   = var.name_prefix
  alarms        = var.alerts.enabled
  email         = var.alerts.email
  function_name = module.function.function_name
  api_id        = module.api.api_id
  dlq           = !local.emulator
  dlq_name      = module.function.dlq_name
  kms_enabled   = var.storage.kms
  kms_key_arn   = module.storage.kms_key_arn
  budget        = var.budget.enabled
  budget_usd    = var.budget.monthly_usd
  budget_email  = var.budget.email
}
