/*
 * post.h: storing records (post.c), and the answers handlers.c gives that
 * post.c shares.  Internal to the Lambda program.
 */
#ifndef OWLET_LAMBDA_POST_H
#define OWLET_LAMBDA_POST_H

#include <stdbool.h>

#include <jansson.h>

#include "handlers.h"
#include "model/model.h"

/* POST /datasets/NAME/records for dataset ds (the caller may write it). */
void lambda_post_records(struct lambda_ctx *ctx, struct lambda_result *res, const json_t *event,
			 const struct owlet_dataset *ds);

/* Stores rows of a bulk upload (a JSON array of records, each valid and
 * with its partition and key values) in the data bucket's layout under
 * objects named STEM-rN.jsonl, as POST does, but row by row for keys:
 * verdict[i] (n = the array's size) is 0 when row i is stored, 1 when its
 * key appeared in an earlier row of this batch (first_of[i] that row), 2
 * when the dataset already has its key (stored before, or by an earlier
 * batch of the same upload).  Returns 0, or the code of a failed S3 call
 * (the markers this call wrote are deleted again).  Writes are
 * conditional, so a batch stored again with the same stem stores nothing
 * twice. */
int lambda_store_rows(struct lambda_ctx *ctx, const struct owlet_dataset *ds, const json_t *rows, const char *stem,
		      long long now, signed char *verdict, size_t *first_of);

/* Answers (handlers.c): status and body (a new reference, taken); a
 * {"message"} body; the same marked as a replay of an Idempotency-Key; the
 * answer to an S3 failure code. */
void lambda_respond(struct lambda_result *res, int status, json_t *body);
void lambda_respond_message(struct lambda_result *res, int status, const char *msg);
void lambda_respond_replay(struct lambda_result *res, int status, json_t *body, bool replayed);
void lambda_respond_s3_error(struct lambda_result *res, int rc);

#endif
