/*
 * fuzz_localapi.c: libFuzzer target for what the local API takes from
 * outside: bearer tokens (owlet_jwt_verify), JWKS documents
 * (owlet_jwks_parse), the Lambda's answers (owlet_localapi_response),
 * base64 (the event's and the answer's bodies) and requests: a target line,
 * header lines "Name: value" up to an empty line, then the body, made into
 * the payload 2.0 event (owlet_localapi_event).  The first byte picks which.
 * Beyond "no crash, no leak, no UB" it checks:
 *   - no token is ever accepted: the fuzzer cannot sign with the key made at
 *     start-up, so an accepted token is a verification bug;
 *   - an accepted Lambda answer has an HTTP status in 100..599;
 *   - base64 decode(encode(x)) == x;
 *   - a request whose target owlet_localapi_target_ok takes always gives an
 *     event (otherwise the local API would answer 500, not 400).
 * Build and run: make fuzz FUZZ_SECONDS=600 (seeds in tests/fuzz/seeds/fuzz_localapi/).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../jwt_fixture.h"
#include "local/jwt.h"
#include "local/apigw.h"

static struct owlet_jwks *jwks;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	EVP_PKEY *key = EVP_RSA_gen(2048);
	json_t *doc = json_pack("{s:[o]}", "keys", jwk_of(key, "dummy"));
	char *text = json_dumps(doc, 0);
	if (owlet_jwks_parse(&jwks, text, strlen(text)) != 0)
		abort();
	free(text);
	json_decref(doc);
	EVP_PKEY_free(key);
	return 0;
}

/* A request from `s`: the target line, headers, an empty line, the body. */
static void fuzz_request(const char *s, size_t size)
{
	const char *nl = memchr(s, '\n', size);
	size_t tlen = nl ? (size_t)(nl - s) : size;
	char *target = strndup(s, tlen);
	json_t *headers = json_object();
	const char *p = nl ? nl + 1 : s + size, *end = s + size;
	for (int n = 0; p < end && n < 256; n++) {
		const char *e = memchr(p, '\n', (size_t)(end - p));
		size_t len = e ? (size_t)(e - p) : (size_t)(end - p);
		const char *colon = memchr(p, ':', len);
		if (len == 0) {
			p++;
			break;
		}
		if (colon) {
			char *name = strndup(p, (size_t)(colon - p));
			for (char *c = name; *c; c++)
				*c = (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
			const char *v = colon + 1 + (colon + 1 < p + len && colon[1] == ' ');
			/* as the server gets them: C strings, dropped when not UTF-8 */
			char *value = strndup(v, (size_t)(p + len - v));
			json_object_set_new(headers, name, json_string(value));
			free(value);
			free(name);
		}
		p += len + (e != NULL);
	}
	const char *q = strchr(target, '?');
	char *path = strndup(target, q ? (size_t)(q - target) : strlen(target));
	struct owlet_http_request hr = { .method = "GET", .raw_path = path, .raw_query = q ? q + 1 : "",
					 .protocol = "HTTP/1.1", .source_ip = "127.0.0.1", .headers = headers,
					 .body = p < end ? p : "", .body_len = p < end ? (size_t)(end - p) : 0 };
	json_t *claims = json_pack("{s:s, s:[s,s], s:i}", "sub", "u", "cognito:groups", "a", "b", "exp", 1);
	json_t *params = json_pack("{s:s}", "name", "x");
	json_t *event = owlet_localapi_event(&hr, "GET /datasets/{name}", params, claims, "api", "123456789012",
					     "rid", 1700000000000);
	if (owlet_localapi_target_ok(target) && !event) {
		fprintf(stderr, "a request with target '%s' gives no event\n", target);
		abort();
	}
	char *text = event ? json_dumps(event, JSON_COMPACT) : NULL;
	free(text);
	json_decref(event);
	json_decref(params);
	json_decref(claims);
	json_decref(headers);
	free(path);
	free(target);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t mode = data[0] % 5;
	data++;
	size--;
	char *s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	if (mode == 0) {
		const char *aud[] = { "client" };
		struct owlet_jwt_policy p = { .issuer = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_x",
					      .audiences = aud, .n_audiences = 1, .token_use = "access", .skew_s = 60 };
		json_t *claims = NULL;
		if (owlet_jwt_verify(&claims, jwks, &p, s) == 0) {
			fprintf(stderr, "a token no one signed was accepted\n");
			abort();
		}
		if (claims)
			abort();
	} else if (mode == 1) {
		struct owlet_jwks *k = NULL;
		if (owlet_jwks_parse(&k, s, size) == 0 && owlet_jwks_count(k) == 0)
			abort();
		owlet_jwks_free(k);
	} else if (mode == 2) {
		struct owlet_http_answer a;
		if (owlet_localapi_response(&a, s, size) == 0) {
			if (a.status < 100 || a.status > 599)
				abort();
			owlet_http_answer_clear(&a);
		}
	} else if (mode == 4) {
		fuzz_request(s, size);
	} else {
		char *enc = owlet_base64_encode(data, size);
		unsigned char *dec = NULL;
		size_t dlen = 0;
		if (!enc || owlet_base64_decode(&dec, &dlen, enc, strlen(enc)) != 0 || dlen != size ||
		    memcmp(dec, data, size) != 0)
			abort();
		free(dec);
		free(enc);
		if (owlet_base64url_decode(&dec, &dlen, s, size) == 0)
			free(dec);
	}
	free(s);
	return 0;
}
