/*
 * links.c: the edges between a plan's resources that the rules follow (a
 * bucket to its ACL, encryption and versioning; a function to its security
 * groups), by reference from the configuration, by dynamic block, and by
 * bucket name where there is no reference.  engine.c walks the plan and
 * runs the rules.
 */
#include <limits.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/internal.h"
#include "base/error.h"

/* ------------------------------------------------------------- edges */

static int add_edge(struct check_ctx *ctx, size_t a, size_t b)
{
	if (a == b)
		return 0;
	for (size_t k = 0; k < ctx->n_edges[a]; k++)
		if (ctx->edges[a][k] == b)
			return 0;
	size_t *n = realloc(ctx->edges[a], (ctx->n_edges[a] + 1) * sizeof *n);
	if (!n)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	ctx->edges[a] = n;
	n[ctx->n_edges[a]++] = b;
	return 0;
}

static int link_both(struct check_ctx *ctx, size_t a, size_t b)
{
	int rc = add_edge(ctx, a, b);
	return rc < 0 ? rc : add_edge(ctx, b, a);
}

static int resolve_ref(struct check_ctx *ctx, const json_t *root_conf, size_t from, const char *module,
		       const char *ref, int depth);

static int resolve_refs(struct check_ctx *ctx, const json_t *root_conf, size_t from, const char *module,
			const json_t *refs, int depth)
{
	size_t i;
	const json_t *v;
	json_array_foreach(refs, i, v) {
		const char *s = json_string_value(v);
		if (!s)
			continue;
		int rc = resolve_ref(ctx, root_conf, from, module, s, depth + 1);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Copies the dot-separated segment at p (up to '.' or '[') into buf. */
static const char *segment(const char *p, char *buf, size_t cap)
{
	size_t len = strcspn(p, ".[");
	if (len >= cap)
		len = cap - 1;
	memcpy(buf, p, len);
	buf[len] = '\0';
	return p + strcspn(p, ".[");
}

static int resolve_ref(struct check_ctx *ctx, const json_t *root_conf, size_t from, const char *module,
		       const char *ref, int depth)
{
	if (depth > 16)
		return 0;
	char a[256], b[256];
	const char *p = segment(ref, a, sizeof a);
	if (strcmp(a, "var") == 0) {
		/* the module call's argument, in the parent module */
		if (!module[0] || *p != '.')
			return 0;
		segment(p + 1, b, sizeof b);
		const char *last = strrchr(module, '.');
		if (!last || strncmp(module, "module.", 7) != 0)
			return 0;
		char *parent = strndup(module, (size_t)(last - module) >= 7 ? (size_t)(last - module) - 7 : 0);
		if (!parent)
			return owlet_error_setc(OWLET_ENOMEM, "out of memory");
		/* parent of "module.a.module.b" is "module.a"; of "module.a" is "" */
		if (parent[0] && parent[strlen(parent) - 1] == '.')
			parent[strlen(parent) - 1] = '\0';
		const json_t *pconf = check_module_conf(root_conf, parent);
		const json_t *call = json_object_get(json_object_get(pconf, "module_calls"), last + 1);
		const json_t *refs = json_object_get(json_object_get(json_object_get(call, "expressions"), b),
						    "references");
		int rc = resolve_refs(ctx, root_conf, from, parent, refs, depth);
		free(parent);
		return rc;
	}
	if (strcmp(a, "module") == 0) {
		if (*p != '.')
			return 0;
		p = segment(p + 1, a, sizeof a); /* module name */
		if (*p == '[') {                /* an instance key: skip it */
			p = strchr(p, ']');
			if (!p)
				return 0;
			p++;
		}
		if (*p != '.')
			return 0;
		segment(p + 1, b, sizeof b);     /* output name */
		char *child;
		if (asprintf(&child, "%s%smodule.%s", module, module[0] ? "." : "", a) < 0)
			return owlet_error_setc(OWLET_ENOMEM, "out of memory");
		const json_t *cconf = check_module_conf(root_conf, child);
		const json_t *refs = json_object_get(
			json_object_get(json_object_get(json_object_get(cconf, "outputs"), b), "expression"),
			"references");
		int rc = resolve_refs(ctx, root_conf, from, child, refs, depth);
		free(child);
		return rc;
	}
	if (strcmp(a, "local") == 0 || strcmp(a, "each") == 0 || strcmp(a, "count") == 0 ||
	    strcmp(a, "path") == 0 || strcmp(a, "self") == 0 || strcmp(a, "terraform") == 0)
		return 0;
	char target[600];
	bool data = strcmp(a, "data") == 0;
	if (data) {
		if (*p != '.')
			return 0;
		p = segment(p + 1, a, sizeof a);
	}
	if (*p != '.')
		return 0;
	p = segment(p + 1, b, sizeof b);
	snprintf(target, sizeof target, "%s%s.%s", data ? "data." : "", a, b);
	/* an explicit key: aws_s3_bucket.this["data"] */
	char key[256] = "";
	if (*p == '[') {
		const char *end = p + 1;
		bool in_str = false;
		for (; *end; end++) {
			if (*end == '"' && end[-1] != '\\')
				in_str = !in_str;
			else if (*end == ']' && !in_str)
				break;
		}
		if (*end == ']' && (size_t)(end - p + 1) < sizeof key) {
			memcpy(key, p, (size_t)(end - p + 1));
			key[end - p + 1] = '\0';
		}
	}
	const struct check_res *src = &ctx->res[from];
	bool same_key_exists = false;
	if (!key[0] && src->index[0]) {
		for (size_t j = 0; j < ctx->n; j++) {
			const struct check_res *t = &ctx->res[j];
			if (strcmp(t->module, module) == 0 && strcmp(t->config_addr, target) == 0 &&
			    strcmp(t->index, src->index) == 0)
				same_key_exists = true;
		}
	}
	for (size_t j = 0; j < ctx->n; j++) {
		const struct check_res *t = &ctx->res[j];
		if (strcmp(t->module, module) != 0 || strcmp(t->config_addr, target) != 0)
			continue;
		if (key[0] && strcmp(t->index, key) != 0)
			continue;
		if (same_key_exists && strcmp(t->index, src->index) != 0)
			continue;
		int rc = link_both(ctx, from, j);
		if (rc < 0)
			return rc;
	}
	return 0;
}

struct dynamic_link {
	struct check_ctx *ctx;
	const json_t *root_conf;
	size_t from;
};

static int link_dynamic_ref(void *arg, const char *ref)
{
	struct dynamic_link *d = arg;
	return resolve_ref(d->ctx, d->root_conf, d->from, d->ctx->res[d->from].module, ref, 0);
}

/* What a resource's dynamic blocks reference, read from its source (the
 * plan's configuration leaves them out; checkov's graph links them). */
int check_link_dynamic(struct check_ctx *ctx, const json_t *root_conf, size_t from, const char *root_dir)
{
	const struct check_res *r = &ctx->res[from];
	if (!root_dir || !r->file || r->line_start <= 0)
		return 0;
	char *path = check_path_join(root_dir, r->file);
	if (!path)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	struct dynamic_link d = { ctx, root_conf, from };
	int rc = check_source_dynamic_refs(path, r->line_start, r->line_end, link_dynamic_ref, &d);
	free(path);
	return rc;
}

/* Every `references` list anywhere in a resource's expressions. */
int check_link_expressions(struct check_ctx *ctx, const json_t *root_conf, size_t from, const json_t *e)
{
	if (json_is_array(e)) {
		size_t i;
		const json_t *v;
		json_array_foreach(e, i, v) {
			int rc = check_link_expressions(ctx, root_conf, from, v);
			if (rc < 0)
				return rc;
		}
		return 0;
	}
	if (!json_is_object(e))
		return 0;
	const char *k;
	const json_t *v;
	json_object_foreach((json_t *)e, k, v) {
		int rc;
		if (strcmp(k, "references") == 0)
			rc = resolve_refs(ctx, root_conf, from, ctx->res[from].module, v, 0);
		else
			rc = check_link_expressions(ctx, root_conf, from, v);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Whether the configuration gives r's attribute by a reference that
 * already links r to a bucket, or to another resource at all: then the
 * value's name says nothing more (two buckets may share a name, as a
 * module called twice with one name makes them).  A local or a variable
 * that reaches no resource is no such reference. */
static bool bucket_by_reference(const struct check_ctx *ctx, const struct check_res *r, const char *attr)
{
	const json_t *refs = json_object_get(json_object_get(r->expressions, attr), "references");
	if (json_array_size(refs) == 0)
		return false;
	size_t i;
	const json_t *v;
	json_array_foreach(refs, i, v) {
		const char *s = json_string_value(v);
		if (s && strncmp(s, "var.", 4) != 0 && strncmp(s, "local.", 6) != 0 && strncmp(s, "each.", 5) != 0 &&
		    strncmp(s, "count.", 6) != 0 && strncmp(s, "path.", 5) != 0 && strncmp(s, "terraform.", 10) != 0)
			return true;
	}
	return check_linked(ctx, r, "aws_s3_bucket", 0) != NULL;
}

/* Links resources to the aws_s3_bucket they name by value, where the
 * configuration gives no reference (the plan's configuration carries no
 * locals, so `bucket = local.name` is seen only by its value). */
int check_link_bucket_names(struct check_ctx *ctx)
{
	static const char *const attrs[] = { "bucket", "target_bucket" };
	/* decided before any name link is made, so that none depends on another */
	unsigned char *by_ref = calloc(ctx->n ? ctx->n : 1, 1);
	if (!by_ref)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	for (size_t i = 0; i < ctx->n; i++)
		for (size_t k = 0; k < 2; k++)
			if (bucket_by_reference(ctx, &ctx->res[i], attrs[k]))
				by_ref[i] |= (unsigned char)(1u << k);
	int rc = 0;
	for (size_t j = 0; j < ctx->n && rc == 0; j++) {
		const struct check_res *b = &ctx->res[j];
		const char *name = b->data || strcmp(b->type, "aws_s3_bucket") != 0 ? NULL : check_attr_str(b, "bucket");
		if (!name)
			continue;
		for (size_t i = 0; i < ctx->n && rc == 0; i++) {
			if (i == j || ctx->res[i].data)
				continue;
			for (size_t k = 0; k < 2 && rc == 0; k++) {
				if (by_ref[i] & (1u << k))
					continue;
				const char *v = check_attr_str(&ctx->res[i], attrs[k]);
				rc = v && strcmp(v, name) == 0 ? link_both(ctx, i, j) : 0;
			}
		}
	}
	free(by_ref);
	return rc < 0 ? rc : 0;
}
