/*
 * fuzz_localapi.c: libFuzzer target for what the local API takes from
 * outside: bearer tokens (owlet_jwt_verify), JWKS documents
 * (owlet_jwks_parse), the Lambda's answers (owlet_localapi_response) and
 * base64 (the event's and the answer's bodies).  The first byte picks which.
 * Beyond "no crash, no leak, no UB" it checks:
 *   - no token is ever accepted: the fuzzer cannot sign with the key made at
 *     start-up, so an accepted token is a verification bug;
 *   - an accepted Lambda answer has an HTTP status in 100..599;
 *   - base64 decode(encode(x)) == x.
 * Build and run: make fuzz FUZZ_SECONDS=600 (seeds in tests/fuzz/seeds/fuzz_localapi/).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../jwt_fixture.h"
#include "jwt.h"
#include "localapi.h"

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t mode = data[0] % 4;
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
