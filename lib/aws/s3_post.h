/*
 * s3_post.h: S3 browser-based uploads (POST Object with a POST policy,
 * signed with SigV4), both sides:
 *
 *   owlet_s3_post_sign   the Lambda: a presigned POST limited to one key,
 *                        a content-length-range and an expiry (the form
 *                        fields a client sends, with the file last);
 *   owlet_s3_post_check  owlet's local front for S3 (lib/local/s3front.h):
 *                        the checks S3 makes on such a POST, with S3's
 *                        status and error code, since the emulator makes
 *                        none (docs/contracts.md, "Bulk uploads").
 *
 * The policy (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-HTTPPOSTConstructPolicy.html)
 * is {"expiration": "YYYY-MM-DDTHH:MM:SS.000Z", "conditions": [{"bucket": B},
 * ["eq", "$key", K], ["content-length-range", MIN, MAX],
 * {"x-amz-algorithm": "AWS4-HMAC-SHA256"}, {"x-amz-credential": C},
 * {"x-amz-date": D}, {"x-amz-security-token": T}?]}; the field "policy" is
 * its base64, and "x-amz-signature" the hex HMAC-SHA256 of that base64 text
 * under the SigV4 signing key of the credential's date, region and "s3".
 */
#ifndef OWLET_S3_POST_H
#define OWLET_S3_POST_H

#include <stdint.h>

#include <jansson.h>

struct owlet_s3_post_request {
	const char *access_key, *secret_key;
	const char *session_token; /* NULL or "": none */
	const char *region;        /* NULL: us-east-1 */
	const char *bucket, *key;
	long long min_size, max_size;
	int64_t now;               /* Unix seconds */
	int expires_s;             /* the policy expires now + expires_s */
};

/* *fields: a new object of the form fields (key, policy, x-amz-algorithm,
 * x-amz-credential, x-amz-date, x-amz-signature, x-amz-security-token when
 * there is a session token), all strings.  0, or a negative code. */
int owlet_s3_post_sign(json_t **fields, const struct owlet_s3_post_request *req);

/* S3's verdict on a POST: status 204 when accepted, else S3's status and
 * error code with its message. */
struct owlet_s3_post_verdict {
	int status;
	char code[40];
	char message[512];
};

/* Checks the form fields (an object of strings, names as sent) of a POST to
 * bucket whose file has file_size bytes, as S3 does, at Unix time now, with
 * the one credential the front knows (access_key, secret_key): v->status
 * 204, or 400/403 with S3's code: InvalidArgument (a field missing),
 * InvalidAccessKeyId, SignatureDoesNotMatch, InvalidPolicyDocument,
 * AccessDenied ("Invalid according to Policy: Policy expired.", "...Policy
 * Condition failed: ...", "...Extra input fields: ..."), EntityTooLarge,
 * EntityTooSmall.  Returns 0 (the verdict says the rest), or OWLET_ENOMEM. */
int owlet_s3_post_check(struct owlet_s3_post_verdict *v, const json_t *fields, const char *bucket,
			long long file_size, const char *access_key, const char *secret_key, int64_t now);

/* The XML error document of a verdict (new string; NULL when out of memory). */
char *owlet_s3_post_error_xml(const struct owlet_s3_post_verdict *v, const char *request_id);

#endif
