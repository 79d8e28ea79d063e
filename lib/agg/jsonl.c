/*
 * jsonl.c: the streaming JSON Lines reader (one flat JSON object per line).
 *
 * Grammar
 *   Each line is an object {"key": value, ...} (RFC 8259 syntax, blanks
 *   allowed; a CR before the LF is a blank).  Keys are matched to the
 *   model's fields exactly; other keys are ignored (their values are still
 *   parsed).  An object that gives a field twice is an error, not a row:
 *   the API refuses such a record too, so no reader picks one of the values
 *   (jansson would keep the last, this reader kept the first).  A field
 *   whose key is absent is null.  Values:
 *     null, and ""           null
 *     "text"                 the unescaped text (\uXXXX and surrogate pairs
 *                            become UTF-8; a lone surrogate becomes U+FFFD)
 *     numbers, true, false   their text
 *   and that text is then parsed as the column's type (so "42" is a valid
 *   int and 42 a valid string "42").  A nested object or array is skipped
 *   (strings and depth are tracked) and counted as an invalid value of its
 *   column.  A line that is not such an object (a syntax error, a control
 *   character in a string, text after the object) is a bad row; empty lines
 *   are skipped.  An input whose first line starts with '[' is a JSON
 *   array, not JSON Lines: an error, not a file of bad rows.  Lines are never longer than OWLET_AGG_MAX_RECORD (a longer
 *   one is a bad row).
 *
 * Scanning
 *   memchr finds the end of each line; the object is parsed by a hand-written
 *   recursive-descent loop over the line; strings without a backslash are
 *   used in place, others are unescaped into the scratch buffer.  JSON Lines
 *   cannot hold a raw newline inside a value, so any newline is a record
 *   boundary and chunks (files.c) need no verification.
 */
#include "agg_internal.h"
#include "base/hex.h"

#include <stdlib.h>

struct jval {
	const char *p;
	size_t len;
	int kind; /* 0 null/absent, 1 value, 2 nested (invalid) */
};

struct jsonl {
	struct agg_buf b;
	struct owlet_agg *a;
	struct jval *v;  /* per column */
	char *scr;       /* scratch cursor */
	size_t last_col; /* the column matched last: keys usually come in order */
	int dup_col;     /* set by jline: the column given twice, else -1 */
};

static const char *ws(const char *p, const char *e)
{
	while (p < e && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	return p;
}

static bool hex4(const char *p, const char *e, unsigned *out)
{
	if (e - p < 4)
		return false;
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		int h = owlet_hex_digit((unsigned char)p[i]);
		if (h < 0)
			return false;
		v = v * 16 + (unsigned)h;
	}
	*out = v;
	return true;
}

static char *utf8_put(char *o, unsigned cp)
{
	if (cp < 0x80)
		*o++ = (char)cp;
	else if (cp < 0x800) {
		*o++ = (char)(0xC0 | (cp >> 6));
		*o++ = (char)(0x80 | (cp & 0x3F));
	} else if (cp < 0x10000) {
		*o++ = (char)(0xE0 | (cp >> 12));
		*o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
		*o++ = (char)(0x80 | (cp & 0x3F));
	} else {
		*o++ = (char)(0xF0 | (cp >> 18));
		*o++ = (char)(0x80 | ((cp >> 12) & 0x3F));
		*o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
		*o++ = (char)(0x80 | (cp & 0x3F));
	}
	return o;
}

/* A string at p (after its opening quote).  Returns the position after the
 * closing quote, or NULL on a syntax error; *vp and *vl the unescaped text. */
static const char *jstring(struct jsonl *j, const char *p, const char *e, const char **vp, size_t *vl)
{
	const char *s = p;
	while (p < e && *p != '"' && *p != '\\' && (unsigned char)*p >= 0x20)
		p++;
	if (p < e && *p == '"') {
		*vp = s;
		*vl = (size_t)(p - s);
		return p + 1;
	}
	/* escapes: unescape into the scratch buffer (never longer than the input) */
	char *o = j->scr, *start = j->scr;
	memcpy(o, s, (size_t)(p - s));
	o += p - s;
	while (p < e) {
		char c = *p;
		if (c == '"') {
			*vp = start;
			*vl = (size_t)(o - start);
			j->scr = o;
			return p + 1;
		}
		if ((unsigned char)c < 0x20)
			return NULL;
		if (c != '\\') {
			*o++ = c;
			p++;
			continue;
		}
		if (++p == e)
			return NULL;
		switch (*p++) {
		case '"': *o++ = '"'; break;
		case '\\': *o++ = '\\'; break;
		case '/': *o++ = '/'; break;
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'u': {
			unsigned cp, lo;
			if (!hex4(p, e, &cp))
				return NULL;
			p += 4;
			if (cp >= 0xD800 && cp < 0xDC00 && e - p >= 6 && p[0] == '\\' && p[1] == 'u' &&
			    hex4(p + 2, e, &lo) && lo >= 0xDC00 && lo < 0xE000) {
				cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
				p += 6;
			} else if (cp >= 0xD800 && cp < 0xE000)
				cp = 0xFFFD;
			/* \u0041 (6 bytes) -> at most 3 bytes; a pair (12) -> 4 */
			o = utf8_put(o, cp);
			break;
		}
		default:
			return NULL;
		}
	}
	return NULL;
}

/* Skips a nested object or array at p ('{' or '['); NULL on a syntax error
 * (brackets are only counted, not matched by kind). */
static const char *jskip(const char *p, const char *e)
{
	int depth = 0;
	while (p < e) {
		char c = *p++;
		if (c == '{' || c == '[')
			depth++;
		else if (c == '}' || c == ']') {
			if (--depth == 0)
				return p;
		} else if (c == '"') {
			while (p < e && *p != '"') {
				if (*p == '\\')
					p++;
				p++;
			}
			if (p >= e)
				return NULL;
			p++;
		}
	}
	return NULL;
}

static bool is_num_char(char c)
{
	return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

static int column_of(struct jsonl *j, const char *k, size_t n)
{
	const struct owlet_agg *a = j->a;
	for (size_t t = 0; t < a->ncols; t++) {
		size_t i = (j->last_col + 1 + t) % a->ncols;
		const char *name = a->cols[i].field->name;
		if (strncmp(name, k, n) == 0 && name[n] == '\0') {
			j->last_col = i;
			return (int)i;
		}
	}
	return -1;
}

/* Parses one line [p, e) into j->v; false on a syntax error, or on a field
 * given twice (then j->dup_col says which). */
static bool jline(struct jsonl *j, const char *p, const char *e)
{
	j->scr = j->b.scratch;
	for (size_t i = 0; i < j->a->ncols; i++)
		j->v[i].kind = 0;
	if (p == e || *p++ != '{')
		return false;
	p = ws(p, e);
	if (p < e && *p == '}')
		return ws(p + 1, e) == e;
	for (;;) {
		const char *k, *vp = NULL;
		size_t kl, vl = 0;
		int kind = 1;
		if (p == e || *p != '"' || !(p = jstring(j, p + 1, e, &k, &kl)))
			return false;
		p = ws(p, e);
		if (p == e || *p++ != ':')
			return false;
		p = ws(p, e);
		if (p == e)
			return false;
		char c = *p;
		if (c == '"') {
			if (!(p = jstring(j, p + 1, e, &vp, &vl)))
				return false;
		} else if (c == '{' || c == '[') {
			if (!(p = jskip(p, e)))
				return false;
			kind = 2;
		} else if (c == '-' || (c >= '0' && c <= '9')) {
			vp = p;
			while (p < e && is_num_char(*p))
				p++;
			vl = (size_t)(p - vp);
		} else if (e - p >= 4 && memcmp(p, "true", 4) == 0) {
			vp = p;
			vl = 4;
			p += 4;
		} else if (e - p >= 5 && memcmp(p, "false", 5) == 0) {
			vp = p;
			vl = 5;
			p += 5;
		} else if (e - p >= 4 && memcmp(p, "null", 4) == 0) {
			p += 4;
			kind = 0;
		} else
			return false;
		int col = column_of(j, k, kl);
		if (col >= 0 && j->v[col].p) {
			j->dup_col = col; /* a field given twice: refused, as the API does */
			return false;
		}
		if (col >= 0) {
			j->v[col].p = vp ? vp : "";
			j->v[col].len = vl;
			j->v[col].kind = kind;
		}
		p = ws(p, e);
		if (p < e && *p == ',') {
			p = ws(p + 1, e);
			continue;
		}
		if (p < e && *p == '}')
			return ws(p + 1, e) == e;
		return false;
	}
}

static void jrow(struct jsonl *j, uint64_t line)
{
	struct owlet_agg *a = j->a;
	a->rows++;
	for (size_t i = 0; i < a->ncols; i++) {
		struct jval *v = &j->v[i];
		if (v->kind == 1)
			agg_add_value(a, i, v->p, v->len, line);
		else if (v->kind == 2)
			agg_add_invalid(a, i, "<nested>", 8, line);
		else
			agg_add_null(a, i);
	}
}

int owlet_agg_jsonl(struct owlet_agg *a, struct owlet_agg_input *in)
{
	struct jsonl j = { .a = a };
	in->first_offset = in->end_offset = 0;
	j.v = calloc(a->ncols ? a->ncols : 1, sizeof *j.v);
	if (!j.v)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	int rc = agg_buf_init(&j.b, in);
	if (rc < 0) {
		free(j.v);
		return rc;
	}
	a->source = in->name;
	struct agg_buf *b = &j.b;
	uint64_t line = 1;
	size_t s = 0;
	bool skip = in->skip_partial_line, first = true;
	/* a JSON array is refused by its first line, at the input's start */
	bool seen_record = in->skip_partial_line;
	long n = agg_buf_fill(b);
	if (n < 0)
		goto fail;
	for (;;) {
		if (s >= b->len && b->eof)
			break;
		const char *p = b->data + s, *e = b->data + b->len;
		const char *nlp = memchr(p, '\n', (size_t)(e - p));
		if (!nlp && !b->eof) {
			b->start = s;
			if (agg_buf_full(b)) {
				/* a line too long: a bad row; drop it up to its newline */
				if (!skip)
					agg_bad_row(a, line, 0);
				for (;;) {
					b->start = b->len;
					if ((n = agg_buf_fill(b)) < 0)
						goto fail;
					const char *x = memchr(b->data, '\n', b->len);
					if (x || b->eof) {
						s = x ? (size_t)(x + 1 - b->data) : b->len;
						break;
					}
				}
				if (!skip) {
					line++;
					a->lines++;
				}
				skip = false;
				continue;
			}
			if ((n = agg_buf_fill(b)) < 0)
				goto fail;
			s = 0;
			continue;
		}
		const char *le = nlp ? nlp : e;
		size_t next = nlp ? (size_t)(nlp + 1 - b->data) : b->len;
		if (skip) {
			skip = false;
			s = next;
			continue;
		}
		if (first) {
			in->first_offset = b->base + s;
			first = false;
		}
		if (b->base + s >= in->stop)
			break;
		/* the line without its blanks at either end */
		const char *ls = ws(p, le), *lend = le;
		while (lend > ls && (lend[-1] == ' ' || lend[-1] == '\t' || lend[-1] == '\r'))
			lend--;
		if (ls < lend && !seen_record) {
			seen_record = true;
			if (*ls == '[') {
				n = owlet_error_setc(OWLET_EINVALID,
						     "'%s' holds a JSON array (line %llu starts with '['): JSON Lines is "
						     "one object per line", in->name ? in->name : "",
						     (unsigned long long)line);
				goto fail;
			}
		}
		if (ls < lend) {
			for (size_t i = 0; i < a->ncols; i++)
				j.v[i].p = NULL;
			j.dup_col = -1;
			if (jline(&j, ls, lend))
				jrow(&j, line);
			else if (j.dup_col >= 0) {
				const char *name = in->name ? in->name : "", *f = a->cols[j.dup_col].field->name;
				/* a chunk (files.c) counts lines from its own start: say the byte */
				n = in->skip_partial_line
					    ? owlet_error_setc(OWLET_EINVALID, "'%s': the line at byte %llu gives field '%s' twice",
							       name, (unsigned long long)(in->origin + b->base + s), f)
					    : owlet_error_setc(OWLET_EINVALID, "'%s': line %llu gives field '%s' twice", name,
							       (unsigned long long)line, f);
				goto fail;
			} else
				agg_bad_row(a, line, 0);
		}
		s = next;
		if (nlp) {
			line++;
			a->lines++;
		}
	}
	if (first)
		in->first_offset = b->base + s;
	in->end_offset = b->base + s;
	rc = 0;
	goto out;
fail:
	rc = (int)n;
out:
	agg_buf_free(&j.b);
	free(j.v);
	a->source = NULL;
	return rc;
}
