/* zipimport.c: a prebuilt Lambda zip into state/<env>/artifacts/ (see zipimport.h). */
#include "deploy/zipimport.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/base64.h"
#include "base/error.h"
#include "base/hash.h"
#include "base/fsutil.h"

void owlet_sha256_base64(char *buf, size_t size, const void *data, size_t len)
{
	unsigned char digest[32];
	buf[0] = '\0';
	if (size < 45)
		return;
	owlet_sha256(digest, data, len);
	char *b64 = owlet_base64_encode(digest, sizeof digest);
	if (b64)
		snprintf(buf, size, "%s", b64);
	free(b64);
}

int owlet_zip_import(const char *zip_path, const char *artifacts_dir, const char *architecture)
{
	char *data = NULL, *text = NULL;
	size_t len = 0;
	char *zip_dst = owlet_fs_join(artifacts_dir, "lambda.zip");
	char *json_dst = owlet_fs_join(artifacts_dir, "lambda.json");
	json_t *j = NULL;
	int rc = zip_dst && json_dst ? owlet_fs_read(&data, &len, zip_path)
				     : owlet_error_setc(OWLET_ENOMEM, "out of memory");
	if (rc < 0)
		goto out;
	if (len < 4 || memcmp(data, "PK\003\004", 4) != 0) {
		rc = owlet_error_setc(OWLET_EINVALID, "'%s' is not a zip file", zip_path);
		goto out;
	}
	char sha[48];
	owlet_sha256_base64(sha, sizeof sha, data, len);
	j = json_pack("{s:s, s:s, s:s, s:I}", "path", "artifacts/lambda.zip", "sha256_base64", sha, "architecture",
		      architecture, "size", (json_int_t)len);
	text = j ? json_dumps(j, JSON_INDENT(2)) : NULL;
	if (!text) {
		rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
		goto out;
	}
	rc = owlet_fs_mkdirs(artifacts_dir);
	if (rc == 0)
		rc = owlet_fs_write_atomic(zip_dst, data, len);
	if (rc == 0)
		rc = owlet_fs_write_atomic(json_dst, text, strlen(text));
out:
	json_decref(j);
	free(text);
	free(data);
	free(zip_dst);
	free(json_dst);
	return rc;
}
