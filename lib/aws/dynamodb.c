/* dynamodb.c: DynamoDB's endpoint and attribute values (see dynamodb.h). */
#include "aws/dynamodb.h"

#include <stdlib.h>

#include "aws/client.h"

int owlet_dynamodb_open_env(struct owlet_aws_jsonapi **out)
{
	const char *endpoint = owlet_aws_env("AWS_ENDPOINT_URL_DYNAMODB");
	struct owlet_s3_config cfg = { getenv("AWS_ACCESS_KEY_ID"), getenv("AWS_SECRET_ACCESS_KEY"),
				       getenv("AWS_SESSION_TOKEN"), owlet_aws_env_region(),
				       endpoint ? endpoint : getenv("AWS_ENDPOINT_URL") };
	return owlet_aws_jsonapi_open(out, &cfg, "dynamodb", "DynamoDB_20120810", "application/x-amz-json-1.0");
}

long long owlet_dynamodb_number(const json_t *v)
{
	const char *n = json_string_value(json_object_get(v, "N"));
	return n ? strtoll(n, NULL, 10) : 0;
}
