/* jwt_verify_test.c: RS256 verification as API Gateway's JWT authorizer does
 * it.  Keys and tokens are made here with OpenSSL, nothing is hard-coded. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "base/error.h"
#include "local/jwt.h"
#include "jwt_fixture.h"
#include "tap.h"

#define ISSUER "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_TestPool"
#define CLIENT "7testclientid"

/* The claims of a Cognito access token (client_id, no aud). */
static json_t *access_claims(time_t now)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:[s], s:s}", "sub", "1234-abcd", "iss", ISSUER,
			 "client_id", CLIENT, "token_use", "access", "iat", (json_int_t)now - 10,
			 "auth_time", (json_int_t)now - 10, "exp", (json_int_t)now + 3600, "cognito:groups",
			 "editors", "username", "alice");
}

static int verify(const struct owlet_jwks *jwks, const char *token, json_t **claims)
{
	const char *aud[] = { "someotherclient", CLIENT };
	struct owlet_jwt_policy p = { .issuer = ISSUER, .audiences = aud, .n_audiences = 2,
				      .token_use = "access", .skew_s = 60 };
	return owlet_jwt_verify(claims, jwks, &p, token);
}

static void rejected(const struct owlet_jwks *jwks, char *token, const char *why, const char *msg)
{
	int rc = verify(jwks, token, NULL);
	is_int(rc, OWLET_EINVALID, "%s is rejected", why);
	like(owlet_error_last(), msg, "%s: the message says why", why);
	free(token);
}

static void with_claim(EVP_PKEY *key, const struct owlet_jwks *jwks, const char *name, json_t *value,
		       const char *why, const char *msg)
{
	json_t *c = access_claims(time(NULL));
	json_object_set_new(c, name, value);
	rejected(jwks, make_token(key, "RS256", "k1", c), why, msg);
	json_decref(c);
}

/* A copy of `token` with `tail` appended (a new string). */
static char *appended(const char *token, const char *tail)
{
	size_t n = strlen(token) + strlen(tail) + 1;
	char *s = malloc(n);
	snprintf(s, n, "%s%s", token, tail);
	return s;
}

/* base64url is read strictly (RFC 7515 §2, RFC 4648 §3.5): one encoding per
 * value, so a valid token cannot be re-spelled and still pass. */
static void strict_base64url(EVP_PKEY *key, const struct owlet_jwks *jwks)
{
	json_t *c = access_claims(time(NULL));
	char *token = make_token(key, "RS256", "k1", c);
	json_decref(c);
	is_int(verify(jwks, token, NULL), 0, "a valid token passes before it is re-spelled");
	/* a 256-byte RS256 signature is 342 characters: the last holds 2 data
	 * bits and 4 unused ones */
	const char *sig = strrchr(token, '.') + 1;
	is_int((long long)strlen(sig) % 4, 2, "the signature's last character has unused bits");
	rejected(jwks, appended(token, "=="), "a signature with '==' padding", "signature");
	rejected(jwks, appended(token, "="), "a signature with '=' padding", "signature");
	rejected(jwks, appended(token, "A"), "a signature of length 4n+1", "signature");
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t last = strlen(token) - 1;
	int v = (int)(strchr(alphabet, token[last]) - alphabet);
	int respelled = 0, passed = 0;
	for (int low = 1; low < 16; low++) {
		char *t = strdup(token);
		t[last] = alphabet[(v & ~15) | low];
		respelled++;
		passed += verify(jwks, t, NULL) == 0;
		free(t);
	}
	is_int(passed, 0, "none of the %d re-spellings of the last character (unused bits set) passes", respelled);
	/* the same in the header and the payload */
	char *dot = strchr(token, '.');
	size_t hlen = (size_t)(dot - token);
	if (hlen % 4 != 0) {
		char *t = strdup(token);
		int hv = (int)(strchr(alphabet, t[hlen - 1]) - alphabet);
		t[hlen - 1] = alphabet[hv | 1];
		rejected(jwks, t, "a header whose last character has an unused bit set", "JSON object");
	}
	char *padded = malloc(strlen(token) + 3);
	snprintf(padded, strlen(token) + 3, "%.*s==%s", (int)hlen, token, dot);
	rejected(jwks, padded, "a padded header", "JSON object");
	free(token);

	unsigned char *raw = NULL;
	size_t n = 0;
	is_int(owlet_base64url_decode(&raw, &n, "QQ", 2), 0, "'QQ' decodes");
	ok(n == 1 && raw[0] == 'A', "to 'A'");
	free(raw);
	is_int(owlet_base64url_decode(&raw, &n, "QR", 2), OWLET_EINVALID, "'QR' (unused bits set) is refused");
	is_int(owlet_base64url_decode(&raw, &n, "QQ==", 4), OWLET_EINVALID, "'QQ==' (padded) is refused");
	is_int(owlet_base64url_decode(&raw, &n, "QUJD=", 5), OWLET_EINVALID, "'QUJD=' is refused");
	is_int(owlet_base64url_decode(&raw, &n, "QUJDR", 5), OWLET_EINVALID, "length 4n+1 is refused");
	is_int(owlet_base64url_decode(&raw, &n, "QUI", 3), 0, "'QUI' decodes");
	ok(n == 2 && memcmp(raw, "AB", 2) == 0, "to 'AB'");
	free(raw);
	is_int(owlet_base64url_decode(&raw, &n, "QUJ", 3), OWLET_EINVALID, "'QUJ' (unused bits set) is refused");
	is_int(owlet_base64url_decode(&raw, &n, "", 0), 0, "the empty string decodes");
	free(raw);
	/* standard base64 (the Lambda's base64 body) stays lenient */
	is_int(owlet_base64_decode(&raw, &n, "QQ==", 4), 0, "standard base64 still takes padding");
	ok(n == 1 && raw[0] == 'A', "and decodes it");
	free(raw);
}

int main(void)
{
	EVP_PKEY *key = EVP_RSA_gen(2048), *other = EVP_RSA_gen(2048), *second = EVP_RSA_gen(2048);
	json_t *doc = json_pack("{s:[o,o]}", "keys", jwk_of(key, "k1"), jwk_of(second, "k2"));
	char *text = json_dumps(doc, 0);
	struct owlet_jwks *jwks = NULL;
	is_int(owlet_jwks_parse(&jwks, text, strlen(text)), 0, "a JWKS of two RSA keys parses");
	is_int((long long)owlet_jwks_count(jwks), 2, "both keys are kept");
	free(text);
	json_decref(doc);

	time_t now = time(NULL);
	json_t *c = access_claims(now);
	char *token = make_token(key, "RS256", "k1", c);
	json_t *claims = NULL;
	is_int(verify(jwks, token, &claims), 0, "a valid access token is accepted");
	is_str(json_string_value(json_object_get(claims, "username")), "alice", "its claims are returned");
	json_decref(claims);
	free(token);
	token = make_token(second, "RS256", "k2", c);
	is_int(verify(jwks, token, NULL), 0, "a token signed by the second key of the JWKS is accepted");
	free(token);
	json_decref(c);

	c = access_claims(now);
	json_object_del(c, "client_id");
	json_object_set_new(c, "aud", json_pack("[s,s]", "x", CLIENT));
	token = make_token(key, "RS256", "k1", c);
	is_int(verify(jwks, token, NULL), 0, "an 'aud' array holding an allowed audience is accepted");
	free(token);
	json_decref(c);

	with_claim(key, jwks, "exp", json_integer((json_int_t)now - 120), "an expired token", "expired");
	with_claim(key, jwks, "nbf", json_integer((json_int_t)now + 600), "a token not valid yet", "nbf");
	with_claim(key, jwks, "iss", json_string("https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other"),
		   "a token of another issuer", "issuer");
	with_claim(key, jwks, "client_id", json_string("wrongclient"), "a token for another client",
		   "audience");
	with_claim(key, jwks, "aud", json_string("wrongclient"), "an 'aud' not allowed (client_id ignored)",
		   "audience");
	with_claim(key, jwks, "token_use", json_string("id"), "an id token", "token_use");
	with_claim(key, jwks, "exp", json_string("tomorrow"), "a non-numeric 'exp'", "exp");

	c = access_claims(now);
	json_object_del(c, "exp");
	rejected(jwks, make_token(key, "RS256", "k1", c), "a token without 'exp'", "exp");
	json_decref(c);

	c = access_claims(now);
	rejected(jwks, make_token(key, "none", "k1", c), "alg none", "algorithm 'none'");
	rejected(jwks, make_token(key, "HS256", "k1", c), "alg HS256", "algorithm 'HS256'");
	rejected(jwks, make_token(key, "RS256", "nosuchkid", c), "an unknown kid", "key id 'nosuchkid'");
	rejected(jwks, make_token(key, "RS256", NULL, c), "a token without kid", "key id");
	rejected(jwks, make_token(other, "RS256", "k1", c), "a token signed by another key", "signature");

	token = make_token(key, "RS256", "k1", c);
	char *last = strrchr(token, '.') + 5;
	*last = *last == 'A' ? 'B' : 'A';
	rejected(jwks, token, "a tampered signature", "signature");

	/* the payload changed after signing: claims no longer match the signature */
	token = make_token(key, "RS256", "k1", c);
	json_object_set_new(c, "cognito:groups", json_pack("[s]", "admins"));
	char *forged = make_token(key, "RS256", "k1", c);
	char *t1 = strchr(token, '.'), *t2 = strrchr(token, '.');
	char *f1 = strchr(forged, '.'), *f2 = strrchr(forged, '.');
	size_t len = (size_t)(t1 - token) + (size_t)(f2 - f1) + strlen(t2) + 1;
	char *mixed = malloc(len);
	snprintf(mixed, len, "%.*s%.*s%s", (int)(t1 - token), token, (int)(f2 - f1), f1, t2);
	rejected(jwks, mixed, "a tampered payload", "signature");
	free(token);
	free(forged);
	json_decref(c);

	strict_base64url(key, jwks);

	rejected(jwks, strdup("not-a-jwt"), "a string that is no JWS", "compact");
	rejected(jwks, strdup("e30.e30.e30.e30"), "four parts", "compact");
	rejected(jwks, strdup("!!!.e30.AAAA"), "a header that is not base64url", "JSON object");

	struct owlet_jwks *bad = NULL;
	is_int(owlet_jwks_parse(&bad, "{\"keys\":[]}", 11), OWLET_EINVALID, "a JWKS without keys is refused");
	const char *badkey = "{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"x\",\"n\":\"!\",\"e\":\"AQAB\"}]}";
	is_int(owlet_jwks_parse(&bad, badkey, strlen(badkey)), OWLET_EINVALID,
	       "a JWKS key with a bad modulus is refused");
	like(owlet_error_last(), "'x'", "the bad key is named");
	const char *empty = "{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"k\",\"n\":\"\"}]}"; /* found by fuzz_localapi: leaked */
	is_int(owlet_jwks_parse(&bad, empty, strlen(empty)), OWLET_EINVALID, "a JWKS key with an empty modulus is refused");
	is_int(owlet_jwks_parse(&bad, "nope", 4), OWLET_EINVALID, "a JWKS that is not JSON is refused");

	owlet_jwks_free(jwks);
	EVP_PKEY_free(key);
	EVP_PKEY_free(other);
	EVP_PKEY_free(second);
	return done_testing();
}
