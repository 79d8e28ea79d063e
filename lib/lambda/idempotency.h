/*
 * idempotency.h: the Idempotency-Key of POST /datasets/NAME/records.
 *
 * A client sends `Idempotency-Key: <1 to 255 printable ASCII characters>`;
 * the Lambda keeps one record per (caller, dataset, key) for 24 hours in the
 * data bucket, at
 *   _idempotency/<dataset>/<hex SHA-256 of "<caller sub>\n<key>">.json
 * holding {"v":1, "key", "sub", "fingerprint" (hex SHA-256 of the request
 * body), "created" (Unix seconds), "data_key" (the object the request
 * stores), "status", "body" (the answer)}.  The record is written first,
 * with If-None-Match: *, so only one request owns a key; a retry with the
 * same body gets the recorded answer and (re)writes data_key only if it is
 * missing, again with If-None-Match: *.  See docs/contracts.md.
 */
#ifndef OWLET_IDEMPOTENCY_H
#define OWLET_IDEMPOTENCY_H

#include <stddef.h>

#include <jansson.h>

#define OWLET_IDEM_KEY_MAX 255
#define OWLET_IDEM_TTL_S 86400 /* 24 hours */
#define OWLET_IDEM_PREFIX "_idempotency/"

/* 0 when value[0..len) is a usable key: 1 to OWLET_IDEM_KEY_MAX bytes, each
 * printable ASCII (0x20 to 0x7e), no space first or last; else
 * OWLET_EINVALID, with a message that names the header. */
int owlet_idem_key_check(const char *value, size_t len);

/* The record's key (see above) into out; OWLET_EINVALID when it does not
 * fit. */
int owlet_idem_record_key(char *out, size_t size, const char *dataset, const char *subject, const char *key);

struct owlet_idem_record {
	char fingerprint[65];
	long long created;
	char *data_key;
	int status;
	json_t *body; /* the answer's body */
};

/* The stored form of r (a new reference; NULL when out of memory). */
json_t *owlet_idem_record_json(const struct owlet_idem_record *r, const char *key, const char *subject);
/* Reads a stored record; OWLET_EINVALID (with a message) when it is not one. */
int owlet_idem_record_parse(struct owlet_idem_record *r, const char *text, size_t len);
void owlet_idem_record_clear(struct owlet_idem_record *r);

#endif
