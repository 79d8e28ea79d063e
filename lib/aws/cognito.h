/*
 * cognito.h: the few Cognito user pool calls owlet makes (users, groups,
 * password sign-in, the JWKS), over libcurl with SigV4 (CURLOPT_AWS_SIGV4),
 * against the emulator's endpoint for the local environment or AWS's.
 * The JSON protocol: POST / with Content-Type application/x-amz-json-1.1 and
 * X-Amz-Target AWSCognitoIdentityProviderService.<Action>; errors come back
 * as {"__type": "...Exception", "message": "..."}.
 */
#ifndef OWLET_COGNITO_H
#define OWLET_COGNITO_H

#include <jansson.h>

struct owlet_cognito {
	const char *endpoint;      /* "http://127.0.0.1:PORT"; NULL: https://cognito-idp.<region>.amazonaws.com */
	const char *region;        /* required */
	const char *access_key;    /* NULL: AWS_ACCESS_KEY_ID, else "test" for an emulator endpoint
				      (for AWS, missing credentials are OWLET_EUSAGE) */
	const char *secret_key;    /* NULL: AWS_SECRET_ACCESS_KEY, likewise */
	const char *session_token; /* NULL: AWS_SESSION_TOKEN when set */
};

/* One call: `request` is borrowed; *out (may be NULL) is the answer object.
 * A Cognito error returns OWLET_ENOTFOUND for *NotFoundException, OWLET_EINVALID
 * for the others, with "TYPE: message" recorded; OWLET_EIO for the network. */
int owlet_cognito_call(json_t **out, const struct owlet_cognito *c, const char *action, json_t *request);

/* AdminCreateUser without invitation message; an existing user gives
 * OWLET_EINVALID ("user 'NAME' already exists").  A username with '@' is
 * also given as the user's verified email (pools with username_attributes
 * email); a plain name in such a pool is OWLET_EUSAGE saying so. */
int owlet_cognito_create_user(const struct owlet_cognito *c, const char *pool_id, const char *username);
/* AdminSetUserPassword with Permanent=true (no forced change at first sign-in). */
int owlet_cognito_set_password(const struct owlet_cognito *c, const char *pool_id, const char *username,
			       const char *password);
int owlet_cognito_add_to_group(const struct owlet_cognito *c, const char *pool_id, const char *username,
			       const char *group);
int owlet_cognito_remove_from_group(const struct owlet_cognito *c, const char *pool_id, const char *username,
				    const char *group);
/* AdminDeleteUser; a user not in the pool: OWLET_ENOTFOUND naming it. */
int owlet_cognito_delete_user(const struct owlet_cognito *c, const char *pool_id, const char *username);
/* ListUsers, every page (at most 100 pages of 60): *out is a new array of
 * {"name": the email, else the Username, "username": Cognito's Username}. */
int owlet_cognito_list_users(json_t **out, const struct owlet_cognito *c, const char *pool_id);
/* AdminListGroupsForUser (first 60): *out is a new array of group names. */
int owlet_cognito_user_groups(json_t **out, const struct owlet_cognito *c, const char *pool_id, const char *username);
/* InitiateAuth USER_PASSWORD_AUTH; *access_token (and *id_token when not
 * NULL) are new strings.  Wrong credentials: OWLET_EINVALID. */
int owlet_cognito_sign_in(char **access_token, char **id_token, const struct owlet_cognito *c,
			  const char *client_id, const char *username, const char *password);
/* GET <endpoint>/<pool_id>/.well-known/jwks.json, the document as a new string. */
int owlet_cognito_jwks(char **out, const struct owlet_cognito *c, const char *pool_id);
/* The issuer of the pool's tokens: https://cognito-idp.<region>.amazonaws.com/<pool_id> */
char *owlet_cognito_issuer(const char *region, const char *pool_id);

#endif
