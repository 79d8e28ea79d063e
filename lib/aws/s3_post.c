/*
 * s3_post.c: presigned S3 POSTs, signed and checked (see s3_post.h).
 */
#include "aws/s3_post.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/base64.h"
#include "base/clock.h"
#include "base/error.h"
#include "base/hash.h"
#include "base/hex.h"

static int nomem(void)
{
	return owlet_error_setc(OWLET_ENOMEM, "out of memory");
}

static void hmac(unsigned char out[32], const void *key, size_t klen, const char *msg)
{
	owlet_hmac_sha256(out, key, klen, msg, strlen(msg));
}

/* hex HMAC-SHA256 of text under the SigV4 key of (secret, yyyymmdd, region, s3) */
static void sign_text(char out[65], const char *secret, const char *day, const char *region, const char *text)
{
	char k0[200];
	unsigned char k[32];
	snprintf(k0, sizeof k0, "AWS4%s", secret);
	hmac(k, k0, strlen(k0), day);
	hmac(k, k, 32, region);
	hmac(k, k, 32, "s3");
	hmac(k, k, 32, "aws4_request");
	unsigned char sig[32];
	hmac(sig, k, 32, text);
	owlet_hex_encode(out, sig, sizeof sig);
	owlet_wipe(k0, sizeof k0);
	owlet_wipe(k, sizeof k);
}

int owlet_s3_post_sign(json_t **fields, const struct owlet_s3_post_request *req)
{
	*fields = NULL;
	const char *region = req->region && *req->region ? req->region : "us-east-1";
	const char *token = req->session_token && *req->session_token ? req->session_token : NULL;
	if (!req->access_key || !*req->access_key || !req->secret_key || !*req->secret_key ||
	    strlen(req->secret_key) > 150)
		return owlet_error_setc(OWLET_EUSAGE, "no AWS credentials to sign an upload with");
	time_t now = (time_t)req->now, exp = (time_t)(req->now + req->expires_s);
	struct tm tm;
	char day[16], amz_date[32], expiration[40], credential[256];
	gmtime_r(&now, &tm);
	strftime(day, sizeof day, "%Y%m%d", &tm);
	strftime(amz_date, sizeof amz_date, "%Y%m%dT%H%M%SZ", &tm);
	owlet_clock_format(expiration, sizeof expiration, (int64_t)exp * 1000, OWLET_CLOCK_ISO_MS);
	snprintf(credential, sizeof credential, "%s/%s/%s/s3/aws4_request", req->access_key, day, region);
	json_t *conds = json_pack("[{s:s}, [s, s, s], [s, I, I], {s:s}, {s:s}, {s:s}]", "bucket", req->bucket, "eq",
				  "$key", req->key, "content-length-range", (json_int_t)req->min_size,
				  (json_int_t)req->max_size, "x-amz-algorithm", "AWS4-HMAC-SHA256", "x-amz-credential",
				  credential, "x-amz-date", amz_date);
	if (conds && token && json_array_append_new(conds, json_pack("{s:s}", "x-amz-security-token", token)) < 0) {
		json_decref(conds);
		conds = NULL;
	}
	json_t *policy = conds ? json_pack("{s:s, s:o}", "expiration", expiration, "conditions", conds) : NULL;
	char *text = policy ? json_dumps(policy, JSON_COMPACT) : NULL;
	json_decref(policy);
	char *b64 = text ? owlet_base64_encode((const unsigned char *)text, strlen(text)) : NULL;
	free(text);
	if (!b64)
		return nomem();
	char sig[65];
	sign_text(sig, req->secret_key, day, region, b64);
	json_t *f = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "key", req->key, "policy", b64, "x-amz-algorithm",
			      "AWS4-HMAC-SHA256", "x-amz-credential", credential, "x-amz-date", amz_date,
			      "x-amz-signature", sig);
	free(b64);
	if (f && token && json_object_set_new(f, "x-amz-security-token", json_string(token)) < 0) {
		json_decref(f);
		f = NULL;
	}
	if (!f)
		return nomem();
	*fields = f;
	return 0;
}

static int verdict(struct owlet_s3_post_verdict *v, int status, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int verdict(struct owlet_s3_post_verdict *v, int status, const char *code, const char *fmt, ...)
{
	v->status = status;
	snprintf(v->code, sizeof v->code, "%s", code);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(v->message, sizeof v->message, fmt, ap);
	va_end(ap);
	return 0;
}

/* The form field `name` (S3 matches field names without case). */
static const char *field(const json_t *fields, const char *name)
{
	const char *k;
	const json_t *val;
	json_object_foreach((json_t *)fields, k, val)
		if (strcasecmp(k, name) == 0)
			return json_string_value(val);
	return NULL;
}

/* "2026-12-07T22:10:00.000Z" (fraction optional) -> Unix seconds; -1 when not that form. */
static long long parse_expiration(const char *s)
{
	int y, mo, d, h, mi, sec, n = 0;
	if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6)
		return -1;
	const char *p = s + n;
	if (*p == '.') {
		p++;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (strcmp(p, "Z") != 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return -1;
	struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi, .tm_sec = sec };
	return (long long)timegm(&tm);
}

/* Whether a form field needs no condition of the policy. */
static bool exempt(const char *name)
{
	return strcasecmp(name, "policy") == 0 || strcasecmp(name, "x-amz-signature") == 0 ||
	       strcasecmp(name, "file") == 0 || strncasecmp(name, "x-ignore-", 9) == 0;
}

/* The value a condition compares: the bucket for "bucket", else the field. */
static const char *value_of(const json_t *fields, const char *bucket, const char *name)
{
	return strcasecmp(name, "bucket") == 0 ? bucket : field(fields, name);
}

/* S3's rendering of a failed condition in its message. */
static void cond_text(char *out, size_t size, const json_t *c)
{
	char *t = json_dumps(c, JSON_COMPACT | JSON_ENCODE_ANY);
	snprintf(out, size, "%s", t ? t : "?");
	free(t);
}

int owlet_s3_post_check(struct owlet_s3_post_verdict *v, const json_t *fields, const char *bucket,
			long long file_size, const char *access_key, const char *secret_key, int64_t now)
{
	memset(v, 0, sizeof *v);
	static const char *const required[] = { "key", "x-amz-algorithm", "x-amz-credential", "x-amz-date",
						"x-amz-signature" };
	const char *policy_b64 = field(fields, "policy");
	if (!field(fields, "key"))
		return verdict(v, 400, "InvalidArgument",
			       "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.");
	if (!policy_b64) /* an anonymous POST: the bucket is not public */
		return verdict(v, 403, "AccessDenied", "Access Denied");
	for (size_t i = 1; i < sizeof required / sizeof required[0]; i++)
		if (!field(fields, required[i]))
			return verdict(v, 400, "InvalidArgument",
				       "Bucket POST must contain a field named '%s'.  If it is specified, please check the order of the fields.",
				       required[i]);
	if (strcmp(field(fields, "x-amz-algorithm"), "AWS4-HMAC-SHA256") != 0)
		return verdict(v, 400, "InvalidArgument", "Unsupported algorithm: %.100s", field(fields, "x-amz-algorithm"));
	/* AKID/YYYYMMDD/REGION/s3/aws4_request */
	char akid[128], day[16], region[64], service[16], term[32];
	const char *cred = field(fields, "x-amz-credential");
	if (strlen(cred) > 250 ||
	    sscanf(cred, "%127[^/]/%15[^/]/%63[^/]/%15[^/]/%31s", akid, day, region, service, term) != 5 ||
	    strcmp(service, "s3") != 0 || strcmp(term, "aws4_request") != 0 || strlen(day) != 8)
		return verdict(v, 400, "AuthorizationQueryParametersError",
			       "Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".");
	if (strcmp(akid, access_key) != 0)
		return verdict(v, 403, "InvalidAccessKeyId",
			       "The AWS Access Key Id you provided does not exist in our records.");
	char want[65];
	sign_text(want, secret_key, day, region, policy_b64);
	const char *got = field(fields, "x-amz-signature");
	if (strlen(got) != 64 || !owlet_equal_ct(want, got, 64))
		return verdict(v, 403, "SignatureDoesNotMatch",
			       "The request signature we calculated does not match the signature you provided. Check your key and signing method.");
	unsigned char *text = NULL;
	size_t tlen = 0;
	json_t *policy = NULL;
	if (owlet_base64_decode(&text, &tlen, policy_b64, strlen(policy_b64)) == 0)
		policy = json_loadb((const char *)text, tlen, JSON_REJECT_DUPLICATES, NULL);
	else
		owlet_error_clear();
	free(text);
	const json_t *conds = json_object_get(policy, "conditions");
	int rc = 0;
	if (!json_is_object(policy) || !json_is_array(conds)) {
		verdict(v, 400, "InvalidPolicyDocument", "Invalid Policy: Invalid JSON.");
		goto out;
	}
	long long expires = parse_expiration(json_string_value(json_object_get(policy, "expiration")));
	if (expires < 0) {
		verdict(v, 400, "InvalidPolicyDocument", "Invalid Policy: Invalid 'expiration' value: '%.60s'",
			json_string_value(json_object_get(policy, "expiration")) ? json_string_value(json_object_get(policy, "expiration")) : "");
		goto out;
	}
	if (now > expires) {
		verdict(v, 403, "AccessDenied", "Invalid according to Policy: Policy expired.");
		goto out;
	}
	/* every field but the exempt ones must be named by a condition */
	json_t *named = json_object();
	if (!named) {
		rc = nomem();
		goto out;
	}
	size_t i;
	const json_t *c;
	long long min_size = -1, max_size = -1;
	char shown[300];
	json_array_foreach(conds, i, c) {
		if (json_is_object(c) && json_object_size(c) == 1) { /* {"name": "value"}: exact */
			const char *name = json_object_iter_key(json_object_iter((json_t *)c));
			const char *want_v = json_string_value(json_object_iter_value(json_object_iter((json_t *)c)));
			const char *have = value_of(fields, bucket, name);
			json_object_set_new(named, name, json_true());
			if (!want_v || !have || strcmp(want_v, have) != 0) {
				cond_text(shown, sizeof shown, c);
				verdict(v, 403, "AccessDenied", "Invalid according to Policy: Policy Condition failed: %s", shown);
				break;
			}
		} else if (json_is_array(c) && json_array_size(c) == 3 && json_is_string(json_array_get(c, 0))) {
			const char *op = json_string_value(json_array_get(c, 0));
			if (strcasecmp(op, "content-length-range") == 0) {
				min_size = (long long)json_integer_value(json_array_get(c, 1));
				max_size = (long long)json_integer_value(json_array_get(c, 2));
				continue;
			}
			const char *name = json_string_value(json_array_get(c, 1));
			const char *arg = json_string_value(json_array_get(c, 2));
			if (!name || name[0] != '$' || !arg || (strcasecmp(op, "eq") != 0 && strcasecmp(op, "starts-with") != 0)) {
				verdict(v, 400, "InvalidPolicyDocument", "Invalid Policy: Invalid Condition");
				break;
			}
			json_object_set_new(named, name + 1, json_true());
			const char *have = value_of(fields, bucket, name + 1);
			bool okc = have && (strcasecmp(op, "eq") == 0 ? strcmp(have, arg) == 0
								  : strncmp(have, arg, strlen(arg)) == 0);
			if (!okc) {
				cond_text(shown, sizeof shown, c);
				verdict(v, 403, "AccessDenied", "Invalid according to Policy: Policy Condition failed: %s", shown);
				break;
			}
		} else {
			verdict(v, 400, "InvalidPolicyDocument", "Invalid Policy: Invalid Simple-Condition: value must be a string.");
			break;
		}
	}
	if (!v->status) {
		const char *k;
		const json_t *val;
		json_object_foreach((json_t *)fields, k, val) {
			bool found = exempt(k);
			const char *nk;
			const json_t *nv;
			json_object_foreach(named, nk, nv)
				found = found || strcasecmp(nk, k) == 0;
			if (!found) {
				verdict(v, 403, "AccessDenied", "Invalid according to Policy: Extra input fields: %.200s", k);
				break;
			}
		}
	}
	json_decref(named);
	if (!v->status && max_size >= 0 && file_size > max_size)
		verdict(v, 400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size");
	else if (!v->status && min_size >= 0 && file_size < min_size)
		verdict(v, 400, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size");
	if (!v->status)
		v->status = 204;
out:
	json_decref(policy);
	return rc;
}

char *owlet_s3_post_error_xml(const struct owlet_s3_post_verdict *v, const char *request_id)
{
	/* codes and messages are owlet's own text, but escape anyway */
	char msg[1200];
	size_t o = 0;
	for (const char *p = v->message; *p && o + 7 < sizeof msg; p++) {
		const char *e = *p == '&' ? "&amp;" : *p == '<' ? "&lt;" : *p == '>' ? "&gt;" : *p == '"' ? "&quot;" : NULL;
		if (e) {
			memcpy(msg + o, e, strlen(e));
			o += strlen(e);
		} else {
			msg[o++] = *p;
		}
	}
	msg[o] = '\0';
	char *out = NULL;
	if (asprintf(&out,
		     "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>%s</Code><Message>%s</Message>"
		     "<RequestId>%s</RequestId><HostId>owlet-local</HostId></Error>",
		     v->code, msg, request_id ? request_id : "") < 0)
		return NULL;
	return out;
}
