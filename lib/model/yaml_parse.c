/*
 * yaml_parse.c: libyaml events -> the located tree of yaml_tree.h.  Anchors,
 * aliases and tags are refused where they appear, nesting and size are
 * bounded, and the input must be UTF-8 (checked before libyaml sees it, so
 * that the error names the line and column).
 */
#include "model/yaml_tree.h"
#include "base/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

/* Nodes in one tree at most: a 4 MiB flow list of one-letter items would
 * otherwise cost ~200 MB of nodes. */
#define YTREE_MAX_NODES 100000

/* Line and column (1-based, in characters, line breaks as libyaml counts
 * them) of byte `offset` of buf. */
static void locate(const char *buf, size_t len, size_t offset, int *line, int *col)
{
	const unsigned char *s = (const unsigned char *)buf;
	int l = 1, k = 1;
	size_t i = 0;
	if (offset > len)
		offset = len;
	if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0 && offset >= 3)
		i = 3; /* a BOM takes no column, as in libyaml */
	while (i < offset) {
		unsigned cp = 0;
		size_t n = yutf8_seq(s + i, len - i, &cp);
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
	if (len >= 2 && ((s[0] == 0xFF && s[1] == 0xFE) || (s[0] == 0xFE && s[1] == 0xFF))) {
		yerr_at(c, 1, 1, "not UTF-8: the file is UTF-16 (save it as UTF-8)");
		return false;
	}
	for (size_t i = 0; i < len;) {
		unsigned cp;
		size_t n = yutf8_seq(s + i, len - i, &cp);
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

/* ---- building the tree from events -------------------------------------- */

struct builder {
	struct yctx *c;
	struct ynode *root;
	struct ynode *stack[YTREE_MAX_DEPTH];
	size_t depth;
	size_t nodes;
	bool failed;
};

/* "!!str" for libyaml's "tag:yaml.org,2002:str". */
static const char *short_tag(const unsigned char *tag)
{
	static _Thread_local char buf[80];
	const char *t = (const char *)tag;
	const char *prefix = "tag:yaml.org,2002:";
	if (strncmp(t, prefix, strlen(prefix)) == 0) {
		snprintf(buf, sizeof buf, "!!%s", ytext_n(t + strlen(prefix), strlen(t + strlen(prefix))));
		return buf;
	}
	return ytext_n(t, strlen(t));
}

/* Anchors and tags are refused where they appear; the node is kept. */
static void refuse_decorations(struct builder *b, const yaml_mark_t *mark,
			       const unsigned char *anchor, const unsigned char *tag)
{
	if (anchor)
		yerr_at(b->c, (int)mark->line + 1, (int)mark->column + 1,
			"anchor '&%s' refused: owlet does not accept YAML anchors and aliases (write the value out)",
			ytext_n((const char *)anchor, strlen((const char *)anchor)));
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
	int rc = ynode_append(b->stack[b->depth - 1], node);
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
			ytext_n((const char *)ev->data.alias.anchor, strlen((const char *)ev->data.alias.anchor)));
		node = ynode_new(YNODE_SCALAR, (int)mark->line + 1, (int)mark->column + 1);
		if (!node || !(node->text = strdup("")))
			break;
		return builder_add(b, node);
	case YAML_SCALAR_EVENT:
		refuse_decorations(b, mark, ev->data.scalar.anchor, ev->data.scalar.tag);
		node = ynode_new(YNODE_SCALAR, (int)mark->line + 1, (int)mark->column + 1);
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
		node = ynode_new(seq ? YNODE_SEQ : YNODE_MAP, (int)mark->line + 1, (int)mark->column + 1);
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
	/* libyaml skips a UTF-8 BOM itself; a UTF-16 BOM never gets here */
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);

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

