/*
 * s3front.h: owlet's local front for S3 browser-based uploads, served on
 * 127.0.0.1 for the local environment.  The emulator checks neither
 * presigned URLs nor POST policies (it stores expired, oversized and
 * wrongly keyed uploads) and invokes no function on S3 events, so the
 * presigned POSTs of the Lambda (lib/aws/s3_post.h) go here instead:
 *
 *   POST /BUCKET  multipart/form-data, the file last: the fields are checked
 *                 as S3 checks them (owlet_s3_post_check: the signature, the
 *                 expiry, every condition of the policy, the size range);
 *                 refused: S3's status and XML error document; accepted: the
 *                 file is PUT into the emulator's bucket, the answer is 204
 *                 with ETag and Location, as S3's, and an S3 event
 *                 (ObjectCreated:Post, the key URL-encoded as S3 encodes it)
 *                 is queued for the function: one delivery thread invokes
 *                 the Runtime API server with it, retrying twice on a
 *                 function error as Lambda's asynchronous invocation does.
 *   anything else 405 MethodNotAllowed, or 404 NoSuchBucket for another bucket.
 * Limits: a body of at most max_bytes (the file is held in memory: this is
 * the local stand-in); 64 form fields of at most 16 KiB; 64 events queued
 * (more: 503 SlowDown).
 */
#ifndef OWLET_LOCAL_S3FRONT_H
#define OWLET_LOCAL_S3FRONT_H

#include <stdint.h>

#include "aws/s3.h"
#include "local/runtime_server.h"

struct owlet_s3front;

struct owlet_s3front_config {
	uint16_t port;                 /* 0: any free port */
	const char *bucket;            /* the one bucket it serves */
	struct owlet_s3_config s3;     /* the emulator; strings copied */
	const char *access_key;        /* the credential presigned POSTs are signed with */
	const char *secret_key;
	struct owlet_runtime *runtime; /* borrowed; NULL: no event is delivered */
	long timeout_ms;               /* the function's timeout */
	long long max_bytes;           /* 0: 128 MiB */
	void (*log)(void *cls, const char *line); /* may be NULL */
	void *log_cls;
};

int owlet_s3front_start(struct owlet_s3front **out, const struct owlet_s3front_config *cfg);
/* Delivers events to rt from now on (a front started without a runtime:
 * the function's environment needs the front's URL before it starts). */
int owlet_s3front_attach(struct owlet_s3front *f, struct owlet_runtime *rt);
uint16_t owlet_s3front_port(const struct owlet_s3front *f);
/* Waits until no event is queued or being delivered (at most timeout_ms):
 * 0, or OWLET_EINTR when time ran out.  For tests and shutdown. */
int owlet_s3front_drain(struct owlet_s3front *f, long timeout_ms);
void owlet_s3front_stop(struct owlet_s3front *f);

#endif
