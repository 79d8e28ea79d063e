/* idempotency.c: the Idempotency-Key's checks and records (see idempotency.h). */
#include "lambda/idempotency.h"
#include "base/hash.h"
#include "base/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int owlet_idem_key_check(const char *value, size_t len)
{
	if (len == 0)
		return owlet_error_setc(OWLET_EINVALID, "the Idempotency-Key header is empty");
	if (len > OWLET_IDEM_KEY_MAX)
		return owlet_error_setc(OWLET_EINVALID, "the Idempotency-Key header is longer than %d characters",
					OWLET_IDEM_KEY_MAX);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)value[i];
		if (c < 0x20 || c > 0x7e)
			return owlet_error_setc(OWLET_EINVALID,
						"the Idempotency-Key header may hold only printable ASCII characters, "
						"not 0x%02x (at %zu)", c, i);
	}
	if (value[0] == ' ' || value[len - 1] == ' ')
		return owlet_error_setc(OWLET_EINVALID, "the Idempotency-Key header starts or ends with a space");
	return 0;
}

int owlet_idem_record_key(char *out, size_t size, const char *dataset, const char *subject, const char *key)
{
	char *who = NULL, hex[65];
	if (asprintf(&who, "%s\n%s", subject, key) < 0)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	owlet_sha256_hex(hex, who, strlen(who));
	free(who);
	int n = snprintf(out, size, OWLET_IDEM_PREFIX "%s/%s.json", dataset, hex);
	if (n < 0 || (size_t)n >= size)
		return owlet_error_setc(OWLET_EINVALID, "the idempotency record's key is too long");
	return 0;
}

json_t *owlet_idem_record_json(const struct owlet_idem_record *r, const char *key, const char *subject)
{
	return json_pack("{s:i, s:s, s:s, s:s, s:I, s:s, s:i, s:O}", "v", 1, "key", key, "sub", subject,
			 "fingerprint", r->fingerprint, "created", (json_int_t)r->created, "data_key", r->data_key,
			 "status", r->status, "body", r->body);
}

int owlet_idem_record_parse(struct owlet_idem_record *r, const char *text, size_t len)
{
	memset(r, 0, sizeof *r);
	json_error_t jerr;
	json_t *j = json_loadb(text, len, 0, &jerr);
	const char *fp = NULL, *data_key = NULL;
	json_int_t v = 0, created = 0, status = 0;
	json_t *body = NULL;
	if (!j || json_unpack(j, "{s:I, s:s, s:I, s:s, s:I, s:o}", "v", &v, "fingerprint", &fp, "created", &created,
			      "data_key", &data_key, "status", &status, "body", &body) != 0 ||
	    v != 1 || strlen(fp) != 64 || strspn(fp, "0123456789abcdef") != 64 || status < 100 || status > 599 ||
	    !json_is_object(body)) {
		json_decref(j);
		return owlet_error_setc(OWLET_EINVALID, "not an idempotency record");
	}
	memcpy(r->fingerprint, fp, 65);
	r->created = created;
	r->status = (int)status;
	r->data_key = strdup(data_key);
	r->body = json_incref(body);
	json_decref(j);
	if (!r->data_key) {
		owlet_idem_record_clear(r);
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	}
	return 0;
}

void owlet_idem_record_clear(struct owlet_idem_record *r)
{
	free(r->data_key);
	json_decref(r->body);
	memset(r, 0, sizeof *r);
}
