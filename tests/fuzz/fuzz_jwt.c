/*
 * fuzz_jwt.c: libFuzzer target for the spelling of a token: base64url
 * decoding (owlet_base64url_decode) and owlet_jwt_verify on edits of a token
 * that is valid.  The first byte picks which.  It checks:
 *   - base64url has one spelling per value: when x decodes, the unpadded
 *     base64url encoding of what it decodes to is x again;
 *   - a valid token signed at start-up, edited by the input (at offset
 *     bytes 1-2, overwrite with the rest, or insert it when byte 0 is odd),
 *     is accepted only when the edit left it unchanged: no re-spelling of a
 *     signed token (padding, unused bits, other characters) passes.
 * Build and run: make fuzz FUZZ_SECONDS=600 (seeds in tests/fuzz/seeds/fuzz_jwt/).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../jwt_fixture.h"
#include "local/jwt.h"

#define ISSUER "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_fuzz"

static struct owlet_jwks *jwks;
static char *token;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	EVP_PKEY *key = EVP_RSA_gen(2048);
	json_t *doc = json_pack("{s:[o]}", "keys", jwk_of(key, "k1"));
	char *text = json_dumps(doc, 0);
	if (owlet_jwks_parse(&jwks, text, strlen(text)) != 0)
		abort();
	free(text);
	json_decref(doc);
	/* exp far ahead, so the token stays valid for any run */
	json_t *claims = json_pack("{s:s, s:s, s:s, s:I, s:[s,s]}", "iss", ISSUER, "client_id", "client", "token_use",
				   "access", "exp", (json_int_t)time(NULL) + 10 * 365 * 86400, "cognito:groups",
				   "editors", "analysts");
	token = make_token(key, "RS256", "k1", claims);
	json_decref(claims);
	EVP_PKEY_free(key);
	return 0;
}

static int verify(const char *t)
{
	const char *aud[] = { "client" };
	struct owlet_jwt_policy p = { .issuer = ISSUER, .audiences = aud, .n_audiences = 1, .token_use = "access",
				      .skew_s = 60 };
	return owlet_jwt_verify(NULL, jwks, &p, t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 4096)
		return 0;
	uint8_t mode = data[0];
	data++;
	size--;
	if (mode % 2 == 0) {
		unsigned char *dec = NULL;
		size_t dlen = 0;
		if (owlet_base64url_decode(&dec, &dlen, (const char *)data, size) == 0) {
			char *enc = b64url(dec, dlen);
			if (strlen(enc) != size || memcmp(enc, data, size) != 0) {
				fprintf(stderr, "'%.*s' decodes, but its value is spelled '%s'\n", (int)size, data, enc);
				abort();
			}
			free(enc);
			free(dec);
		}
		return 0;
	}
	if (size < 2)
		return 0;
	size_t tlen = strlen(token);
	size_t at = ((size_t)data[0] << 8 | data[1]) % (tlen + 1);
	const uint8_t *edit = data + 2;
	size_t elen = size - 2;
	bool insert = mode & 2;
	size_t cap = tlen + elen + 1;
	char *t = malloc(cap);
	memcpy(t, token, at);
	memcpy(t + at, edit, elen);
	size_t rest = insert ? at : at + elen < tlen ? at + elen : tlen;
	memcpy(t + at + elen, token + rest, tlen - rest);
	size_t len = at + elen + (tlen - rest);
	t[len] = '\0';
	if (verify(t) == 0 && strcmp(t, token) != 0) {
		fprintf(stderr, "a re-spelled token passed: %s\n", t);
		abort();
	}
	free(t);
	return 0;
}
