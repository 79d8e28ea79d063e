/*
 * rules_apigw.c: API Gateway rules (REST and HTTP API stages, HTTP API
 * routes, and the WAF web ACL an API or stage is associated with).
 */
#include <string.h>

#include "check/internal.h"

/* CKV_AWS_76 */
static int access_logging(const struct check_ctx *ctx, const struct check_res *r)
{
	(void)ctx;
	return check_attr_given(r, "access_log_settings.destination_arn") ? CHECK_PASS : CHECK_FAIL;
}

/* CKV_AWS_309: AWS_IAM, CUSTOM or JWT; NONE (the default) fails. */
static int route_auth(const struct check_ctx *ctx, const struct check_res *r)
{
	(void)ctx;
	const char *t = check_attr_str(r, "authorization_type");
	if (!t && check_attr_referenced(r, "authorization_type"))
		return CHECK_UNKNOWN;
	if (t && (strcmp(t, "AWS_IAM") == 0 || strcmp(t, "CUSTOM") == 0 || strcmp(t, "JWT") == 0))
		return CHECK_PASS;
	return CHECK_FAIL;
}

/* CKV2_AWS_51: a stage with a client certificate (written, even as "",
 * checkov's `exists`); an HTTP API stage needs none: only a stage of a
 * WebSocket API fails without one.  A stage linked to no API passes, as
 * checkov. */
static int client_cert(const struct check_ctx *ctx, const struct check_res *r)
{
	if (check_attr_written(r, "client_certificate_id"))
		return CHECK_PASS;
	if (strcmp(r->type, "aws_apigatewayv2_stage") != 0)
		return CHECK_FAIL;
	const struct check_res *api;
	int verdict = CHECK_PASS;
	for (size_t i = 0; (api = check_linked(ctx, r, "aws_apigatewayv2_api", i)); i++) {
		const json_t *pt = check_attr(api, "protocol_type");
		if (check_json_str_is(pt, "WEBSOCKET"))
			return CHECK_FAIL;
		if (!json_is_string(pt))
			verdict = CHECK_UNKNOWN; /* known after apply: not passed blind */
	}
	return verdict;
}

/* CKV2_AWS_77: the WAFv2 web ACL associated with the API (or REST stage)
 * runs both AWS managed rule groups AWSManagedRulesAnonymousIpList and
 * AWSManagedRulesKnownBadInputsRuleSet (checkov reads the rules' direct
 * managed_rule_group_statement names); no association fails. */
static bool acl_has_group(const struct check_res *acl, const char *group)
{
	size_t i;
	const json_t *rule;
	json_array_foreach(check_attr(acl, "rule"), i, rule) {
		if (check_json_str_is(check_json_path(rule, "statement.managed_rule_group_statement.name"), group))
			return true;
	}
	return false;
}

static int waf_log4j(const struct check_ctx *ctx, const struct check_res *r)
{
	const struct check_res *assoc, *acl;
	for (size_t i = 0; (assoc = check_linked(ctx, r, "aws_wafv2_web_acl_association", i)); i++)
		for (size_t k = 0; (acl = check_linked(ctx, assoc, "aws_wafv2_web_acl", k)); k++)
			if (acl_has_group(acl, "AWSManagedRulesAnonymousIpList") &&
			    acl_has_group(acl, "AWSManagedRulesKnownBadInputsRuleSet"))
				return CHECK_PASS;
	return CHECK_FAIL;
}

const struct owlet_check_rule owlet_check_rules_apigw[] = {
	{ "CKV_AWS_76", "Ensure API Gateway has Access Logging enabled", "API stage has no access logging",
	  CHECK_GUIDE("CKV_AWS_76"), { "aws_api_gateway_stage", "aws_apigatewayv2_stage" }, access_logging },
	{ "CKV_AWS_309", "Ensure API GatewayV2 routes specify an authorization type",
	  "API route needs no authorization", CHECK_GUIDE("CKV_AWS_309"), { "aws_apigatewayv2_route" }, route_auth },
	{ "CKV2_AWS_51", "Ensure AWS API Gateway endpoints uses client certificate authentication",
	  "API stage has no client certificate (a REST API stage, or a WebSocket API's stage)",
	  CHECK_GUIDE("CKV2_AWS_51"), { "aws_api_gateway_stage", "aws_apigatewayv2_stage" }, client_cert },
	{ "CKV2_AWS_77",
	  "Ensure AWS API Gateway Rest API attached WAFv2 WebACL is configured with AMR for Log4j Vulnerability",
	  "API has no WAFv2 web ACL running AWSManagedRulesAnonymousIpList and AWSManagedRulesKnownBadInputsRuleSet",
	  CHECK_GUIDE("CKV2_AWS_77"), { "aws_apigatewayv2_api", "aws_api_gateway_stage" }, waf_log4j },
};
const size_t owlet_check_rules_apigw_count = sizeof owlet_check_rules_apigw / sizeof owlet_check_rules_apigw[0];
