/*
 * engine.c: runs the rules over a plan's JSON.
 *
 * Design.  `terraform show -json PLAN` gives two views of the same stack:
 *   planned_values  every resource instance with its values (unknown values,
 *                   known only after apply, are simply absent), per module
 *                   instance, recursively (child_modules);
 *   configuration   every resource block with its expressions; an expression
 *                   that names other objects lists them in `references`
 *                   ("aws_s3_bucket.this.id", "var.bucket", "module.x.out").
 * The engine flattens planned_values into one array of resources, pairs each
 * with its configuration block, then builds checkov's graph edges: resource
 * A is linked to B when an expression of A references B, directly, through a
 * module's input variable (var.x -> the module call's argument in the parent)
 * or through a module's output (module.m.out -> the output's expression in
 * the child).  Links are undirected, as checkov's "connection exists".
 * Instances: a reference without a key (aws_s3_bucket.this[each.key]) links
 * the instance with the same key when both have keys, else every instance.
 * The plan's configuration does not carry locals (bucket = local.x[...]),
 * which checkov resolves when it reads the source; so a bucket is also
 * linked to every resource whose `bucket` or `target_bucket` value (known
 * at plan time) is the bucket's name.
 *
 * Rules then run per resource of the types they name.  Skips are resolved
 * here: environment skips for every resource, inline skips (read from the
 * resource's block in the .tf source) for that resource.
 */
#include <limits.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/internal.h"
#include "base/error.h"

/* ---------------------------------------------------------------- rules */

struct rule_group {
	const struct owlet_check_rule *rules;
	const size_t *count;
};

static const struct rule_group groups[] = {
	{ owlet_check_rules_s3, &owlet_check_rules_s3_count },
	{ owlet_check_rules_lambda, &owlet_check_rules_lambda_count },
	{ owlet_check_rules_apigw, &owlet_check_rules_apigw_count },
	{ owlet_check_rules_kms, &owlet_check_rules_kms_count },
	{ owlet_check_rules_logs, &owlet_check_rules_logs_count },
	{ owlet_check_rules_glue, &owlet_check_rules_glue_count },
	{ owlet_check_rules_athena, &owlet_check_rules_athena_count },
	{ owlet_check_rules_vpc, &owlet_check_rules_vpc_count },
	{ owlet_check_rules_iam, &owlet_check_rules_iam_count },
	{ owlet_check_rules_msg, &owlet_check_rules_msg_count },
	{ owlet_check_rules_data, &owlet_check_rules_data_count },
	{ owlet_check_rules_edge, &owlet_check_rules_edge_count },
	{ owlet_check_rules_sns, &owlet_check_rules_sns_count },
};
#define N_GROUPS (sizeof groups / sizeof groups[0])

/* One flat array, filled once from the groups (constant data). */
static struct owlet_check_rule all_rules[128];
static size_t n_all_rules;

const struct owlet_check_rule *owlet_check_rules(size_t *n)
{
	if (!n_all_rules) {
		size_t k = 0;
		for (size_t g = 0; g < N_GROUPS; g++)
			for (size_t i = 0; i < *groups[g].count && k < sizeof all_rules / sizeof all_rules[0]; i++)
				all_rules[k++] = groups[g].rules[i];
		n_all_rules = k;
	}
	*n = n_all_rules;
	return all_rules;
}

const struct owlet_check_rule *owlet_check_rule_find(const char *id)
{
	size_t n;
	const struct owlet_check_rule *r = owlet_check_rules(&n);
	for (size_t i = 0; i < n; i++)
		if (strcmp(r[i].id, id) == 0)
			return &r[i];
	return NULL;
}

/* ---------------------------------------------------------- attributes */

static bool is_index(const char *s, size_t len, size_t *idx)
{
	if (len == 0 || len > 9)
		return false;
	size_t v = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (size_t)(s[i] - '0');
	}
	*idx = v;
	return true;
}

const json_t *check_json_path(const json_t *v, const char *path)
{
	const char *p = path;
	while (v && *p) {
		const char *dot = strchr(p, '.');
		size_t len = dot ? (size_t)(dot - p) : strlen(p);
		size_t idx;
		if (json_is_array(v)) {
			if (is_index(p, len, &idx)) {
				v = json_array_get(v, idx);
				p += len + (dot ? 1 : 0);
				continue;
			}
			v = json_array_get(v, 0); /* a list of blocks: its first */
			if (!v)
				return NULL;
		}
		if (!json_is_object(v))
			return NULL;
		char key[128];
		if (len >= sizeof key)
			return NULL;
		memcpy(key, p, len);
		key[len] = '\0';
		v = json_object_get(v, key);
		p += len + (dot ? 1 : 0);
	}
	return json_is_null(v) ? NULL : v;
}

bool check_json_str_is(const json_t *v, const char *s)
{
	return json_is_string(v) && strcmp(json_string_value(v), s) == 0;
}

bool check_regex(const char *pattern, const char *s)
{
	regex_t re;
	if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB) != 0)
		return false;
	bool m = regexec(&re, s, 0, NULL, 0) == 0;
	regfree(&re);
	return m;
}

const json_t *check_attr(const struct check_res *r, const char *path)
{
	return check_json_path(r->values, path);
}

bool check_json_nonempty(const json_t *v)
{
	if (!v || json_is_null(v))
		return false;
	if (json_is_string(v))
		return json_string_length(v) > 0;
	if (json_is_array(v))
		return json_array_size(v) > 0;
	if (json_is_object(v))
		return json_object_size(v) > 0;
	return true;
}

bool check_attr_present(const struct check_res *r, const char *path)
{
	return check_json_nonempty(check_attr(r, path));
}

const char *check_attr_str(const struct check_res *r, const char *path)
{
	return json_string_value(check_attr(r, path));
}

bool check_attr_true(const struct check_res *r, const char *path)
{
	const json_t *v = check_attr(r, path);
	if (json_is_true(v))
		return true;
	return json_is_string(v) && strcasecmp(json_string_value(v), "true") == 0;
}

bool check_attr_false(const struct check_res *r, const char *path)
{
	const json_t *v = check_attr(r, path);
	if (json_is_false(v))
		return true;
	return json_is_string(v) && strcasecmp(json_string_value(v), "false") == 0;
}

bool check_attr_referenced(const struct check_res *r, const char *name)
{
	const json_t *e = json_object_get(r->expressions, name);
	const json_t *refs = json_object_get(e, "references");
	return json_array_size(refs) > 0;
}

bool check_attr_written(const struct check_res *r, const char *name)
{
	const json_t *e = check_json_path(r->expressions, name);
	if (!r->expressions)
		return check_attr_given(r, name);
	if (!json_is_object(e)) {
		/* inside a block the configuration writes, a key it leaves out
		 * is not written (the provider may fill it in after apply) */
		const char *dot = strrchr(name, '.');
		char parent[256];
		if (dot && (size_t)(dot - name) < sizeof parent) {
			memcpy(parent, name, (size_t)(dot - name));
			parent[dot - name] = '\0';
			const json_t *block = check_json_path(r->expressions, parent);
			if (json_is_object(block) || json_is_array(block))
				return false;
		}
		return check_attr_given(r, name);
	}
	/* a constant (null is not written), a reference, or any other
	 * expression (a function call such as jsonencode(...), which the plan
	 * shows as an empty expression) */
	const json_t *c = json_object_get(e, "constant_value");
	return c ? !json_is_null(c) : true;
}

/* Whether after_unknown marks the value at path, or a block holding it, as
 * known only after apply. */
static bool unknown_at(const struct check_res *r, const char *path)
{
	char prefix[256];
	size_t len = strlen(path);
	if (len >= sizeof prefix)
		return false;
	memcpy(prefix, path, len + 1);
	for (;;) {
		if (json_is_true(check_json_path(r->unknown, prefix)))
			return true;
		char *dot = strrchr(prefix, '.');
		if (!dot)
			return false;
		*dot = '\0';
	}
}

bool check_attr_given(const struct check_res *r, const char *path)
{
	if (check_attr_present(r, path))
		return true;
	/* inside a block that is there (configured), a value known after apply;
	 * not at the top level, where after_unknown also marks computed values
	 * nobody configured */
	if (strchr(path, '.') && json_is_true(check_json_path(r->unknown, path)))
		return true;
	const json_t *e = check_json_path(r->expressions, path);
	if (!json_is_object(e))
		return false;
	const json_t *c = json_object_get(e, "constant_value");
	if (c && !json_is_null(c))
		return !(json_is_string(c) && json_string_length(c) == 0);
	if (json_array_size(json_object_get(e, "references")) == 0)
		return false;
	/* a reference: known after apply counts as given (checkov's plan mode
	 * sees a value then); known now as null (a null variable, a resource
	 * left out by count) does not */
	return unknown_at(r, path) || !r->values;
}

const struct check_res *check_linked(const struct check_ctx *ctx, const struct check_res *r,
				     const char *type, size_t i)
{
	size_t self = (size_t)(r - ctx->res);
	size_t seen = 0;
	for (size_t k = 0; k < ctx->n_edges[self]; k++) {
		const struct check_res *o = &ctx->res[ctx->edges[self][k]];
		if (strcmp(o->type, type) != 0 || o->data)
			continue;
		if (seen++ == i)
			return o;
	}
	return NULL;
}

/* -------------------------------------------------------------- report */

static char *dup_or_empty(const char *s)
{
	return strdup(s ? s : "");
}

int check_report_add(struct owlet_check_report *report, const struct owlet_check_result *item)
{
	if (report->count == report->cap) {
		size_t cap = report->cap ? report->cap * 2 : 64;
		struct owlet_check_result *n = realloc(report->results, cap * sizeof *n);
		if (!n)
			return owlet_error_setc(OWLET_ENOMEM, "out of memory");
		report->results = n;
		report->cap = cap;
	}
	struct owlet_check_result *d = &report->results[report->count];
	memset(d, 0, sizeof *d);
	d->check_id = dup_or_empty(item->check_id);
	d->check_name = dup_or_empty(item->check_name);
	d->message = dup_or_empty(item->message);
	d->guideline = dup_or_empty(item->guideline);
	d->resource = dup_or_empty(item->resource);
	d->file_path = dup_or_empty(item->file_path);
	d->skip_reason = dup_or_empty(item->skip_reason);
	d->skip_origin = dup_or_empty(item->skip_origin);
	d->origin = dup_or_empty(item->origin);
	d->line_start = item->line_start;
	d->line_end = item->line_end;
	d->status = item->status;
	report->count++;
	if (!d->check_id || !d->check_name || !d->message || !d->guideline || !d->resource ||
	    !d->file_path || !d->skip_reason || !d->skip_origin || !d->origin)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	return 0;
}

int owlet_check_report_note(struct owlet_check_report *report, const char *fmt, ...)
{
	char **n = realloc(report->notes, (report->n_notes + 1) * sizeof *n);
	if (!n)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	report->notes = n;
	va_list ap;
	va_start(ap, fmt);
	int len = vasprintf(&report->notes[report->n_notes], fmt, ap);
	va_end(ap);
	if (len < 0)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	report->n_notes++;
	return 0;
}

size_t owlet_check_report_count(const struct owlet_check_report *report, enum owlet_check_status status)
{
	size_t n = 0;
	for (size_t i = 0; i < report->count; i++)
		if (report->results[i].status == status)
			n++;
	return n;
}

void owlet_check_report_free(struct owlet_check_report *report)
{
	if (!report)
		return;
	for (size_t i = 0; i < report->count; i++) {
		struct owlet_check_result *r = &report->results[i];
		free(r->check_id);
		free(r->check_name);
		free(r->message);
		free(r->guideline);
		free(r->resource);
		free(r->file_path);
		free(r->skip_reason);
		free(r->skip_origin);
		free(r->origin);
	}
	free(report->results);
	for (size_t i = 0; i < report->n_notes; i++)
		free(report->notes[i]);
	free(report->notes);
	for (size_t i = 0; i < report->n_types; i++)
		free(report->types[i].type);
	free(report->types);
	free(report);
}

/* ------------------------------------------------------- plan walking */

struct walk {
	struct check_ctx *ctx;
	bool data_only; /* prior_state: data sources read during the plan */
	size_t cap;
	const json_t *root_conf; /* configuration.root_module */
	json_t *changes;         /* address -> resource_changes[].change.after_unknown */
	const char *root_dir;
};

/* "module.a[\"x\"].module.b[0]" -> "module.a.module.b" (keys dropped). */
static char *strip_keys(const char *addr)
{
	char *out = malloc(strlen(addr) + 1);
	if (!out)
		return NULL;
	char *o = out;
	for (const char *p = addr; *p;) {
		if (*p == '[') {
			bool in_str = false;
			for (; *p; p++) {
				if (*p == '"' && p[-1] != '\\')
					in_str = !in_str;
				else if (*p == ']' && !in_str) {
					p++;
					break;
				}
			}
			continue;
		}
		*o++ = *p++;
	}
	*o = '\0';
	return out;
}

/* The configuration of a module path ("" root, "module.a.module.b"). */
const json_t *check_module_conf(const json_t *root_conf, const char *module)
{
	const json_t *conf = root_conf;
	const char *p = module;
	while (conf && *p) {
		if (strncmp(p, "module.", 7) != 0)
			return NULL;
		p += 7;
		const char *dot = strstr(p, ".module.");
		size_t len = dot ? (size_t)(dot - p) : strlen(p);
		char name[256];
		if (len >= sizeof name)
			return NULL;
		memcpy(name, p, len);
		name[len] = '\0';
		conf = json_object_get(json_object_get(json_object_get(conf, "module_calls"), name), "module");
		p += len + (dot ? 1 : 0);
	}
	return conf;
}

/* Joins a directory and a relative path, collapsing "." and "..":
 * ("modules/api", "../function") -> "modules/function". */
char *check_path_join(const char *dir, const char *rel)
{
	size_t cap = strlen(dir) + strlen(rel) + 2;
	char *buf = malloc(cap);
	char *out = malloc(cap);
	if (!buf || !out) {
		free(buf);
		free(out);
		return NULL;
	}
	snprintf(buf, cap, "%s%s%s", dir, dir[0] ? "/" : "", rel);
	bool absolute = buf[0] == '/';
	out[0] = '\0';
	size_t olen = 0;
	if (absolute) {
		out[0] = '/';
		out[1] = '\0';
		olen = 1;
	}
	char *save = NULL;
	for (char *seg = strtok_r(buf, "/", &save); seg; seg = strtok_r(NULL, "/", &save)) {
		if (strcmp(seg, ".") == 0)
			continue;
		if (strcmp(seg, "..") == 0) {
			char *slash = strrchr(out, '/');
			if (olen > (absolute ? 1u : 0u) && strcmp(slash ? slash + 1 : out, "..") != 0) {
				olen = slash ? (size_t)(slash - out) + (slash == out) : 0;
				out[olen] = '\0';
				continue;
			}
		}
		olen += (size_t)snprintf(out + olen, cap - olen, "%s%s", olen && out[olen - 1] != '/' ? "/" : "", seg);
	}
	free(buf);
	return out;
}

/* The directory of a module path, relative to the root; NULL when a module
 * on the way does not come from a local path. */
static char *module_dir(const json_t *root_conf, const char *module)
{
	char *dir = strdup("");
	const json_t *conf = root_conf;
	const char *p = module;
	while (dir && conf && *p) {
		if (strncmp(p, "module.", 7) != 0) {
			free(dir);
			return NULL;
		}
		p += 7;
		const char *dot = strstr(p, ".module.");
		size_t len = dot ? (size_t)(dot - p) : strlen(p);
		char name[256];
		if (len >= sizeof name)
			break;
		memcpy(name, p, len);
		name[len] = '\0';
		const json_t *call = json_object_get(json_object_get(conf, "module_calls"), name);
		const char *source = json_string_value(json_object_get(call, "source"));
		if (!source || !(strncmp(source, "./", 2) == 0 || strncmp(source, "../", 3) == 0)) {
			free(dir);
			return NULL;
		}
		char *next = check_path_join(dir, source);
		free(dir);
		dir = next;
		conf = json_object_get(call, "module");
		p += len + (dot ? 1 : 0);
	}
	return dir;
}

static const json_t *resource_conf(const json_t *mconf, const char *config_addr)
{
	const json_t *resources = json_object_get(mconf, "resources");
	size_t i;
	const json_t *r;
	json_array_foreach(resources, i, r) {
		const char *a = json_string_value(json_object_get(r, "address"));
		if (a && strcmp(a, config_addr) == 0)
			return r;
	}
	return NULL;
}

static int add_resource(struct walk *w, const json_t *jr, const char *module)
{
	struct check_ctx *ctx = w->ctx;
	const char *address = json_string_value(json_object_get(jr, "address"));
	const char *type = json_string_value(json_object_get(jr, "type"));
	const char *name = json_string_value(json_object_get(jr, "name"));
	const char *mode = json_string_value(json_object_get(jr, "mode"));
	if (!address || !type || !name)
		return owlet_error_setc(OWLET_EINVALID, "plan resource without address, type or name");
	if (ctx->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 64;
		struct check_res *n = realloc(ctx->res, cap * sizeof *n);
		if (!n)
			return owlet_error_setc(OWLET_ENOMEM, "out of memory");
		ctx->res = n;
		w->cap = cap;
	}
	struct check_res *r = &ctx->res[ctx->n];
	memset(r, 0, sizeof *r);
	ctx->n++;
	r->type = type;
	r->name = name;
	r->data = mode && strcmp(mode, "data") == 0;
	r->values = json_object_get(jr, "values");
	r->unknown = json_object_get(w->changes, address);
	r->address = strdup(address);
	r->module = strdup(module);
	if (asprintf(&r->config_addr, "%s%s.%s", r->data ? "data." : "", type, name) < 0)
		r->config_addr = NULL;
	/* the instance key: what follows "TYPE.NAME" at the end of the address */
	const char *tail = address + strlen(address);
	if (tail > address && tail[-1] == ']') {
		const char *needle = r->config_addr ? strstr(address, r->config_addr) : NULL;
		const char *last = NULL;
		while (needle) {
			last = needle;
			needle = strstr(needle + 1, r->config_addr);
		}
		r->index = strdup(last ? last + strlen(r->config_addr) : "");
	} else {
		r->index = strdup("");
	}
	if (!r->address || !r->module || !r->config_addr || !r->index)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	r->module_conf = check_module_conf(w->root_conf, module);
	const json_t *rc = resource_conf(r->module_conf, r->config_addr);
	r->conf = rc;
	r->expressions = json_object_get(rc, "expressions");
	r->module_dir = module_dir(w->root_conf, module);
	if (w->root_dir && r->module_dir) {
		char *dir = check_path_join(w->root_dir, r->module_dir);
		if (!dir)
			return owlet_error_setc(OWLET_ENOMEM, "out of memory");
		char *file = NULL;
		int rc2 = check_source_find(dir[0] ? dir : ".", r->data ? "data" : "resource", type, name, &file,
					    &r->line_start, &r->line_end, &r->skips, &r->n_skips);
		free(dir);
		if (rc2 < 0)
			return rc2;
		if (rc2 == 0) {
			r->file = check_path_join(r->module_dir, file);
			free(file);
			if (!r->file)
				return owlet_error_setc(OWLET_ENOMEM, "out of memory");
		}
	}
	return 0;
}

static int walk_module(struct walk *w, const json_t *jm, int depth)
{
	if (depth > 32)
		return owlet_error_setc(OWLET_EINVALID, "plan modules nested too deep");
	const char *addr = json_string_value(json_object_get(jm, "address"));
	char *module = strip_keys(addr ? addr : "");
	if (!module)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	int rc = 0;
	size_t i;
	const json_t *v;
	json_array_foreach(json_object_get(jm, "resources"), i, v) {
		const char *mode = json_string_value(json_object_get(v, "mode"));
		if (w->data_only && !(mode && strcmp(mode, "data") == 0))
			continue;
		if ((rc = add_resource(w, v, module)) < 0)
			goto out_module;
	}
	json_array_foreach(json_object_get(jm, "child_modules"), i, v) {
		if ((rc = walk_module(w, v, depth + 1)) < 0)
			goto out_module;
	}
out_module:
	free(module);
	return rc;
}

/* ------------------------------------------------------------ running */

static void ctx_free(struct check_ctx *ctx)
{
	for (size_t i = 0; i < ctx->n; i++) {
		struct check_res *r = &ctx->res[i];
		free(r->address);
		free(r->module);
		free(r->config_addr);
		free(r->index);
		free(r->module_dir);
		free(r->file);
		for (size_t k = 0; k < r->n_skips; k++) {
			free(r->skips[k].id);
			free(r->skips[k].reason);
		}
		free(r->skips);
		if (ctx->edges)
			free(ctx->edges[i]);
	}
	free(ctx->res);
	free(ctx->edges);
	free(ctx->n_edges);
}

static bool rule_applies(const struct owlet_check_rule *rule, const struct check_res *r)
{
	for (size_t t = 0; t < sizeof rule->types / sizeof rule->types[0] && rule->types[t]; t++) {
		const char *ty = rule->types[t];
		if (strncmp(ty, "data.", 5) == 0) {
			if (r->data && strcmp(ty + 5, r->type) == 0)
				return true;
		} else if (!r->data && strcmp(ty, r->type) == 0) {
			return true;
		}
	}
	return false;
}

static const struct owlet_check_skip *find_skip(const struct owlet_check_skip *skips, size_t n, const char *id)
{
	for (size_t k = 0; k < n; k++)
		if (skips[k].id && strcmp(skips[k].id, id) == 0)
			return &skips[k];
	return NULL;
}

static int run_rule(struct owlet_check_report *report, const struct check_ctx *ctx,
		    const struct owlet_check_rule *rule, const struct check_res *r,
		    const struct owlet_check_options *opts)
{
	struct owlet_check_result item = {
		.check_id = (char *)rule->id,
		.check_name = (char *)rule->name,
		.message = (char *)rule->message,
		.guideline = (char *)rule->guideline,
		.resource = r->address,
		.file_path = r->file,
		.line_start = r->line_start,
		.line_end = r->line_end,
		.origin = "owlet",
	};
	for (size_t k = 0; k < r->n_skips; k++) {
		if (strcmp(r->skips[k].id, rule->id) == 0) {
			item.status = OWLET_CHECK_SKIPPED;
			item.skip_reason = r->skips[k].reason;
			item.skip_origin = "inline";
			return check_report_add(report, &item);
		}
	}
	/* the user's skips first: an explicit choice is listed as the user's */
	const struct owlet_check_skip *s = find_skip(opts->skips, opts->n_skips, rule->id);
	const char *origin = opts->skips_file ? opts->skips_file : "environment";
	if (!s) {
		s = find_skip(opts->owlet_skips, opts->n_owlet_skips, rule->id);
		origin = opts->owlet_skips_origin ? opts->owlet_skips_origin : "owlet";
	}
	if (s) {
		item.status = OWLET_CHECK_SKIPPED;
		item.skip_reason = s->reason;
		item.skip_origin = (char *)origin;
		return check_report_add(report, &item);
	}
	int v = rule->eval(ctx, r);
	if (v == CHECK_UNKNOWN)
		return 0;
	item.status = v == CHECK_PASS ? OWLET_CHECK_PASSED : OWLET_CHECK_FAILED;
	return check_report_add(report, &item);
}

static int type_cmp(const void *a, const void *b)
{
	return strcmp(((const struct owlet_check_type_count *)a)->type, ((const struct owlet_check_type_count *)b)->type);
}

/* The plan's resource types and how many resources of each. */
static int count_types(struct owlet_check_report *report, const struct check_ctx *ctx)
{
	report->types = calloc(ctx->n ? ctx->n : 1, sizeof *report->types);
	if (!report->types)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	for (size_t i = 0; i < ctx->n; i++) {
		char name[300];
		snprintf(name, sizeof name, "%s%s", ctx->res[i].data ? "data." : "", ctx->res[i].type);
		size_t k = 0;
		while (k < report->n_types && strcmp(report->types[k].type, name) != 0)
			k++;
		if (k == report->n_types) {
			if (!(report->types[k].type = strdup(name)))
				return owlet_error_setc(OWLET_ENOMEM, "out of memory");
			report->n_types++;
		}
		report->types[k].n++;
	}
	qsort(report->types, report->n_types, sizeof *report->types, type_cmp);
	return 0;
}

static int validate_skips(const struct check_ctx *ctx, const struct owlet_check_options *opts)
{
	for (size_t k = 0; k < opts->n_skips; k++) {
		const struct owlet_check_skip *s = &opts->skips[k];
		if (!s->id || !s->id[0])
			return owlet_error_setc(OWLET_EINVALID, "%s:%d: a skip without a check id",
						opts->skips_file ? opts->skips_file : "environment", s->line);
		if (!s->reason || !s->reason[strspn(s->reason, " \t")])
			return owlet_error_setc(OWLET_EINVALID, "%s:%d: skip of '%s' has no reason",
						opts->skips_file ? opts->skips_file : "environment", s->line, s->id);
	}
	for (size_t i = 0; i < ctx->n; i++) {
		const struct check_res *r = &ctx->res[i];
		for (size_t k = 0; k < r->n_skips; k++)
			if (!r->skips[k].reason && owlet_check_rule_find(r->skips[k].id))
				return owlet_error_setc(OWLET_EINVALID,
							"%s:%d: skip of '%s' for '%s' has no reason (write #checkov:skip=%s:REASON)",
							r->file ? r->file : "?", r->skips[k].line, r->skips[k].id,
							r->address, r->skips[k].id);
	}
	return 0;
}

/* A plan alone (--plan-json without its root's .tf files beside it) has
 * no `dynamic` blocks in its configuration: what they reference links
 * nothing, so a rule that needs the link fails rather than passes, and
 * inline skips are not read.  Said once, with how many resources it
 * concerns (those of local modules, whose source could be there); a caller
 * that gives no root directory asked for no source. */
static int note_missing_source(struct owlet_check_report *report, const struct check_ctx *ctx, const char *root_dir)
{
	if (!root_dir)
		return 0;
	size_t n = 0;
	for (size_t i = 0; i < ctx->n; i++)
		if (!ctx->res[i].data && ctx->res[i].module_dir && !ctx->res[i].file)
			n++;
	if (!n)
		return 0;
	return owlet_check_report_note(report,
				       "no .tf source in '%s' for %zu of the plan's resources (give the root module with --root): "
				       "what their dynamic blocks reference links nothing, so a rule that needs that link fails "
				       "rather than passes, and their inline skips are not read",
				       root_dir, n);
}

int owlet_check_plan(struct owlet_check_report **out, const json_t *plan_json,
		     const struct owlet_check_options *opts)
{
	static const struct owlet_check_options no_opts;
	if (!opts)
		opts = &no_opts;
	*out = NULL;
	const json_t *pv = json_object_get(plan_json, "planned_values");
	if (!json_is_object(plan_json) || (!pv && !json_object_get(plan_json, "format_version")))
		return owlet_error_setc(OWLET_EINVALID,
					"not the JSON of a terraform plan (no 'planned_values'; make it with 'terraform show -json PLAN')");
	struct check_ctx ctx = { .plan = plan_json };
	struct walk w = {
		.ctx = &ctx,
		.root_conf = json_object_get(json_object_get(plan_json, "configuration"), "root_module"),
		.root_dir = opts->root_dir,
	};
	struct owlet_check_report *report = calloc(1, sizeof *report);
	w.changes = json_object();
	int rc = report && w.changes ? 0 : owlet_error_setc(OWLET_ENOMEM, "out of memory");
	if (rc < 0)
		goto out_ctx;
	size_t ci;
	const json_t *ch;
	json_array_foreach(json_object_get(plan_json, "resource_changes"), ci, ch) {
		const char *a = json_string_value(json_object_get(ch, "address"));
		const json_t *u = json_object_get(json_object_get(ch, "change"), "after_unknown");
		if (a && u)
			json_object_set(w.changes, a, (json_t *)u);
	}
	const json_t *root = json_object_get(pv, "root_module");
	if (root && (rc = walk_module(&w, root, 0)) < 0)
		goto out_ctx;
	/* data sources read during the plan are in prior_state, not planned_values */
	w.data_only = true;
	root = json_object_get(json_object_get(json_object_get(plan_json, "prior_state"), "values"), "root_module");
	if (root && (rc = walk_module(&w, root, 0)) < 0)
		goto out_ctx;
	report->resource_count = ctx.n;
	if ((rc = count_types(report, &ctx)) < 0)
		goto out_ctx;
	ctx.edges = calloc(ctx.n ? ctx.n : 1, sizeof *ctx.edges);
	ctx.n_edges = calloc(ctx.n ? ctx.n : 1, sizeof *ctx.n_edges);
	if (!ctx.edges || !ctx.n_edges) {
		rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
		goto out_ctx;
	}
	/* links: every expression, and for_each/count (for_each = aws_s3_bucket.this) */
	for (size_t i = 0; i < ctx.n; i++)
		if ((rc = check_link_expressions(&ctx, w.root_conf, i, ctx.res[i].expressions)) < 0 ||
		    (rc = check_link_expressions(&ctx, w.root_conf, i, json_object_get(ctx.res[i].conf, "for_each_expression"))) < 0 ||
		    (rc = check_link_expressions(&ctx, w.root_conf, i, json_object_get(ctx.res[i].conf, "count_expression"))) < 0 ||
		    (rc = check_link_dynamic(&ctx, w.root_conf, i, w.root_dir)) < 0)
			goto out_ctx;
	if ((rc = check_link_bucket_names(&ctx)) < 0 || (rc = validate_skips(&ctx, opts)) < 0)
		goto out_ctx;
	size_t n_rules;
	const struct owlet_check_rule *rules = owlet_check_rules(&n_rules);
	/* checkov takes a skip's reason as optional: one of a check owlet does
	 * not carry is checkov's business, and a note */
	for (size_t i = 0; i < ctx.n; i++)
		for (size_t k = 0; k < ctx.res[i].n_skips; k++)
			if (!ctx.res[i].skips[k].reason && !owlet_check_rule_find(ctx.res[i].skips[k].id) &&
			    (rc = owlet_check_report_note(report, "%s:%d: skip of '%s' names no built-in rule (kept for checkov)",
							  ctx.res[i].file ? ctx.res[i].file : "?",
							  ctx.res[i].skips[k].line, ctx.res[i].skips[k].id)) < 0)
				goto out_ctx;
	for (size_t k = 0; k < opts->n_skips; k++)
		if (!owlet_check_rule_find(opts->skips[k].id) &&
		    (rc = owlet_check_report_note(report, "%s:%d: skip of '%s' names no built-in rule (kept for checkov)",
						  opts->skips_file ? opts->skips_file : "environment",
						  opts->skips[k].line, opts->skips[k].id)) < 0)
			goto out_ctx;
	if ((rc = note_missing_source(report, &ctx, w.root_dir)) < 0)
		goto out_ctx;
	for (size_t ri = 0; ri < n_rules; ri++)
		for (size_t i = 0; i < ctx.n; i++)
			if (rule_applies(&rules[ri], &ctx.res[i]) &&
			    (rc = run_rule(report, &ctx, &rules[ri], &ctx.res[i], opts)) < 0)
				goto out_ctx;
	*out = report;
	report = NULL;
out_ctx:
	owlet_check_report_free(report);
	ctx_free(&ctx);
	json_decref(w.changes);
	return rc;
}
