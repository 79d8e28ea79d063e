/*
 * upload.h: bulk uploads (upload.c the routes, upload_trigger.c the S3 trigger; docs/uploads.md, docs/contracts.md
 * "Bulk uploads"):
 *
 *   POST /datasets/{name}/uploads       201 {"id","key","url","method","fields","expires","max_bytes",
 *                                       "format"}: a presigned S3 POST limited to the one key
 *                                       incoming/NAME/ID.EXT, a content-length-range and a short
 *                                       expiry | 400 (the file's format is not the dataset's) | 413
 *   GET  /datasets/{name}/uploads       200 {"uploads": [...]}: the recent ones, newest first
 *   GET  /datasets/{name}/uploads/{id}  200 the upload's record | 404
 *
 * and the S3 trigger on incoming/: each new file is read in bounded chunks,
 * checked against the model row by row; good rows are stored as POST
 * stores records (lambda_store_rows), bad ones go to rejects/NAME/ID.jsonl
 * with their line numbers and reasons, and the record
 * _uploads/NAME/ID.json gets the outcome.  The caller (handlers.c) has
 * checked the route, that the dataset exists and that the caller may write
 * it.
 */
#ifndef OWLET_LAMBDA_UPLOAD_H
#define OWLET_LAMBDA_UPLOAD_H

#include <stddef.h>

#include <jansson.h>

#include "handlers.h"
#include "model/model.h"

void lambda_upload_start(struct lambda_ctx *ctx, struct lambda_result *res, const json_t *event,
			 const struct owlet_dataset *ds);
void lambda_upload_list(struct lambda_ctx *ctx, struct lambda_result *res, const struct owlet_dataset *ds);
void lambda_upload_get(struct lambda_ctx *ctx, struct lambda_result *res, const struct owlet_dataset *ds,
		       const char *id);

/* Whether an S3 event record is about an object under incoming/. */
int lambda_upload_is_incoming(const json_t *record);
/* Processes the incoming/ records of an S3 event (*processed counts the
 * files handled, *skipped those not pending: a redelivered event, or a key
 * that is no upload).  Returns 0, or the first failure's code: the
 * invocation then fails and Lambda retries it. */
int lambda_upload_s3_event(struct lambda_ctx *ctx, size_t *processed, size_t *skipped, const json_t *records);

#endif
