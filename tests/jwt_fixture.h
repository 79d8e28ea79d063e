/*
 * jwt_fixture.h: RSA keys, JWKS documents and signed JWTs made with OpenSSL
 * for tests (header-only), so that no test carries a hard-coded token.
 */
#ifndef OWLET_JWT_FIXTURE_H
#define OWLET_JWT_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "local/jwt.h"

static inline char *b64url(const unsigned char *in, size_t len)
{
	char *s = owlet_base64_encode(in, len);
	size_t o = 0;
	for (size_t i = 0; s[i]; i++) {
		if (s[i] == '=')
			continue;
		s[o++] = s[i] == '+' ? '-' : s[i] == '/' ? '_' : s[i];
	}
	s[o] = '\0';
	return s;
}

static inline char *b64url_json(json_t *j)
{
	char *text = json_dumps(j, JSON_COMPACT);
	char *s = b64url((const unsigned char *)text, strlen(text));
	free(text);
	return s;
}

static inline char *bn_b64url(EVP_PKEY *pkey, const char *name)
{
	BIGNUM *bn = NULL;
	EVP_PKEY_get_bn_param(pkey, name, &bn);
	int n = BN_num_bytes(bn);
	unsigned char *buf = malloc((size_t)n);
	BN_bn2bin(bn, buf);
	char *s = b64url(buf, (size_t)n);
	free(buf);
	BN_free(bn);
	return s;
}

static inline json_t *jwk_of(EVP_PKEY *pkey, const char *kid)
{
	char *n = bn_b64url(pkey, OSSL_PKEY_PARAM_RSA_N), *e = bn_b64url(pkey, OSSL_PKEY_PARAM_RSA_E);
	json_t *k = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "kty", "RSA", "alg", "RS256", "use", "sig",
			      "kid", kid, "n", n, "e", e);
	free(n);
	free(e);
	return k;
}

/* header.payload.signature; alg "none" gives an empty signature. */
static inline char *make_token(EVP_PKEY *pkey, const char *alg, const char *kid, json_t *claims)
{
	json_t *header = json_pack("{s:s, s:s}", "alg", alg, "typ", "JWT");
	if (kid)
		json_object_set_new(header, "kid", json_string(kid));
	char *h = b64url_json(header), *p = b64url_json(claims);
	size_t len = strlen(h) + strlen(p) + 2;
	char *signing = malloc(len);
	snprintf(signing, len, "%s.%s", h, p);
	char *sig = strdup("");
	if (strcmp(alg, "RS256") == 0) {
		EVP_MD_CTX *md = EVP_MD_CTX_new();
		size_t sig_len = 0;
		EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, pkey);
		EVP_DigestSign(md, NULL, &sig_len, (unsigned char *)signing, strlen(signing));
		unsigned char *raw = malloc(sig_len);
		EVP_DigestSign(md, raw, &sig_len, (unsigned char *)signing, strlen(signing));
		free(sig);
		sig = b64url(raw, sig_len);
		free(raw);
		EVP_MD_CTX_free(md);
	}
	size_t tlen = strlen(signing) + strlen(sig) + 2;
	char *token = malloc(tlen);
	snprintf(token, tlen, "%s.%s", signing, sig);
	free(h);
	free(p);
	free(signing);
	free(sig);
	json_decref(header);
	return token;
}

#endif
