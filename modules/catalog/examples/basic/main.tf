# The provider comes from the module's versions.tf (hashicorp/aws). AWS
# itself by default; with var.endpoint, the services this example uses go
# to that endpoint (an emulator such as moto_server). Credentials come from
# the usual chain (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; any value for
# moto).
provider "aws" {
  region = var.region

  endpoints {
    glue = var.endpoint
    sts  = var.endpoint
  }
}

# The Glue tables describe files in a data bucket made elsewhere (for
# instance by the storage module); the bucket need not exist to plan.
module "catalog" {
  source = "../../"

  name_prefix = var.name_prefix
  data_bucket = "${var.name_prefix}-data"
  datasets = {
    trips = {
      description  = "Taxi trips, one row per trip"
      format       = "csv"
      partition_by = "pickup_at"
      columns = [
        { name = "trip_id", glue_type = "bigint" },
        { name = "pickup_at", glue_type = "timestamp" },
        { name = "fare", glue_type = "double" },
      ]
    }
  }
}
