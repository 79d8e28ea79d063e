/*
 * rules_edge.c: CloudFront (distributions, response headers policies) and
 * WAFv2 web ACL rules.
 */
#include <string.h>
#include <strings.h>

#include "check/internal.h"

/* Python's truth of a planned value. */
static bool truthy(const json_t *v)
{
	if (!v || json_is_null(v) || json_is_false(v) || (json_is_integer(v) && json_integer_value(v) == 0))
		return false;
	return check_json_nonempty(v);
}

/* CKV_AWS_34: no cache behavior lets viewers use plain HTTP ("allow-all"). */
static int viewer_https(const struct check_ctx *ctx, const struct check_res *r)
{
	(void)ctx;
	if (check_json_str_is(check_attr(r, "default_cache_behavior.viewer_protocol_policy"), "allow-all"))
		return CHECK_FAIL;
	size_t i;
	const json_t *b;
	json_array_foreach(check_attr(r, "ordered_cache_behavior"), i, b) {
		if (check_json_str_is(json_object_get(b, "viewer_protocol_policy"), "allow-all"))
			return CHECK_FAIL;
	}
	return CHECK_PASS;
}

/* CKV_AWS_68, CKV_AWS_86, CKV_AWS_305: a value given (checkov's ANY_VALUE:
 * "" is not). */
static int waf(const struct check_ctx *ctx, const struct check_res *r)
{
	(void)ctx;
	return check_attr_given(r, "web_acl_id") ? CHECK_PASS : CHECK_FAIL;
}

static int access_logs(const struct check_ctx *ctx, const struct check_res *r)
{
	(void)ctx;
	return check_attr_given(r, "logging_config.bucket") ? CHECK_PASS : CHECK_FAIL;
}

static int root_object(const struct check_ctx *ctx, const struct check_res *r)
{
	(void)ctx;
	return check_attr_given(r, "default_root_object") ? CHECK_PASS : CHECK_FAIL;
}

/* CKV_AWS_174: a certificate of one's own, with TLSv1.2_YYYY or
 * TLSv1.3_YYYY as the minimum protocol; CloudFront's default certificate
 * allows TLSv1 and fails. */
static int tls12(const struct check_ctx *ctx, const struct check_res *r)
{
	(void)ctx;
	const json_t *vc = check_attr(r, "viewer_certificate");
	const json_t *first = json_is_array(vc) ? json_array_get(vc, 0) : NULL;
	if (!json_is_object(first))
		return CHECK_FAIL;
	const json_t *dflt = json_object_get(first, "cloudfront_default_certificate");
	if (json_is_true(dflt) || (json_is_string(dflt) && strcasecmp(json_string_value(dflt), "true") == 0))
		return CHECK_FAIL;
	const char *mpv = json_string_value(json_object_get(first, "minimum_protocol_version"));
	if (!mpv)
		return CHECK_FAIL;
	return check_regex("^TLSv1\\.(2|3)_[0-9]{4}$", mpv) ? CHECK_PASS : CHECK_FAIL;
}

/* CKV_AWS_216: enabled (unset fails, as checkov). */
static int enabled(const struct check_ctx *ctx, const struct check_res *r)
{
	(void)ctx;
	return check_attr_true(r, "enabled") ? CHECK_PASS : CHECK_FAIL;
}

/* CKV_AWS_310: origin groups, each with failover criteria and two members. */
static int failover(const struct check_ctx *ctx, const struct check_res *r)
{
	(void)ctx;
	const json_t *groups = check_attr(r, "origin_group");
	if (!json_is_array(groups) || json_array_size(groups) == 0)
		return CHECK_FAIL;
	size_t i;
	const json_t *g;
	json_array_foreach(groups, i, g) {
		if (!json_is_object(g) || !truthy(json_object_get(g, "failover_criteria")))
			return CHECK_FAIL;
		if (json_array_size(json_object_get(g, "member")) < 2)
			return CHECK_FAIL;
	}
	return CHECK_PASS;
}

/* CKV_AWS_374: geo restriction not "none" (unset passes, as checkov). */
static int geo(const struct check_ctx *ctx, const struct check_res *r)
{
	(void)ctx;
	const json_t *type = check_attr(r, "restrictions.geo_restriction.restriction_type");
	return check_json_str_is(type, "none") ? CHECK_FAIL : CHECK_PASS;
}

/* CKV_AWS_259: Strict-Transport-Security of a year or more, with
 * subdomains, preload and override. */
static int hsts(const struct check_ctx *ctx, const struct check_res *r)
{
	(void)ctx;
	const json_t *sts = check_attr(r, "security_headers_config.strict_transport_security");
	if (json_is_array(sts))
		sts = json_array_get(sts, 0);
	if (!json_is_object(sts))
		return CHECK_FAIL;
	const json_t *age = json_object_get(sts, "access_control_max_age_sec");
	if (!json_is_integer(age) || json_integer_value(age) < 31536000)
		return CHECK_FAIL;
	static const char *const flags[] = { "include_subdomains", "preload", "override" };
	for (size_t k = 0; k < 3; k++)
		if (!truthy(json_object_get(sts, flags[k])))
			return CHECK_FAIL;
	return CHECK_PASS;
}

/* CKV_AWS_192: the web ACL runs AWS's KnownBadInputs rule group, without
 * excluding its Log4JRCE rule, and with override_action none. */
static int log4j(const struct check_ctx *ctx, const struct check_res *r)
{
	(void)ctx;
	size_t i;
	const json_t *rule;
	json_array_foreach(check_attr(r, "rule"), i, rule) {
		const json_t *stmt = json_object_get(rule, "statement");
		if (!truthy(stmt))
			continue;
		const json_t *first = json_is_array(stmt) ? json_array_get(stmt, 0) : NULL;
		if (!json_is_object(first))
			return CHECK_UNKNOWN;
		const json_t *mg = json_object_get(first, "managed_rule_group_statement");
		const json_t *group = json_is_array(mg) ? json_array_get(mg, 0) : NULL;
		if (!check_json_str_is(json_object_get(group, "name"), "AWSManagedRulesKnownBadInputsRuleSet"))
			continue;
		size_t j;
		const json_t *ex;
		json_array_foreach(json_object_get(group, "excluded_rule"), j, ex) {
			if (check_json_str_is(json_object_get(ex, "name"), "Log4JRCE"))
				return CHECK_FAIL;
		}
		const json_t *none = check_json_path(rule, "override_action.none");
		return json_is_object(none) ? CHECK_PASS : CHECK_FAIL;
	}
	return CHECK_FAIL;
}

/* CKV_AWS_175: the web ACL has rules. */
static int has_rules(const struct check_ctx *ctx, const struct check_res *r)
{
	(void)ctx;
	const json_t *rules = check_attr(r, "rule");
	if (!rules)
		rules = check_attr(r, "rules");
	if (json_is_array(rules) && json_array_size(rules) == 1 && json_is_object(json_array_get(rules, 0)) &&
	    json_object_size(json_array_get(rules, 0)) == 0)
		return CHECK_FAIL;
	return check_json_nonempty(rules) ? CHECK_PASS : CHECK_FAIL;
}

#define CF { "aws_cloudfront_distribution" }

const struct owlet_check_rule owlet_check_rules_edge[] = {
	{ "CKV_AWS_34", "Ensure CloudFront distribution ViewerProtocolPolicy is set to HTTPS",
	  "CloudFront distribution lets viewers use plain HTTP (allow-all)", CHECK_GUIDE("CKV_AWS_34"), CF, viewer_https },
	{ "CKV_AWS_68", "CloudFront Distribution should have WAF enabled", "CloudFront distribution has no WAF web ACL",
	  CHECK_GUIDE("CKV_AWS_68"), CF, waf },
	{ "CKV_AWS_86", "Ensure CloudFront distribution has Access Logging enabled",
	  "CloudFront distribution has no access logging", CHECK_GUIDE("CKV_AWS_86"), CF, access_logs },
	{ "CKV_AWS_174", "Verify CloudFront Distribution Viewer Certificate is using TLS v1.2 or higher",
	  "CloudFront distribution accepts TLS older than 1.2", CHECK_GUIDE("CKV_AWS_174"), CF, tls12 },
	{ "CKV_AWS_216", "Ensure CloudFront distribution is enabled", "CloudFront distribution is disabled",
	  CHECK_GUIDE("CKV_AWS_216"), CF, enabled },
	{ "CKV_AWS_305", "Ensure CloudFront distribution has a default root object configured",
	  "CloudFront distribution has no default root object", CHECK_GUIDE("CKV_AWS_305"), CF, root_object },
	{ "CKV_AWS_310", "Ensure CloudFront distributions should have origin failover configured",
	  "CloudFront distribution has no origin group with failover", CHECK_GUIDE("CKV_AWS_310"), CF, failover },
	{ "CKV_AWS_374", "Ensure AWS CloudFront web distribution has geo restriction enabled",
	  "CloudFront distribution's geo restriction is \"none\"", CHECK_GUIDE("CKV_AWS_374"), CF, geo },
	{ "CKV_AWS_259", "Ensure CloudFront response header policy enforces Strict Transport Security",
	  "CloudFront response headers policy does not enforce HSTS (a year, subdomains, preload, override)",
	  CHECK_GUIDE("CKV_AWS_259"), { "aws_cloudfront_response_headers_policy" }, hsts },
	{ "CKV_AWS_192", "Ensure WAF prevents message lookup in Log4j2. See CVE-2021-44228 aka log4jshell",
	  "WAF web ACL does not block Log4j (AWSManagedRulesKnownBadInputsRuleSet, Log4JRCE)",
	  CHECK_GUIDE("CKV_AWS_192"), { "aws_wafv2_web_acl" }, log4j },
	{ "CKV_AWS_175", "Ensure WAF has associated rules", "WAF web ACL has no rules", CHECK_GUIDE("CKV_AWS_175"),
	  { "aws_waf_web_acl", "aws_wafregional_web_acl", "aws_wafv2_web_acl" }, has_rules },
};
const size_t owlet_check_rules_edge_count = sizeof owlet_check_rules_edge / sizeof owlet_check_rules_edge[0];
