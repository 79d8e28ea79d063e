/*
 * records.h: JSON records checked against a dataset of the model.
 *
 * A payload is one JSON object or an array of them.  Each record is checked
 * field by field, and every problem is listed (not only the first):
 *   - a field the dataset does not declare;
 *   - a required field that is absent or null;
 *   - the type: int (a JSON integer, 64-bit), float (any JSON number),
 *     string, bool, date (a "YYYY-MM-DD" string, a real calendar day),
 *     timestamp (an ISO 8601 string "YYYY-MM-DDTHH:MM[:SS[.fff]][Z|+HH:MM]",
 *     'T' or a space between date and time);
 *   - enum (strings), min and max (numbers, inclusive), max_length (strings,
 *     counted in Unicode code points).
 * null stands for "no value" and is accepted for fields that are not
 * required.
 */
#ifndef OWLET_RECORDS_H
#define OWLET_RECORDS_H

#include <stddef.h>

#include <jansson.h>

#include "model/model.h"

struct owlet_record_problem {
	long record;   /* 0-based index in the payload; -1 for the payload itself */
	char *field;   /* NULL when the problem is not about one field */
	char *message; /* lower case, no final full stop */
};

/* At most OWLET_RECORD_PROBLEMS_MAX problems are kept (the first found);
 * `total` counts every one, kept or not. */
#define OWLET_RECORD_PROBLEMS_MAX 100

struct owlet_record_problems {
	struct owlet_record_problem *items;
	size_t count, cap;
	size_t total;
};

/* What a JSON text holds, counted without building it (owlet_records_scan):
 * records are the elements of a top-level array (1 for any other value);
 * values count every JSON value at any depth (objects, arrays and scalars;
 * object keys are not values); depth is the deepest nesting (a scalar: 0). */
struct owlet_records_size {
	size_t records, values, depth;
};

/* Counts *out over the JSON text body[0..len) in one pass, with no
 * allocation; returns 1 when records > max_records, values > max_values or
 * depth > max_depth, else 0.  It only counts: a text it returns 0 for may
 * still be invalid JSON, but no valid one is ever counted short (max_depth
 * at most 4096). */
int owlet_records_scan(struct owlet_records_size *out, const char *body, size_t len, size_t max_records,
		       size_t max_values, size_t max_depth);

/* Checks `payload` against `ds`.  Returns the number of records (> 0) when
 * all are valid; OWLET_EINVALID when there are problems (appended to *out,
 * the first OWLET_RECORD_PROBLEMS_MAX kept, all counted in out->total);
 * OWLET_ENOMEM. */
int owlet_records_validate(struct owlet_record_problems *out, const struct owlet_dataset *ds,
			   const json_t *payload);

/* [{"record":N,"field":"x","message":"..."}, ...] (new reference; NULL on
 * out of memory).  "record" and "field" are left out when they do not
 * apply. */
json_t *owlet_record_problems_to_json(const struct owlet_record_problems *p);
void owlet_record_problems_clear(struct owlet_record_problems *p);

/* Whether s is a valid date (YYYY-MM-DD) / ISO 8601 timestamp. */
int owlet_records_is_date(const char *s);
int owlet_records_is_timestamp(const char *s);

#endif
