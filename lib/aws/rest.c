/* rest.c: signed JSON calls to AWS services (see rest.h). */
#include "aws/rest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/query.h"
#include "base/buf.h"
#include "base/error.h"

int owlet_aws_json(json_t **out, const struct owlet_aws_service *svc, const char *target, const char *path,
		   const json_t *request)
{
	*out = NULL;
	char url[1024];
	if (svc->endpoint)
		snprintf(url, sizeof url, "%s%s", svc->endpoint, target ? "/" : path);
	else
		snprintf(url, sizeof url, "https://%s.%s.amazonaws.com%s", svc->service, svc->region, target ? "/" : path);
	struct owlet_aws_query q = { .url = url, .service = svc->service, .region = svc->region,
				     .access_key = svc->access_key, .secret_key = svc->secret_key };
	char *body = target ? json_dumps(request, JSON_COMPACT) : NULL;
	struct owlet_buf resp = { 0 };
	long status = 0;
	int rc = !target || body ? owlet_aws_http(&resp, &status, &q, "application/x-amz-json-1.1", target, body)
				 : owlet_error_setc(OWLET_ENOMEM, "out of memory");
	/* an empty answer (DeleteLogGroup's) is an empty object */
	json_t *doc = rc != 0 ? NULL : resp.len ? json_loadb(resp.data, resp.len, 0, NULL) : json_object();
	if (rc == 0 && status != 200) {
		const char *type = json_string_value(json_object_get(doc, "__type"));
		const char *msg = json_string_value(json_object_get(doc, "message"));
		if (!msg)
			msg = json_string_value(json_object_get(doc, "Message"));
		rc = owlet_error_setc(OWLET_EINVALID, "%s %s: HTTP %ld %s: %s", svc->service, target ? target : path,
				      status, type ? type : "error", msg ? msg : "no message");
	} else if (rc == 0 && !doc) {
		rc = owlet_error_setc(OWLET_EIO, "%s %s: the answer is not JSON", svc->service, target ? target : path);
	}
	if (rc == 0)
		*out = doc;
	else
		json_decref(doc);
	owlet_buf_free(&resp);
	free(body);
	return rc;
}
