/*
 * coverage.c: `owlet check --coverage`: per resource type of the plan, how
 * many of checkov's rules for it owlet evaluates (checkov_types.c says
 * which rules checkov has for each type).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "check/checkov_types.h"
#include "check/internal.h"

static int appendf(struct owlet_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int appendf(struct owlet_buf *b, const char *fmt, ...)
{
	char line[4096];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	return owlet_buf_append(b, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}

static const struct check_checkov_type *checkov_type(const char *type)
{
	size_t lo = 0, hi = check_checkov_n_types;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(check_checkov_types[mid].type, type);
		if (c == 0)
			return &check_checkov_types[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static bool in_list(const char *list, const char *id)
{
	size_t l = strlen(id);
	for (const char *p = list; (p = strstr(p, id)); p += l)
		if ((p == list || p[-1] == ',') && (p[l] == ',' || p[l] == '\0'))
			return true;
	return false;
}

/* Does owlet evaluate checkov's rule `id` on `type` ("data.aws_x" for a
 * data source)?  A graph rule judges the types linked to its subject
 * through the subject: carrying it is enough. */
static bool owlet_evaluates(const struct check_checkov_type *ct, const char *id, const char *type)
{
	const struct owlet_check_rule *rule = owlet_check_rule_find(id);
	if (!rule)
		return false;
	if (in_list(ct->graph, id))
		return true;
	for (size_t t = 0; t < sizeof rule->types / sizeof rule->types[0] && rule->types[t]; t++)
		if (strcmp(rule->types[t], type) == 0)
			return true;
	return false;
}

char *owlet_check_coverage_format(const struct owlet_check_report *report)
{
	struct owlet_buf b = { 0 };
	size_t all = 0, ours = 0;
	bool ok = true;
	for (size_t i = 0; i < report->n_types && ok; i++) {
		const char *type = report->types[i].type;
		const struct check_checkov_type *ct = checkov_type(type);
		size_t n = ct ? ct->count : 0, have = 0;
		struct owlet_buf missing = { 0 };
		const char *p = ct ? ct->ids : "";
		while (*p && ok) {
			size_t len = strcspn(p, ",");
			char id[32];
			if (len < sizeof id) {
				memcpy(id, p, len);
				id[len] = '\0';
				if (owlet_evaluates(ct, id, type))
					have++;
				else
					ok = appendf(&missing, "%s%s", missing.len ? "," : "", id) == 0;
			}
			p += len + (p[len] == ',');
		}
		all += n;
		ours += have;
		ok = ok && appendf(&b, "%s\t%zu resource%s\towlet evaluates %zu of checkov's %zu rules%s%s\n", type,
					     report->types[i].n, report->types[i].n == 1 ? "" : "s", have, n,
					     missing.len ? "\tnot: " : "", missing.len ? missing.data : "") == 0;
		owlet_buf_free(&missing);
	}
	ok = ok && appendf(&b, "total: %zu types, owlet evaluates %zu of checkov's %zu rules for them (checkov of %s)\n",
				     report->n_types, ours, all, check_checkov_types_date) == 0;
	if (!ok) {
		owlet_buf_free(&b);
		return NULL;
	}
	return b.data ? b.data : strdup("");
}
