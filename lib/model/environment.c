/*
 * environment.c: environments/<name>.yml -> struct owlet_environment (see
 * environment.h for the format, the defaults and the ranges).  Parsed with
 * the model's YAML tree, so problems are located the same way and every one
 * of them is reported.
 */
#include "model/environment.h"
#include "base/error.h"
#include "model/yaml_tree.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const top_keys[] = { "target", "region", "protect", "stack_suffix", "backend", "network",
					"storage", "function", "api", "checks", "usage", "budget", "alerts", NULL };
static const char *const backend_keys[] = { "bucket", "key", "region", NULL };
static const char *const network_keys[] = { "enabled", "az_count", "flow_logs", "interface_endpoints", NULL };
static const char *const storage_keys[] = { "kms", "noncurrent_days", "log_retention_days", "incoming_days",
					    "point_in_time_recovery", NULL };
static const char *const function_keys[] = { "architecture", "memory_mb", "timeout_s", "reserved_concurrency",
					     "log_retention_days", NULL };
static const char *const api_keys[] = { "throttle_rate", "throttle_burst", "local_port", NULL };
static const char *const checks_keys[] = { "skip", NULL };
static const char *const usage_keys[] = { "requests_per_month", "lambda_ms", "stored_gb", "uploaded_gb",
					  "athena_queries", "athena_scanned_gb", "log_gb", NULL };
static const char *const budget_keys[] = { "monthly_usd", "email", NULL };
static const char *const alerts_keys[] = { "enabled", "email", NULL };
static const char *const skip_keys[] = { "id", "reason", NULL };

/* CloudWatch Logs' allowed retention periods, in days. */
static const int retention_days[] = { 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096,
				      1827, 2192, 2557, 2922, 3288, 3653 };

/* ---- value checks ------------------------------------------------------- */

static bool is_lower(char c)
{
	return c >= 'a' && c <= 'z';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Whether s is `sep` followed by digits only. */
static bool ends_in_number(const char *s, char sep)
{
	if (*s++ != sep || !is_digit(*s))
		return false;
	while (is_digit(*s))
		s++;
	return *s == '\0';
}

/* AWS's regions (commercial, GovCloud, China), as AWS lists them. */
static const char *const aws_regions[] = {
	"us-east-1", "us-east-2", "us-west-1", "us-west-2", "af-south-1", "ap-east-1", "ap-east-2", "ap-south-1",
	"ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5",
	"ap-southeast-7", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ca-central-1", "ca-west-1",
	"eu-central-1", "eu-central-2", "eu-west-1", "eu-west-2", "eu-west-3", "eu-south-1", "eu-south-2",
	"eu-north-1", "il-central-1", "me-south-1", "me-central-1", "mx-central-1", "sa-east-1", "us-gov-east-1",
	"us-gov-west-1", "cn-north-1", "cn-northwest-1", NULL,
};

static bool valid_region(const char *s)
{
	for (size_t i = 0; aws_regions[i]; i++)
		if (strcmp(s, aws_regions[i]) == 0)
			return true;
	return false;
}

/* ", did you mean 'eu-west-1'?" for a region near one of AWS's, else "". */
static const char *region_hint(const char *s, char *buf, size_t size)
{
	const char *near = ysuggest(s, aws_regions);
	if (!near)
		return "";
	snprintf(buf, size, ", did you mean '%s'?", near);
	return buf;
}

/* S3 bucket names: 3..63 of [a-z0-9.-], starting and ending with a letter or digit, no "..". */
static bool valid_bucket(const char *s)
{
	size_t n = strlen(s);
	if (n < 3 || n > 63 || strstr(s, ".."))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!(is_lower(s[i]) || is_digit(s[i]) || s[i] == '.' || s[i] == '-'))
			return false;
	return (is_lower(s[0]) || is_digit(s[0])) && (is_lower(s[n - 1]) || is_digit(s[n - 1]));
}

/* A suffix of cloud names: 1..16 of [a-z0-9-], starting with a letter or digit. */
static bool valid_suffix(const char *s)
{
	size_t n = strlen(s);
	if (n < 1 || n > 16 || !(is_lower(s[0]) || is_digit(s[0])))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!(is_lower(s[i]) || is_digit(s[i]) || s[i] == '-'))
			return false;
	return true;
}

/* Checkov ids: CKV_AWS_117, CKV2_AWS_6. */
static bool valid_check_id(const char *s)
{
	if (strncmp(s, "CKV_", 4) == 0)
		s += 4;
	else if (strncmp(s, "CKV2_", 5) == 0)
		s += 5;
	else
		return false;
	if (!(*s >= 'A' && *s <= 'Z'))
		return false;
	while ((*s >= 'A' && *s <= 'Z') || is_digit(*s))
		s++;
	return ends_in_number(s, '_');
}

bool owlet_environment_valid_name(const char *name)
{
	size_t n = name ? strlen(name) : 0;
	if (n < 1 || n > 16 || !is_lower(name[0]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!(is_lower(name[i]) || is_digit(name[i]) || name[i] == '-'))
			return false;
	return name[n - 1] != '-';
}

/* ---- the parser --------------------------------------------------------- */

struct envparse {
	struct yctx *c;
	struct owlet_environment *env;
	bool nomem;
};

/* The section `name` of the top mapping, checked to be a mapping with the
 * given keys; NULL when absent, null or not a mapping (reported). */
static const struct ynode *section(struct envparse *p, const struct ynode *root, const char *name,
				   const char *const *keys)
{
	const struct ynode *v = ymap_get(root, name, NULL);
	if (ynode_is_null(v))
		return NULL;
	char what[64], where[64];
	snprintf(what, sizeof what, "'%s'", name);
	if (!yexpect(p->c, v, YNODE_MAP, what))
		return NULL;
	snprintf(where, sizeof where, "in '%s'", name);
	ymap_check_keys(p->c, v, keys, where);
	return v;
}

static void get_bool(struct envparse *p, const struct ynode *map, const char *sec, const char *key, bool *out)
{
	const struct ynode *v = ymap_get(map, key, NULL);
	char what[64];
	snprintf(what, sizeof what, "%s%s%s", sec ? sec : "", sec ? "." : "", key);
	if (!ynode_is_null(v))
		yget_bool(p->c, v, what, out);
}

/* An integer setting in lo..hi replacing *out (which holds the default). */
static void get_int(struct envparse *p, const struct ynode *map, const char *sec, const char *key, int lo,
		    int hi, int *out)
{
	const struct ynode *v = ymap_get(map, key, NULL);
	char what[64];
	snprintf(what, sizeof what, "%s.%s", sec, key);
	long long n;
	if (ynode_is_null(v) || !yget_int(p->c, v, what, &n))
		return;
	if (n < lo || n > hi) {
		yerr(p->c, v, "%s must be between %d and %d, not %lld", what, lo, hi, n);
		return;
	}
	*out = (int)n;
}

/* A number setting in lo..hi replacing *out (which holds the default). */
static void get_number(struct envparse *p, const struct ynode *map, const char *sec, const char *key, double lo,
		       double hi, double *out)
{
	const struct ynode *v = ymap_get(map, key, NULL);
	char what[64];
	snprintf(what, sizeof what, "%s.%s", sec, key);
	double n;
	if (ynode_is_null(v) || !yget_number(p->c, v, what, &n))
		return;
	if (!(n >= lo && n <= hi)) {
		yerr(p->c, v, "%s must be between %g and %g, not %s", what, lo, hi, ytext(v));
		return;
	}
	*out = n;
}

/* A string setting replacing *out (which holds the default); *node is its
 * value node (NULL when absent).  False when absent, null or bad (reported). */
static bool get_string(struct envparse *p, const struct ynode *map, const char *what, const char *key,
		       char **out, const struct ynode **node)
{
	const struct ynode *v = ymap_get(map, key, NULL);
	const char *s;
	if (node)
		*node = v;
	if (ynode_is_null(v) || !yget_string(p->c, v, what, &s))
		return false;
	char *d = strdup(s);
	if (!d) {
		p->nomem = true;
		return false;
	}
	free(*out);
	*out = d;
	return true;
}

/* An e-mail address for notifications: one '@', a dot after it, printable
 * ASCII without spaces, at most 254 characters. */
static bool valid_email(const char *s)
{
	size_t n = strlen(s);
	const char *at = strchr(s, '@');
	if (n < 3 || n > 254 || !at || at == s || strchr(at + 1, '@') || !strchr(at + 1, '.') || s[n - 1] == '.')
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 127 || s[i] == '"' || s[i] == '\\')
			return false;
	return true;
}

static void get_email(struct envparse *p, const struct ynode *sec, const char *name, char **out)
{
	const struct ynode *v;
	char what[64];
	snprintf(what, sizeof what, "%s.email", name);
	if (get_string(p, sec, what, "email", out, &v)) {
		if (!valid_email(*out))
			yerr(p->c, v, "bad %s '%s' (expected an address such as ops@example.com)", what, ytext(v));
	} else if (ynode_is_null(v)) {
		yerr(p->c, sec, "%s needs an 'email' (where the notifications go)", name);
	}
}

static void parse_cost(struct envparse *p, const struct ynode *root)
{
	struct owlet_environment *env = p->env;
	const struct ynode *sec;
	if ((sec = section(p, root, "usage", usage_keys))) {
		get_number(p, sec, "usage", "requests_per_month", 0, 1e12, &env->usage.requests_per_month);
		get_number(p, sec, "usage", "lambda_ms", 1, 900000, &env->usage.lambda_ms);
		get_number(p, sec, "usage", "stored_gb", 0, 1e9, &env->usage.stored_gb);
		get_number(p, sec, "usage", "uploaded_gb", 0, 1e9, &env->usage.uploaded_gb);
		get_number(p, sec, "usage", "athena_queries", 0, 1e9, &env->usage.athena_queries);
		get_number(p, sec, "usage", "athena_scanned_gb", 0, 1e9, &env->usage.athena_scanned_gb);
		get_number(p, sec, "usage", "log_gb", 0, 1e9, &env->usage.log_gb);
	}
	if ((sec = section(p, root, "budget", budget_keys))) {
		env->budget.enabled = true;
		if (ynode_is_null(ymap_get(sec, "monthly_usd", NULL)))
			yerr(p->c, sec, "budget needs 'monthly_usd' (the monthly limit in US dollars)");
		get_number(p, sec, "budget", "monthly_usd", 0.01, 1e9, &env->budget.monthly_usd);
		get_email(p, sec, "budget", &env->budget.email);
	}
	if ((sec = section(p, root, "alerts", alerts_keys))) {
		get_bool(p, sec, "alerts", "enabled", &env->alerts.enabled);
		if (env->alerts.enabled)
			get_email(p, sec, "alerts", &env->alerts.email);
	}
}

static void parse_skips(struct envparse *p, const struct ynode *checks)
{
	const struct ynode *skip = ymap_get(checks, "skip", NULL);
	if (ynode_is_null(skip) ||
	    !yexpect(p->c, skip, YNODE_SEQ, "checks.skip (a list of { id: CKV_AWS_..., reason: \"...\" })"))
		return;
	p->env->skips = calloc(skip->n ? skip->n : 1, sizeof *p->env->skips);
	if (!p->env->skips) {
		p->nomem = true;
		return;
	}
	for (size_t i = 0; i < skip->n; i++) {
		const struct ynode *item = skip->items[i];
		if (!yexpect(p->c, item, YNODE_MAP, "a check to skip ({ id: CKV_AWS_..., reason: \"...\" })"))
			continue;
		ymap_check_keys(p->c, item, skip_keys, "in a check to skip");
		struct owlet_check_skip *s = &p->env->skips[p->env->n_skips++];
		s->line = item->line;
		s->col = item->col;
		const struct ynode *id_node, *reason_node;
		if (get_string(p, item, "the id of a check to skip", "id", &s->id, &id_node)) {
			if (!valid_check_id(s->id))
				yerr(p->c, id_node, "bad check id '%s' (expected a Checkov id such as CKV_AWS_117 or CKV2_AWS_6)",
				     ytext(id_node));
		} else if (ynode_is_null(id_node)) {
			yerr(p->c, item, "a check to skip needs an 'id' (such as CKV_AWS_117)");
		}
		char label[96], what[128];
		if (s->id)
			snprintf(label, sizeof label, "'%s'", ytext(id_node));
		else
			snprintf(label, sizeof label, "a check");
		snprintf(what, sizeof what, "the reason to skip %s", label);
		if (!get_string(p, item, what, "reason", &s->reason, &reason_node)) {
			if (ynode_is_null(reason_node))
				yerr(p->c, item, "skipping %s needs a 'reason'", label);
		} else if (strspn(s->reason, " \t\r\n") == strlen(s->reason)) {
			yerr(p->c, reason_node, "the reason to skip %s is empty", label);
		}
	}
	/* the same id twice */
	for (size_t i = 0; i < p->env->n_skips; i++)
		for (size_t j = 0; j < i; j++)
			if (p->env->skips[i].id && p->env->skips[j].id &&
			    strcmp(p->env->skips[i].id, p->env->skips[j].id) == 0) {
				yerr_at(p->c, p->env->skips[i].line, p->env->skips[i].col,
					"check '%s' is skipped twice (first at %d:%d)", p->env->skips[i].id,
					p->env->skips[j].line, p->env->skips[j].col);
				break;
			}
}

static void parse_top(struct envparse *p, const struct ynode *root, const char *project)
{
	struct owlet_environment *env = p->env;
	const struct ynode *v;
	const char *s;
	bool target_known = true;
	char hint[64];
	if (!ynode_is_null(v = ymap_get(root, "target", NULL))) {
		target_known = false;
		if (!yget_string(p->c, v, "target", &s))
			; /* reported */
		else if (strcmp(s, "aws") == 0)
			env->target = OWLET_TARGET_AWS, target_known = true;
		else if (strcmp(s, "local") == 0)
			env->target = OWLET_TARGET_LOCAL, target_known = true;
		else
			yerr(p->c, v, "unknown target '%s' (expected aws or local)", ytext(v));
	}
	if (get_string(p, root, "region", "region", &env->region, &v) && !valid_region(env->region))
		yerr(p->c, v, "'%s' is not an AWS region%s (expected one of AWS's, such as us-east-1 or eu-west-1)",
		     ytext(v), region_hint(env->region, hint, sizeof hint));
	get_bool(p, root, NULL, "protect", &env->protect);
	if (get_string(p, root, "stack_suffix", "stack_suffix", &env->stack_suffix, &v) && env->stack_suffix[0] &&
	    !valid_suffix(env->stack_suffix))
		yerr(p->c, v, "bad stack_suffix '%s' (expected 1 to 16 lower-case letters, digits or '-', or \"developer\")",
		     ytext(v));

	const struct ynode *sec;
	const struct ynode *backend = section(p, root, "backend", backend_keys);
	if (get_string(p, backend, "backend.bucket", "bucket", &env->backend.bucket, &v) && env->backend.bucket[0] &&
	    !valid_bucket(env->backend.bucket))
		yerr(p->c, v, "bad backend.bucket '%s' (expected an S3 bucket name: 3 to 63 lower-case letters, digits, '.' or '-')",
		     ytext(v));
	if (get_string(p, backend, "backend.key", "key", &env->backend.key, &v) &&
	    (env->backend.key[0] == '/' || strstr(env->backend.key, "..")))
		yerr(p->c, v, "bad backend.key '%s' (expected a relative object key such as project/env/terraform.tfstate)",
		     ytext(v));
	if (get_string(p, backend, "backend.region", "region", &env->backend.region, &v) && env->backend.region[0] &&
	    !valid_region(env->backend.region))
		yerr(p->c, v, "backend.region '%s' is not an AWS region%s (expected one of AWS's, such as us-east-1)",
		     ytext(v), region_hint(env->backend.region, hint, sizeof hint));
	if (target_known && env->target == OWLET_TARGET_AWS && !env->backend.bucket[0]) {
		const struct ynode *at = backend ? backend : root;
		yerr_at(p->c, at ? at->line : 1, at ? at->col : 1,
			"backend.bucket is required for target aws (the S3 bucket that holds the terraform state)");
	}

	if ((sec = section(p, root, "network", network_keys))) {
		get_bool(p, sec, "network", "enabled", &env->network.enabled);
		get_int(p, sec, "network", "az_count", 2, 3, &env->network.az_count);
		get_bool(p, sec, "network", "flow_logs", &env->network.flow_logs);
		get_bool(p, sec, "network", "interface_endpoints", &env->network.interface_endpoints);
	}
	if ((sec = section(p, root, "storage", storage_keys))) {
		get_bool(p, sec, "storage", "kms", &env->storage.kms);
		get_int(p, sec, "storage", "noncurrent_days", 1, 3650, &env->storage.noncurrent_days);
		get_int(p, sec, "storage", "log_retention_days", 1, 3650, &env->storage.log_retention_days);
		get_int(p, sec, "storage", "incoming_days", 1, 3650, &env->storage.incoming_days);
		get_bool(p, sec, "storage", "point_in_time_recovery", &env->storage.point_in_time_recovery);
	}
	if ((sec = section(p, root, "function", function_keys))) {
		if (get_string(p, sec, "function.architecture", "architecture", &env->function.architecture, &v) &&
		    strcmp(env->function.architecture, "x86_64") != 0 && strcmp(env->function.architecture, "arm64") != 0)
			yerr(p->c, v, "unknown function.architecture '%s' (expected x86_64 or arm64)", ytext(v));
		get_int(p, sec, "function", "memory_mb", 128, 10240, &env->function.memory_mb);
		get_int(p, sec, "function", "timeout_s", 1, 900, &env->function.timeout_s);
		get_int(p, sec, "function", "reserved_concurrency", -1, 1000, &env->function.reserved_concurrency);
		int days = env->function.log_retention_days;
		get_int(p, sec, "function", "log_retention_days", 1, 3653, &days);
		bool allowed = false;
		for (size_t i = 0; i < sizeof retention_days / sizeof retention_days[0]; i++)
			allowed = allowed || retention_days[i] == days;
		if (allowed)
			env->function.log_retention_days = days;
		else
			yerr(p->c, ymap_get(sec, "log_retention_days", NULL),
			     "function.log_retention_days must be one of CloudWatch's periods (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653), not %d",
			     days);
	}
	if ((sec = section(p, root, "api", api_keys))) {
		get_int(p, sec, "api", "throttle_rate", 1, 10000, &env->api.throttle_rate);
		get_int(p, sec, "api", "throttle_burst", 1, 5000, &env->api.throttle_burst);
		get_int(p, sec, "api", "local_port", 1024, 65535, &env->api.local_port);
	}
	if ((sec = section(p, root, "checks", checks_keys)))
		parse_skips(p, sec);
	parse_cost(p, root);

	/* defaults that depend on other values */
	if (!env->backend.key[0]) {
		char *key = NULL;
		if (asprintf(&key, "%s%s%s/terraform.tfstate", project ? project : "", project ? "/" : "", env->name) < 0)
			p->nomem = true;
		else
			free(env->backend.key), env->backend.key = key;
	}
	if (!env->backend.region[0]) {
		char *r = strdup(env->region);
		if (!r)
			p->nomem = true;
		else
			free(env->backend.region), env->backend.region = r;
	}
}

static struct owlet_environment *env_defaults(const char *path, const char *name)
{
	struct owlet_environment *env = calloc(1, sizeof *env);
	if (!env)
		return NULL;
	env->name = strdup(name);
	env->path = strdup(path);
	env->target = OWLET_TARGET_AWS;
	env->region = strdup("us-east-1");
	env->stack_suffix = strdup("");
	env->backend.bucket = strdup("");
	env->backend.key = strdup("");
	env->backend.region = strdup("");
	env->network.enabled = true;
	env->network.az_count = 2;
	env->network.flow_logs = true;
	env->storage.noncurrent_days = 30;
	env->storage.log_retention_days = 30;
	env->storage.incoming_days = 7;
	env->storage.point_in_time_recovery = true;
	env->function.architecture = strdup("x86_64");
	env->function.memory_mb = 256;
	env->function.timeout_s = 10;
	env->function.reserved_concurrency = 5;
	env->function.log_retention_days = 14;
	env->api.throttle_rate = 10;
	env->api.throttle_burst = 20;
	/* a modest project's month (owlet cost) */
	env->usage.requests_per_month = 100000;
	env->usage.lambda_ms = 100;
	env->usage.stored_gb = 1;
	env->usage.uploaded_gb = 1;
	env->usage.athena_queries = 100;
	env->usage.athena_scanned_gb = 1;
	env->usage.log_gb = 0.5;
	env->budget.email = strdup("");
	env->alerts.email = strdup("");
	if (!env->budget.email || !env->alerts.email || !env->name || !env->path || !env->region || !env->stack_suffix || !env->backend.bucket ||
	    !env->backend.key || !env->backend.region || !env->function.architecture) {
		owlet_environment_free(env);
		return NULL;
	}
	return env;
}

int owlet_environment_parse(struct owlet_environment **out, struct owlet_diags *diags, const char *path,
			    const char *name, const char *buf, size_t len, const char *project)
{
	*out = NULL;
	struct yctx c = { .file = path, .diags = diags };
	if (!owlet_environment_valid_name(name)) {
		yerr_at(&c, 0, 0, "bad environment name '%s' (expected 1 to 16 lower-case letters, digits or '-', starting with a letter)",
			name);
		return owlet_error_setc(OWLET_EINVALID, "bad environment name");
	}
	struct ynode *root = NULL;
	int rc = ytree_parse(&root, &c, buf, len);
	if (rc < 0)
		goto out;
	struct envparse p = { .c = &c, .env = env_defaults(path, name) };
	if (!p.env) {
		rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
		goto out;
	}
	/* an empty file takes every default */
	if (root && yexpect(&c, root, YNODE_MAP, "the environment (a mapping of settings)")) {
		ymap_check_keys(&c, root, top_keys, "in the environment");
		parse_top(&p, root, project);
	} else if (!root) {
		parse_top(&p, NULL, project);
	}
	if (p.nomem || c.rc < 0)
		rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
	else if (c.problems > 0)
		rc = OWLET_EINVALID;
	if (rc < 0)
		owlet_environment_free(p.env);
	else
		*out = p.env;
out:
	ytree_free(root);
	if (rc == OWLET_EINVALID)
		owlet_error_setc(rc, "%zu problem%s in '%s'", c.problems, c.problems == 1 ? "" : "s", path);
	return rc;
}

int owlet_environment_path(char **out, const char *project_dir, const char *name)
{
	*out = NULL;
	if (!owlet_environment_valid_name(name))
		return owlet_error_setc(OWLET_EUSAGE,
					"bad environment name '%s' (expected 1 to 16 lower-case letters, digits or '-', starting with a letter)",
					name);
	int n;
	if (!project_dir || strcmp(project_dir, ".") == 0)
		n = asprintf(out, "environments/%s.yml", name);
	else
		n = asprintf(out, "%s%senvironments/%s.yml", project_dir,
			     project_dir[strlen(project_dir) - 1] == '/' ? "" : "/", name);
	if (n < 0) {
		*out = NULL;
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	}
	return 0;
}

int owlet_environment_load(struct owlet_environment **out, struct owlet_diags *diags, const char *project_dir,
			   const char *name, const char *project)
{
	*out = NULL;
	char *path, *buf = NULL;
	size_t len;
	int rc = owlet_environment_path(&path, project_dir, name);
	if (rc < 0)
		return rc;
	rc = ytree_read_file(&buf, &len, path);
	if (rc == OWLET_ENOTFOUND)
		rc = owlet_error_setc(rc, "no environment '%s': '%s' does not exist", name, path);
	if (rc == 0)
		rc = owlet_environment_parse(out, diags, path, name, buf, len, project);
	free(buf);
	free(path);
	return rc;
}

void owlet_environment_free(struct owlet_environment *env)
{
	if (!env)
		return;
	free(env->name);
	free(env->path);
	free(env->region);
	free(env->stack_suffix);
	free(env->backend.bucket);
	free(env->backend.key);
	free(env->backend.region);
	free(env->function.architecture);
	free(env->budget.email);
	free(env->alerts.email);
	for (size_t i = 0; i < env->n_skips; i++) {
		free(env->skips[i].id);
		free(env->skips[i].reason);
	}
	free(env->skips);
	free(env);
}

json_t *owlet_environment_to_json(const struct owlet_environment *env)
{
	json_t *skips = json_array();
	for (size_t i = 0; skips && i < env->n_skips; i++)
		if (json_array_append_new(skips, json_pack("{s:s?, s:s?}", "id", env->skips[i].id, "reason",
							   env->skips[i].reason)) < 0) {
			json_decref(skips);
			return NULL;
		}
	return json_pack("{s:s, s:s, s:s, s:b, s:s,"
			 " s:{s:s, s:s, s:s},"
			 " s:{s:b, s:i, s:b, s:b},"
			 " s:{s:b, s:i, s:i, s:i, s:b},"
			 " s:{s:s, s:i, s:i, s:i, s:i},"
			 " s:{s:i, s:i, s:i},"
			 " s:{s:o},"
			 " s:{s:f, s:f, s:f, s:f, s:f, s:f, s:f},"
			 " s:o, s:o}",
			 "name", env->name, "target", env->target == OWLET_TARGET_LOCAL ? "local" : "aws",
			 "region", env->region, "protect", env->protect, "stack_suffix", env->stack_suffix,
			 "backend", "bucket", env->backend.bucket, "key", env->backend.key, "region", env->backend.region,
			 "network", "enabled", env->network.enabled, "az_count", env->network.az_count,
			 "flow_logs", env->network.flow_logs, "interface_endpoints", env->network.interface_endpoints,
			 "storage", "kms", env->storage.kms, "noncurrent_days", env->storage.noncurrent_days,
			 "log_retention_days", env->storage.log_retention_days, "incoming_days", env->storage.incoming_days,
			 "point_in_time_recovery", env->storage.point_in_time_recovery,
			 "function", "architecture", env->function.architecture, "memory_mb", env->function.memory_mb,
			 "timeout_s", env->function.timeout_s, "reserved_concurrency", env->function.reserved_concurrency,
			 "log_retention_days", env->function.log_retention_days,
			 "api", "throttle_rate", env->api.throttle_rate, "throttle_burst", env->api.throttle_burst,
			 "local_port", env->api.local_port, "checks", "skip", skips,
			 "usage", "requests_per_month", env->usage.requests_per_month, "lambda_ms", env->usage.lambda_ms,
			 "stored_gb", env->usage.stored_gb, "uploaded_gb", env->usage.uploaded_gb,
			 "athena_queries", env->usage.athena_queries, "athena_scanned_gb", env->usage.athena_scanned_gb,
			 "log_gb", env->usage.log_gb,
			 "budget", env->budget.enabled ? json_pack("{s:f, s:s}", "monthly_usd", env->budget.monthly_usd,
								   "email", env->budget.email) : json_null(),
			 "alerts", json_pack("{s:b, s:s}", "enabled", env->alerts.enabled, "email", env->alerts.email));
}
