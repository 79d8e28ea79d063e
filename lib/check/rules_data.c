/*
 * rules_data.c: DynamoDB rules (tables, and the auto scaling linked to them).
 *
 * As elsewhere, what the configuration gives counts (checkov reads the
 * source): a KMS key the provider would fill in (AWS's own key, when
 * server_side_encryption is enabled without kms_key_arn) is not given.
 */
#include <string.h>

#include "check/internal.h"

/* CKV_AWS_119: server-side encryption enabled with a key of one's own
 * written (checkov: `kms_key_arn is not None`, so even ""). */
static int table_cmk(const struct check_ctx *ctx, const struct check_res *r)
{
	(void)ctx;
	if (check_attr_true(r, "server_side_encryption.enabled") &&
	    check_attr_written(r, "server_side_encryption.kms_key_arn"))
		return CHECK_PASS;
	return CHECK_FAIL;
}

/* CKV_AWS_28: point-in-time recovery on. */
static int table_pitr(const struct check_ctx *ctx, const struct check_res *r)
{
	(void)ctx;
	return check_attr_true(r, "point_in_time_recovery.enabled") ? CHECK_PASS : CHECK_FAIL;
}

/* CKV2_AWS_16: billed per request, or provisioned (the default) with an
 * aws_appautoscaling_target of service namespace "dynamodb" linked to the
 * table and an aws_appautoscaling_policy linked to that target. */
static int table_autoscaling(const struct check_ctx *ctx, const struct check_res *r)
{
	const char *mode = check_attr_str(r, "billing_mode");
	if (mode && strcmp(mode, "PAY_PER_REQUEST") == 0)
		return CHECK_PASS;
	if (!mode && check_attr_referenced(r, "billing_mode"))
		return CHECK_UNKNOWN;
	const struct check_res *t;
	for (size_t i = 0; (t = check_linked(ctx, r, "aws_appautoscaling_target", i)); i++) {
		const char *ns = check_attr_str(t, "service_namespace");
		if (ns && strcmp(ns, "dynamodb") == 0 && check_linked(ctx, t, "aws_appautoscaling_policy", 0))
			return CHECK_PASS;
	}
	return CHECK_FAIL;
}

const struct owlet_check_rule owlet_check_rules_data[] = {
	{ "CKV_AWS_119", "Ensure DynamoDB Tables are encrypted using a KMS Customer Managed CMK",
	  "DynamoDB table is not encrypted with a customer-managed KMS key", CHECK_GUIDE("CKV_AWS_119"),
	  { "aws_dynamodb_table" }, table_cmk },
	{ "CKV_AWS_28", "Ensure DynamoDB point in time recovery (backup) is enabled",
	  "DynamoDB table has no point-in-time recovery", CHECK_GUIDE("CKV_AWS_28"), { "aws_dynamodb_table" },
	  table_pitr },
	{ "CKV2_AWS_16", "Ensure that Auto Scaling is enabled on your DynamoDB tables",
	  "DynamoDB table is provisioned without auto scaling (an aws_appautoscaling_target and policy)",
	  CHECK_GUIDE("CKV2_AWS_16"), { "aws_dynamodb_table" }, table_autoscaling },
};
const size_t owlet_check_rules_data_count = sizeof owlet_check_rules_data / sizeof owlet_check_rules_data[0];
