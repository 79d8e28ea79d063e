/* jwt.c: RS256 JWT verification against a JWKS (see jwt.h). */
#include "local/jwt.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "base/base64.h"
#include "base/error.h"

struct jwk {
	char *kid;
	EVP_PKEY *pkey;
};

struct owlet_jwks {
	struct jwk *keys;
	size_t n;
};

static BIGNUM *bn_from_b64url(const char *s)
{
	unsigned char *raw;
	size_t n;
	if (!s || owlet_base64url_decode(&raw, &n, s, strlen(s)) < 0)
		return NULL;
	BIGNUM *bn = n > 0 ? BN_bin2bn(raw, (int)n, NULL) : NULL;
	free(raw);
	return bn;
}

/* An RSA public key from the JWK members n and e (OpenSSL 3 fromdata). */
static EVP_PKEY *rsa_from_jwk(const char *n_b64, const char *e_b64)
{
	EVP_PKEY *pkey = NULL;
	BIGNUM *n = bn_from_b64url(n_b64), *e = bn_from_b64url(e_b64);
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	if (!n || !e || !bld)
		goto out;
	if (!OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e))
		goto out;
	params = OSSL_PARAM_BLD_to_param(bld);
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	if (!params || !ctx || EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		pkey = NULL;
out:
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(e);
	return pkey;
}

void owlet_jwks_free(struct owlet_jwks *jwks)
{
	if (!jwks)
		return;
	for (size_t i = 0; i < jwks->n; i++) {
		free(jwks->keys[i].kid);
		EVP_PKEY_free(jwks->keys[i].pkey);
	}
	free(jwks->keys);
	free(jwks);
}

size_t owlet_jwks_count(const struct owlet_jwks *jwks)
{
	return jwks ? jwks->n : 0;
}

int owlet_jwks_parse(struct owlet_jwks **out, const char *json, size_t len)
{
	int rc = OWLET_EINVALID;
	*out = NULL;
	json_error_t jerr;
	json_t *doc = json_loadb(json, len, 0, &jerr);
	json_t *keys = json_object_get(doc, "keys");
	struct owlet_jwks *jwks = calloc(1, sizeof *jwks);
	if (!jwks) {
		rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
		goto out;
	}
	if (!doc) {
		owlet_error_setc(OWLET_EINVALID, "invalid JWKS: %s", jerr.text);
		goto out;
	}
	if (!json_is_array(keys)) {
		owlet_error_setc(OWLET_EINVALID, "invalid JWKS: no 'keys' array");
		goto out;
	}
	jwks->keys = calloc(json_array_size(keys) + 1, sizeof *jwks->keys);
	if (!jwks->keys) {
		rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
		goto out;
	}
	size_t i;
	json_t *k;
	json_array_foreach(keys, i, k) {
		const char *kty = json_string_value(json_object_get(k, "kty"));
		const char *kid = json_string_value(json_object_get(k, "kid"));
		if (!kty || strcmp(kty, "RSA") != 0 || !kid)
			continue;
		EVP_PKEY *pkey = rsa_from_jwk(json_string_value(json_object_get(k, "n")),
					      json_string_value(json_object_get(k, "e")));
		if (!pkey) {
			owlet_error_setc(OWLET_EINVALID, "invalid JWKS: key '%s' has no valid 'n' and 'e'", kid);
			goto out;
		}
		jwks->keys[jwks->n].kid = strdup(kid);
		jwks->keys[jwks->n].pkey = pkey;
		jwks->n++;
	}
	if (jwks->n == 0) {
		owlet_error_setc(OWLET_EINVALID, "invalid JWKS: no RSA key");
		goto out;
	}
	*out = jwks;
	jwks = NULL;
	rc = 0;
out:
	owlet_jwks_free(jwks);
	json_decref(doc);
	return rc;
}

static const struct jwk *find_key(const struct owlet_jwks *jwks, const char *kid)
{
	for (size_t i = 0; i < jwks->n; i++)
		if (jwks->keys[i].kid && strcmp(jwks->keys[i].kid, kid) == 0)
			return &jwks->keys[i];
	return NULL;
}

static json_t *decode_json_part(const char *s, size_t len)
{
	unsigned char *raw;
	size_t n;
	if (owlet_base64url_decode(&raw, &n, s, len) < 0)
		return NULL;
	json_t *j = json_loadb((const char *)raw, n, JSON_REJECT_DUPLICATES, NULL);
	free(raw);
	if (j && !json_is_object(j)) {
		json_decref(j);
		return NULL;
	}
	return j;
}

static bool verify_rs256(EVP_PKEY *pkey, const char *signed_part, size_t signed_len,
			 const unsigned char *sig, size_t sig_len)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	bool good = md && EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, pkey) == 1 &&
		    EVP_DigestVerify(md, sig, sig_len, (const unsigned char *)signed_part, signed_len) == 1;
	EVP_MD_CTX_free(md);
	return good;
}

static bool audience_ok(const struct owlet_jwt_policy *p, const char *value)
{
	for (size_t i = 0; value && i < p->n_audiences; i++)
		if (strcmp(p->audiences[i], value) == 0)
			return true;
	return false;
}

static bool claims_audience_ok(const struct owlet_jwt_policy *p, json_t *claims)
{
	json_t *aud = json_object_get(claims, "aud");
	if (json_is_string(aud))
		return audience_ok(p, json_string_value(aud));
	if (json_is_array(aud)) {
		size_t i;
		json_t *a;
		json_array_foreach(aud, i, a) {
			if (audience_ok(p, json_string_value(a)))
				return true;
		}
		return false;
	}
	if (aud)
		return false;
	return audience_ok(p, json_string_value(json_object_get(claims, "client_id")));
}

/* A NumericDate claim; false when present but not a number. */
static bool numeric_claim(json_t *claims, const char *name, bool *present, double *value)
{
	json_t *v = json_object_get(claims, name);
	*present = v != NULL;
	if (!v)
		return true;
	if (!json_is_number(v))
		return false;
	*value = json_number_value(v);
	return true;
}

static int check_claims(const struct owlet_jwt_policy *p, json_t *claims)
{
	time_t now = p->now ? p->now : time(NULL);
	const char *iss = json_string_value(json_object_get(claims, "iss"));
	if (!iss || !p->issuer || strcmp(iss, p->issuer) != 0)
		return owlet_error_setc(OWLET_EINVALID, "token issuer '%s' is not '%s'", iss ? iss : "",
					p->issuer ? p->issuer : "");
	if (!claims_audience_ok(p, claims))
		return owlet_error_setc(OWLET_EINVALID, "token audience is not one of the allowed audiences");
	bool present;
	double v = 0;
	if (!numeric_claim(claims, "exp", &present, &v) || !present)
		return owlet_error_setc(OWLET_EINVALID, "token has no valid 'exp'");
	if ((double)now >= v + (double)p->skew_s)
		return owlet_error_setc(OWLET_EINVALID, "token has expired");
	if (!numeric_claim(claims, "nbf", &present, &v) || (present && v > (double)(now + p->skew_s)))
		return owlet_error_setc(OWLET_EINVALID, "token is not valid yet ('nbf')");
	if (!numeric_claim(claims, "iat", &present, &v) || (present && v > (double)(now + p->skew_s)))
		return owlet_error_setc(OWLET_EINVALID, "token is issued in the future ('iat')");
	if (p->token_use) {
		const char *use = json_string_value(json_object_get(claims, "token_use"));
		if (!use || strcmp(use, p->token_use) != 0)
			return owlet_error_setc(OWLET_EINVALID, "token_use '%s' is not '%s'", use ? use : "",
						p->token_use);
	}
	return 0;
}

int owlet_jwt_verify(json_t **claims_out, const struct owlet_jwks *jwks,
		     const struct owlet_jwt_policy *policy, const char *token)
{
	int rc = OWLET_EINVALID;
	json_t *header = NULL, *claims = NULL;
	unsigned char *sig = NULL;
	size_t sig_len;
	if (claims_out)
		*claims_out = NULL;
	const char *dot1 = token ? strchr(token, '.') : NULL;
	const char *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
	if (!dot2 || strchr(dot2 + 1, '.')) {
		owlet_error_setc(OWLET_EINVALID, "token is not a JWS in compact form");
		goto out;
	}
	header = decode_json_part(token, (size_t)(dot1 - token));
	claims = decode_json_part(dot1 + 1, (size_t)(dot2 - dot1 - 1));
	if (!header || !claims) {
		owlet_error_setc(OWLET_EINVALID, "token header or payload is not a JSON object");
		goto out;
	}
	const char *alg = json_string_value(json_object_get(header, "alg"));
	if (!alg || strcmp(alg, "RS256") != 0) {
		owlet_error_setc(OWLET_EINVALID, "token algorithm '%s' is not RS256", alg ? alg : "");
		goto out;
	}
	const char *kid = json_string_value(json_object_get(header, "kid"));
	const struct jwk *key = kid && jwks ? find_key(jwks, kid) : NULL;
	if (!key) {
		owlet_error_setc(OWLET_EINVALID, "token key id '%s' is not in the JWKS", kid ? kid : "");
		goto out;
	}
	if (owlet_base64url_decode(&sig, &sig_len, dot2 + 1, strlen(dot2 + 1)) < 0 || sig_len == 0 ||
	    !verify_rs256(key->pkey, token, (size_t)(dot2 - token), sig, sig_len)) {
		owlet_error_setc(OWLET_EINVALID, "token signature does not verify");
		goto out;
	}
	rc = check_claims(policy, claims);
	if (rc < 0)
		goto out;
	if (claims_out) {
		*claims_out = claims;
		claims = NULL;
	}
out:
	free(sig);
	json_decref(header);
	json_decref(claims);
	return rc;
}
