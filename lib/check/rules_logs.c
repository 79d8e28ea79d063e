/*
 * rules_logs.c: CloudWatch log group and alarm rules.
 *
 * Retention: the plan shows retention_in_days = 0 when the configuration
 * does not set it; checkov reads the Terraform source, where it is then
 * missing, and fails CKV_AWS_66 and CKV_AWS_338.  So "set" here means set in
 * the configuration (or, without configuration, non-zero).
 */
#include "check/internal.h"

static bool retention_set(const struct check_res *r)
{
	if (r->expressions)
		return json_object_get(r->expressions, "retention_in_days") != NULL;
	const json_t *v = check_attr(r, "retention_in_days");
	return v && !(json_is_integer(v) && json_integer_value(v) == 0);
}

/* CKV_AWS_66 */
static int retention(const struct check_ctx *ctx, const struct check_res *r)
{
	(void)ctx;
	return retention_set(r) ? CHECK_PASS : CHECK_FAIL;
}

/* CKV_AWS_338: 0 (never expire) or at least 365 days. */
static int retention_year(const struct check_ctx *ctx, const struct check_res *r)
{
	(void)ctx;
	if (!retention_set(r))
		return CHECK_FAIL;
	const json_t *v = check_attr(r, "retention_in_days");
	if (!json_is_integer(v))
		return CHECK_UNKNOWN;
	json_int_t days = json_integer_value(v);
	return days == 0 || days >= 365 ? CHECK_PASS : CHECK_FAIL;
}

/* CKV_AWS_158 */
static int kms(const struct check_ctx *ctx, const struct check_res *r)
{
	(void)ctx;
	return check_attr_given(r, "kms_key_id") ? CHECK_PASS : CHECK_FAIL;
}

/* CKV_AWS_319: alarm actions not turned off (unset is on). */
static int alarm_actions(const struct check_ctx *ctx, const struct check_res *r)
{
	(void)ctx;
	return check_attr_false(r, "actions_enabled") ? CHECK_FAIL : CHECK_PASS;
}

const struct owlet_check_rule owlet_check_rules_logs[] = {
	{ "CKV_AWS_66", "Ensure that CloudWatch Log Group specifies retention days",
	  "log group sets no retention", CHECK_GUIDE("CKV_AWS_66"), { "aws_cloudwatch_log_group" }, retention },
	{ "CKV_AWS_338", "Ensure CloudWatch log groups retains logs for at least 1 year",
	  "log group keeps logs for less than a year", CHECK_GUIDE("CKV_AWS_338"), { "aws_cloudwatch_log_group" },
	  retention_year },
	{ "CKV_AWS_158", "Ensure that CloudWatch Log Group is encrypted by KMS",
	  "log group is not encrypted with a KMS key", CHECK_GUIDE("CKV_AWS_158"), { "aws_cloudwatch_log_group" }, kms },
	{ "CKV_AWS_319", "Ensure that CloudWatch alarm actions are enabled", "CloudWatch alarm's actions are turned off",
	  CHECK_GUIDE("CKV_AWS_319"), { "aws_cloudwatch_metric_alarm" }, alarm_actions },
};
const size_t owlet_check_rules_logs_count = sizeof owlet_check_rules_logs / sizeof owlet_check_rules_logs[0];
