/*
 * upload_internal.h: what upload.c (the routes) and upload_trigger.c (the
 * S3 trigger) share: upload ids and the records _uploads/NAME/ID.json.
 */
#ifndef OWLET_LAMBDA_UPLOAD_INTERNAL_H
#define OWLET_LAMBDA_UPLOAD_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "handlers.h"
#include "model/model.h"

/* "yyyymmddTHHMMSSmmmZ-<16 hex>" (owlet_random_stamped_id): sorts by time. */
bool upload_id_valid(const char *id);
/* Now, ISO 8601 to the second. */
void upload_iso_now(char out[32]);
/* _uploads/NAME/ID.json */
void upload_record_key(char *out, size_t size, const struct owlet_dataset *ds, const char *id);
/* Reads an upload's record: 0 and *rec (new), OWLET_ENOTFOUND, or an S3
 * failure; *etag (when not NULL, 128 bytes) its ETag. */
int upload_read_record(struct lambda_ctx *ctx, json_t **rec, const char *key, char *etag);
/* Writes a record; with if_match, only over that version (1 when it
 * changed meanwhile). */
int upload_write_record(struct lambda_ctx *ctx, const char *key, const json_t *rec, const char *if_match);
/* The upload's item in the metadata table's history; a failure is only logged. */
void upload_meta_history(struct lambda_ctx *ctx, const struct owlet_dataset *ds, const char *id, const json_t *rec);

#endif
