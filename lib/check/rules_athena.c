/* rules_athena.c: Athena workgroup rules. */
#include "check/internal.h"

/* CKV_AWS_82: unset means enforced (the provider's default is true). */
static int enforce(const struct check_ctx *ctx, const struct check_res *r)
{
	(void)ctx;
	return check_attr_false(r, "configuration.enforce_workgroup_configuration") ? CHECK_FAIL : CHECK_PASS;
}

/* CKV_AWS_159 */
static int encrypted(const struct check_ctx *ctx, const struct check_res *r)
{
	(void)ctx;
	return check_attr_given(r, "configuration.result_configuration.encryption_configuration.encryption_option")
		       ? CHECK_PASS
		       : CHECK_FAIL;
}

const struct owlet_check_rule owlet_check_rules_athena[] = {
	{ "CKV_AWS_82", "Ensure Athena Workgroup should enforce configuration to prevent client disabling encryption",
	  "Athena workgroup lets clients override its configuration", CHECK_GUIDE("CKV_AWS_82"),
	  { "aws_athena_workgroup" }, enforce },
	{ "CKV_AWS_159", "Ensure that Athena Workgroup is encrypted", "Athena workgroup results are not encrypted",
	  CHECK_GUIDE("CKV_AWS_159"), { "aws_athena_workgroup" }, encrypted },
};
const size_t owlet_check_rules_athena_count = sizeof owlet_check_rules_athena / sizeof owlet_check_rules_athena[0];
