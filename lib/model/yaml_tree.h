/*
 * yaml_tree.h: a small YAML tree for owlet's configuration files, built from
 * libyaml's events, and the checks that the model and environment parsers
 * share.
 *
 * yaml_parse.c holds the only libyaml code (ytree_parse); the rest is in
 * yaml_tree.c, so that reading the model from JSON needs no libyaml.
 *
 * Why not libyaml's document API: it resolves aliases into a graph (an alias
 * bomb stays small in memory but explodes on a walk), it keeps no anchors to
 * refuse and it does not see duplicate keys.  Here every node keeps its
 * 1-based line:col, anchors, aliases and tags are refused with a located
 * error, nesting is bounded, and the input must be UTF-8 (checked before
 * libyaml sees it, so the error names the line and column).
 *
 * Plain scalars resolve as in the YAML 1.2 core schema: null (~, null, empty),
 * bool (true/false in three spellings), int, float; anything else, and every
 * quoted scalar, is a string.  So `enum: [NO, SE]` stays strings.
 */
#ifndef OWLET_YAML_TREE_H
#define OWLET_YAML_TREE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "base/diag.h"

enum ynode_kind { YNODE_SCALAR, YNODE_SEQ, YNODE_MAP };

/* What a scalar resolves to. */
enum yscalar { YS_STRING, YS_NULL, YS_BOOL, YS_INT, YS_FLOAT };

struct ynode {
	enum ynode_kind kind;
	int line, col;      /* 1-based; 0 when the tree came from JSON */
	char *text;         /* scalars: the value, NUL-terminated (may hold NULs) */
	size_t len;
	bool quoted;        /* a quoted or block scalar: always a string */
	struct ynode **items; /* SEQ: the items; MAP: key, value, key, value... */
	size_t n;           /* SEQ: items; MAP: pairs */
	size_t n_items, cap; /* internal: entries of items used and allocated */
};

/* Where problems go while one file is checked. */
struct yctx {
	const char *file;
	struct owlet_diags *diags;
	size_t problems;  /* reported through this context */
	int rc;           /* OWLET_ENOMEM when a diagnostic could not be stored */
};

/* At most this many problems are stored per file; the last one says so. */
#define YCTX_MAX_PROBLEMS 200
/* Nesting deeper than this is refused (owlet's files need 5 levels). */
#define YTREE_MAX_DEPTH 32
/* Files larger than this are refused. */
#define YTREE_MAX_BYTES (4u << 20)

/* Parses one YAML document.  On success *out is the root (NULL for an empty
 * document) and 0 is returned; on a problem (not UTF-8, a syntax error, an
 * anchor, an alias, a tag, too deep, a second document) each is reported to
 * the context and OWLET_EINVALID returned with *out NULL. */
int ytree_parse(struct ynode **out, struct yctx *c, const char *buf, size_t len);
/* Reads a whole regular file (at most YTREE_MAX_BYTES) into a new
 * NUL-terminated buffer.  OWLET_ENOTFOUND, OWLET_EIO (unreadable, a directory,
 * a FIFO, a device) or OWLET_ERROR (too large), each with a message naming
 * the file; never OWLET_EINVALID, which promises diagnostics. */
int ytree_read_file(char **out, size_t *len, const char *path);
/* A tree from JSON (owlet_model_from_json): strings become quoted scalars,
 * numbers, booleans and null plain ones, with no location.  NULL on ENOMEM. */
struct ynode *ytree_from_json(const json_t *json);
void ytree_free(struct ynode *node);
/* Building blocks of the parsers: a node (NULL on ENOMEM), and appending a
 * child to a list or mapping (0 or OWLET_ENOMEM). */
struct ynode *ynode_new(enum ynode_kind kind, int line, int col);
int ynode_append(struct ynode *parent, struct ynode *child);
/* Length of the UTF-8 sequence at s (at most n bytes) and its code point;
 * 0 when invalid (overlong forms, surrogates, above U+10FFFF). */
size_t yutf8_seq(const unsigned char *s, size_t n, unsigned *cp);

/* Records a problem located at `node` (or at line:col 0:0 when NULL). */
void yerr(struct yctx *c, const struct ynode *node, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void yerr_at(struct yctx *c, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

enum yscalar yscalar_kind(const struct ynode *node);
/* "a mapping", "a list", "a string", "null", "a number", "true"... for messages */
const char *ynode_describe(const struct ynode *node);
bool ynode_is_null(const struct ynode *node);

/* The value of `key` in a mapping (the first, if duplicated); NULL when
 * absent or when `map` is not a mapping.  *key_node, if not NULL, is set to
 * the key's node. */
const struct ynode *ymap_get(const struct ynode *map, const char *key, const struct ynode **key_node);
/* Reports duplicate keys, keys that are not plain names, and (when allowed is
 * not NULL, a NULL-terminated list) unknown keys, with a "did you mean".
 * `where` finishes the messages: "in dataset 'trips'". */
void ymap_check_keys(struct yctx *c, const struct ynode *map, const char *const *allowed,
		     const char *where);
/* Reports items of a list that repeat an earlier one:
 * "duplicate WHAT 'x' WHERE (first at L:C)". */
void ycheck_unique(struct yctx *c, const struct ynode *seq, const char *what, const char *where);
/* Checks that `node` is of `kind`, else reports "expected KIND for WHAT, not X". */
bool yexpect(struct yctx *c, const struct ynode *node, enum ynode_kind kind, const char *what);

/* Typed getters: each reports what was expected (naming `what`) and returns
 * false on a bad value.  Strings refuse null, lists, mappings and NULs. */
bool yget_string(struct yctx *c, const struct ynode *node, const char *what, const char **out);
bool yget_bool(struct yctx *c, const struct ynode *node, const char *what, bool *out);
bool yget_int(struct yctx *c, const struct ynode *node, const char *what, long long *out);
bool yget_number(struct yctx *c, const struct ynode *node, const char *what, double *out);

/* A scalar's text made safe for a one-line message (control characters
 * replaced, cut at ~64 bytes); a description for other nodes.  Returns one
 * of four per-thread buffers: up to four may be used in one message. */
const char *ytext(const struct ynode *node);
/* The same for any text. */
const char *ytext_n(const char *text, size_t len);

/* The closest of `candidates` (NULL-terminated) to `word` within an edit
 * distance of 2, or NULL. */
const char *ysuggest(const char *word, const char *const *candidates);
/* Appends "a, b, c" of a NULL-terminated list into buf. */
void yjoin(char *buf, size_t size, const char *const *words, const char *sep);

#endif
