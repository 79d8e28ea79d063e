/*
 * rules_iam.c: IAM rules: identity policies (inline and managed), role
 * trust policies, attachments of AWS managed policies.  The cloudsplaining
 * analyses (CKV_AWS_286..290, 355) are in policy.c.
 */
#include <string.h>

#include "check/internal.h"

#define ADMIN_ARN "arn:aws:iam::aws:policy/AdministratorAccess"

static const char *effect_of(const json_t *stmt, const char *dflt)
{
	const char *e = json_string_value(json_object_get(stmt, "Effect"));
	return e ? e : dflt;
}

static bool has_value(const char *const *list, size_t n, const char *value)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i], value) == 0)
			return true;
	return false;
}

/* The policy document: an SSO permission set's inline policy is in
 * inline_policy, every other policy resource's in policy. */
static const json_t *policy_of(const struct check_res *r)
{
	if (strcmp(r->type, "aws_ssoadmin_permission_set_inline_policy") == 0)
		return check_attr(r, "inline_policy");
	return check_attr(r, "policy");
}

static int each_statement(const struct check_res *r, bool (*test)(const json_t *stmt))
{
	return check_policy_each(policy_of(r), test, CHECK_PASS);
}

static bool admin_stmt(const json_t *st)
{
	const char *actions[256], *resources[256];
	if (!json_object_get(st, "Action") || strcmp(effect_of(st, "Allow"), "Allow") != 0)
		return false;
	size_t na = check_stmt_strings(st, "Action", actions, 256);
	size_t nr = check_stmt_strings(st, "Resource", resources, 256);
	return has_value(actions, na, "*") && has_value(resources, nr, "*");
}

static bool star_action_stmt(const json_t *st)
{
	const char *actions[256];
	if (!json_object_get(st, "Action") || strcmp(effect_of(st, "Allow"), "Allow") != 0)
		return false;
	size_t na = check_stmt_strings(st, "Action", actions, 256);
	return has_value(actions, na, "*");
}

/* CKV2_AWS_40: an explicit Allow of "iam:*" or "*". */
static bool full_iam_stmt(const json_t *st)
{
	const char *actions[256];
	const char *e = json_string_value(json_object_get(st, "Effect"));
	if (!e || strcmp(e, "Allow") != 0)
		return false;
	size_t na = check_stmt_strings(st, "Action", actions, 256);
	return has_value(actions, na, "iam:*") || has_value(actions, na, "*");
}

/* CKV_AWS_62 */
static int admin_policy(const struct check_ctx *ctx, const struct check_res *r)
{
	(void)ctx;
	return each_statement(r, admin_stmt);
}

/* CKV_AWS_63 */
static int star_action(const struct check_ctx *ctx, const struct check_res *r)
{
	(void)ctx;
	return each_statement(r, star_action_stmt);
}

static int analyse(const struct check_res *r, bool (*analysis)(const json_t *policy))
{
	const json_t *v = policy_of(r);
	if (!v)
		return CHECK_PASS;
	json_t *policy = check_policy_parse(v);
	if (!policy)
		return CHECK_UNKNOWN;
	int verdict = analysis(policy) ? CHECK_FAIL : CHECK_PASS;
	json_decref(policy);
	return verdict;
}

static int star_resource(const struct check_ctx *ctx, const struct check_res *r)
{
	(void)ctx;
	return analyse(r, check_policy_star_resource);
}

static int privilege_escalation(const struct check_ctx *ctx, const struct check_res *r)
{
	(void)ctx;
	return analyse(r, check_policy_privilege_escalation);
}

static int credentials_exposure(const struct check_ctx *ctx, const struct check_res *r)
{
	(void)ctx;
	return analyse(r, check_policy_credentials_exposure);
}

static int data_exfiltration(const struct check_ctx *ctx, const struct check_res *r)
{
	(void)ctx;
	return analyse(r, check_policy_data_exfiltration);
}

static int permissions_management(const struct check_ctx *ctx, const struct check_res *r)
{
	(void)ctx;
	return analyse(r, check_policy_permissions_management);
}

static int write_access(const struct check_ctx *ctx, const struct check_res *r)
{
	(void)ctx;
	return analyse(r, check_policy_write_access);
}

/* Walks the allowing statements of a role's trust policy; returns FAIL when
 * test() matches one of their Principal.AWS values. */
static int trust_principals(const struct check_res *r, bool (*test)(const char *principal), int missing)
{
	json_t *policy = check_policy_parse(check_attr(r, "assume_role_policy"));
	if (!policy)
		return missing;
	json_t *stmts = check_policy_statements(policy);
	int verdict = CHECK_PASS;
	size_t i;
	const json_t *st;
	json_array_foreach(stmts, i, st) {
		const char *e = json_string_value(json_object_get(st, "Effect"));
		const json_t *p = json_object_get(st, "Principal");
		if ((e && strcmp(e, "Deny") == 0) || !json_is_object(p))
			continue;
		const char *aws[64];
		size_t n = check_stmt_strings(p, "AWS", aws, 64);
		for (size_t k = 0; k < n; k++)
			if (test(aws[k]))
				verdict = CHECK_FAIL;
	}
	json_decref(stmts);
	json_decref(policy);
	return verdict;
}

static bool is_star(const char *p)
{
	return strcmp(p, "*") == 0;
}

static bool is_account(const char *p)
{
	/* re.match(r"\d{12}|arn:aws:iam::\d{12}:root"): anchored at the start */
	return check_regex("^([0-9]{12}|arn:aws:iam::[0-9]{12}:root)", p);
}

/* CKV_AWS_60 */
static int public_assume(const struct check_ctx *ctx, const struct check_res *r)
{
	(void)ctx;
	return trust_principals(r, is_star, CHECK_PASS);
}

/* CKV_AWS_61 */
static int account_assume(const struct check_ctx *ctx, const struct check_res *r)
{
	(void)ctx;
	return trust_principals(r, is_account, CHECK_UNKNOWN);
}

static bool list_contains(const json_t *v, const char *needle, bool substring)
{
	size_t i;
	const json_t *e;
	if (json_is_string(v))
		return substring ? strstr(json_string_value(v), needle) != NULL
				 : strcmp(json_string_value(v), needle) == 0;
	json_array_foreach(v, i, e) {
		if (list_contains(e, needle, substring))
			return true;
	}
	return false;
}

/* CKV_AWS_274 */
static int admin_attached(const struct check_ctx *ctx, const struct check_res *r)
{
	(void)ctx;
	if (strcmp(r->type, "aws_iam_role") == 0)
		return list_contains(check_attr(r, "managed_policy_arns"), ADMIN_ARN, false) ? CHECK_FAIL : CHECK_PASS;
	if (strcmp(r->type, "aws_ssoadmin_managed_policy_attachment") == 0)
		return list_contains(check_attr(r, "managed_policy_arn"), ADMIN_ARN, false) ? CHECK_FAIL : CHECK_PASS;
	return list_contains(check_attr(r, "policy_arn"), ADMIN_ARN, false) ? CHECK_FAIL : CHECK_PASS;
}

/* CKV2_AWS_40 */
static int full_iam(const struct check_ctx *ctx, const struct check_res *r)
{
	(void)ctx;
	if (!r->data)
		return each_statement(r, full_iam_stmt);
	size_t i;
	const json_t *st;
	json_array_foreach(check_attr(r, "statement"), i, st) {
		const char *e = json_string_value(json_object_get(st, "effect"));
		const json_t *actions = json_object_get(st, "actions");
		if (e && strcmp(e, "Allow") == 0 && (list_contains(actions, "iam:*", false) || list_contains(actions, "*", false)))
			return CHECK_FAIL;
	}
	return CHECK_PASS;
}

/* CKV2_AWS_56 */
static int iam_full_access(const struct check_ctx *ctx, const struct check_res *r)
{
	(void)ctx;
	const char *needle = "IAMFullAccess";
	if (r->data) {
		const char *name = check_attr_str(r, "name");
		bool hit = (name && strcmp(name, needle) == 0) || list_contains(check_attr(r, "arn"), needle, true);
		return hit ? CHECK_FAIL : CHECK_PASS;
	}
	if (strcmp(r->type, "aws_iam_role") == 0)
		return list_contains(check_attr(r, "managed_policy_arns"), needle, true) ? CHECK_FAIL : CHECK_PASS;
	if (strcmp(r->type, "aws_ssoadmin_managed_policy_attachment") == 0)
		return list_contains(check_attr(r, "managed_policy_arn"), needle, true) ? CHECK_FAIL : CHECK_PASS;
	return list_contains(check_attr(r, "policy_arn"), needle, true) ? CHECK_FAIL : CHECK_PASS;
}

/* A `token.actions.githubusercontent.com[:/...]:sub` value: FAIL for "*",
 * a bare claim, a "*" first claim value, a first claim that another
 * repository can also produce (workflow, environment, ref, context,
 * head_ref, base_ref), a repo: that is not owner/name; PASS otherwise. */
static int gh_sub_value(const char *v)
{
	static const char *const abusable[] = { "workflow", "environment", "ref", "context", "head_ref", "base_ref" };
	if (strcmp(v, "*") == 0)
		return CHECK_FAIL;
	const char *colon = strchr(v, ':');
	if (!colon)
		return CHECK_FAIL;
	const char *second = colon + 1;
	size_t second_len = strcspn(second, ":");
	if (second_len == 1 && second[0] == '*')
		return CHECK_FAIL;
	for (size_t k = 0; k < sizeof abusable / sizeof abusable[0]; k++)
		if (strncmp(v, abusable[k], strlen(abusable[k])) == 0)
			return CHECK_FAIL;
	if ((size_t)(colon - v) == 4 && strncmp(v, "repo", 4) == 0) {
		char claim[512];
		if (second_len >= sizeof claim)
			return CHECK_FAIL;
		memcpy(claim, second, second_len);
		claim[second_len] = '\0';
		if (!check_regex("^(\\$\\{)?[a-zA-Z0-9_-]+(\\.[a-zA-Z0-9_-]+)*(\\})?/[^/]+", claim))
			return CHECK_FAIL;
	}
	return CHECK_PASS;
}

static bool gh_federated(const json_t *st)
{
	const json_t *p = json_object_get(st, "Principal");
	if (!json_is_object(p))
		return false;
	const char *fed[64];
	size_t n = check_stmt_strings(p, "Federated", fed, 64);
	for (size_t k = 0; k < n; k++)
		if (strstr(fed[k], "oidc-provider/token.actions.githubusercontent.com"))
			return true;
	return false;
}

/* CKV_AWS_393: a trust policy that lets GitHub Actions (OIDC) assume the
 * role must pin the sub claim to something only this repository produces.
 * As checkov: the first statement decides; one without the GitHub
 * provider passes the role. */
static int github_oidc(const struct check_ctx *ctx, const struct check_res *r)
{
	(void)ctx;
	json_t *policy = check_policy_parse(check_attr(r, "assume_role_policy"));
	if (!policy)
		return CHECK_PASS;
	json_t *stmts = check_policy_statements(policy);
	int verdict = CHECK_PASS;
	size_t i;
	const json_t *st;
	json_array_foreach(stmts, i, st) {
		if (!json_is_object(st))
			continue;
		if (!gh_federated(st))
			break;
		const json_t *cond = json_object_get(st, "Condition");
		verdict = CHECK_FAIL;
		if (!json_is_object(cond) || json_object_size(cond) == 0)
			break;
		const char *op, *var;
		const json_t *vars, *vals;
		bool decided = false;
		json_object_foreach((json_t *)cond, op, vars) {
			if (!json_is_object(vars) || decided)
				continue;
			json_object_foreach((json_t *)vars, var, vals) {
				if (decided || !check_regex("^token\\.actions\\.githubusercontent\\.com(/[a-zA-Z0-9_-]+)?:sub$", var))
					continue;
				json_t *wrap = json_pack("{s:O}", "v", vals);
				const char *v[64];
				size_t n = check_stmt_strings(wrap, "v", v, 64);
				if (n) {
					verdict = gh_sub_value(v[0]);
					decided = true;
				}
				json_decref(wrap);
			}
		}
		break;
	}
	json_decref(stmts);
	json_decref(policy);
	return verdict;
}

/* CKV2_AWS_68: a SageMaker notebook instance has a role, and the role's
 * `policy` allows no action "*".  aws_iam_role has no `policy` argument in
 * the provider (checkov's cases give it one); the role's own policy in a
 * plan is its inline_policy blocks, which owlet reads as that policy. */
static bool star_allow(const json_t *st)
{
	const char *acts[256];
	size_t n = check_stmt_strings(st, "Action", acts, 256);
	return strcmp(effect_of(st, ""), "Allow") == 0 && has_value(acts, n, "*");
}

static int sagemaker_role(const struct check_ctx *ctx, const struct check_res *r)
{
	const struct check_res *role = check_linked(ctx, r, "aws_iam_role", 0);
	if (!role)
		return CHECK_FAIL;
	for (size_t i = 0; (role = check_linked(ctx, r, "aws_iam_role", i)); i++) {
		if (check_policy_each(check_attr(role, "policy"), star_allow, CHECK_PASS) == CHECK_FAIL)
			return CHECK_FAIL;
		size_t k;
		const json_t *inl;
		json_array_foreach(check_attr(role, "inline_policy"), k, inl) {
			if (check_policy_each(json_object_get(inl, "policy"), star_allow, CHECK_PASS) == CHECK_FAIL)
				return CHECK_FAIL;
		}
	}
	return CHECK_PASS;
}

#define POLICY_TYPES                                                                                      \
	{ "aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy", "aws_iam_policy",         \
	  "aws_ssoadmin_permission_set_inline_policy" }
#define ATTACH_TYPES                                                                                      \
	{ "aws_iam_role", "aws_iam_policy_attachment", "aws_iam_role_policy_attachment",                  \
	  "aws_iam_user_policy_attachment", "aws_iam_group_policy_attachment",                            \
	  "aws_ssoadmin_managed_policy_attachment" }

const struct owlet_check_rule owlet_check_rules_iam[] = {
	{ "CKV_AWS_62", "Ensure IAM policies that allow full \"*-*\" administrative privileges are not created",
	  "IAM policy allows \"*\" on \"*\" (full admin)", CHECK_GUIDE("CKV_AWS_62"), POLICY_TYPES, admin_policy },
	{ "CKV_AWS_63", "Ensure no IAM policies documents allow \"*\" as a statement's actions",
	  "IAM policy allows action \"*\"", CHECK_GUIDE("CKV_AWS_63"), POLICY_TYPES, star_action },
	{ "CKV_AWS_355", "Ensure no IAM policies documents allow \"*\" as a statement's resource for restrictable actions",
	  "IAM policy allows restrictable actions on resource \"*\"", CHECK_GUIDE("CKV_AWS_355"), POLICY_TYPES,
	  star_resource },
	{ "CKV_AWS_286", "Ensure IAM policies does not allow privilege escalation",
	  "IAM policy allows privilege escalation", CHECK_GUIDE("CKV_AWS_286"), POLICY_TYPES, privilege_escalation },
	{ "CKV_AWS_287", "Ensure IAM policies does not allow credentials exposure",
	  "IAM policy allows actions that return credentials", CHECK_GUIDE("CKV_AWS_287"), POLICY_TYPES,
	  credentials_exposure },
	{ "CKV_AWS_288", "Ensure IAM policies does not allow data exfiltration",
	  "IAM policy allows reading data or secrets from any resource", CHECK_GUIDE("CKV_AWS_288"), POLICY_TYPES,
	  data_exfiltration },
	{ "CKV_AWS_289", "Ensure IAM policies does not allow permissions management / resource exposure without constraints",
	  "IAM policy allows permissions management on any resource", CHECK_GUIDE("CKV_AWS_289"), POLICY_TYPES,
	  permissions_management },
	{ "CKV_AWS_290", "Ensure IAM policies does not allow write access without constraints",
	  "IAM policy allows writes to any resource", CHECK_GUIDE("CKV_AWS_290"), POLICY_TYPES, write_access },
	{ "CKV_AWS_60", "Ensure IAM role allows only specific services or principals to assume it",
	  "IAM role can be assumed by any AWS principal", CHECK_GUIDE("CKV_AWS_60"), { "aws_iam_role" }, public_assume },
	{ "CKV_AWS_61", "Ensure AWS IAM policy does not allow assume role permission across all services",
	  "IAM role can be assumed by a whole account", CHECK_GUIDE("CKV_AWS_61"), { "aws_iam_role" }, account_assume },
	{ "CKV_AWS_274", "Disallow IAM roles, users, and groups from using the AWS AdministratorAccess policy",
	  "AdministratorAccess is attached", CHECK_GUIDE("CKV_AWS_274"), ATTACH_TYPES, admin_attached },
	{ "CKV2_AWS_40", "Ensure AWS IAM policy does not allow full IAM privileges",
	  "IAM policy allows \"iam:*\" or \"*\"", CHECK_GUIDE("CKV2_AWS_40"),
	  { "aws_iam_policy", "aws_iam_role_policy", "aws_iam_group_policy", "aws_iam_user_policy",
	    "aws_ssoadmin_permission_set_inline_policy", "data.aws_iam_policy_document" },
	  full_iam },
	{ "CKV2_AWS_56", "Ensure AWS Managed IAMFullAccess IAM policy is not used.",
	  "IAMFullAccess is attached", CHECK_GUIDE("CKV2_AWS_56"),
	  { "data.aws_iam_policy", "aws_iam_policy_attachment", "aws_iam_user_policy_attachment",
	    "aws_iam_role_policy_attachment", "aws_iam_group_policy_attachment", "aws_iam_role",
	    "aws_ssoadmin_managed_policy_attachment" },
	  iam_full_access },
	{ "CKV_AWS_393", "Ensure AWS GitHub Actions OIDC authorization policies only allow safe claims and claim order on IAM role",
	  "IAM role trusts GitHub Actions without pinning the sub claim to this repository", CHECK_GUIDE("CKV_AWS_393"),
	  { "aws_iam_role" }, github_oidc },
	{ "CKV2_AWS_68", "Ensure SageMaker notebook instance IAM policy is not overly permissive",
	  "SageMaker notebook instance has no role, or one that allows action \"*\"", CHECK_GUIDE("CKV2_AWS_68"),
	  { "aws_sagemaker_notebook_instance" }, sagemaker_role },
};
const size_t owlet_check_rules_iam_count = sizeof owlet_check_rules_iam / sizeof owlet_check_rules_iam[0];
