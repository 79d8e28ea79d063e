/*
 * yaml_tree.c: libyaml events -> a located tree, with anchors, aliases and
 * tags refused, plus the typed getters and key checks that the model and
 * environment parsers share (see yaml_tree.h).
 */
#include "yaml_tree.h"
#include "error.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

/* Nodes in one tree at most: a 4 MiB flow list of one-letter items would
 * otherwise cost ~200 MB of nodes. */
#define YTREE_MAX_NODES 100000

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
static size_t utf8_seq(const unsigned char *s, size_t n, unsigned *cp)
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

/* Line and column (1-based, in characters, line breaks as libyaml counts
 * them) of byte `offset` of buf. */
static void locate(const char *buf, size_t len, size_t offset, int *line, int *col)
{
	const unsigned char *s = (const unsigned char *)buf;
	int l = 1, k = 1;
	size_t i = 0;
	if (offset > len)
		offset = len;
	while (i < offset) {
		unsigned cp = 0;
		size_t n = utf8_seq(s + i, len - i, &cp);
		if (n == 0)
			n = 1;
		if (cp == '\r' && i + 1 < len && s[i + 1] == '\n')
			n = 2;
		if (cp == '\n' || cp == '\r' || cp == 0x85 || cp == 0x2028 || cp == 0x2029)
			l++, k = 1;
		else
			k++;
		i += n;
	}
	*line = l;
	*col = k;
}

/* Reports the first byte that is not UTF-8; true when all is well. */
static bool check_utf8(struct yctx *c, const char *buf, size_t len)
{
	const unsigned char *s = (const unsigned char *)buf;
	for (size_t i = 0; i < len;) {
		unsigned cp;
		size_t n = utf8_seq(s + i, len - i, &cp);
		if (n == 0) {
			int line, col;
			locate(buf, len, i, &line, &col);
			yerr_at(c, line, col, "not UTF-8: invalid byte 0x%02X (save the file as UTF-8)", s[i]);
			return false;
		}
		i += n;
	}
	return true;
}

/* ---- text for messages -------------------------------------------------- */

/* The user's text made safe for a one-line message: control characters
 * become '?', long values are cut (on a character boundary) with "...".
 * Returns one of four per-thread buffers, so up to four may be used in one
 * message. */
static const char *safe_text(const char *text, size_t len)
{
	static _Thread_local char bufs[4][72];
	static _Thread_local unsigned next;
	char *b = bufs[next++ % 4];
	size_t o = 0;
	const unsigned char *s = (const unsigned char *)text;
	for (size_t i = 0; i < len;) {
		unsigned cp;
		size_t n = utf8_seq(s + i, len - i, &cp);
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

/* "'text'" for a scalar, "a list" / "a mapping" for others. */
static const char *describe_value(const struct ynode *node)
{
	static _Thread_local char buf[80];
	if (!node || node->kind != YNODE_SCALAR || yscalar_kind(node) == YS_NULL)
		return ynode_describe(node);
	snprintf(buf, sizeof buf, "'%s'", safe_text(node->text, node->len));
	return buf;
}

/* ---- building the tree from events -------------------------------------- */

struct builder {
	struct yctx *c;
	struct ynode *root;
	struct ynode *stack[YTREE_MAX_DEPTH];
	size_t depth;
	size_t nodes;
	bool failed;
};

static struct ynode *node_new(enum ynode_kind kind, const yaml_mark_t *mark)
{
	struct ynode *n = calloc(1, sizeof *n);
	if (!n)
		return NULL;
	n->kind = kind;
	if (mark) {
		n->line = (int)mark->line + 1;
		n->col = (int)mark->column + 1;
	}
	return n;
}

static int node_append(struct ynode *parent, struct ynode *child)
{
	if (parent->n_items == parent->cap) {
		size_t cap = parent->cap ? parent->cap * 2 : 8;
		struct ynode **items = realloc(parent->items, cap * sizeof *items);
		if (!items)
			return OWLET_ENOMEM;
		parent->items = items;
		parent->cap = cap;
	}
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

/* "!!str" for libyaml's "tag:yaml.org,2002:str". */
static const char *short_tag(const unsigned char *tag)
{
	static _Thread_local char buf[80];
	const char *t = (const char *)tag;
	const char *prefix = "tag:yaml.org,2002:";
	if (strncmp(t, prefix, strlen(prefix)) == 0) {
		snprintf(buf, sizeof buf, "!!%s", safe_text(t + strlen(prefix), strlen(t + strlen(prefix))));
		return buf;
	}
	return safe_text(t, strlen(t));
}

/* Anchors and tags are refused where they appear; the node is kept. */
static void refuse_decorations(struct builder *b, const yaml_mark_t *mark,
			       const unsigned char *anchor, const unsigned char *tag)
{
	if (anchor)
		yerr_at(b->c, (int)mark->line + 1, (int)mark->column + 1,
			"anchor '&%s' refused: owlet does not accept YAML anchors and aliases (write the value out)",
			safe_text((const char *)anchor, strlen((const char *)anchor)));
	if (tag)
		yerr_at(b->c, (int)mark->line + 1, (int)mark->column + 1,
			"tag '%s' refused: owlet does not accept YAML tags (quote a value to make it a string)",
			short_tag(tag));
}

/* Hangs a new node under the open container (or makes it the root). */
static int builder_add(struct builder *b, struct ynode *node)
{
	if (++b->nodes > YTREE_MAX_NODES) {
		yerr(b->c, node, "too many YAML nodes (more than %d)", YTREE_MAX_NODES);
		ytree_free(node);
		return OWLET_EINVALID;
	}
	if (b->depth == 0) {
		b->root = node;
		return 0;
	}
	int rc = node_append(b->stack[b->depth - 1], node);
	if (rc < 0)
		ytree_free(node);
	return rc;
}

static int builder_event(struct builder *b, const yaml_event_t *ev)
{
	struct ynode *node = NULL;
	const yaml_mark_t *mark = &ev->start_mark;
	switch (ev->type) {
	case YAML_ALIAS_EVENT:
		yerr_at(b->c, (int)mark->line + 1, (int)mark->column + 1,
			"alias '*%s' refused: owlet does not accept YAML anchors and aliases (write the value out)",
			safe_text((const char *)ev->data.alias.anchor, strlen((const char *)ev->data.alias.anchor)));
		node = node_new(YNODE_SCALAR, mark);
		if (!node || !(node->text = strdup("")))
			break;
		return builder_add(b, node);
	case YAML_SCALAR_EVENT:
		refuse_decorations(b, mark, ev->data.scalar.anchor, ev->data.scalar.tag);
		node = node_new(YNODE_SCALAR, mark);
		if (!node || !(node->text = malloc(ev->data.scalar.length + 1)))
			break;
		memcpy(node->text, ev->data.scalar.value, ev->data.scalar.length);
		node->text[ev->data.scalar.length] = '\0';
		node->len = ev->data.scalar.length;
		node->quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE &&
			       ev->data.scalar.style != YAML_ANY_SCALAR_STYLE;
		return builder_add(b, node);
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT: {
		bool seq = ev->type == YAML_SEQUENCE_START_EVENT;
		refuse_decorations(b, mark, seq ? ev->data.sequence_start.anchor : ev->data.mapping_start.anchor,
				   seq ? ev->data.sequence_start.tag : ev->data.mapping_start.tag);
		if (b->depth == YTREE_MAX_DEPTH) {
			yerr_at(b->c, (int)mark->line + 1, (int)mark->column + 1,
				"nested deeper than %d levels", YTREE_MAX_DEPTH);
			return OWLET_EINVALID;
		}
		node = node_new(seq ? YNODE_SEQ : YNODE_MAP, mark);
		if (!node)
			break;
		int rc = builder_add(b, node);
		if (rc < 0)
			return rc;
		b->stack[b->depth++] = node;
		return 0;
	}
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		if (b->depth > 0)
			b->depth--;
		return 0;
	default:
		return 0;
	}
	ytree_free(node);
	return OWLET_ENOMEM;
}

/* Reports libyaml's error: its problem, where, and its context. */
static void report_yaml_error(struct yctx *c, const yaml_parser_t *p, const char *buf, size_t len)
{
	const char *problem = p->problem ? p->problem : "unknown error";
	const char *context = p->context ? p->context : "";
	const char *hint = "";
	int line, col;
	if (p->error == YAML_READER_ERROR) {
		locate(buf, len, p->problem_offset, &line, &col);
		if (p->problem_value != -1)
			yerr_at(c, line, col, "invalid YAML: %s (0x%02X)", problem, (unsigned)p->problem_value);
		else
			yerr_at(c, line, col, "invalid YAML: %s", problem);
		return;
	}
	if (strstr(problem, "alias") || strstr(problem, "anchor") || strstr(context, "alias") ||
	    strstr(context, "anchor"))
		hint = "; quote values that start with '*' or '&', such as \"*\"";
	else if (p->problem_mark.index < len && buf[p->problem_mark.index] == '\t')
		hint = "; this is a tab: indent with spaces";
	line = (int)p->problem_mark.line + 1;
	col = (int)p->problem_mark.column + 1;
	if (p->context)
		yerr_at(c, line, col, "invalid YAML: %s (%s at %d:%d)%s", problem, context,
			(int)p->context_mark.line + 1, (int)p->context_mark.column + 1, hint);
	else
		yerr_at(c, line, col, "invalid YAML: %s%s", problem, hint);
}

int ytree_read_file(char **out, size_t *len, const char *path)
{
	*out = NULL;
	*len = 0;
	FILE *f = fopen(path, "rb");
	if (!f)
		return owlet_error_setc(errno == ENOENT ? OWLET_ENOTFOUND : OWLET_EIO, "cannot open '%s': %s",
					path, strerror(errno));
	int rc = 0;
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap + 1);
	while (buf) {
		if (n == cap) {
			if (cap > YTREE_MAX_BYTES) {
				rc = owlet_error_setc(OWLET_EINVALID, "'%s' is too large (more than %u bytes)", path,
						      YTREE_MAX_BYTES);
				goto out;
			}
			char *bigger = realloc(buf, cap * 2 + 1);
			if (!bigger)
				break;
			buf = bigger;
			cap *= 2;
		}
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0) {
			if (ferror(f))
				rc = owlet_error_setc(OWLET_EIO, "cannot read '%s': %s", path, strerror(errno));
			goto out;
		}
	}
	rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
out:
	fclose(f);
	if (rc < 0) {
		free(buf);
		return rc;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

int ytree_parse(struct ynode **out, struct yctx *c, const char *buf, size_t len)
{
	*out = NULL;
	size_t before = c->problems;
	if (len > YTREE_MAX_BYTES) {
		yerr_at(c, 1, 1, "file too large (%zu bytes, at most %u)", len, YTREE_MAX_BYTES);
		return OWLET_EINVALID;
	}
	if (!check_utf8(c, buf, len))
		return OWLET_EINVALID;

	yaml_parser_t parser;
	if (!yaml_parser_initialize(&parser))
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);

	struct builder b = { .c = c };
	int rc = 0, documents = 0;
	for (bool done = false; !done && rc == 0;) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&parser, &ev)) {
			if (parser.error == YAML_MEMORY_ERROR)
				rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
			else
				report_yaml_error(c, &parser, buf, len);
			break;
		}
		if (ev.type == YAML_STREAM_END_EVENT) {
			done = true;
		} else if (ev.type == YAML_DOCUMENT_START_EVENT && ++documents > 1) {
			yerr_at(c, (int)ev.start_mark.line + 1, (int)ev.start_mark.column + 1,
				"a second YAML document: the file must hold one");
			done = true;
		} else {
			rc = builder_event(&b, &ev);
			if (rc == OWLET_EINVALID)
				rc = 0, done = true; /* reported; stop here */
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	if (rc == 0 && c->rc < 0)
		rc = c->rc;
	if (rc == 0 && c->problems > before)
		rc = OWLET_EINVALID;
	if (rc < 0) {
		ytree_free(b.root);
		return rc;
	}
	*out = b.root;
	return 0;
}

/* ---- from JSON ---------------------------------------------------------- */

static struct ynode *scalar_new(const char *text, size_t len, bool quoted)
{
	struct ynode *n = node_new(YNODE_SCALAR, NULL);
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
		n = node_new(YNODE_SEQ, NULL);
		size_t i;
		const json_t *v;
		json_array_foreach(j, i, v) {
			struct ynode *item = n ? from_json(v, depth + 1) : NULL;
			if (!item || node_append(n, item) < 0) {
				ytree_free(item);
				goto fail;
			}
		}
		return n;
	}
	case JSON_OBJECT: {
		n = node_new(YNODE_MAP, NULL);
		const char *key;
		const json_t *v;
		/* json_object_foreach needs a non-const object; it does not modify it */
		json_object_foreach((json_t *)j, key, v) {
			struct ynode *k = n ? scalar_new(key, strlen(key), true) : NULL;
			if (!k || node_append(n, k) < 0) {
				ytree_free(k);
				goto fail;
			}
			struct ynode *item = from_json(v, depth + 1);
			if (!item || node_append(n, item) < 0) {
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
			yerr(c, b, "duplicate %s '%s'%s%s (first at %d:%d)", what, safe_text(b->text, b->len),
			     where[0] ? " " : "", where, a->line, a->col);
		else
			yerr(c, b, "duplicate %s '%s'%s%s", what, safe_text(b->text, b->len), where[0] ? " " : "",
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
			     safe_text(k->text, k->len), where, near, expected);
		else
			yerr(c, k, "unknown key '%s' %s (expected one of %s)", safe_text(k->text, k->len), where,
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
	return safe_text(node->text, node->len);
}
