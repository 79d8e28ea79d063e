/* records.c: JSON records checked against a dataset (see records.h). */
#include "lambda/records.h"
#include "base/buf.h"
#include "base/error.h"

#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int add(struct owlet_record_problems *p, long record, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int add(struct owlet_record_problems *p, long record, const char *field, const char *fmt, ...)
{
	p->total++;
	if (p->count >= OWLET_RECORD_PROBLEMS_MAX)
		return 0;
	if (owlet_grow((void **)&p->items, &p->cap, p->count, sizeof *p->items, 8) < 0)
		return OWLET_ENOMEM;
	va_list ap;
	va_start(ap, fmt);
	char *msg = NULL;
	int n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	char *f = field ? strdup(field) : NULL;
	if (n < 0 || (field && !f)) {
		if (n >= 0)
			free(msg);
		free(f);
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	}
	p->items[p->count++] = (struct owlet_record_problem){ record, f, msg };
	return 0;
}

void owlet_record_problems_clear(struct owlet_record_problems *p)
{
	for (size_t i = 0; i < p->count; i++) {
		free(p->items[i].field);
		free(p->items[i].message);
	}
	free(p->items);
	memset(p, 0, sizeof *p);
}

json_t *owlet_record_problems_to_json(const struct owlet_record_problems *p)
{
	json_t *arr = json_array();
	if (!arr)
		return NULL;
	for (size_t i = 0; i < p->count; i++) {
		const struct owlet_record_problem *it = &p->items[i];
		json_t *o = json_object();
		if (!o || json_array_append_new(arr, o) < 0 ||
		    (it->record >= 0 && json_object_set_new(o, "record", json_integer(it->record)) < 0) ||
		    (it->field && json_object_set_new(o, "field", json_string(it->field)) < 0) ||
		    json_object_set_new(o, "message", json_string(it->message)) < 0) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

/* n digits at s; -1 when not all digits */
static int digits(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static bool valid_day(int y, int m, int d)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (y < 1 || m < 1 || m > 12 || d < 1)
		return false;
	int max = days[m - 1];
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		max = 29;
	return d <= max;
}

/* "YYYY-MM-DD" at the start of s; returns the length (10) or 0 */
static int date_prefix(const char *s)
{
	if (strlen(s) < 10 || s[4] != '-' || s[7] != '-')
		return 0;
	int y = digits(s, 4), m = digits(s + 5, 2), d = digits(s + 8, 2);
	return (y >= 0 && m >= 0 && d >= 0 && valid_day(y, m, d)) ? 10 : 0;
}

int owlet_records_is_date(const char *s)
{
	return date_prefix(s) == 10 && s[10] == '\0';
}

int owlet_records_is_timestamp(const char *s)
{
	if (!date_prefix(s) || (s[10] != 'T' && s[10] != ' '))
		return 0;
	const char *p = s + 11;
	int hh = digits(p, 2);
	if (hh < 0 || hh > 23 || p[2] != ':')
		return 0;
	int mm = digits(p + 3, 2);
	if (mm < 0 || mm > 59)
		return 0;
	p += 5;
	if (*p == ':') {
		int ss = digits(p + 1, 2);
		if (ss < 0 || ss > 60) /* 60: a leap second */
			return 0;
		p += 3;
		if (*p == '.') {
			p++;
			const char *f = p;
			while (*p >= '0' && *p <= '9')
				p++;
			if (p == f || p - f > 9)
				return 0;
		}
	}
	if (*p == 'Z')
		return p[1] == '\0';
	if (*p == '+' || *p == '-') {
		int oh = digits(p + 1, 2);
		if (oh < 0 || oh > 23 || p[3] != ':')
			return 0;
		int om = digits(p + 4, 2);
		return om >= 0 && om <= 59 && p[6] == '\0';
	}
	return *p == '\0';
}

static size_t utf8_length(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

static const char *json_kind(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a number";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	case JSON_NULL: return "null";
	}
	return "a value";
}

/* %g without a trailing ".0" noise: 10000 not 1e+04 */
static void number_text(char *buf, size_t size, double v)
{
	if (v == floor(v) && fabs(v) < 1e15)
		snprintf(buf, size, "%.0f", v);
	else
		snprintf(buf, size, "%.17g", v);
}

static int check_value(struct owlet_record_problems *out, long idx, const struct owlet_field *f,
		       const json_t *v)
{
	const char *name = f->name;
	switch (f->type) {
	case OWLET_TYPE_INT:
	case OWLET_TYPE_FLOAT: {
		if (f->type == OWLET_TYPE_INT ? !json_is_integer(v) : !json_is_number(v))
			return add(out, idx, name, "field '%s' must be %s, not %s", name,
				   f->type == OWLET_TYPE_INT ? "an integer" : "a number", json_kind(v));
		double d = json_number_value(v);
		char lim[40];
		if (f->has_min && d < f->min) {
			number_text(lim, sizeof lim, f->min);
			return add(out, idx, name, "field '%s' must be at least %s", name, lim);
		}
		if (f->has_max && d > f->max) {
			number_text(lim, sizeof lim, f->max);
			return add(out, idx, name, "field '%s' must be at most %s", name, lim);
		}
		return 0;
	}
	case OWLET_TYPE_BOOL:
		if (!json_is_boolean(v))
			return add(out, idx, name, "field '%s' must be a boolean, not %s", name, json_kind(v));
		return 0;
	case OWLET_TYPE_DATE:
	case OWLET_TYPE_TIMESTAMP:
	case OWLET_TYPE_STRING:
		break;
	}
	if (!json_is_string(v))
		return add(out, idx, name, "field '%s' must be a %sstring, not %s", name,
			   f->type == OWLET_TYPE_DATE ? "date (YYYY-MM-DD) "
			   : f->type == OWLET_TYPE_TIMESTAMP ? "timestamp (ISO 8601) " : "",
			   json_kind(v));
	const char *s = json_string_value(v);
	if (f->type == OWLET_TYPE_DATE) {
		if (!owlet_records_is_date(s))
			return add(out, idx, name, "field '%s' must be a date (YYYY-MM-DD), not '%.64s'", name, s);
		return 0;
	}
	if (f->type == OWLET_TYPE_TIMESTAMP) {
		if (!owlet_records_is_timestamp(s))
			return add(out, idx, name, "field '%s' must be an ISO 8601 timestamp, not '%.64s'", name, s);
		return 0;
	}
	if (f->enum_values) {
		bool found = false;
		for (size_t i = 0; i < f->n_enum && !found; i++)
			found = strcmp(f->enum_values[i], s) == 0;
		if (!found) {
			/* the allowed values, within 200 bytes ("..." past them) */
			char list[208];
			size_t off = 0;
			for (size_t i = 0; i < f->n_enum && off < 200; i++) {
				int n = snprintf(list + off, 200 - off, "%s'%s'", i ? ", " : "", f->enum_values[i]);
				if (n < 0 || (size_t)n >= 200 - off) {
					snprintf(list + off, sizeof list - off, "%s...", i ? ", " : "");
					off = 200;
				} else {
					off += (size_t)n;
				}
			}
			return add(out, idx, name, "field '%s' must be one of %s, not '%.64s'", name, list, s);
		}
	}
	if (f->max_length >= 0 && utf8_length(s) > (size_t)f->max_length)
		return add(out, idx, name, "field '%s' is longer than max_length %lld", name, f->max_length);
	return 0;
}

static const struct owlet_field *find_field(const struct owlet_dataset *ds, const char *name)
{
	for (size_t i = 0; i < ds->n_fields; i++)
		if (strcmp(ds->fields[i].name, name) == 0)
			return &ds->fields[i];
	return NULL;
}

static int check_record(struct owlet_record_problems *out, const struct owlet_dataset *ds, long idx,
			const json_t *rec)
{
	int rc;
	if (!json_is_object(rec))
		return add(out, idx, NULL, "record %ld must be a JSON object, not %s", idx, json_kind(rec));
	const char *key;
	const json_t *v;
	json_object_foreach((json_t *)rec, key, v) {
		if (!find_field(ds, key) &&
		    (rc = add(out, idx, key, "unknown field '%s' for dataset '%s'", key, ds->name)) < 0)
			return rc;
	}
	for (size_t i = 0; i < ds->n_fields; i++) {
		const struct owlet_field *f = &ds->fields[i];
		v = json_object_get(rec, f->name);
		if (!v || json_is_null(v)) {
			if (f->required && (rc = add(out, idx, f->name, "field '%s' is required", f->name)) < 0)
				return rc;
			continue;
		}
		if ((rc = check_value(out, idx, f, v)) < 0)
			return rc;
	}
	return 0;
}

int owlet_records_validate(struct owlet_record_problems *out, const struct owlet_dataset *ds,
			   const json_t *payload)
{
	size_t before = out->total;
	long n = 0;
	int rc;
	if (json_is_object(payload)) {
		n = 1;
		rc = check_record(out, ds, 0, payload);
	} else if (json_is_array(payload)) {
		n = (long)json_array_size(payload);
		rc = n == 0 ? add(out, -1, NULL, "no records: the array is empty") : 0;
		for (long i = 0; i < n && rc == 0; i++)
			rc = check_record(out, ds, i, json_array_get(payload, (size_t)i));
	} else {
		rc = add(out, -1, NULL, "expected a JSON object or an array of objects, not %s",
			 payload ? json_kind(payload) : "nothing");
	}
	if (rc < 0)
		return rc;
	if (out->total > before)
		return OWLET_EINVALID;
	return (int)n;
}

/* The scan: a state machine over the bytes, with one bit per open
 * container (object or array) up to max_depth.  Inside an object, a string
 * after '{' or ',' is a key, not a value.  Scalars other than strings
 * (numbers, true, false, null) are counted at their first byte and skipped
 * to the next delimiter. */
int owlet_records_scan(struct owlet_records_size *out, const char *body, size_t len, size_t max_records,
		       size_t max_values, size_t max_depth)
{
	memset(out, 0, sizeof *out);
	enum { MAX_TRACKED = 4096 };
	unsigned char in_object[MAX_TRACKED / 8] = { 0 };
	size_t depth = 0;
	bool top_array = false, expect_key = false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)body[i];
		bool value = false, key = false;
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ':')
			continue;
		if (c == ',') {
			expect_key = depth > 0 && depth <= MAX_TRACKED &&
				     (in_object[(depth - 1) / 8] >> ((depth - 1) % 8)) & 1;
			continue;
		}
		if (c == '}' || c == ']') {
			if (depth > 0)
				depth--;
			expect_key = false;
			continue;
		}
		if (c == '"') {
			key = expect_key;
			value = !key;
			for (i++; i < len && body[i] != '"'; i++)
				if (body[i] == '\\')
					i++;
			expect_key = false;
		} else if (c == '{' || c == '[') {
			value = true;
		} else {
			value = true;
			while (i + 1 < len && !strchr(" \t\n\r,:]}[{\"", body[i + 1]))
				i++;
		}
		if (!value)
			continue;
		out->values++;
		if (depth == 1 && top_array)
			out->records++;
		if (depth == 0 && c != '[')
			out->records++;
		if (c == '{' || c == '[') {
			if (depth == 0)
				top_array = c == '[';
			if (depth < MAX_TRACKED) {
				unsigned char bit = (unsigned char)(1u << (depth % 8));
				if (c == '{')
					in_object[depth / 8] |= bit;
				else
					in_object[depth / 8] &= (unsigned char)~bit;
			}
			depth++;
			expect_key = c == '{';
			if (depth > out->depth)
				out->depth = depth;
		}
	}
	return out->records > max_records || out->values > max_values || out->depth > max_depth;
}
