/* athena_sql.c: table names and UNLOAD for the local Athena (see athena_sql.h). */
#include "local/athena_sql.h"
#include "base/buf.h"
#include "base/error.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NAME_MAX_LEN 256

static bool ident_start(char c)
{
	return isalpha((unsigned char)c) || c == '_' || c == '"';
}

static bool ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* When s + i opens a string literal or a comment: the index after it, else i. */
static size_t skip_opaque(const char *s, size_t i)
{
	if (s[i] == '\'') {
		for (i++; s[i]; i++) {
			if (s[i] != '\'')
				continue;
			if (s[i + 1] != '\'')
				return i + 1;
			i++;
		}
		return i;
	}
	if (s[i] == '-' && s[i + 1] == '-') {
		while (s[i] && s[i] != '\n')
			i++;
		return i;
	}
	if (s[i] == '/' && s[i + 1] == '*') {
		const char *e = strstr(s + i + 2, "*/");
		return e ? (size_t)(e - s) + 2 : strlen(s);
	}
	return i;
}

static size_t skip_space(const char *s, size_t i)
{
	while (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')
		i++;
	return i;
}

/* Spaces and comments. */
static size_t skip_blank(const char *s, size_t i)
{
	for (;;) {
		i = skip_space(s, i);
		size_t j = s[i] == '\'' ? i : skip_opaque(s, i);
		if (j == i)
			return i;
		i = j;
	}
}

/* One identifier at s + i into name (bare ones lower-cased, "quoted" ones
 * as written; "" when longer than the buffer): the index after it, or i. */
static size_t ident(const char *s, size_t i, char name[NAME_MAX_LEN])
{
	size_t n = 0, j = i;
	bool fits = true;
	if (s[j] == '"') {
		for (j++; s[j]; j++) {
			if (s[j] == '"' && s[j + 1] != '"')
				break;
			if (s[j] == '"')
				j++;
			if (n + 1 < NAME_MAX_LEN)
				name[n++] = s[j];
			else
				fits = false;
		}
		if (s[j] != '"')
			return i; /* unterminated: not a name */
		j++;
	} else if (isalpha((unsigned char)s[j]) || s[j] == '_') {
		for (; ident_char(s[j]); j++) {
			if (n + 1 < NAME_MAX_LEN)
				name[n++] = (char)tolower((unsigned char)s[j]);
			else
				fits = false;
		}
	}
	name[fits ? n : 0] = '\0';
	return j;
}

static bool in(const char *name, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (list[i] && *name && strcmp(name, list[i]) == 0)
			return true;
	return false;
}

int owlet_athena_sql_unqualify(char **out, const char *sql, const char *const *dbs, size_t n_dbs,
			       bool (*is_table)(void *cls, const char *name), void *cls)
{
	*out = NULL;
	struct owlet_buf b = { 0 };
	size_t i = 0, n = strlen(sql);
	int rc = 0;
	while (rc == 0 && i < n) {
		size_t j = skip_opaque(sql, i);
		if (j == i && ident_start(sql[i])) {
			/* a chain a.b.c of up to three names */
			char parts[3][NAME_MAX_LEN];
			size_t starts[3], ends[3];
			int k = 0;
			size_t p = i;
			while (k < 3) {
				size_t e = ident(sql, p, parts[k]);
				if (e == p)
					break;
				starts[k] = p, ends[k] = e, k++;
				size_t q = skip_space(sql, e);
				if (k == 3 || sql[q] != '.')
					break;
				q = skip_space(sql, q + 1);
				if (!ident_start(sql[q]))
					break;
				p = q;
			}
			if (k == 0) { /* an unterminated quote: the rest as it is */
				rc = owlet_buf_append(&b, sql + i, n - i);
				i = n;
				break;
			}
			size_t keep = i;
			if (k >= 2 && in(parts[0], dbs, n_dbs) && is_table(cls, parts[1]))
				keep = starts[1]; /* db.t, db.t.column */
			else if (k == 3 && !strcmp(parts[0], "awsdatacatalog") && in(parts[1], dbs, n_dbs) &&
				 is_table(cls, parts[2]))
				keep = starts[2]; /* awsdatacatalog.db.t */
			rc = owlet_buf_append(&b, sql + keep, ends[k - 1] - keep);
			i = ends[k - 1];
			continue;
		}
		if (j == i) { /* one character, or a run of a number or word */
			j = i + 1;
			if (ident_char(sql[i]))
				while (ident_char(sql[j]))
					j++;
		}
		rc = owlet_buf_append(&b, sql + i, j - i);
		i = j;
	}
	if (rc == 0 && !b.data)
		rc = owlet_buf_append(&b, "", 0);
	if (rc < 0) {
		owlet_buf_free(&b);
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	}
	*out = b.data;
	return 0;
}

/* ---- UNLOAD */

static bool word(const char *s, size_t *i, const char *w)
{
	size_t n = strlen(w);
	if (strncasecmp(s + *i, w, n) != 0 || ident_char(s[*i + n]))
		return false;
	*i += n;
	return true;
}

/* A string literal at s + *i, decoded ('' -> '); NULL when there is none. */
static char *literal(const char *s, size_t *i)
{
	if (s[*i] != '\'')
		return NULL;
	size_t end = skip_opaque(s, *i);
	if (end < *i + 2 || s[end - 1] != '\'')
		return NULL;
	char *o = malloc(end - *i), *p = o;
	if (!o)
		return NULL;
	for (size_t k = *i + 1; k + 1 < end; k++) {
		*p++ = s[k];
		if (s[k] == '\'')
			k++;
	}
	*p = '\0';
	*i = end;
	return o;
}

void owlet_athena_unload_clear(struct owlet_athena_unload *u)
{
	free(u->query);
	free(u->bucket);
	free(u->prefix);
	memset(u, 0, sizeof *u);
}

static int bad(struct owlet_athena_unload *u, const char *msg)
{
	owlet_athena_unload_clear(u);
	return owlet_error_setc(OWLET_EINVALID, "UNLOAD: %s", msg);
}

int owlet_athena_sql_unload(struct owlet_athena_unload *u, const char *sql)
{
	memset(u, 0, sizeof *u);
	size_t i = skip_blank(sql, 0);
	if (!word(sql, &i, "UNLOAD"))
		return 1;
	i = skip_blank(sql, i);
	if (sql[i] != '(')
		return bad(u, "expected ( after UNLOAD: UNLOAD (SELECT ...) TO 's3://...' WITH (format = 'PARQUET')");
	size_t open = i, depth = 0;
	while (sql[i]) {
		size_t j = skip_opaque(sql, i);
		if (j != i) {
			i = j;
			continue;
		}
		if (sql[i] == '"') {
			char name[NAME_MAX_LEN];
			j = ident(sql, i, name);
			i = j == i ? i + 1 : j;
			continue;
		}
		if (sql[i] == '(')
			depth++;
		else if (sql[i] == ')' && --depth == 0)
			break;
		i++;
	}
	if (sql[i] != ')')
		return bad(u, "the ( after UNLOAD is not closed");
	u->query = strndup(sql + open + 1, i - open - 1);
	i = skip_blank(sql, i + 1);
	if (!u->query)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	if (!word(sql, &i, "TO"))
		return bad(u, "expected TO 's3://bucket/prefix/' after the query");
	i = skip_blank(sql, i);
	char *loc = literal(sql, &i);
	if (!loc || strncmp(loc, "s3://", 5) != 0 || !loc[5] || loc[5] == '/') {
		free(loc);
		return bad(u, "TO takes a quoted 's3://bucket/prefix/'");
	}
	char *slash = strchr(loc + 5, '/');
	u->bucket = strndup(loc + 5, slash ? (size_t)(slash - loc - 5) : strlen(loc + 5));
	const char *rest = slash ? slash + 1 : "";
	size_t rn = strlen(rest);
	u->prefix = malloc(rn + 2);
	if (u->prefix)
		snprintf(u->prefix, rn + 2, "%s%s", rest, rn && rest[rn - 1] != '/' ? "/" : "");
	free(loc);
	if (!u->bucket || !u->prefix)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	snprintf(u->compression, sizeof u->compression, "snappy");
	i = skip_blank(sql, i);
	if (!word(sql, &i, "WITH") || sql[i = skip_blank(sql, i)] != '(')
		return bad(u, "expected WITH (format = 'PARQUET') after the location");
	bool format = false;
	i++;
	for (;;) {
		i = skip_blank(sql, i);
		char name[NAME_MAX_LEN];
		size_t e = ident(sql, i, name);
		if (e == i)
			return bad(u, "expected a property name in WITH ( ... )");
		i = skip_blank(sql, e);
		if (sql[i] != '=')
			return bad(u, "expected = after a property name");
		i = skip_blank(sql, i + 1);
		char *v = literal(sql, &i);
		if (!v)
			return bad(u, "the local Athena takes quoted values for format and compression only");
		int rc = 0;
		if (!strcmp(name, "format")) {
			format = true;
			if (strcasecmp(v, "parquet") != 0)
				rc = bad(u, "the local Athena writes format = 'PARQUET' only");
		} else if (!strcmp(name, "compression")) {
			static const char *const ok[] = { "snappy", "gzip", "zstd", "none" };
			size_t k = 0;
			while (k < 4 && strcasecmp(v, ok[k]) != 0)
				k++;
			if (k == 4)
				rc = bad(u, "compression is 'SNAPPY', 'GZIP', 'ZSTD' or 'NONE'");
			else
				snprintf(u->compression, sizeof u->compression, "%s", ok[k]);
		} else {
			rc = bad(u, "the local Athena takes the properties format and compression only");
		}
		free(v);
		if (rc < 0)
			return rc;
		i = skip_blank(sql, i);
		if (sql[i] == ',') {
			i++;
			continue;
		}
		if (sql[i] != ')')
			return bad(u, "expected , or ) in WITH ( ... )");
		i++;
		break;
	}
	if (!format)
		return bad(u, "WITH ( ... ) must give format = 'PARQUET'");
	i = skip_blank(sql, i);
	if (sql[i] == ';')
		i = skip_blank(sql, i + 1);
	if (sql[i])
		return bad(u, "text after the statement");
	return 0;
}
