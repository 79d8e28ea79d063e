/* rules_kms.c: KMS key rules. */
#include <string.h>

#include "check/internal.h"

/* CKV_AWS_7: rotation on, for the key specs that can rotate (symmetric;
 * checkov also evaluates a spec of exactly "HMAC"). */
static int rotation(const struct check_ctx *ctx, const struct check_res *r)
{
	(void)ctx;
	const char *spec = check_attr_str(r, "customer_master_key_spec");
	if (spec && strcmp(spec, "SYMMETRIC_DEFAULT") != 0 && strcmp(spec, "HMAC") != 0)
		return CHECK_UNKNOWN;
	return check_attr_true(r, "enable_key_rotation") ? CHECK_PASS : CHECK_FAIL;
}

/* An Allow statement without Condition to principal "*" (or AWS "*"). */
static bool wildcard_stmt(const json_t *st)
{
	const json_t *p = json_object_get(st, "Principal");
	const char *effect = json_string_value(json_object_get(st, "Effect"));
	if (!p || (effect && strcmp(effect, "Deny") == 0) || json_object_get(st, "Condition"))
		return false;
	/* "*", ["...", "*"], or {"AWS": "*"} / {"AWS": ["...", "*"]} */
	const char *any[64];
	size_t n = json_is_object(p) ? check_stmt_strings(p, "AWS", any, 64)
				     : check_stmt_strings(st, "Principal", any, 64);
	for (size_t k = 0; k < n; k++)
		if (strcmp(any[k], "*") == 0)
			return true;
	return false;
}

/* CKV_AWS_33: no key policy, or none of its statements opens it to "*". */
static int wildcard_principal(const struct check_ctx *ctx, const struct check_res *r)
{
	(void)ctx;
	return check_policy_each(check_attr(r, "policy"), wildcard_stmt, CHECK_PASS);
}

/* CKV_AWS_227: unset is enabled. */
static int enabled(const struct check_ctx *ctx, const struct check_res *r)
{
	(void)ctx;
	return check_attr_false(r, "is_enabled") ? CHECK_FAIL : CHECK_PASS;
}

/* CKV2_AWS_64: a policy on the key (written, even "": checkov's "exists"),
 * or a linked aws_kms_key_policy. */
static int policy_defined(const struct check_ctx *ctx, const struct check_res *r)
{
	if (check_attr_written(r, "policy") || check_linked(ctx, r, "aws_kms_key_policy", 0))
		return CHECK_PASS;
	return CHECK_FAIL;
}

const struct owlet_check_rule owlet_check_rules_kms[] = {
	{ "CKV_AWS_7", "Ensure rotation for customer created CMKs is enabled", "KMS key rotation is off",
	  CHECK_GUIDE("CKV_AWS_7"), { "aws_kms_key" }, rotation },
	{ "CKV_AWS_33", "Ensure KMS key policy does not contain wildcard (*) principal",
	  "KMS key policy allows principal \"*\"", CHECK_GUIDE("CKV_AWS_33"), { "aws_kms_key" }, wildcard_principal },
	{ "CKV_AWS_227", "Ensure KMS key is enabled", "KMS key is disabled", CHECK_GUIDE("CKV_AWS_227"),
	  { "aws_kms_key" }, enabled },
	{ "CKV2_AWS_64", "Ensure KMS key Policy is defined", "KMS key has no key policy of its own",
	  CHECK_GUIDE("CKV2_AWS_64"), { "aws_kms_key" }, policy_defined },
};
const size_t owlet_check_rules_kms_count = sizeof owlet_check_rules_kms / sizeof owlet_check_rules_kms[0];
