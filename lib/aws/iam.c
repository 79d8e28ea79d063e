/* iam.c: GetRole and ListOpenIDConnectProviders (see iam.h). */
#include "aws/iam.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/query.h"
#include "base/error.h"

#define OIDC_MAX 100 /* IAM allows 100 OIDC providers per account */

static int call(char **xml, long *status, const struct owlet_iam *c, const char *body)
{
	const char *endpoint = c->endpoint ? c->endpoint
					   : owlet_aws_env_or("AWS_ENDPOINT_URL_IAM",
							      owlet_aws_env_or("AWS_ENDPOINT_URL", "https://iam.amazonaws.com/"));
	struct owlet_aws_query q = { .url = endpoint, .service = "iam", .region = "us-east-1",
				     .access_key = c->access_key, .secret_key = c->secret_key,
				     .session_token = c->session_token };
	return owlet_aws_query_call(xml, status, &q, body);
}

static int refused(const char *what, long status, const char *xml)
{
	char code[128], msg[512];
	owlet_aws_xml_text(code, sizeof code, xml, "Code");
	owlet_aws_xml_text(msg, sizeof msg, xml, "Message");
	return owlet_error_setc(OWLET_EINVALID, "IAM %s: %ld %s: %s", what, status, code[0] ? code : "error",
				msg[0] ? msg : "no message");
}

int owlet_iam_role_exists(const struct owlet_iam *c, const char *name)
{
	char *enc = curl_easy_escape(NULL, name, 0), *body = NULL, *xml = NULL;
	long status = 0;
	int rc = enc && asprintf(&body, "Action=GetRole&Version=2010-05-08&RoleName=%s", enc) >= 0
			 ? call(&xml, &status, c, body)
			 : owlet_error_setc(OWLET_ENOMEM, "out of memory");
	if (rc == 0) {
		char code[128];
		owlet_aws_xml_text(code, sizeof code, xml, "Code");
		if (status == 200)
			rc = 1;
		else if (strcmp(code, "NoSuchEntity") == 0)
			rc = 0;
		else
			rc = refused("GetRole", status, xml);
	}
	curl_free(enc);
	free(body);
	free(xml);
	return rc;
}

int owlet_iam_find_oidc_provider(char *arn, size_t size, const struct owlet_iam *c, const char *host)
{
	arn[0] = '\0';
	char *xml = NULL;
	long status = 0;
	int rc = call(&xml, &status, c, "Action=ListOpenIDConnectProviders&Version=2010-05-08");
	if (rc == 0 && status != 200)
		rc = refused("ListOpenIDConnectProviders", status, xml);
	/* each <Arn>arn:aws:iam::ACCOUNT:oidc-provider/HOST</Arn> */
	const char *p = xml;
	size_t hl = strlen(host);
	for (int i = 0; rc == 0 && i < OIDC_MAX && (p = strstr(p, "<Arn>")) != NULL; i++) {
		p += 5;
		const char *end = strstr(p, "</Arn>");
		if (!end)
			break;
		size_t len = (size_t)(end - p);
		if (len > hl + 1 && p[len - hl - 1] == '/' && strncmp(p + len - hl, host, hl) == 0 && len < size) {
			memcpy(arn, p, len);
			arn[len] = '\0';
			break;
		}
		p = end;
	}
	free(xml);
	return rc;
}
