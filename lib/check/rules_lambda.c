/*
 * rules_lambda.c: Lambda rules (functions, function URLs, permissions).
 *
 * CKV_AWS_45 looks for secrets in environment values with checkov's
 * patterns (AWS and general): a 40-character base64 run standing alone (a
 * secret access key), an access key id (AKIA...), "secret_key = <40 chars>",
 * "account_id: 1234-5678-9012", a PEM private key header; a bare MD5/SHA-1
 * hex hash is not a secret.
 */
#include <ctype.h>
#include <string.h>

#include "check/internal.h"

static bool b64ish(char c)
{
	return isalnum((unsigned char)c) || c == '/' || c == '+' || c == '=';
}

static bool is_hex_hash(const char *s)
{
	size_t n = strlen(s);
	if (n != 32 && n != 40)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return true;
}

static bool has_secret(const char *s)
{
	if (is_hex_hash(s))
		return false;
	/* a run of exactly 40 base64 characters */
	for (const char *p = s; *p;) {
		if (!b64ish(*p)) {
			p++;
			continue;
		}
		const char *q = p;
		while (b64ish(*q))
			q++;
		if (q - p == 40)
			return true;
		p = q;
	}
	static const char *const patterns[] = {
		"(A3T[A-Z0-9]|AKIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|ASIA)[A-Z0-9]{16}",
		"(AWS|aws|Aws)?_?(SECRET|secret|Secret)?_?(ACCESS|access|Access)?_?(KEY|key|Key)(\"|')?[[:space:]]*(:|=>|=)[[:space:]]*(\"|')?[A-Za-z0-9/+=]{40}",
		"(AWS|aws|Aws)?_?(ACCOUNT|account|Account)_?(ID|id|Id)?(\"|')?[[:space:]]*(:|=>|=)[[:space:]]*(\"|')?[0-9]{4}-?[0-9]{4}-?[0-9]{4}",
		"^-----BEGIN (RSA|EC|DSA|GPP) PRIVATE KEY-----$",
	};
	for (size_t i = 0; i < sizeof patterns / sizeof patterns[0]; i++)
		if (check_regex(patterns[i], s))
			return true;
	return false;
}

/* CKV_AWS_45 */
static int env_secrets(const struct check_ctx *ctx, const struct check_res *r)
{
	(void)ctx;
	const json_t *vars = check_attr(r, "environment.variables");
	const char *k;
	const json_t *v;
	json_object_foreach((json_t *)vars, k, v) {
		if (json_is_string(v) && has_secret(json_string_value(v)))
			return CHECK_FAIL;
	}
	return CHECK_PASS;
}

/* CKV_AWS_50: Active or PassThrough. */
static int xray(const struct check_ctx *ctx, const struct check_res *r)
{
	(void)ctx;
	const char *mode = check_attr_str(r, "tracing_config.mode");
	return mode && (strcmp(mode, "Active") == 0 || strcmp(mode, "PassThrough") == 0) ? CHECK_PASS : CHECK_FAIL;
}

/* CKV_AWS_115: reserved concurrency set, and not -1 (unreserved). */
static int concurrency(const struct check_ctx *ctx, const struct check_res *r)
{
	(void)ctx;
	const json_t *v = check_attr(r, "reserved_concurrent_executions");
	if (!v)
		return check_attr_given(r, "reserved_concurrent_executions") ? CHECK_PASS : CHECK_FAIL;
	if (json_is_integer(v) && json_integer_value(v) == -1)
		return CHECK_FAIL;
	if (json_is_string(v) && strcmp(json_string_value(v), "-1") == 0)
		return CHECK_FAIL;
	return CHECK_PASS;
}

/* CKV_AWS_116 */
static int dlq(const struct check_ctx *ctx, const struct check_res *r)
{
	(void)ctx;
	return check_attr_given(r, "dead_letter_config.target_arn") ? CHECK_PASS : CHECK_FAIL;
}

/* CKV_AWS_117 */
static int in_vpc(const struct check_ctx *ctx, const struct check_res *r)
{
	(void)ctx;
	return check_attr_given(r, "vpc_config") ? CHECK_PASS : CHECK_FAIL;
}

/* CKV_AWS_173: with environment variables, a KMS key for them (not "");
 * without, no kms_key_arn written at all, not even "" (it drifts), else
 * nothing to say. */
static int env_encrypted(const struct check_ctx *ctx, const struct check_res *r)
{
	(void)ctx;
	if (check_attr_present(r, "environment") || check_attr_given(r, "environment"))
		return check_attr_given(r, "kms_key_arn") ? CHECK_PASS : CHECK_FAIL;
	return check_attr_written(r, "kms_key_arn") ? CHECK_FAIL : CHECK_UNKNOWN;
}

/* CKV_AWS_272 */
static int code_signing(const struct check_ctx *ctx, const struct check_res *r)
{
	(void)ctx;
	return check_attr_given(r, "code_signing_config_arn") ? CHECK_PASS : CHECK_FAIL;
}

/* CKV_AWS_363: checkov's list of deprecated runtimes. */
static int runtime(const struct check_ctx *ctx, const struct check_res *r)
{
	(void)ctx;
	static const char *const deprecated[] = {
		"dotnetcore3.1", "nodejs12.x", "python3.6", "python2.7", "dotnet5.0", "dotnetcore2.1", "ruby2.5",
		"nodejs10.x", "nodejs8.10", "nodejs4.3", "nodejs6.10", "dotnetcore1.0", "dotnetcore2.0",
		"nodejs4.3-edge", "nodejs", "java8", "python3.7", "go1.x", "provided", "ruby2.7", "nodejs14.x",
		"nodejs16.x", "python3.9", "dotnet7", "dotnet6",
	};
	const char *rt = check_attr_str(r, "runtime");
	for (size_t i = 0; rt && i < sizeof deprecated / sizeof deprecated[0]; i++)
		if (strcmp(rt, deprecated[i]) == 0)
			return CHECK_FAIL;
	return CHECK_PASS;
}

/* CKV_AWS_258 */
static int url_auth(const struct check_ctx *ctx, const struct check_res *r)
{
	(void)ctx;
	const char *t = check_attr_str(r, "authorization_type");
	return t && strcmp(t, "NONE") == 0 ? CHECK_FAIL : CHECK_PASS;
}

/* CKV_AWS_301 */
static int not_public(const struct check_ctx *ctx, const struct check_res *r)
{
	(void)ctx;
	const char *p = check_attr_str(r, "principal");
	return p && strcmp(p, "*") == 0 ? CHECK_FAIL : CHECK_PASS;
}

/* CKV_AWS_364: a service principal (x.amazonaws.com) limited by source_arn
 * or source_account; anything else is not this rule's business. */
static int service_permission(const struct check_ctx *ctx, const struct check_res *r)
{
	(void)ctx;
	const char *p = check_attr_str(r, "principal");
	if (!p)
		return CHECK_UNKNOWN;
	const char *d1 = strchr(p, '.');
	if (!d1 || strncmp(d1 + 1, "amazonaws.", 10) != 0 || strncmp(d1 + 11, "com", 3) != 0 ||
	    (d1[14] != '\0' && d1[14] != '.'))
		return CHECK_UNKNOWN;
	/* written, even as "" (checkov: `'source_arn' in conf`) */
	return check_attr_written(r, "source_arn") || check_attr_written(r, "source_account") ? CHECK_PASS : CHECK_FAIL;
}

/* CKV2_AWS_75: no function URL of the function has a CORS policy open to
 * any origin ("*") with any method ("*"); one of the two is enough to
 * pass, as checkov, and so is no URL. */
static bool has_star(const json_t *list)
{
	size_t i;
	const json_t *v;
	json_array_foreach(list, i, v) {
		if (check_json_str_is(v, "*"))
			return true;
	}
	return false;
}

static int open_cors(const struct check_ctx *ctx, const struct check_res *r)
{
	const struct check_res *url;
	for (size_t i = 0; (url = check_linked(ctx, r, "aws_lambda_function_url", i)); i++)
		if (has_star(check_attr(url, "cors.allow_origins")) && has_star(check_attr(url, "cors.allow_methods")))
			return CHECK_FAIL;
	return CHECK_PASS;
}

const struct owlet_check_rule owlet_check_rules_lambda[] = {
	{ "CKV_AWS_45", "Ensure no hard-coded secrets exist in lambda environment",
	  "Lambda environment holds a hard-coded secret", CHECK_GUIDE("CKV_AWS_45"), { "aws_lambda_function" },
	  env_secrets },
	{ "CKV_AWS_50", "X-Ray tracing is enabled for Lambda", "Lambda function has no X-Ray tracing",
	  CHECK_GUIDE("CKV_AWS_50"), { "aws_lambda_function" }, xray },
	{ "CKV_AWS_115",
	  "Ensure that AWS Lambda function is configured for function-level concurrent execution limit",
	  "Lambda function has no reserved concurrency limit", CHECK_GUIDE("CKV_AWS_115"), { "aws_lambda_function" },
	  concurrency },
	{ "CKV_AWS_116", "Ensure that AWS Lambda function is configured for a Dead Letter Queue(DLQ)",
	  "Lambda function has no dead-letter queue", CHECK_GUIDE("CKV_AWS_116"), { "aws_lambda_function" }, dlq },
	{ "CKV_AWS_117", "Ensure that AWS Lambda function is configured inside a VPC",
	  "Lambda function is not inside a VPC", CHECK_GUIDE("CKV_AWS_117"), { "aws_lambda_function" }, in_vpc },
	{ "CKV_AWS_173", "Check encryption settings for Lambda environmental variable",
	  "Lambda environment variables are not encrypted with a KMS key", CHECK_GUIDE("CKV_AWS_173"),
	  { "aws_lambda_function" }, env_encrypted },
	{ "CKV_AWS_272", "Ensure AWS Lambda function is configured to validate code-signing",
	  "Lambda function does not validate code signing", CHECK_GUIDE("CKV_AWS_272"), { "aws_lambda_function" },
	  code_signing },
	{ "CKV2_AWS_75", "Ensure no open CORS policy",
	  "Lambda function URL's CORS policy allows any origin with any method (\"*\")", CHECK_GUIDE("CKV2_AWS_75"),
	  { "aws_lambda_function" }, open_cors },
	{ "CKV_AWS_363", "Ensure Lambda Runtime is not deprecated", "Lambda runtime is deprecated",
	  CHECK_GUIDE("CKV_AWS_363"), { "aws_lambda_function" }, runtime },
	{ "CKV_AWS_258", "Ensure that Lambda function URLs AuthType is not None",
	  "Lambda function URL needs no authentication", CHECK_GUIDE("CKV_AWS_258"), { "aws_lambda_function_url" },
	  url_auth },
	{ "CKV_AWS_301", "Ensure that AWS Lambda function is not publicly accessible",
	  "Lambda permission lets anyone invoke the function", CHECK_GUIDE("CKV_AWS_301"), { "aws_lambda_permission" },
	  not_public },
	{ "CKV_AWS_364",
	  "Ensure that AWS Lambda function permissions delegated to AWS services are limited by SourceArn or SourceAccount",
	  "Lambda permission for an AWS service has no source_arn or source_account", CHECK_GUIDE("CKV_AWS_364"),
	  { "aws_lambda_permission" }, service_permission },
};
const size_t owlet_check_rules_lambda_count = sizeof owlet_check_rules_lambda / sizeof owlet_check_rules_lambda[0];
