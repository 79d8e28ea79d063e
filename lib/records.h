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

#include "model.h"

struct owlet_record_problem {
	long record;   /* 0-based index in the payload; -1 for the payload itself */
	char *field;   /* NULL when the problem is not about one field */
	char *message; /* lower case, no final full stop */
};

struct owlet_record_problems {
	struct owlet_record_problem *items;
	size_t count, cap;
};

/* Checks `payload` against `ds`.  Returns the number of records (> 0) when
 * all are valid; OWLET_EINVALID when there are problems (appended to *out);
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
