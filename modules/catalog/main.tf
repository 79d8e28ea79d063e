# catalog: a Glue database with one external table per dataset over
# s3://<data bucket>/raw/<dataset>/ (and NAME_curated over the Parquet of
# curated/<dataset>/, below), columns and types from the model, and
# partition projection on dt= (type date) when the dataset has partition_by,
# so that Athena needs no crawler and no partition maintenance.
#
# Every table reads the one stored form of docs/contracts.md ("The data
# bucket"): canonical JSON Lines through the Hive JSON SerDe, whatever the
# dataset's upload format.  Timestamps are stored as "YYYY-MM-DD HH:MM:SS"
# (java.sql.Timestamp, the SerDe's default), because Athena's CSV SerDes do
# not read ISO 8601 timestamps with a 'T'; there is no header to skip.

locals {
  database = replace(var.name_prefix, "-", "_")
  serde    = "org.apache.hive.hcatalog.data.JsonSerDe"

  # partition projection on dt of a partitioned dataset, per area of the bucket
  projection = { for area in ["raw", "curated"] : area => {
    for name, ds in var.datasets : name => ds.partition_by == null ? {} : {
      "projection.enabled"          = "true"
      "projection.dt.type"          = "date"
      "projection.dt.format"        = "yyyy-MM-dd"
      "projection.dt.range"         = "${var.partition_start},NOW"
      "projection.dt.interval"      = "1"
      "projection.dt.interval.unit" = "DAYS"
      "storage.location.template"   = "s3://${var.data_bucket}/${area}/${name}/dt=$${dt}/"
    }
  } }
}

resource "aws_glue_catalog_database" "this" {
  name        = local.database
  description = "owlet datasets of ${var.name_prefix}"

  tags = var.tags
}

resource "aws_glue_catalog_table" "this" {
  for_each = var.datasets

  name          = each.key
  database_name = aws_glue_catalog_database.this.name
  description   = each.value.description
  table_type    = "EXTERNAL_TABLE"

  parameters = merge(
    {
      EXTERNAL              = "TRUE"
      classification        = "json"
      "owlet.upload_format" = each.value.format
    },
    local.projection["raw"][each.key],
  )

  dynamic "partition_keys" {
    for_each = each.value.partition_by == null ? [] : ["dt"]
    content {
      name    = partition_keys.value
      type    = "date"
      comment = "day of ${each.value.partition_by}"
    }
  }

  storage_descriptor {
    location      = "s3://${var.data_bucket}/raw/${each.key}/"
    input_format  = "org.apache.hadoop.mapred.TextInputFormat"
    output_format = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"

    ser_de_info {
      serialization_library = local.serde
      parameters            = { "serialization.format" = "1" }
    }

    dynamic "columns" {
      for_each = each.value.columns
      content {
        name = columns.value.name
        type = columns.value.glue_type
      }
    }
  }
}

# NAME_curated: the Parquet that `owlet compact` writes (Athena's UNLOAD)
# under s3://<data bucket>/curated/<dataset>/, with the same columns and the
# same dt partitions as the raw table (docs/sql.md, "Compaction").  Files
# named _* (the compaction markers) are hidden from Athena.
resource "aws_glue_catalog_table" "curated" {
  for_each = var.datasets

  name          = "${each.key}_curated"
  database_name = aws_glue_catalog_database.this.name
  description   = "${each.key} compacted to Parquet by owlet compact"
  table_type    = "EXTERNAL_TABLE"

  parameters = merge(
    {
      EXTERNAL              = "TRUE"
      classification        = "parquet"
      "parquet.compression" = "SNAPPY"
    },
    local.projection["curated"][each.key],
  )

  dynamic "partition_keys" {
    for_each = each.value.partition_by == null ? [] : ["dt"]
    content {
      name    = partition_keys.value
      type    = "date"
      comment = "day of ${each.value.partition_by}"
    }
  }

  storage_descriptor {
    location      = "s3://${var.data_bucket}/curated/${each.key}/"
    input_format  = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
    output_format = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"

    ser_de_info {
      serialization_library = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
      parameters            = { "serialization.format" = "1" }
    }

    dynamic "columns" {
      for_each = each.value.columns
      content {
        name = columns.value.name
        type = columns.value.glue_type
      }
    }
  }
}

resource "aws_glue_security_configuration" "this" {
  count = var.kms_enabled ? 1 : 0

  name = "${var.name_prefix}-glue"

  encryption_configuration {
    cloudwatch_encryption {
      cloudwatch_encryption_mode = "SSE-KMS"
      kms_key_arn                = var.kms_key_arn
    }

    job_bookmarks_encryption {
      job_bookmarks_encryption_mode = "CSE-KMS"
      kms_key_arn                   = var.kms_key_arn
    }

    s3_encryption {
      s3_encryption_mode = "SSE-KMS"
      kms_key_arn        = var.kms_key_arn
    }
  }
}
