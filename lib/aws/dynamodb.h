/*
 * dynamodb.h: DynamoDB on its JSON 1.0 protocol (jsonapi.h, target
 * DynamoDB_20120810, SigV4 service "dynamodb").  The Lambda links it for
 * the dataset metadata table (docs/contracts.md, "Dataset metadata").
 *
 * The endpoint: AWS_ENDPOINT_URL_DYNAMODB, else AWS_ENDPOINT_URL, else
 * https://dynamodb.REGION.amazonaws.com; credentials and region as s3.h.
 */
#ifndef OWLET_AWS_DYNAMODB_H
#define OWLET_AWS_DYNAMODB_H

#include "aws/jsonapi.h"

int owlet_dynamodb_open_env(struct owlet_aws_jsonapi **out);

/* A number attribute value's text ({"N":"12"}) as a long long; 0 when v is
 * no such value. */
long long owlet_dynamodb_number(const json_t *v);

#endif
