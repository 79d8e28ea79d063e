/* rules_glue.c: Glue rules (catalog encryption, security configurations). */
#include <string.h>

#include "check/internal.h"

static bool str_is(const struct check_res *r, const char *path, const char *want)
{
	const char *v = check_attr_str(r, path);
	return v && strcmp(v, want) == 0;
}

/* CKV_AWS_94: metadata encrypted with SSE-KMS and connection passwords
 * returned encrypted, both with a key written (checkov: `key in conf`, so
 * even "" counts). */
static int catalog_encryption(const struct check_ctx *ctx, const struct check_res *r)
{
	(void)ctx;
#define S "data_catalog_encryption_settings."
	bool at_rest = str_is(r, S "encryption_at_rest.catalog_encryption_mode", "SSE-KMS") &&
		       check_attr_written(r, S "encryption_at_rest.sse_aws_kms_key_id");
	bool passwords = check_attr_true(r, S "connection_password_encryption.return_connection_password_encrypted") &&
			 check_attr_written(r, S "connection_password_encryption.aws_kms_key_id");
#undef S
	return at_rest && passwords ? CHECK_PASS : CHECK_FAIL;
}

/* CKV_AWS_99: CloudWatch (SSE-KMS), job bookmarks (CSE-KMS) and S3 (not
 * DISABLED) all encrypted; the keys written (even "", as checkov). */
static int security_configuration(const struct check_ctx *ctx, const struct check_res *r)
{
	(void)ctx;
#define E "encryption_configuration."
	bool cw = str_is(r, E "cloudwatch_encryption.cloudwatch_encryption_mode", "SSE-KMS") &&
		  check_attr_written(r, E "cloudwatch_encryption.kms_key_arn");
	bool jb = str_is(r, E "job_bookmarks_encryption.job_bookmarks_encryption_mode", "CSE-KMS") &&
		  check_attr_written(r, E "job_bookmarks_encryption.kms_key_arn");
	const char *s3 = check_attr_str(r, E "s3_encryption.s3_encryption_mode");
#undef E
	return cw && jb && s3 && strcmp(s3, "DISABLED") != 0 ? CHECK_PASS : CHECK_FAIL;
}

/* CKV_AWS_195 */
static int has_security_configuration(const struct check_ctx *ctx, const struct check_res *r)
{
	(void)ctx;
	return check_attr_given(r, "security_configuration") ? CHECK_PASS : CHECK_FAIL;
}

const struct owlet_check_rule owlet_check_rules_glue[] = {
	{ "CKV_AWS_94", "Ensure Glue Data Catalog Encryption is enabled",
	  "Glue Data Catalog is not encrypted (metadata and connection passwords)", CHECK_GUIDE("CKV_AWS_94"),
	  { "aws_glue_data_catalog_encryption_settings" }, catalog_encryption },
	{ "CKV_AWS_99", "Ensure Glue Security Configuration Encryption is enabled",
	  "Glue security configuration leaves CloudWatch, job bookmarks or S3 unencrypted", CHECK_GUIDE("CKV_AWS_99"),
	  { "aws_glue_security_configuration" }, security_configuration },
	{ "CKV_AWS_195", "Ensure Glue component has a security configuration associated",
	  "Glue crawler/job has no security configuration", CHECK_GUIDE("CKV_AWS_195"),
	  { "aws_glue_crawler", "aws_glue_dev_endpoint", "aws_glue_job" }, has_security_configuration },
};
const size_t owlet_check_rules_glue_count = sizeof owlet_check_rules_glue / sizeof owlet_check_rules_glue[0];
