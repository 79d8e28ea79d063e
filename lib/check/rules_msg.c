/*
 * rules_msg.c: SQS, SNS topic policy and EventBridge Scheduler rules (CKV_AWS_26,
 * SNS topic encryption, is in rules_sns.c).
 *
 * What the configuration gives counts, as checkov reads the source: an
 * attribute the configuration leaves out is not given even when the plan
 * shows the provider's computed default, and "" is not given where checkov
 * tests the value's truth (kms_master_key_id = "").
 */
#include <string.h>

#include "check/internal.h"

/* The configuration sets a boolean attribute to true: its planned value is
 * true (or known only after apply) and the configuration writes it.
 * Without the configuration, the planned value. */
static bool conf_true(const struct check_res *r, const char *name)
{
	const json_t *e = json_object_get(r->expressions, name);
	if (r->expressions && !json_is_object(e))
		return false;
	if (check_attr_true(r, name))
		return true;
	return e && json_array_size(json_object_get(e, "references")) > 0 && !check_attr_false(r, name) &&
	       check_attr_given(r, name);
}

/* CKV_AWS_27: SQS-managed SSE on, or a KMS key given. */
static int sqs_encrypted(const struct check_ctx *ctx, const struct check_res *r)
{
	(void)ctx;
	if (conf_true(r, "sqs_managed_sse_enabled"))
		return CHECK_PASS;
	return check_attr_given(r, "kms_master_key_id") ? CHECK_PASS : CHECK_FAIL;
}

/* CKV2_AWS_73: no KMS key, or one that is not AWS's default key for SQS. */
static int sqs_cmk(const struct check_ctx *ctx, const struct check_res *r)
{
	(void)ctx;
	const char *key = check_attr_str(r, "kms_master_key_id");
	return key && strcmp(key, "alias/aws/sqs") == 0 ? CHECK_FAIL : CHECK_PASS;
}

/* CKV_AWS_168, CKV_AWS_169: a resource policy (of a queue, a queue policy,
 * a topic policy) that anyone can use.  No policy passes; a policy given
 * but not readable at plan (a reference) is unknown. */
static int public_policy(const struct check_ctx *ctx, const struct check_res *r)
{
	(void)ctx;
	const json_t *v = check_attr(r, "policy");
	if (!check_json_nonempty(v))
		return check_attr_given(r, "policy") ? CHECK_UNKNOWN : CHECK_PASS;
	json_t *policy = check_policy_parse(v);
	if (!policy)
		return CHECK_UNKNOWN;
	json_t *stmts = check_policy_statements(policy);
	int verdict = CHECK_PASS;
	size_t i;
	const json_t *st;
	json_array_foreach(stmts, i, st) {
		if (json_is_object(st) && check_policy_public_statement(st))
			verdict = CHECK_FAIL;
	}
	json_decref(stmts);
	json_decref(policy);
	return verdict;
}

/* CKV_AWS_72: the policy's first statement allows Action "*" (checkov reads
 * the first statement only, and Action as the string "*"). */
static int sqs_all_actions(const struct check_ctx *ctx, const struct check_res *r)
{
	(void)ctx;
	json_t *policy = check_policy_parse(check_attr(r, "policy"));
	if (!policy)
		return check_attr_given(r, "policy") ? CHECK_UNKNOWN : CHECK_PASS;
	json_t *stmts = check_policy_statements(policy);
	const json_t *first = json_array_get(stmts, 0);
	const char *action = json_string_value(json_object_get(first, "Action"));
	int verdict = action && strcmp(action, "*") == 0 ? CHECK_FAIL : CHECK_PASS;
	json_decref(stmts);
	json_decref(policy);
	return verdict;
}

/* CKV_AWS_387: an Allow of an SQS action ("*", sqs:..., SQS:...) to
 * principal "*" (or AWS "*", or a list holding it) without a Condition. */
static bool sqs_public_wildcard(const json_t *st)
{
	if (!check_json_str_is(json_object_get(st, "Effect"), "Allow"))
		return false;
	const char *acts[256];
	size_t n = check_stmt_strings(st, "Action", acts, 256);
	bool sqs = false;
	for (size_t k = 0; k < n && !sqs; k++)
		sqs = strcmp(acts[k], "*") == 0 || strncmp(acts[k], "sqs:", 4) == 0 || strncmp(acts[k], "SQS:", 4) == 0;
	if (!sqs || json_object_get(st, "Condition"))
		return false;
	const json_t *p = json_object_get(st, "Principal");
	if (check_json_str_is(p, "*"))
		return true;
	const json_t *aws = json_object_get(p, "AWS");
	if (check_json_str_is(aws, "*"))
		return true;
	size_t i;
	const json_t *e;
	json_array_foreach(aws, i, e) {
		if (check_json_str_is(e, "*"))
			return true;
	}
	return false;
}

static int sqs_public(const struct check_ctx *ctx, const struct check_res *r)
{
	(void)ctx;
	return check_policy_each(check_attr(r, "policy"), sqs_public_wildcard,
				 check_attr_given(r, "policy") ? CHECK_UNKNOWN : CHECK_PASS);
}

/* CKV_AWS_297: an EventBridge Scheduler schedule with a KMS key given. */
static int schedule_cmk(const struct check_ctx *ctx, const struct check_res *r)
{
	(void)ctx;
	return check_attr_given(r, "kms_key_arn") ? CHECK_PASS : CHECK_FAIL;
}

const struct owlet_check_rule owlet_check_rules_msg[] = {
	{ "CKV_AWS_27", "Ensure all data stored in the SQS queue is encrypted", "SQS queue is not encrypted",
	  CHECK_GUIDE("CKV_AWS_27"), { "aws_sqs_queue" }, sqs_encrypted },
	{ "CKV2_AWS_73", "Ensure AWS SQS uses CMK not AWS default keys for encryption",
	  "SQS queue is encrypted with AWS's default key (alias/aws/sqs), not a customer-managed one",
	  CHECK_GUIDE("CKV2_AWS_73"), { "aws_sqs_queue" }, sqs_cmk },
	{ "CKV_AWS_168",
	  "Ensure SQS queue policy is not public by only allowing specific services or principals to access it",
	  "SQS queue policy lets anyone use the queue", CHECK_GUIDE("CKV_AWS_168"),
	  { "aws_sqs_queue_policy", "aws_sqs_queue" }, public_policy },
	{ "CKV_AWS_72", "Ensure SQS policy does not allow ALL (*) actions.", "SQS queue policy allows action \"*\"",
	  CHECK_GUIDE("CKV_AWS_72"), { "aws_sqs_queue_policy" }, sqs_all_actions },
	{ "CKV_AWS_387", "Ensure SQS policy does not allow public access through wildcards",
	  "SQS queue policy allows SQS actions to principal \"*\" without a condition", CHECK_GUIDE("CKV_AWS_387"),
	  { "aws_sqs_queue_policy" }, sqs_public },
	{ "CKV_AWS_169",
	  "Ensure SNS topic policy is not public by only allowing specific services or principals to access it",
	  "SNS topic policy lets anyone use the topic", CHECK_GUIDE("CKV_AWS_169"), { "aws_sns_topic_policy" },
	  public_policy },
	{ "CKV_AWS_297", "Ensure EventBridge Scheduler Schedule uses Customer Managed Key (CMK)",
	  "EventBridge Scheduler schedule is not encrypted with a customer-managed KMS key", CHECK_GUIDE("CKV_AWS_297"),
	  { "aws_scheduler_schedule" }, schedule_cmk },
};
const size_t owlet_check_rules_msg_count = sizeof owlet_check_rules_msg / sizeof owlet_check_rules_msg[0];
