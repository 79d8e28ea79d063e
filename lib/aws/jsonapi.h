/*
 * jsonapi.h: a client of one AWS service on its JSON protocol (POST / with
 * X-Amz-Target: PREFIX.Operation), over libcurl signed with
 * CURLOPT_AWS_SIGV4; one handle kept open (connections are reused).
 * What Athena (athena.h) and DynamoDB (dynamodb.h) share.
 *
 * Throttling (ThrottlingException, TooManyRequestsException,
 * ProvisionedThroughputExceededException, RequestLimitExceeded), 5xx and
 * transport failures are retried with backoff (4 attempts), never past the
 * deadline.  Not thread-safe.
 */
#ifndef OWLET_AWS_JSONAPI_H
#define OWLET_AWS_JSONAPI_H

#include <stdint.h>

#include <jansson.h>

#include "aws/s3.h"

struct owlet_aws_jsonapi;

/* service: the SigV4 name and host prefix ("athena", "dynamodb");
 * target_prefix: "AmazonAthena", "DynamoDB_20120810"; content_type:
 * "application/x-amz-json-1.1" or "-1.0".  cfg->endpoint NULL or "":
 * https://SERVICE.REGION.amazonaws.com/.  OWLET_EUSAGE without
 * credentials. */
int owlet_aws_jsonapi_open(struct owlet_aws_jsonapi **out, const struct owlet_s3_config *cfg, const char *service,
			   const char *target_prefix, const char *content_type);
void owlet_aws_jsonapi_free(struct owlet_aws_jsonapi *c);
void owlet_aws_jsonapi_set_deadline(struct owlet_aws_jsonapi *c, int64_t deadline_ms);

/* One operation: 0 and *resp (new reference), or a negative code:
 * OWLET_EINVALID for a 4xx, with the message "TYPE: Message";
 * OWLET_ENOTFOUND for 501; OWLET_EINTR at the deadline; OWLET_EIO
 * otherwise.  owlet_aws_jsonapi_last_type() is the error's __type after
 * its '#' ("" when none). */
int owlet_aws_jsonapi_call(struct owlet_aws_jsonapi *c, const char *operation, const json_t *req, json_t **resp);
const char *owlet_aws_jsonapi_last_type(const struct owlet_aws_jsonapi *c);

#endif
