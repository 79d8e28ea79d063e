/* sts.c: STS GetCallerIdentity over libcurl + SigV4 (see sts.h). */
#include "aws/sts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/query.h"
#include "base/error.h"

int owlet_sts_caller_identity(struct owlet_sts_identity *out, const char *region)
{
	memset(out, 0, sizeof *out);
	char url[512];
	const char *endpoint = owlet_aws_env_or("AWS_ENDPOINT_URL_STS", owlet_aws_env_or("AWS_ENDPOINT_URL", NULL));
	if (endpoint)
		snprintf(url, sizeof url, "%s", endpoint);
	else
		snprintf(url, sizeof url, "https://sts.%s.amazonaws.com/", region);
	struct owlet_aws_query q = { .url = url, .service = "sts", .region = region };
	char *xml = NULL;
	long status = 0;
	int rc = owlet_aws_query_call(&xml, &status, &q, "Action=GetCallerIdentity&Version=2011-06-15");
	if (rc == OWLET_EIO)
		rc = owlet_error_setc(OWLET_EIO, "cannot reach STS to check the AWS credentials: %s", owlet_error_last());
	if (rc == 0 && status != 200) {
		char code[128], msg[512];
		owlet_aws_xml_text(code, sizeof code, xml, "Code");
		owlet_aws_xml_text(msg, sizeof msg, xml, "Message");
		rc = owlet_error_setc(OWLET_EINVALID, "AWS refuses the credentials of AWS_ACCESS_KEY_ID (STS %ld %s: %s)",
				      status, code[0] ? code : "error", msg[0] ? msg : "no message");
	}
	if (rc == 0) {
		owlet_aws_xml_text(out->account, sizeof out->account, xml, "Account");
		owlet_aws_xml_text(out->arn, sizeof out->arn, xml, "Arn");
		if (!out->account[0])
			rc = owlet_error_setc(OWLET_EIO, "STS at '%s' answered without an account", url);
	}
	free(xml);
	return rc;
}
