/*
 * yaml_tree.c: the located tree of yaml_tree.h without libyaml: building
 * from JSON, typed getters, key checks, messages.  The libyaml half, the
 * file parser, is yaml_parse.c, so that a program that only reads the model
 * from JSON (the Lambda) does not link libyaml.
 */
#include "model/yaml_tree.h"
#include "base/buf.h"
#include "base/error.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


/* ---- problems ---------------------------------------------------------- */

static void yerr_vat(struct yctx *c, int line, int col, const char *fmt, va_list ap)
{
	if (c->problems > YCTX_MAX_PROBLEMS)
		return;
	c->problems++;
	if (!c->diags)
		return;
	int rc;
	if (c->problems > YCTX_MAX_PROBLEMS) {
		rc = owlet_diags_add(c->diags, c->file, line, col,
				     "too many problems (more than %d), stopping here", YCTX_MAX_PROBLEMS);
	} else {
		char *msg = NULL;
		if (vasprintf(&msg, fmt, ap) < 0) {
			c->rc = OWLET_ENOMEM;
			return;
		}
		rc = owlet_diags_add(c->diags, c->file, line, col, "%s", msg);
		free(msg);
	}
	if (rc < 0)
		c->rc = rc;
}

void yerr_at(struct yctx *c, int line, int col, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	yerr_vat(c, line, col, fmt, ap);
	va_end(ap);
}

void yerr(struct yctx *c, const struct ynode *node, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	yerr_vat(c, node ? node->line : 0, node ? node->col : 0, fmt, ap);
	va_end(ap);
}

/* ---- UTF-8 ------------------------------------------------------------- */

/* Length of the UTF-8 sequence at s (at most n bytes), 0 when invalid:
 * overlong forms, surrogates and code points above U+10FFFF are refused. */
size_t yutf8_seq(const unsigned char *s, size_t n, unsigned *cp)
{
	unsigned c = s[0];
	size_t len;
	unsigned min;
	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if ((c & 0xE0) == 0xC0) {
		len = 2, min = 0x80, c &= 0x1F;
	} else if ((c & 0xF0) == 0xE0) {
		len = 3, min = 0x800, c &= 0x0F;
	} else if ((c & 0xF8) == 0xF0) {
		len = 4, min = 0x10000, c &= 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return len;
}

/* ---- text for messages -------------------------------------------------- */

/* The user's text made safe for a one-line message: control characters
 * become '?', long values are cut (on a character boundary) with "...".
 * Returns one of four per-thread buffers, so up to four may be used in one
 * message. */
const char *ytext_n(const char *text, size_t len)
{
	static _Thread_local char bufs[4][72];
	static _Thread_local unsigned next;
	char *b = bufs[next++ % 4];
	size_t o = 0;
	const unsigned char *s = (const unsigned char *)text;
	for (size_t i = 0; i < len;) {
		unsigned cp;
		size_t n = yutf8_seq(s + i, len - i, &cp);
		if (n == 0)
			n = 1, cp = '?';
		if (o + n + 4 >= sizeof bufs[0]) {
			memcpy(b + o, "...", 3);
			o += 3;
			break;
		}
		if (cp < 0x20 || cp == 0x7F) {
			b[o++] = '?';
		} else {
			memcpy(b + o, s + i, n);
			o += n;
		}
		i += n;
	}
	b[o] = '\0';
	return b;
}

const char *ynode_describe(const struct ynode *node)
{
	if (!node)
		return "nothing";
	if (node->kind == YNODE_MAP)
		return "a mapping";
	if (node->kind == YNODE_SEQ)
		return "a list";
	switch (yscalar_kind(node)) {
	case YS_NULL:
		return "null";
	case YS_BOOL:
		return node->text[0] == 't' || node->text[0] == 'T' ? "true" : "false";
	case YS_INT:
	case YS_FLOAT:
		return "a number";
	case YS_STRING:
		break;
	}
	return "a string";
}

/* "'text'" for a plain scalar, "the string \"text\"" for a quoted one (so
 * that "0" is not mistaken for a number), "a list" / "a mapping" for others. */
static const char *describe_value(const struct ynode *node)
{
	static _Thread_local char buf[96];
	if (!node || node->kind != YNODE_SCALAR || yscalar_kind(node) == YS_NULL)
		return ynode_describe(node);
	if (node->quoted)
		snprintf(buf, sizeof buf, "the string \"%s\"", ytext_n(node->text, node->len));
	else
		snprintf(buf, sizeof buf, "'%s'", ytext_n(node->text, node->len));
	return buf;
}

struct ynode *ynode_new(enum ynode_kind kind, int line, int col)
{
	struct ynode *n = calloc(1, sizeof *n);
	if (!n)
		return NULL;
	n->kind = kind;
	n->line = line;
	n->col = col;
	return n;
}

int ynode_append(struct ynode *parent, struct ynode *child)
{
	if (owlet_grow((void **)&parent->items, &parent->cap, parent->n_items, sizeof *parent->items, 8) < 0)
		return OWLET_ENOMEM;
	parent->items[parent->n_items++] = child;
	parent->n = parent->kind == YNODE_MAP ? parent->n_items / 2 : parent->n_items;
	return 0;
}

void ytree_free(struct ynode *node)
{
	if (!node)
		return;
	for (size_t i = 0; i < node->n_items; i++)
		ytree_free(node->items[i]);
	free(node->items);
	free(node->text);
	free(node);
}

int ytree_read_file(char **out, size_t *len, const char *path)
{
	*out = NULL;
	*len = 0;
	/* O_NONBLOCK so that a FIFO without a writer does not hang the open;
	 * anything but a regular file is refused before a byte is read. */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return owlet_error_setc(errno == ENOENT ? OWLET_ENOTFOUND : OWLET_EIO, "cannot open '%s': %s",
					path, strerror(errno));
	struct stat st;
	if (fstat(fd, &st) < 0) {
		int e = errno;
		close(fd);
		return owlet_error_setc(OWLET_EIO, "cannot read '%s': %s", path, strerror(e));
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return owlet_error_setc(OWLET_EIO, "cannot read '%s': %s", path,
					S_ISDIR(st.st_mode) ? "it is a directory" : "it is not a regular file");
	}
	if (st.st_size > (off_t)YTREE_MAX_BYTES) {
		close(fd);
		return owlet_error_setc(OWLET_ERROR, "'%s' is too large (%lld bytes, at most %u)", path,
					(long long)st.st_size, YTREE_MAX_BYTES);
	}
	/* The file may grow while it is read: read at most one byte more than
	 * the limit, and refuse when that byte came. */
	char *buf = malloc((size_t)YTREE_MAX_BYTES + 2);
	if (!buf) {
		close(fd);
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	}
	size_t n = 0;
	int rc = 0;
	while (n <= YTREE_MAX_BYTES) {
		ssize_t got = read(fd, buf + n, (size_t)YTREE_MAX_BYTES + 1 - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			rc = owlet_error_setc(OWLET_EIO, "cannot read '%s': %s", path, strerror(errno));
			break;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	close(fd);
	if (rc == 0 && n > YTREE_MAX_BYTES)
		rc = owlet_error_setc(OWLET_ERROR, "'%s' is too large (more than %u bytes)", path, YTREE_MAX_BYTES);
	if (rc < 0) {
		free(buf);
		return rc;
	}
	char *fit = realloc(buf, n + 1);
	if (fit)
		buf = fit;
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

/* ---- from JSON ---------------------------------------------------------- */

static struct ynode *scalar_new(const char *text, size_t len, bool quoted)
{
	struct ynode *n = ynode_new(YNODE_SCALAR, 0, 0);
	if (!n)
		return NULL;
	n->text = malloc(len + 1);
	if (!n->text) {
		free(n);
		return NULL;
	}
	memcpy(n->text, text, len);
	n->text[len] = '\0';
	n->len = len;
	n->quoted = quoted;
	return n;
}

static struct ynode *from_json(const json_t *j, int depth)
{
	char num[64];
	struct ynode *n = NULL;
	if (depth > YTREE_MAX_DEPTH)
		return scalar_new("", 0, false); /* null: the checks say what was expected */
	switch (json_typeof(j)) {
	case JSON_STRING:
		return scalar_new(json_string_value(j), json_string_length(j), true);
	case JSON_INTEGER:
		snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(j));
		return scalar_new(num, strlen(num), false);
	case JSON_REAL:
		snprintf(num, sizeof num, "%.17g", json_real_value(j));
		return scalar_new(num, strlen(num), false);
	case JSON_TRUE:
		return scalar_new("true", 4, false);
	case JSON_FALSE:
		return scalar_new("false", 5, false);
	case JSON_NULL:
		return scalar_new("null", 4, false);
	case JSON_ARRAY: {
		n = ynode_new(YNODE_SEQ, 0, 0);
		size_t i;
		const json_t *v;
		json_array_foreach(j, i, v) {
			struct ynode *item = n ? from_json(v, depth + 1) : NULL;
			if (!item || ynode_append(n, item) < 0) {
				ytree_free(item);
				goto fail;
			}
		}
		return n;
	}
	case JSON_OBJECT: {
		n = ynode_new(YNODE_MAP, 0, 0);
		const char *key;
		const json_t *v;
		/* json_object_foreach needs a non-const object; it does not modify it */
		json_object_foreach((json_t *)j, key, v) {
			struct ynode *k = n ? scalar_new(key, strlen(key), true) : NULL;
			if (!k || ynode_append(n, k) < 0) {
				ytree_free(k);
				goto fail;
			}
			struct ynode *item = from_json(v, depth + 1);
			if (!item || ynode_append(n, item) < 0) {
				ytree_free(item);
				goto fail;
			}
		}
		return n;
	}
	}
fail:
	ytree_free(n);
	return NULL;
}

struct ynode *ytree_from_json(const json_t *json)
{
	return json ? from_json(json, 0) : scalar_new("null", 4, false);
}

/* ---- scalars ------------------------------------------------------------ */

static bool all_digits(const char *s, const char *digits)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!strchr(digits, *s))
			return false;
	return true;
}

static bool is_core_float(const char *s)
{
	if (*s == '-' || *s == '+')
		s++;
	if (strcmp(s, ".inf") == 0 || strcmp(s, ".Inf") == 0 || strcmp(s, ".INF") == 0)
		return true;
	size_t digits = strspn(s, "0123456789");
	s += digits;
	if (*s == '.') {
		size_t frac = strspn(s + 1, "0123456789");
		if (digits == 0 && frac == 0)
			return false;
		s += 1 + frac;
	} else if (digits == 0) {
		return false;
	}
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '-' || *s == '+')
			s++;
		if (!all_digits(s, "0123456789"))
			return false;
		return true;
	}
	return *s == '\0';
}

enum yscalar yscalar_kind(const struct ynode *node)
{
	if (!node || node->kind != YNODE_SCALAR)
		return YS_STRING;
	if (node->quoted)
		return YS_STRING;
	const char *s = node->text;
	if (node->len != strlen(s))
		return YS_STRING;
	if (!*s || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 || strcmp(s, "Null") == 0 ||
	    strcmp(s, "NULL") == 0)
		return YS_NULL;
	if (strcmp(s, "true") == 0 || strcmp(s, "True") == 0 || strcmp(s, "TRUE") == 0 ||
	    strcmp(s, "false") == 0 || strcmp(s, "False") == 0 || strcmp(s, "FALSE") == 0)
		return YS_BOOL;
	const char *d = (*s == '-' || *s == '+') ? s + 1 : s;
	if (all_digits(d, "0123456789") ||
	    (strncmp(s, "0o", 2) == 0 && all_digits(s + 2, "01234567")) ||
	    (strncmp(s, "0x", 2) == 0 && all_digits(s + 2, "0123456789abcdefABCDEF")))
		return YS_INT;
	if (is_core_float(s) || strcmp(s, ".nan") == 0 || strcmp(s, ".NaN") == 0 || strcmp(s, ".NAN") == 0)
		return YS_FLOAT;
	return YS_STRING;
}

bool ynode_is_null(const struct ynode *node)
{
	return !node || (node->kind == YNODE_SCALAR && yscalar_kind(node) == YS_NULL);
}

static const char *kind_name(enum ynode_kind kind)
{
	return kind == YNODE_MAP ? "a mapping" : kind == YNODE_SEQ ? "a list" : "a value";
}

bool yexpect(struct yctx *c, const struct ynode *node, enum ynode_kind kind, const char *what)
{
	if (node && node->kind == kind)
		return true;
	yerr(c, node, "expected %s for %s, not %s", kind_name(kind), what, describe_value(node));
	return false;
}

bool yget_string(struct yctx *c, const struct ynode *node, const char *what, const char **out)
{
	if (!node || node->kind != YNODE_SCALAR || yscalar_kind(node) == YS_NULL) {
		yerr(c, node, "expected a string for %s, not %s", what, describe_value(node));
		return false;
	}
	if (strlen(node->text) != node->len) {
		yerr(c, node, "%s contains a NUL character", what);
		return false;
	}
	*out = node->text;
	return true;
}

bool yget_bool(struct yctx *c, const struct ynode *node, const char *what, bool *out)
{
	if (!node || yscalar_kind(node) != YS_BOOL || node->kind != YNODE_SCALAR) {
		yerr(c, node, "expected true or false for %s, not %s", what, describe_value(node));
		return false;
	}
	*out = node->text[0] == 't' || node->text[0] == 'T';
	return true;
}

bool yget_int(struct yctx *c, const struct ynode *node, const char *what, long long *out)
{
	if (!node || node->kind != YNODE_SCALAR || yscalar_kind(node) != YS_INT) {
		yerr(c, node, "expected a whole number for %s, not %s", what, describe_value(node));
		return false;
	}
	const char *s = node->text;
	int base = 10;
	if (strncmp(s, "0o", 2) == 0)
		s += 2, base = 8;
	else if (strncmp(s, "0x", 2) == 0)
		s += 2, base = 16;
	errno = 0;
	char *end;
	long long v = strtoll(s, &end, base);
	if (errno == ERANGE || *end) {
		yerr(c, node, "%s %s is out of range", what, describe_value(node));
		return false;
	}
	*out = v;
	return true;
}

bool yget_number(struct yctx *c, const struct ynode *node, const char *what, double *out)
{
	enum yscalar k = yscalar_kind(node);
	if (!node || node->kind != YNODE_SCALAR || (k != YS_INT && k != YS_FLOAT)) {
		yerr(c, node, "expected a number for %s, not %s", what, describe_value(node));
		return false;
	}
	double v;
	if (k == YS_INT && (strncmp(node->text, "0o", 2) == 0 || strncmp(node->text, "0x", 2) == 0)) {
		long long i;
		if (!yget_int(c, node, what, &i))
			return false;
		v = (double)i;
	} else {
		const char *s = node->text;
		bool neg = *s == '-';
		const char *t = (*s == '-' || *s == '+') ? s + 1 : s;
		v = (t[0] == '.' && (t[1] == 'i' || t[1] == 'I' || t[1] == 'n' || t[1] == 'N'))
			    ? (t[1] == 'n' || t[1] == 'N' ? NAN : (neg ? -INFINITY : INFINITY))
			    : strtod(s, NULL);
	}
	if (!isfinite(v)) {
		yerr(c, node, "expected a finite number for %s, not %s", what, describe_value(node));
		return false;
	}
	*out = v;
	return true;
}

/* ---- mappings ----------------------------------------------------------- */

const struct ynode *ymap_get(const struct ynode *map, const char *key, const struct ynode **key_node)
{
	if (key_node)
		*key_node = NULL;
	if (!map || map->kind != YNODE_MAP)
		return NULL;
	for (size_t i = 0; i < map->n; i++) {
		const struct ynode *k = map->items[2 * i];
		if (k->kind == YNODE_SCALAR && strcmp(k->text, key) == 0 && strlen(key) == k->len) {
			if (key_node)
				*key_node = k;
			return map->items[2 * i + 1];
		}
	}
	return NULL;
}

struct keyed {
	const struct ynode *node;
	size_t index;
};

static int cmp_keyed(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	size_t n = x->node->len < y->node->len ? x->node->len : y->node->len;
	int c = memcmp(x->node->text, y->node->text, n);
	if (c == 0 && x->node->len != y->node->len)
		c = x->node->len < y->node->len ? -1 : 1;
	if (c == 0)
		c = x->index < y->index ? -1 : x->index > y->index ? 1 : 0;
	return c;
}

/* Reports every scalar of nodes[0], nodes[stride], ... that repeats an earlier
 * one: "duplicate WHAT 'x' WHERE (first at L:C)".  Sorting keeps this
 * O(n log n) for large lists. */
static void check_unique(struct yctx *c, const struct ynode *const *nodes, size_t n, size_t stride,
			 const char *what, const char *where)
{
	if (n < 2)
		return;
	struct keyed *list = malloc(n * sizeof *list);
	if (!list) {
		c->rc = OWLET_ENOMEM;
		return;
	}
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (nodes[i * stride]->kind == YNODE_SCALAR)
			list[m++] = (struct keyed){ nodes[i * stride], i };
	qsort(list, m, sizeof *list, cmp_keyed);
	for (size_t k = 1, first = 0; k < m; k++) {
		const struct ynode *a = list[first].node, *b = list[k].node;
		if (a->len != b->len || memcmp(a->text, b->text, a->len) != 0) {
			first = k;
			continue;
		}
		if (a->line)
			yerr(c, b, "duplicate %s '%s'%s%s (first at %d:%d)", what, ytext_n(b->text, b->len),
			     where[0] ? " " : "", where, a->line, a->col);
		else
			yerr(c, b, "duplicate %s '%s'%s%s", what, ytext_n(b->text, b->len), where[0] ? " " : "",
			     where);
	}
	free(list);
}

void ycheck_unique(struct yctx *c, const struct ynode *seq, const char *what, const char *where)
{
	if (seq && seq->kind == YNODE_SEQ)
		check_unique(c, (const struct ynode *const *)seq->items, seq->n, 1, what, where);
}

void ymap_check_keys(struct yctx *c, const struct ynode *map, const char *const *allowed,
		     const char *where)
{
	if (!map || map->kind != YNODE_MAP)
		return;
	char expected[256];
	if (allowed)
		yjoin(expected, sizeof expected, allowed, ", ");
	for (size_t i = 0; i < map->n; i++) {
		const struct ynode *k = map->items[2 * i];
		if (k->kind != YNODE_SCALAR) {
			yerr(c, k, "expected a name as key %s, not %s", where, ynode_describe(k));
			continue;
		}
		if (!allowed)
			continue;
		bool known = false;
		for (const char *const *a = allowed; *a && !known; a++)
			known = strlen(*a) == k->len && strcmp(*a, k->text) == 0;
		if (known)
			continue;
		const char *near = ysuggest(k->text, allowed);
		if (near)
			yerr(c, k, "unknown key '%s' %s, did you mean '%s'? (expected one of %s)",
			     ytext_n(k->text, k->len), where, near, expected);
		else
			yerr(c, k, "unknown key '%s' %s (expected one of %s)", ytext_n(k->text, k->len), where,
			     expected);
	}
	check_unique(c, (const struct ynode *const *)map->items, map->n, 2, "key", where);
}

/* ---- words -------------------------------------------------------------- */

static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 32 || lb > 32)
		return 99;
	size_t prev[33], cur[33];
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
			cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
		}
		memcpy(prev, cur, (lb + 1) * sizeof prev[0]);
	}
	return prev[lb];
}

const char *ysuggest(const char *word, const char *const *candidates)
{
	const char *best = NULL;
	size_t best_d = 3;
	for (const char *const *c = candidates; c && *c; c++) {
		size_t d = edit_distance(word, *c);
		/* a two-letter word is "close" to every other two-letter word */
		if (d < best_d && d < strlen(*c)) {
			best_d = d;
			best = *c;
		}
	}
	return best;
}

void yjoin(char *buf, size_t size, const char *const *words, const char *sep)
{
	size_t o = 0;
	buf[0] = '\0';
	for (const char *const *w = words; w && *w && o < size; w++) {
		int n = snprintf(buf + o, size - o, "%s%s", w == words ? "" : sep, *w);
		if (n < 0)
			break;
		o += (size_t)n;
	}
}

const char *ytext(const struct ynode *node)
{
	if (!node || node->kind != YNODE_SCALAR)
		return ynode_describe(node);
	return ytext_n(node->text, node->len);
}
