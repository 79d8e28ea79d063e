/*
 * preflight.h: what an AWS environment needs before terraform runs, checked
 * by owlet itself so that the error names what is missing and the next step:
 * credentials (STS GetCallerIdentity) and the state bucket (S3 ListObjectsV2
 * of one key, through the same endpoint variables as lib/aws/s3.c).
 */
#ifndef OWLET_PREFLIGHT_H
#define OWLET_PREFLIGHT_H

#include <stddef.h>

#include "model/environment.h"

/* 0 with "account ACCOUNT as ARN" in who; else the first thing missing:
 * OWLET_EUSAGE (no credentials: which variables), OWLET_EINVALID (refused
 * credentials), OWLET_ENOTFOUND (no state bucket: the commands that make
 * it), OWLET_EIO. */
int owlet_aws_preflight(char *who, size_t who_size, const struct owlet_environment *env, const char *bucket);

#endif
