/*
 * rest.h: one signed call to an AWS JSON service (SigV4 by libcurl,
 * CURLOPT_AWS_SIGV4): the JSON 1.1 protocol (POST / with X-Amz-Target) or a
 * REST GET.  For the inventory of a sandbox (lib/deploy/sandbox.h):
 * the tagging API, Cognito, CloudWatch Logs, API Gateway v2.
 */
#ifndef OWLET_AWS_REST_H
#define OWLET_AWS_REST_H

#include <jansson.h>

struct owlet_aws_service {
	const char *service;       /* SigV4 name and host prefix: "tagging", "logs", "apigateway" */
	const char *region;
	const char *endpoint;      /* "http://127.0.0.1:PORT"; NULL: https://<service>.<region>.amazonaws.com */
	const char *access_key;    /* NULL: $AWS_ACCESS_KEY_ID (and its secret and session token) */
	const char *secret_key;
};

/* target "Prefix.Action": a JSON 1.1 POST of request (borrowed); target NULL:
 * a GET of path.  *out is the answer (new reference).  An AWS error is
 * OWLET_EINVALID with its type and message; answers over 8 MB are OWLET_EIO. */
int owlet_aws_json(json_t **out, const struct owlet_aws_service *svc, const char *target, const char *path,
		   const json_t *request);

#endif
