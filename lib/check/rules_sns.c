/* rules_sns.c: SNS topic rules. */
#include "check/internal.h"

/* CKV_AWS_26: a KMS key given (a value, or a reference known after apply). */
static int encrypted(const struct check_ctx *ctx, const struct check_res *r)
{
	(void)ctx;
	return check_attr_given(r, "kms_master_key_id") ? CHECK_PASS : CHECK_FAIL;
}

const struct owlet_check_rule owlet_check_rules_sns[] = {
	{ "CKV_AWS_26", "Ensure all data stored in the SNS topic is encrypted", "SNS topic is not encrypted at rest",
	  CHECK_GUIDE("CKV_AWS_26"), { "aws_sns_topic" }, encrypted },
};
const size_t owlet_check_rules_sns_count = sizeof owlet_check_rules_sns / sizeof owlet_check_rules_sns[0];
