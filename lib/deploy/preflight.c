/* preflight.c: credentials and the state bucket before terraform (see preflight.h). */
#include "deploy/preflight.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/s3.h"
#include "aws/sts.h"
#include "base/error.h"

int owlet_aws_preflight(char *who, size_t who_size, const struct owlet_environment *env, const char *bucket)
{
	struct owlet_sts_identity id;
	int rc = owlet_sts_caller_identity(&id, env->region);
	if (rc < 0)
		return rc;
	snprintf(who, who_size, "account %s as %s", id.account, id.arn);
	const char *region = env->backend.region[0] ? env->backend.region : env->region;
	const char *endpoint = getenv("AWS_ENDPOINT_URL_S3");
	if (!endpoint || !endpoint[0])
		endpoint = getenv("AWS_ENDPOINT_URL");
	struct owlet_s3_config cfg = { .access_key = getenv("AWS_ACCESS_KEY_ID"),
				       .secret_key = getenv("AWS_SECRET_ACCESS_KEY"),
				       .session_token = getenv("AWS_SESSION_TOKEN"),
				       .region = region,
				       .endpoint = endpoint };
	struct owlet_s3 *s3 = NULL;
	struct owlet_s3_list list = { 0 };
	rc = owlet_s3_open(&s3, &cfg);
	if (rc == 0)
		rc = owlet_s3_list(s3, &list, bucket, "", 1);
	owlet_s3_list_clear(&list);
	owlet_s3_free(s3);
	if (rc == OWLET_ENOTFOUND) {
		char location[128] = "";
		if (strcmp(region, "us-east-1") != 0)
			snprintf(location, sizeof location, " --create-bucket-configuration LocationConstraint=%s", region);
		return owlet_error_setc(
			OWLET_ENOTFOUND,
			"the state bucket '%s' (backend.bucket of %s) does not exist in %s, %s: create it once, with the "
			"roles of the pipelines, with\n"
			"  owlet bootstrap --env %s\n"
			"or by hand with\n"
			"  aws s3api create-bucket --bucket %s --region %s%s\n"
			"  aws s3api put-bucket-versioning --bucket %s --versioning-configuration Status=Enabled\n"
			"(or set backend.bucket to a bucket of yours)",
			bucket, env->path, region, who, env->name, bucket, region, location, bucket);
	}
	if (rc < 0)
		return owlet_error_setc(rc, "cannot read the state bucket '%s': %s", bucket, owlet_error_last());
	return 0;
}
