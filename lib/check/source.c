/*
 * source.c: where a resource block is in a module's .tf files, and the
 * checkov:skip comments inside it.
 *
 * The plan JSON has no line numbers, so the module's directory is read:
 * every *.tf file in name order, looking for a line that opens
 *   resource "TYPE" "NAME" {        (or data "TYPE" "NAME" {)
 * The block ends at its matching brace; strings ("..." with ${...}),
 * comments (#, //, and block comments) and heredocs (<<EOF, <<-EOF) are skipped
 * while counting braces.  Inside the block, comments of the form checkov
 * reads are collected:
 *   #checkov:skip=CKV_AWS_117:the reason          (also bridgecrew:skip=)
 */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/internal.h"
#include "base/error.h"

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = NULL;
	size_t cap = 0, n = 0;
	for (;;) {
		if (cap - n < 4096) {
			cap = cap ? cap * 2 : 16384;
			char *nb = realloc(buf, cap + 1);
			if (!nb) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* Does the line at p open `KIND "TYPE" "NAME"`?  Spaces are free. */
static bool opens_block(const char *p, const char *kind, const char *type, const char *name)
{
	while (*p == ' ' || *p == '\t')
		p++;
	size_t kl = strlen(kind);
	if (strncmp(p, kind, kl) != 0 || (p[kl] != ' ' && p[kl] != '\t' && p[kl] != '"'))
		return false;
	p += kl;
	const char *want[2] = { type, name };
	for (int i = 0; i < 2; i++) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != '"')
			return false;
		p++;
		size_t l = strlen(want[i]);
		if (strncmp(p, want[i], l) != 0 || p[l] != '"')
			return false;
		p += l + 1;
	}
	while (*p == ' ' || *p == '\t')
		p++;
	return *p == '{';
}

/* Finds the end line of the block whose '{' is the first one at or after p. */
static int block_end(const char *p, int line)
{
	int depth = 0;
	bool started = false;
	while (*p) {
		char c = *p;
		if (c == '\n') {
			line++;
			p++;
			continue;
		}
		if (c == '#' || (c == '/' && p[1] == '/')) {
			while (*p && *p != '\n')
				p++;
			continue;
		}
		if (c == '/' && p[1] == '*') {
			p += 2;
			while (*p && !(*p == '*' && p[1] == '/')) {
				if (*p == '\n')
					line++;
				p++;
			}
			if (*p)
				p += 2;
			continue;
		}
		if (c == '"') {
			/* a string; ${...} inside may hold braces and strings: count them apart */
			p++;
			int interp = 0;
			while (*p && *p != '\n') {
				if (*p == '\\' && p[1]) {
					p += 2;
					continue;
				}
				if (*p == '$' && p[1] == '{') {
					interp++;
					p += 2;
					continue;
				}
				if (interp && *p == '}') {
					interp--;
					p++;
					continue;
				}
				if (!interp && *p == '"')
					break;
				p++;
			}
			if (*p == '"')
				p++;
			continue;
		}
		if (c == '<' && p[1] == '<' && (isalpha((unsigned char)p[2]) || (p[2] == '-' && isalpha((unsigned char)p[3])))) {
			const char *m = p + 2 + (p[2] == '-');
			size_t ml = 0;
			while (isalnum((unsigned char)m[ml]) || m[ml] == '_')
				ml++;
			char marker[64];
			if (ml < sizeof marker) {
				memcpy(marker, m, ml);
				marker[ml] = '\0';
				p = strchr(m, '\n');
				while (p) {
					p++;
					line++;
					const char *q = p;
					while (*q == ' ' || *q == '\t')
						q++;
					if (strncmp(q, marker, ml) == 0 && (q[ml] == '\n' || q[ml] == '\r' || !q[ml])) {
						p = q + ml;
						break;
					}
					p = strchr(p, '\n');
				}
				if (!p)
					return line;
				continue;
			}
		}
		if (c == '{') {
			depth++;
			started = true;
		} else if (c == '}') {
			depth--;
			if (started && depth == 0)
				return line;
		}
		p++;
	}
	return line;
}

static int add_skip(struct check_inline_skip **skips, size_t *n, const char *p, int line)
{
	while (*p == ' ')
		p++;
	size_t il = 0;
	while (isalnum((unsigned char)p[il]) || p[il] == '_')
		il++;
	if (il == 0)
		return 0;
	struct check_inline_skip *ns = realloc(*skips, (*n + 1) * sizeof *ns);
	if (!ns)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	*skips = ns;
	struct check_inline_skip *s = &ns[*n];
	s->id = strndup(p, il);
	s->reason = NULL;
	s->line = line;
	if (!s->id)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	(*n)++;
	p += il;
	if (*p == ':') {
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		size_t rl = strcspn(p, "\r\n");
		while (rl > 0 && (p[rl - 1] == ' ' || p[rl - 1] == '\t'))
			rl--;
		if (rl > 0 && !(s->reason = strndup(p, rl)))
			return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	}
	return 0;
}

static int collect_skips(const char *start, int first, int last, struct check_inline_skip **skips, size_t *n)
{
	const char *p = start;
	for (int line = first; line <= last && p && *p; line++) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		for (const char *tag = p; tag < p + len; tag++) {
			const char *hit = NULL;
			if (strncmp(tag, "checkov:skip=", 13) == 0)
				hit = tag + 13;
			else if (strncmp(tag, "bridgecrew:skip=", 16) == 0)
				hit = tag + 16;
			if (!hit)
				continue;
			/* only in a comment: a '#' or '//' before it on the line */
			bool comment = false;
			for (const char *q = p; q < tag; q++)
				if (*q == '#' || (*q == '/' && q[1] == '/'))
					comment = true;
			if (comment) {
				int rc = add_skip(skips, n, hit, line);
				if (rc < 0)
					return rc;
			}
			break;
		}
		p = eol ? eol + 1 : NULL;
	}
	return 0;
}

int check_source_find(const char *dir, const char *block_kind, const char *type, const char *name,
		      char **file, int *line_start, int *line_end,
		      struct check_inline_skip **skips, size_t *n_skips)
{
	DIR *d = opendir(dir);
	if (!d)
		return 1;
	char **names = NULL;
	size_t n = 0;
	int rc = 1;
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);
		if (l < 4 || strcmp(e->d_name + l - 3, ".tf") != 0 || e->d_name[0] == '.')
			continue;
		char **nn = realloc(names, (n + 1) * sizeof *nn);
		if (!nn || !(nn[n] = strdup(e->d_name))) {
			names = nn ? nn : names;
			rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
			goto out_names;
		}
		names = nn;
		n++;
	}
	qsort(names, n, sizeof *names, cmp_str);
	for (size_t i = 0; i < n && rc == 1; i++) {
		char *path;
		if (asprintf(&path, "%s/%s", dir, names[i]) < 0) {
			rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
			break;
		}
		size_t len;
		char *buf = read_file(path, &len);
		free(path);
		if (!buf)
			continue;
		int line = 1;
		for (const char *p = buf; p && *p; line++) {
			if (opens_block(p, block_kind, type, name)) {
				*line_start = line;
				*line_end = block_end(p, line);
				*file = strdup(names[i]);
				rc = *file ? collect_skips(p, line, *line_end, skips, n_skips)
					   : owlet_error_setc(OWLET_ENOMEM, "out of memory");
				break;
			}
			p = strchr(p, '\n');
			if (p)
				p++;
		}
		free(buf);
	}
out_names:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return rc;
}

/* The references inside the `dynamic` blocks of the block at lines
 * line_start..line_end of path: `var.x`, `module.m.out`, `data.t.n`,
 * `TYPE.NAME` (TYPE with an underscore).  The plan's configuration leaves
 * dynamic blocks out, where checkov's reading of the source sees them.  At
 * most max references, of at most 255 characters; each is passed to fn.
 * Returns 0, or fn's negative result. */
int check_source_dynamic_refs(const char *path, int line_start, int line_end,
			      int (*fn)(void *arg, const char *ref), void *arg)
{
	size_t len = 0;
	char *text = read_file(path, &len);
	if (!text)
		return 0;
	/* the block's lines */
	char *p = text, *end = text + len;
	for (int line = 1; line < line_start && p < end; p++)
		if (*p == '\n')
			line++;
	char *stop = p;
	for (int line = line_start; line <= line_end && stop < end; stop++)
		if (*stop == '\n')
			line++;
	int rc = 0, found = 0;
	char *dyn = strstr(p, "dynamic");
	if (dyn && dyn < stop) {
		/* from the dynamic keyword to the end of the resource block */
		for (char *q = dyn + 7; q < stop && rc >= 0 && found < 256; q++) {
			if (!(isalpha((unsigned char)*q) || *q == '_') ||
			    (q > text && (isalnum((unsigned char)q[-1]) || q[-1] == '_' || q[-1] == '.')))
				continue;
			size_t n = 0;
			int dots = 0;
			while (q + n < stop && (isalnum((unsigned char)q[n]) || q[n] == '_' || q[n] == '-' || q[n] == '.')) {
				if (q[n] == '.')
					dots++;
				n++;
			}
			char ref[256];
			if (dots >= 1 && n < sizeof ref) {
				memcpy(ref, q, n);
				ref[n] = '\0';
				bool known = strncmp(ref, "var.", 4) == 0 || strncmp(ref, "module.", 7) == 0 ||
					     strncmp(ref, "data.", 5) == 0 ||
					     (strncmp(ref, "aws_", 4) == 0 && strchr(ref, '.') > strchr(ref, '_'));
				if (known) {
					rc = fn(arg, ref);
					found++;
				}
			}
			q += n;
		}
	}
	free(text);
	return rc < 0 ? rc : 0;
}
