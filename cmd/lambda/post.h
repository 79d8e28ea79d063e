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

/* Answers (handlers.c): status and body (a new reference, taken); a
 * {"message"} body; the same marked as a replay of an Idempotency-Key; the
 * answer to an S3 failure code. */
void lambda_respond(struct lambda_result *res, int status, json_t *body);
void lambda_respond_message(struct lambda_result *res, int status, const char *msg);
void lambda_respond_replay(struct lambda_result *res, int status, json_t *body, bool replayed);
void lambda_respond_s3_error(struct lambda_result *res, int rc);

#endif
