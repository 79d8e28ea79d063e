/* diag.c: a growable list of located problems (see diag.h). */
#include "base/diag.h"
#include "base/buf.h"
#include "base/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int owlet_diags_add(struct owlet_diags *d, const char *file, int line, int col,
		    const char *fmt, ...)
{
	if (owlet_grow((void **)&d->items, &d->cap, d->count, sizeof *d->items, 8) < 0)
		return OWLET_ENOMEM;
	va_list ap;
	va_start(ap, fmt);
	char *msg = NULL;
	int n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	char *f = strdup(file ? file : "");
	if (n < 0 || !f) {
		free(f);
		if (n >= 0)
			free(msg);
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	}
	struct owlet_diag *item = &d->items[d->count++];
	item->file = f;
	item->line = line;
	item->col = col;
	item->message = msg;
	return 0;
}

static int diag_cmp(const void *a, const void *b)
{
	const struct owlet_diag *x = a, *y = b;
	int c = strcmp(x->file, y->file);
	if (c)
		return c;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	return 0;
}

void owlet_diags_sort(struct owlet_diags *d)
{
	/* insertion sort: stable, and lists are short */
	for (size_t i = 1; i < d->count; i++) {
		struct owlet_diag cur = d->items[i];
		size_t j = i;
		while (j > 0 && diag_cmp(&d->items[j - 1], &cur) > 0) {
			d->items[j] = d->items[j - 1];
			j--;
		}
		d->items[j] = cur;
	}
}

char *owlet_diag_format(const struct owlet_diag *diag)
{
	char *s = NULL;
	int n;
	if (diag->line > 0)
		n = asprintf(&s, "%s:%d:%d: error: %s", diag->file, diag->line, diag->col, diag->message);
	else
		n = asprintf(&s, "%s: error: %s", diag->file, diag->message);
	return n < 0 ? NULL : s;
}

void owlet_diags_clear(struct owlet_diags *d)
{
	for (size_t i = 0; i < d->count; i++) {
		free(d->items[i].file);
		free(d->items[i].message);
	}
	free(d->items);
	d->items = NULL;
	d->count = d->cap = 0;
}
