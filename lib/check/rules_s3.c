/*
 * rules_s3.c: S3 rules.  Since AWS provider v4 a bucket's settings are
 * resources of their own (aws_s3_bucket_versioning, _logging,
 * _server_side_encryption_configuration, _public_access_block, ...) that
 * reference the bucket; checkov's graph checks accept either the bucket's
 * legacy inline block or a linked resource, and so do these.
 */
#include <string.h>

#include "check/internal.h"

static bool linked_any(const struct check_ctx *ctx, const struct check_res *r, const char *type)
{
	return check_linked(ctx, r, type, 0) != NULL;
}

/* CKV_AWS_18: logging block, or a linked aws_s3_bucket_logging. */
static int access_logs(const struct check_ctx *ctx, const struct check_res *r)
{
	if (check_attr_present(r, "logging") || linked_any(ctx, r, "aws_s3_bucket_logging"))
		return CHECK_PASS;
	return CHECK_FAIL;
}

#define SSE_ALG "rule.apply_server_side_encryption_by_default.sse_algorithm"

static bool sse_ok(const char *alg, bool kms_only)
{
	if (!alg)
		return false;
	return strcmp(alg, "aws:kms") == 0 || (!kms_only && strcmp(alg, "AES256") == 0);
}

/* CKV_AWS_19: encrypted at rest; a bucket without any setting is encrypted
 * with SSE-S3 by default (since 2023), so it passes. */
static int encrypted(const struct check_ctx *ctx, const struct check_res *r)
{
	const char *inline_alg = check_attr_str(r, "server_side_encryption_configuration." SSE_ALG);
	if (sse_ok(inline_alg, false))
		return CHECK_PASS;
	const struct check_res *sse = check_linked(ctx, r, "aws_s3_bucket_server_side_encryption_configuration", 0);
	if (!sse && !check_attr(r, "server_side_encryption_configuration." SSE_ALG))
		return CHECK_PASS;
	for (size_t i = 0; (sse = check_linked(ctx, r, "aws_s3_bucket_server_side_encryption_configuration", i)); i++)
		if (sse_ok(check_attr_str(sse, SSE_ALG), false))
			return CHECK_PASS;
	return CHECK_FAIL;
}

/* CKV_AWS_145: encrypted with KMS by default. */
static int kms_encrypted(const struct check_ctx *ctx, const struct check_res *r)
{
	if (sse_ok(check_attr_str(r, "server_side_encryption_configuration." SSE_ALG), true))
		return CHECK_PASS;
	const struct check_res *sse;
	for (size_t i = 0; (sse = check_linked(ctx, r, "aws_s3_bucket_server_side_encryption_configuration", i)); i++)
		if (sse_ok(check_attr_str(sse, SSE_ALG), true))
			return CHECK_PASS;
	return CHECK_FAIL;
}

static bool acl_public_read(const char *acl)
{
	return strcmp(acl, "public-read") == 0 || strcmp(acl, "public-read-write") == 0 ||
	       strcmp(acl, "website") == 0 || strcmp(acl, "authenticated-read") == 0;
}

static bool acl_public_write(const char *acl)
{
	return strcmp(acl, "public-read-write") == 0;
}

#define ALL_USERS "http://acs.amazonaws.com/groups/global/AllUsers"

/* Does an access_control_policy grant AllUsers (any permission when
 * perms is NULL, else one of perms)? */
static bool grants_all_users(const struct check_res *acl, bool write_only)
{
	const json_t *grants = check_attr(acl, "access_control_policy.grant");
	size_t i;
	const json_t *g;
	json_array_foreach(grants, i, g) {
		const char *uri = json_string_value(check_json_path(g, "grantee.uri"));
		if (!uri || strcmp(uri, ALL_USERS) != 0)
			continue;
		if (!write_only)
			return true;
		const char *perm = json_string_value(json_object_get(g, "permission"));
		if (perm && (strcmp(perm, "WRITE") == 0 || strcmp(perm, "FULL_CONTROL") == 0 ||
			     strcmp(perm, "WRITE_ACP") == 0))
			return true;
	}
	return false;
}

static int public_acl(const struct check_ctx *ctx, const struct check_res *r, bool write)
{
	bool (*bad)(const char *) = write ? acl_public_write : acl_public_read;
	const char *acl = check_attr_str(r, "acl");
	if (acl && !bad(acl))
		return CHECK_PASS;
	const struct check_res *a = check_linked(ctx, r, "aws_s3_bucket_acl", 0);
	if (!acl && !a)
		return CHECK_PASS;
	for (size_t i = 0; (a = check_linked(ctx, r, "aws_s3_bucket_acl", i)); i++) {
		const char *la = check_attr_str(a, "acl");
		if (la && !bad(la))
			return CHECK_PASS;
		if (check_attr(a, "access_control_policy") && !grants_all_users(a, write))
			return CHECK_PASS;
	}
	return CHECK_FAIL;
}

/* CKV_AWS_20 */
static int public_read(const struct check_ctx *ctx, const struct check_res *r)
{
	return public_acl(ctx, r, false);
}

/* CKV_AWS_57 */
static int public_write(const struct check_ctx *ctx, const struct check_res *r)
{
	return public_acl(ctx, r, true);
}

/* CKV_AWS_21 */
static int versioning(const struct check_ctx *ctx, const struct check_res *r)
{
	if (check_attr_true(r, "versioning.enabled"))
		return CHECK_PASS;
	const struct check_res *v;
	for (size_t i = 0; (v = check_linked(ctx, r, "aws_s3_bucket_versioning", i)); i++) {
		const char *status = check_attr_str(v, "versioning_configuration.status");
		if (status && strcmp(status, "Enabled") == 0)
			return CHECK_PASS;
	}
	return CHECK_FAIL;
}

/* CKV_AWS_53..56: the public access block's four switches, true. */
static int pab_block_acls(const struct check_ctx *ctx, const struct check_res *r)
{
	(void)ctx;
	return check_attr_true(r, "block_public_acls") ? CHECK_PASS : CHECK_FAIL;
}

static int pab_block_policy(const struct check_ctx *ctx, const struct check_res *r)
{
	(void)ctx;
	return check_attr_true(r, "block_public_policy") ? CHECK_PASS : CHECK_FAIL;
}

static int pab_ignore_acls(const struct check_ctx *ctx, const struct check_res *r)
{
	(void)ctx;
	return check_attr_true(r, "ignore_public_acls") ? CHECK_PASS : CHECK_FAIL;
}

static int pab_restrict(const struct check_ctx *ctx, const struct check_res *r)
{
	(void)ctx;
	return check_attr_true(r, "restrict_public_buckets") ? CHECK_PASS : CHECK_FAIL;
}

/* A Condition that narrows a "*" principal enough, as checkov judges it. */
static bool narrowing_condition(const json_t *stmt)
{
	const json_t *cond = json_object_get(stmt, "Condition");
	if (!json_is_object(cond))
		return false;
	if (json_object_get(cond, "ArnNotEquals") || json_object_get(cond, "ArnNotLike"))
		return true;
	static const char *const arn_ops[] = { "ArnEquals", "ArnLike" };
	for (size_t k = 0; k < 2; k++) {
		const json_t *op = json_object_get(cond, arn_ops[k]);
		if (!op)
			continue;
		static const char *const keys[] = { "aws:PrincipalArn", "aws:SourceArn" };
		for (size_t j = 0; j < 2; j++) {
			const char *arn = json_string_value(json_object_get(op, keys[j]));
			if (!arn)
				continue;
			/* ^arn:aws:[a-z0-9-]+::\*: every ARN of a service */
			if (check_regex("^arn:aws:[a-z0-9-]+::\\*", arn))
				return false;
		}
		return true;
	}
	static const char *const str_ops[] = { "StringEquals", "StringEqualsIgnoreCase", "StringLike" };
	static const char *const narrow[] = {
		"aws:sourceVpce", "aws:SourceVpc", "aws:VpceAccount", "aws:PrincipalOrgPaths", "aws:userid",
		"aws:PrincipalArn", "aws:PrincipalAccount", "aws:PrincipalOrgID", "aws:Ec2InstanceSourceVpc",
		"ec2:SourceInstanceArn", "lambda:SourceFunctionArn", "ssm:SourceInstanceArn",
	};
	for (size_t k = 0; k < 3; k++) {
		const json_t *op = json_object_get(cond, str_ops[k]);
		for (size_t j = 0; op && j < sizeof narrow / sizeof narrow[0]; j++)
			if (json_object_get(op, narrow[j]))
				return true;
	}
	return false;
}

static bool principal_any(const json_t *principal)
{
	if (json_is_string(principal))
		return strcmp(json_string_value(principal), "*") == 0;
	const json_t *aws = json_object_get(principal, "AWS");
	if (json_is_string(aws))
		return strcmp(json_string_value(aws), "*") == 0;
	size_t i;
	const json_t *v;
	json_array_foreach(aws, i, v) {
		if (json_is_string(v) && strcmp(json_string_value(v), "*") == 0)
			return true;
	}
	return false;
}

/* CKV_AWS_70: no Allow to any principal without a narrowing condition. */
static int any_principal(const struct check_ctx *ctx, const struct check_res *r)
{
	(void)ctx;
	json_t *policy = check_policy_parse(check_attr(r, "policy"));
	if (!policy)
		return CHECK_UNKNOWN;
	json_t *stmts = check_policy_statements(policy);
	int verdict = CHECK_PASS;
	bool any_effect = false;
	size_t i;
	const json_t *st;
	json_array_foreach(stmts, i, st) {
		if (json_object_get(st, "Effect"))
			any_effect = true;
	}
	if (!any_effect)
		verdict = CHECK_UNKNOWN;
	json_array_foreach(stmts, i, st) {
		if (verdict != CHECK_PASS)
			break;
		const char *effect = json_string_value(json_object_get(st, "Effect"));
		const json_t *principal = json_object_get(st, "Principal");
		if (!json_is_object(st) || !effect || strcmp(effect, "Deny") == 0 || !principal)
			continue;
		if (principal_any(principal)) {
			verdict = narrowing_condition(st) ? CHECK_PASS : CHECK_FAIL;
			break;
		}
	}
	json_decref(stmts);
	json_decref(policy);
	return verdict;
}

/* Python's truth: also false and 0 are false. */
static bool truthy(const json_t *v)
{
	if (json_is_false(v) || (json_is_integer(v) && json_integer_value(v) == 0))
		return false;
	return check_json_nonempty(v);
}

/* Whether a lifecycle rule's filter block sets anything.  The plan shows
 * an empty `filter {}` with every field empty ("and": [], "prefix": "",
 * nulls); checkov reads the source, where it is {}, and takes it for every
 * object.  Any field set (0 included) or known only after apply narrows it,
 * as a non-empty block does for checkov. */
static bool filter_set(const json_t *f, const json_t *unknown)
{
	const char *key;
	const json_t *v;
	json_object_foreach((json_t *)f, key, v) {
		if (check_json_nonempty(v))
			return true;
	}
	json_object_foreach((json_t *)unknown, key, v) {
		if (json_is_true(v))
			return true;
	}
	return false;
}

/* CKV_AWS_300 on a bucket's inline lifecycle_rule blocks (the local
 * rendering's, see modules/storage): an enabled rule aborting incomplete
 * uploads after some days, for every object (no prefix, no tags).  A bucket
 * without inline rules is left to its aws_s3_bucket_lifecycle_configuration
 * (not reported here, as checkov). */
static int abort_uploads_inline(const struct check_res *r)
{
	const json_t *rules = check_attr(r, "lifecycle_rule");
	if (!check_json_nonempty(rules))
		return CHECK_UNKNOWN;
	size_t i;
	const json_t *rule;
	json_array_foreach(rules, i, rule) {
		json_int_t days = json_integer_value(json_object_get(rule, "abort_incomplete_multipart_upload_days"));
		if (json_is_true(json_object_get(rule, "enabled")) && days > 0 &&
		    !check_json_nonempty(json_object_get(rule, "prefix")) &&
		    !check_json_nonempty(json_object_get(rule, "tags")))
			return CHECK_PASS;
	}
	return CHECK_FAIL;
}

/* CKV_AWS_300: an enabled rule aborting incomplete uploads, for every
 * object (no filter, or an empty one). */
static int abort_uploads(const struct check_ctx *ctx, const struct check_res *r)
{
	(void)ctx;
	if (strcmp(r->type, "aws_s3_bucket") == 0)
		return abort_uploads_inline(r);
	const json_t *rules = check_attr(r, "rule");
	const json_t *rules_unknown = json_object_get(r->unknown, "rule");
	size_t i;
	const json_t *rule;
	json_array_foreach(rules, i, rule) {
		const char *status = json_string_value(json_object_get(rule, "status"));
		if (!truthy(json_object_get(rule, "abort_incomplete_multipart_upload")) || !status ||
		    strcmp(status, "Enabled") != 0)
			continue;
		const json_t *filters_unknown = json_object_get(json_array_get(rules_unknown, i), "filter");
		const json_t *f = json_array_get(json_object_get(rule, "filter"), 0);
		if (json_is_true(filters_unknown) ||
		    (f && filter_set(f, json_array_get(filters_unknown, 0))))
			continue;
		return CHECK_PASS;
	}
	return CHECK_FAIL;
}

/* CKV2_AWS_6: a linked public access block blocking ACLs and policies. */
static int has_pab(const struct check_ctx *ctx, const struct check_res *r)
{
	const struct check_res *p;
	for (size_t i = 0; (p = check_linked(ctx, r, "aws_s3_bucket_public_access_block", i)); i++)
		if (check_attr_true(p, "block_public_acls") && check_attr_true(p, "block_public_policy"))
			return CHECK_PASS;
	return CHECK_FAIL;
}

/* CKV2_AWS_61 */
static int lifecycle(const struct check_ctx *ctx, const struct check_res *r)
{
	if (linked_any(ctx, r, "aws_s3_bucket_lifecycle_configuration") || check_attr_present(r, "lifecycle_rule"))
		return CHECK_PASS;
	return CHECK_FAIL;
}

/* CKV2_AWS_62 */
static int notifications(const struct check_ctx *ctx, const struct check_res *r)
{
	return linked_any(ctx, r, "aws_s3_bucket_notification") ? CHECK_PASS : CHECK_FAIL;
}

/* CKV2_AWS_65: on the ownership controls resource itself, as checkov. */
static int acls_disabled(const struct check_ctx *ctx, const struct check_res *r)
{
	(void)ctx;
	const char *o = check_attr_str(r, "rule.object_ownership");
	return o && strcmp(o, "BucketOwnerEnforced") == 0 ? CHECK_PASS : CHECK_FAIL;
}

/* CKV_AWS_93: no Deny without Condition or NotAction, to principal "*" (or
 * AWS "*"), of an action that would lock everyone but root out of the
 * policy (s3:PutBucketPolicy, s3:*BucketPolicy, s3:Put*, s3:*, *).  As
 * checkov: a statement without Principal or Action ends the reading, and
 * the policy passes. */
static int policy_lockout(const struct check_ctx *ctx, const struct check_res *r)
{
	(void)ctx;
	static const char *const locks[] = { "s3:PutBucketPolicy", "s3:*BucketPolicy", "s3:Put*", "s3:*", "*" };
	json_t *policy = check_policy_parse(check_attr(r, "policy"));
	if (!policy)
		return CHECK_PASS;
	json_t *stmts = check_policy_statements(policy);
	int verdict = CHECK_PASS;
	size_t i;
	const json_t *st;
	json_array_foreach(stmts, i, st) {
		const char *effect = json_string_value(json_object_get(st, "Effect"));
		if (!json_is_object(st) || json_object_get(st, "Condition") || json_object_get(st, "NotAction") || !effect ||
		    strcmp(effect, "Deny") != 0)
			continue;
		const json_t *p = json_object_get(st, "Principal");
		const json_t *action = json_object_get(st, "Action");
		if (!p || !action)
			break;
		if (!principal_any(p))
			continue;
		const char *acts[256];
		size_t n = check_stmt_strings(st, "Action", acts, 256);
		for (size_t k = 0; k < n && verdict == CHECK_PASS; k++)
			for (size_t j = 0; j < sizeof locks / sizeof locks[0]; j++)
				if (strcmp(acts[k], locks[j]) == 0)
					verdict = CHECK_FAIL;
		if (verdict == CHECK_FAIL)
			break;
	}
	json_decref(stmts);
	json_decref(policy);
	return verdict;
}

/* CKV_AWS_143: object lock enabled, judged where the bucket gives an
 * object_lock_configuration block (checkov's UNKNOWN without one). */
static int object_lock(const struct check_ctx *ctx, const struct check_res *r)
{
	(void)ctx;
	const json_t *conf = check_attr(r, "object_lock_configuration");
	const json_t *first = json_is_array(conf) ? json_array_get(conf, 0) : conf;
	if (!json_is_object(first) || json_object_size(first) == 0)
		return CHECK_UNKNOWN;
	const char *on = json_string_value(json_object_get(first, "object_lock_enabled"));
	return on && strcmp(on, "Enabled") == 0 ? CHECK_PASS : CHECK_FAIL;
}

static bool rule_enabled(const json_t *rules)
{
	size_t i;
	const json_t *rule;
	json_array_foreach(rules, i, rule) {
		const char *st = json_string_value(json_object_get(rule, "status"));
		if (st && strcmp(st, "Enabled") == 0)
			return true;
	}
	return false;
}

/* CKV_AWS_144: an enabled replication rule, inline (replication_configuration
 * rules) or in a linked aws_s3_bucket_replication_configuration. */
static int replication(const struct check_ctx *ctx, const struct check_res *r)
{
	if (rule_enabled(check_attr(r, "replication_configuration.rules")))
		return CHECK_PASS;
	const struct check_res *rc;
	for (size_t i = 0; (rc = check_linked(ctx, r, "aws_s3_bucket_replication_configuration", i)); i++)
		if (rule_enabled(check_attr(rc, "rule")))
			return CHECK_PASS;
	return CHECK_FAIL;
}

const struct owlet_check_rule owlet_check_rules_s3[] = {
	{ "CKV_AWS_18", "Ensure the S3 bucket has access logging enabled",
	  "S3 bucket has no access logging", CHECK_GUIDE("CKV_AWS_18"), { "aws_s3_bucket" }, access_logs },
	{ "CKV_AWS_19", "Ensure all data stored in the S3 bucket is securely encrypted at rest",
	  "S3 bucket is not encrypted at rest", CHECK_GUIDE("CKV_AWS_19"), { "aws_s3_bucket" }, encrypted },
	{ "CKV_AWS_20", "S3 Bucket has an ACL defined which allows public READ access.",
	  "S3 bucket ACL allows public read access", CHECK_GUIDE("CKV_AWS_20"), { "aws_s3_bucket" }, public_read },
	{ "CKV_AWS_21", "Ensure all data stored in the S3 bucket have versioning enabled",
	  "S3 bucket has no versioning", CHECK_GUIDE("CKV_AWS_21"), { "aws_s3_bucket" }, versioning },
	{ "CKV_AWS_57", "S3 Bucket has an ACL defined which allows public WRITE access.",
	  "S3 bucket ACL allows public write access", CHECK_GUIDE("CKV_AWS_57"), { "aws_s3_bucket" }, public_write },
	{ "CKV_AWS_145", "Ensure that S3 buckets are encrypted with KMS by default",
	  "S3 bucket is not encrypted with KMS by default", CHECK_GUIDE("CKV_AWS_145"), { "aws_s3_bucket" },
	  kms_encrypted },
	{ "CKV_AWS_53", "Ensure S3 bucket has block public ACLS enabled",
	  "public access block does not block public ACLs", CHECK_GUIDE("CKV_AWS_53"),
	  { "aws_s3_bucket_public_access_block" }, pab_block_acls },
	{ "CKV_AWS_54", "Ensure S3 bucket has block public policy enabled",
	  "public access block does not block public policies", CHECK_GUIDE("CKV_AWS_54"),
	  { "aws_s3_bucket_public_access_block" }, pab_block_policy },
	{ "CKV_AWS_55", "Ensure S3 bucket has ignore public ACLs enabled",
	  "public access block does not ignore public ACLs", CHECK_GUIDE("CKV_AWS_55"),
	  { "aws_s3_bucket_public_access_block" }, pab_ignore_acls },
	{ "CKV_AWS_56", "Ensure S3 bucket has 'restrict_public_buckets' enabled",
	  "public access block does not restrict public buckets", CHECK_GUIDE("CKV_AWS_56"),
	  { "aws_s3_bucket_public_access_block" }, pab_restrict },
	{ "CKV_AWS_70", "Ensure S3 bucket does not allow an action with any Principal",
	  "bucket policy allows an action to any principal", CHECK_GUIDE("CKV_AWS_70"),
	  { "aws_s3_bucket", "aws_s3_bucket_policy" }, any_principal },
	{ "CKV_AWS_300", "Ensure S3 lifecycle configuration sets period for aborting failed uploads",
	  "lifecycle configuration never aborts incomplete multipart uploads", CHECK_GUIDE("CKV_AWS_300"),
	  { "aws_s3_bucket_lifecycle_configuration", "aws_s3_bucket" }, abort_uploads },
	{ "CKV2_AWS_6", "Ensure that S3 bucket has a Public Access block",
	  "S3 bucket has no public access block blocking ACLs and policies", CHECK_GUIDE("CKV2_AWS_6"),
	  { "aws_s3_bucket" }, has_pab },
	{ "CKV2_AWS_61", "Ensure that an S3 bucket has a lifecycle configuration",
	  "S3 bucket has no lifecycle configuration", CHECK_GUIDE("CKV2_AWS_61"), { "aws_s3_bucket" }, lifecycle },
	{ "CKV2_AWS_62", "Ensure S3 buckets should have event notifications enabled",
	  "S3 bucket has no event notifications", CHECK_GUIDE("CKV2_AWS_62"), { "aws_s3_bucket" }, notifications },
	{ "CKV2_AWS_65", "Ensure access control lists for S3 buckets are disabled",
	  "bucket ownership controls do not disable ACLs (BucketOwnerEnforced)", CHECK_GUIDE("CKV2_AWS_65"),
	  { "aws_s3_bucket_ownership_controls" }, acls_disabled },
	{ "CKV_AWS_93", "Ensure S3 bucket policy does not lockout all but root user. (Prevent lockouts needing root account fixes)",
	  "bucket policy denies everyone (but root) the right to change it", CHECK_GUIDE("CKV_AWS_93"),
	  { "aws_s3_bucket", "aws_s3_bucket_policy" }, policy_lockout },
	{ "CKV_AWS_143", "Ensure that S3 bucket has lock configuration enabled by default",
	  "S3 bucket's object lock configuration does not enable object lock", CHECK_GUIDE("CKV_AWS_143"),
	  { "aws_s3_bucket" }, object_lock },
	{ "CKV_AWS_144", "Ensure that S3 bucket has cross-region replication enabled",
	  "S3 bucket has no cross-region replication", CHECK_GUIDE("CKV_AWS_144"), { "aws_s3_bucket" }, replication },
};
const size_t owlet_check_rules_s3_count = sizeof owlet_check_rules_s3 / sizeof owlet_check_rules_s3[0];
