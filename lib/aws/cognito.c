/* cognito.c: Cognito user pool calls over libcurl + SigV4 (see cognito.h). */
#include "aws/cognito.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/client.h"
#include "base/error.h"

/* Cognito's answers are small (a page of 60 users, a JWKS document) */
#define COGNITO_BODY_MAX (4u << 20)

static const char *credential(const char *given, const char *env_name, const char *fallback)
{
	if (given)
		return given;
	const char *v = owlet_aws_env(env_name);
	return v ? v : fallback;
}

static char *base_url(const struct owlet_cognito *c)
{
	char *url = NULL;
	if (c->endpoint) {
		size_t n = strlen(c->endpoint);
		while (n > 0 && c->endpoint[n - 1] == '/')
			n--;
		if (asprintf(&url, "%.*s", (int)n, c->endpoint) < 0)
			url = NULL;
	} else if (asprintf(&url, "https://cognito-idp.%s.amazonaws.com", c->region) < 0) {
		url = NULL;
	}
	return url;
}

/* One HTTP exchange; `target` NULL for a plain GET of `path`. */
static int http(struct owlet_aws_body *resp, long *status, const struct owlet_cognito *c, const char *path,
		const char *target, const char *body)
{
	int rc = 0;
	char *base = base_url(c), *url = NULL, line[2048];
	struct curl_slist *headers = NULL;
	struct owlet_aws_auth auth = { 0 };
	CURL *h = curl_easy_init();
	if (!base || !h || asprintf(&url, "%s%s", base, path) < 0) {
		url = NULL;
		rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
		goto out;
	}
	curl_easy_setopt(h, CURLOPT_URL, url);
	resp->max = COGNITO_BODY_MAX;
	owlet_aws_body_attach(h, resp);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	if (target) {
		/* the emulator takes any key; AWS needs real ones, never a dummy */
		const char *dummy = c->endpoint ? "test" : NULL;
		const char *ak = credential(c->access_key, "AWS_ACCESS_KEY_ID", dummy);
		const char *sk = credential(c->secret_key, "AWS_SECRET_ACCESS_KEY", dummy);
		const char *token = c->access_key ? NULL : credential(c->session_token, "AWS_SESSION_TOKEN", NULL);
		rc = owlet_aws_auth_init(&auth, ak, sk, token, c->region, "cognito-idp");
		if (rc == OWLET_EINVALID) {
			rc = owlet_error_setc(OWLET_EUSAGE, "no AWS credentials: set AWS_ACCESS_KEY_ID and "
							    "AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN)");
			goto out;
		}
		if (rc < 0)
			goto out;
		headers = curl_slist_append(headers, "Content-Type: application/x-amz-json-1.1");
		snprintf(line, sizeof line, "X-Amz-Target: AWSCognitoIdentityProviderService.%s", target);
		headers = curl_slist_append(headers, line);
		if (!headers || owlet_aws_auth_apply(h, &headers, &auth) < 0) {
			rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
			goto out;
		}
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	}
	CURLcode cc = curl_easy_perform(h);
	if (cc != CURLE_OK) {
		rc = owlet_error_setc(OWLET_EIO, "cannot reach Cognito at '%s': %s", base,
				      resp->over ? "the answer is too long" : curl_easy_strerror(cc));
		goto out;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
out:
	curl_slist_free_all(headers);
	curl_easy_cleanup(h);
	owlet_aws_auth_free(&auth);
	free(url);
	free(base);
	return rc;
}

int owlet_cognito_call(json_t **out, const struct owlet_cognito *c, const char *action, json_t *request)
{
	if (out)
		*out = NULL;
	char *body = json_dumps(request, JSON_COMPACT);
	struct owlet_aws_body resp = { 0 };
	long status = 0;
	int rc = body ? http(&resp, &status, c, "/", action, body) : owlet_error_setc(OWLET_ENOMEM, "out of memory");
	free(body);
	if (rc < 0)
		goto out;
	json_t *doc = json_loads(resp.buf.data ? resp.buf.data : "{}", 0, NULL);
	if (status != 200) {
		const char *type = json_string_value(json_object_get(doc, "__type"));
		const char *msg = json_string_value(json_object_get(doc, "message"));
		if (!msg)
			msg = json_string_value(json_object_get(doc, "Message"));
		const char *hash = type ? strrchr(type, '#') : NULL;
		if (hash)
			type = hash + 1;
		bool not_found = type && strstr(type, "NotFoundException");
		rc = owlet_error_setc(not_found ? OWLET_ENOTFOUND : OWLET_EINVALID, "cognito %s: %s: %s", action,
				      type ? type : "HTTP error", msg ? msg : (resp.buf.data ? resp.buf.data : ""));
		json_decref(doc);
		goto out;
	}
	if (!doc) {
		rc = owlet_error_setc(OWLET_EIO, "cognito %s: the answer is not JSON", action);
		goto out;
	}
	if (out)
		*out = doc;
	else
		json_decref(doc);
out:
	owlet_buf_free(&resp.buf);
	return rc;
}

static int call_simple(const struct owlet_cognito *c, const char *action, json_t *request)
{
	if (!request)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	int rc = owlet_cognito_call(NULL, c, action, request);
	json_decref(request);
	return rc;
}

int owlet_cognito_create_user(const struct owlet_cognito *c, const char *pool_id, const char *username)
{
	json_t *req = json_pack("{s:s, s:s, s:s}", "UserPoolId", pool_id, "Username", username, "MessageAction",
				"SUPPRESS");
	/* pools that sign in by email (owlet's auth module) want the address verified */
	if (req && strchr(username, '@'))
		json_object_set_new(req, "UserAttributes",
				    json_pack("[{s:s, s:s}, {s:s, s:s}]", "Name", "email", "Value", username, "Name",
					      "email_verified", "Value", "true"));
	int rc = call_simple(c, "AdminCreateUser", req);
	if (rc < 0 && strstr(owlet_error_last(), "UsernameExistsException"))
		return owlet_error_setc(OWLET_EINVALID, "user '%s' already exists", username);
	if (rc < 0 && strstr(owlet_error_last(), "should be either an email"))
		return owlet_error_setc(OWLET_EUSAGE, "this user pool signs users in by email address: give the "
						      "user's email as NAME (e.g. 'alice@example.com'), not '%s'", username);
	return rc;
}

int owlet_cognito_set_password(const struct owlet_cognito *c, const char *pool_id, const char *username,
			       const char *password)
{
	return call_simple(c, "AdminSetUserPassword",
			   json_pack("{s:s, s:s, s:s, s:b}", "UserPoolId", pool_id, "Username", username, "Password",
				     password, "Permanent", 1));
}

int owlet_cognito_add_to_group(const struct owlet_cognito *c, const char *pool_id, const char *username,
			       const char *group)
{
	return call_simple(c, "AdminAddUserToGroup",
			   json_pack("{s:s, s:s, s:s}", "UserPoolId", pool_id, "Username", username, "GroupName", group));
}

int owlet_cognito_remove_from_group(const struct owlet_cognito *c, const char *pool_id, const char *username,
				    const char *group)
{
	return call_simple(c, "AdminRemoveUserFromGroup",
			   json_pack("{s:s, s:s, s:s}", "UserPoolId", pool_id, "Username", username, "GroupName", group));
}

int owlet_cognito_delete_user(const struct owlet_cognito *c, const char *pool_id, const char *username)
{
	int rc = call_simple(c, "AdminDeleteUser", json_pack("{s:s, s:s}", "UserPoolId", pool_id, "Username", username));
	if (rc == OWLET_ENOTFOUND)
		return owlet_error_setc(OWLET_ENOTFOUND, "no user '%s' in the user pool", username);
	return rc;
}

/* The user's email attribute, else its Username. */
static const char *user_name(const json_t *user)
{
	size_t i;
	const json_t *a;
	json_array_foreach(json_object_get(user, "Attributes"), i, a) {
		const char *name = json_string_value(json_object_get(a, "Name"));
		if (name && strcmp(name, "email") == 0)
			return json_string_value(json_object_get(a, "Value"));
	}
	return json_string_value(json_object_get(user, "Username"));
}

int owlet_cognito_list_users(json_t **out, const struct owlet_cognito *c, const char *pool_id)
{
	*out = json_array();
	if (!*out)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	char *token = NULL;
	int rc = 0;
	/* 60 a page (Cognito's maximum); bounded at 100 pages */
	for (int page = 0; rc == 0 && page < 100; page++) {
		json_t *req = json_pack("{s:s, s:i}", "UserPoolId", pool_id, "Limit", 60);
		if (req && token)
			json_object_set_new(req, "PaginationToken", json_string(token));
		json_t *resp = NULL;
		rc = req ? owlet_cognito_call(&resp, c, "ListUsers", req) : owlet_error_setc(OWLET_ENOMEM, "out of memory");
		json_decref(req);
		free(token);
		token = NULL;
		size_t i;
		const json_t *u;
		json_array_foreach(json_object_get(resp, "Users"), i, u) {
			const char *name = user_name(u);
			const char *uname = json_string_value(json_object_get(u, "Username"));
			if (name && uname && rc == 0)
				rc = json_array_append_new(*out, json_pack("{s:s, s:s}", "name", name, "username", uname)) == 0
					     ? 0 : owlet_error_setc(OWLET_ENOMEM, "out of memory");
		}
		const char *next = json_string_value(json_object_get(resp, "PaginationToken"));
		if (next && next[0])
			token = strdup(next);
		json_decref(resp);
		if (!token)
			break;
	}
	free(token);
	if (rc < 0) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

int owlet_cognito_user_groups(json_t **out, const struct owlet_cognito *c, const char *pool_id, const char *username)
{
	*out = NULL;
	json_t *req = json_pack("{s:s, s:s, s:i}", "UserPoolId", pool_id, "Username", username, "Limit", 60);
	json_t *resp = NULL;
	int rc = req ? owlet_cognito_call(&resp, c, "AdminListGroupsForUser", req)
		     : owlet_error_setc(OWLET_ENOMEM, "out of memory");
	json_decref(req);
	if (rc == OWLET_ENOTFOUND)
		rc = owlet_error_setc(OWLET_ENOTFOUND, "no user '%s' in the user pool", username);
	if (rc < 0)
		return rc;
	*out = json_array();
	size_t i;
	const json_t *g;
	json_array_foreach(json_object_get(resp, "Groups"), i, g) {
		const char *name = json_string_value(json_object_get(g, "GroupName"));
		if (name && *out)
			json_array_append_new(*out, json_string(name));
	}
	json_decref(resp);
	return *out ? 0 : owlet_error_setc(OWLET_ENOMEM, "out of memory");
}

int owlet_cognito_sign_in(char **access_token, char **id_token, const struct owlet_cognito *c,
			  const char *client_id, const char *username, const char *password)
{
	*access_token = NULL;
	if (id_token)
		*id_token = NULL;
	json_t *req = json_pack("{s:s, s:s, s:{s:s, s:s}}", "AuthFlow", "USER_PASSWORD_AUTH", "ClientId", client_id,
				"AuthParameters", "USERNAME", username, "PASSWORD", password);
	json_t *resp = NULL;
	int rc = req ? owlet_cognito_call(&resp, c, "InitiateAuth", req) : owlet_error_setc(OWLET_ENOMEM, "out of memory");
	json_decref(req);
	if (rc < 0) {
		if (strstr(owlet_error_last(), "NotAuthorizedException") || strstr(owlet_error_last(), "UserNotFound"))
			rc = owlet_error_setc(OWLET_EINVALID, "cannot sign in as '%s': wrong user name or password", username);
		return rc;
	}
	json_t *result = json_object_get(resp, "AuthenticationResult");
	const char *access = json_string_value(json_object_get(result, "AccessToken"));
	const char *id = json_string_value(json_object_get(result, "IdToken"));
	if (!access) {
		const char *challenge = json_string_value(json_object_get(resp, "ChallengeName"));
		rc = owlet_error_setc(OWLET_EINVALID, "cannot sign in as '%s': Cognito asks for '%s'", username,
				      challenge ? challenge : "something else");
	} else {
		*access_token = strdup(access);
		if (id_token && id)
			*id_token = strdup(id);
	}
	json_decref(resp);
	return rc;
}

int owlet_cognito_jwks(char **out, const struct owlet_cognito *c, const char *pool_id)
{
	*out = NULL;
	char *path = NULL;
	if (asprintf(&path, "/%s/.well-known/jwks.json", pool_id) < 0)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	struct owlet_aws_body resp = { 0 };
	long status = 0;
	int rc = http(&resp, &status, c, path, NULL, NULL);
	if (rc == 0 && status != 200)
		rc = owlet_error_setc(status == 404 ? OWLET_ENOTFOUND : OWLET_EIO,
				      "cannot get the JWKS of user pool '%s': HTTP %ld", pool_id, status);
	free(path);
	if (rc < 0) {
		owlet_buf_free(&resp.buf);
		return rc;
	}
	*out = resp.buf.data ? resp.buf.data : strdup("");
	return 0;
}

char *owlet_cognito_issuer(const char *region, const char *pool_id)
{
	char *s = NULL;
	if (asprintf(&s, "https://cognito-idp.%s.amazonaws.com/%s", region, pool_id) < 0)
		return NULL;
	return s;
}
