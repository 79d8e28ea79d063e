/*
 * layout.h: validated records in the data bucket's one layout
 * (docs/contracts.md, "The data bucket"): canonical JSON Lines, grouped
 * into one object per dt= day of the partition_by value, and the key of
 * each record for the key markers under _keys/NAME/.
 */
#ifndef OWLET_LAMBDA_LAYOUT_H
#define OWLET_LAMBDA_LAYOUT_H

#include <stddef.h>

#include <jansson.h>

#include "model/model.h"

/* At most this many distinct dt= days in one request (one object each). */
#define LAYOUT_MAX_DAYS 366

struct layout_part {
	char day[11]; /* "YYYY-MM-DD"; "" when the dataset has no partition_by */
	char *lines;  /* canonical JSON Lines */
	size_t size;
	int records;
};

struct layout_batch {
	struct layout_part *parts;
	size_t n_parts;
	/* per record, when the dataset has a key: the key's canonical text,
	 * its hex SHA-256, and the index of its part */
	char **key_text;
	char (*key_hash)[65];
	size_t *part_of;
	size_t n_records;
	json_t *problems; /* [{"record","field","message"}...] (first 100) */
	size_t n_problems;
};

/* Groups the n validated records of payload (one object or an array).
 * Returns 0; OWLET_EINVALID when a record has no partition value or no
 * key (listed in b->problems), or spans more than LAYOUT_MAX_DAYS days
 * (message only); OWLET_ENOMEM.  *dup_a / *dup_b are set to two records
 * that share a key (else -1). */
int layout_build(struct layout_batch *b, const struct owlet_dataset *ds, const json_t *payload, int n,
		 long *dup_a, long *dup_b);
void layout_clear(struct layout_batch *b);

/* The object key of a part: raw/NAME/[dt=DAY/]STEM-rN.jsonl. */
int layout_object_key(char *out, size_t size, const struct owlet_dataset *ds, const struct layout_part *p,
		      const char *stem);
/* The marker of a key: _keys/NAME/HASH.json. */
int layout_marker_key(char *out, size_t size, const struct owlet_dataset *ds, const char *hash);

/* The stem of an object key made by layout_object_key (what lies between
 * the last '/' and "-r<N>.jsonl"), into out; OWLET_EINVALID when key is not
 * such a key. */
int layout_stem_of(char *out, size_t size, const char *key);

#endif
