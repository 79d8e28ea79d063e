/*
 * query.h: one call of an AWS Query API (STS, IAM): a form-encoded POST,
 * signed with SigV4 by libcurl (CURLOPT_AWS_SIGV4), an XML answer.
 * Credentials: the ones given, else AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY
 * and AWS_SESSION_TOKEN.
 */
#ifndef OWLET_AWS_QUERY_H
#define OWLET_AWS_QUERY_H

#include <stddef.h>

struct owlet_aws_query {
	const char *url;           /* the service's endpoint */
	const char *service;       /* SigV4 service name: "sts", "iam" */
	const char *region;        /* SigV4 region */
	const char *access_key;    /* NULL: $AWS_ACCESS_KEY_ID */
	const char *secret_key;    /* NULL: $AWS_SECRET_ACCESS_KEY */
	const char *session_token; /* NULL: $AWS_SESSION_TOKEN when set */
};

/* POSTs body (Action=...&Version=...); *answer is the answer (caller frees), *status its HTTP status.  OWLET_EUSAGE without
 * credentials (the message names the variables), OWLET_EIO when the
 * endpoint cannot be reached. */
int owlet_aws_query_call(char **answer, long *status, const struct owlet_aws_query *q, const char *body);

/* One signed HTTP exchange, what query and rest.h calls share: a POST of
 * body (with content_type and, when not NULL, X-Amz-Target: target), or a
 * GET when body is NULL.  Credentials as above (access_key given: no
 * session token unless given).  *resp holds the answer (at most 8 MB),
 * *status its HTTP status. */
struct owlet_buf;
int owlet_aws_http(struct owlet_buf *resp, long *status, const struct owlet_aws_query *q, const char *content_type,
		   const char *target, const char *body);

/* The text of the first <tag>...</tag> in xml into out ("" when absent). */
void owlet_aws_xml_text(char *out, size_t size, const char *xml, const char *tag);

/* getenv(name) when set and not empty, else fallback. */
const char *owlet_aws_env_or(const char *name, const char *fallback);

#endif
