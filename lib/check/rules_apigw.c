/* rules_apigw.c: API Gateway rules (REST and HTTP API stages, HTTP API routes). */
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

const struct owlet_check_rule owlet_check_rules_apigw[] = {
	{ "CKV_AWS_76", "Ensure API Gateway has Access Logging enabled", "API stage has no access logging",
	  CHECK_GUIDE("CKV_AWS_76"), { "aws_api_gateway_stage", "aws_apigatewayv2_stage" }, access_logging },
	{ "CKV_AWS_309", "Ensure API GatewayV2 routes specify an authorization type",
	  "API route needs no authorization", CHECK_GUIDE("CKV_AWS_309"), { "aws_apigatewayv2_route" }, route_auth },
};
const size_t owlet_check_rules_apigw_count = sizeof owlet_check_rules_apigw / sizeof owlet_check_rules_apigw[0];
