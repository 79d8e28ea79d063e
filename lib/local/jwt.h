/*
 * jwt.h: RS256 JSON Web Token verification against a JWKS, with the checks
 * of API Gateway's JWT authorizer (HTTP API), for owlet's local API.
 *
 * A token passes when, in this order:
 *   - it has three base64url parts whose header and payload are JSON objects;
 *   - the header's "alg" is RS256 ("none", HS256 and the rest are refused);
 *   - the header's "kid" names a key of the JWKS;
 *   - the RS256 signature over "header.payload" verifies with that key;
 *   - "iss" equals the configured issuer (Cognito's form:
 *     https://cognito-idp.<region>.amazonaws.com/<pool_id>);
 *   - "aud" (a string or an array) or, when absent, "client_id" is one of
 *     the configured audiences;
 *   - "exp" is present and now < exp + skew; "nbf" and "iat", when present,
 *     are <= now + skew;
 *   - "token_use" equals the required value when one is configured
 *     (Cognito: "access", so an id token is refused).
 * Any failure returns OWLET_EINVALID with a message saying which check failed
 * (the local API answers 401 {"message":"Unauthorized"} for all of them).
 */
#ifndef OWLET_JWT_H
#define OWLET_JWT_H

#include "base/base64.h" /* tokens are base64url: owlet_base64url_decode */
#include <stddef.h>
#include <time.h>

#include <jansson.h>

struct owlet_jwks;

struct owlet_jwt_policy {
	const char *issuer;              /* required */
	const char *const *audiences;    /* one must match aud / client_id */
	size_t n_audiences;
	const char *token_use;           /* NULL: not checked */
	long skew_s;                     /* allowed clock skew, seconds */
	time_t now;                      /* 0: the current time */
};

/* Parses a JWKS document ({"keys":[{"kty":"RSA","kid","n","e",...}]}).
 * Keys that are not RSA are skipped; a JWKS without any RSA key is an error. */
int owlet_jwks_parse(struct owlet_jwks **out, const char *json, size_t len);
void owlet_jwks_free(struct owlet_jwks *jwks);
/* Number of keys held. */
size_t owlet_jwks_count(const struct owlet_jwks *jwks);

/* Verifies `token` (the bare JWT, without "Bearer ").  On success, 0 and
 * *claims (may be NULL to skip) is the payload object (caller decrefs). */
int owlet_jwt_verify(json_t **claims, const struct owlet_jwks *jwks,
		     const struct owlet_jwt_policy *policy, const char *token);

#endif
