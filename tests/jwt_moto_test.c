/* jwt_moto_test.c: the JWT checks against a real moto_server's Cognito.
 * Starts moto on a free port of 127.0.0.1, creates a user pool, a client, a
 * group and a user through lib/cognito, signs in, fetches the pool's JWKS
 * and verifies the tokens the emulator issued. */
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "aws/cognito.h"
#include "base/error.h"
#include "local/jwt.h"
#include "tap.h"

static pid_t moto_pid;

static void stop_moto(void)
{
	if (moto_pid > 0) {
		kill(moto_pid, SIGTERM);
		waitpid(moto_pid, NULL, 0);
		moto_pid = 0;
	}
}

static int free_port(void)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof a;
	bind(s, (struct sockaddr *)&a, sizeof a);
	getsockname(s, (struct sockaddr *)&a, &len);
	close(s);
	return ntohs(a.sin_port);
}

static size_t discard(char *p, size_t s, size_t n, void *u)
{
	(void)p;
	(void)u;
	return s * n;
}

static int start_moto(char *endpoint, size_t size)
{
	int port = free_port();
	char ports[16];
	snprintf(ports, sizeof ports, "%d", port);
	snprintf(endpoint, size, "http://127.0.0.1:%d", port);
	moto_pid = fork();
	if (moto_pid == 0) {
		int devnull = open("/dev/null", 1);
		dup2(devnull, 1);
		dup2(devnull, 2);
		execlp("moto_server", "moto_server", "-H", "127.0.0.1", "-p", ports, (char *)NULL);
		_exit(127);
	}
	CURL *h = curl_easy_init();
	char url[128];
	snprintf(url, sizeof url, "%s/moto-api/", endpoint);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
	int up = 0;
	for (int i = 0; i < 150 && !up; i++) {
		up = curl_easy_perform(h) == CURLE_OK;
		if (!up)
			usleep(100000);
		if (waitpid(moto_pid, NULL, WNOHANG) == moto_pid) {
			moto_pid = 0;
			break;
		}
	}
	curl_easy_cleanup(h);
	return up;
}

static const char *sget(json_t *j, const char *a, const char *b)
{
	return json_string_value(json_object_get(json_object_get(j, a), b));
}

int main(void)
{
	if (system("command -v moto_server >/dev/null 2>&1") != 0) {
		printf("1..0 # SKIP moto_server is not installed\n");
		return 0;
	}
	char endpoint[64];
	atexit(stop_moto);
	if (!start_moto(endpoint, sizeof endpoint)) {
		printf("1..0 # SKIP moto_server did not start\n");
		return 0;
	}
	struct owlet_cognito c = { .endpoint = endpoint, .region = "us-east-1", .access_key = "test",
				   .secret_key = "test" };
	json_t *pool = NULL, *client = NULL;
	json_t *req = json_pack("{s:s}", "PoolName", "owlet-test");
	is_int(owlet_cognito_call(&pool, &c, "CreateUserPool", req), 0, "CreateUserPool through SigV4");
	json_decref(req);
	const char *pool_id = sget(pool, "UserPool", "Id");
	like(pool_id, "us-east-1_", "the pool has an id");
	req = json_pack("{s:s, s:s, s:[s,s]}", "UserPoolId", pool_id, "ClientName", "api", "ExplicitAuthFlows",
			"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH");
	is_int(owlet_cognito_call(&client, &c, "CreateUserPoolClient", req), 0, "CreateUserPoolClient");
	json_decref(req);
	const char *client_id = sget(client, "UserPoolClient", "ClientId");
	req = json_pack("{s:s, s:s}", "UserPoolId", pool_id, "GroupName", "editors");
	is_int(owlet_cognito_call(NULL, &c, "CreateGroup", req), 0, "CreateGroup");
	json_decref(req);

	is_int(owlet_cognito_create_user(&c, pool_id, "alice"), 0, "AdminCreateUser");
	is_int(owlet_cognito_create_user(&c, pool_id, "alice"), OWLET_EINVALID, "creating her again fails");
	like(owlet_error_last(), "user 'alice' already exists", "and says so");
	is_int(owlet_cognito_set_password(&c, pool_id, "alice", "Sup3r-secret-pw"), 0, "AdminSetUserPassword");
	is_int(owlet_cognito_add_to_group(&c, pool_id, "alice", "editors"), 0, "AdminAddUserToGroup");
	is_int(owlet_cognito_add_to_group(&c, pool_id, "alice", "nosuchgroup"), OWLET_ENOTFOUND,
	       "an unknown group is ENOTFOUND");

	char *access = NULL, *id = NULL, *jwks_json = NULL;
	is_int(owlet_cognito_sign_in(&access, &id, &c, client_id, "alice", "wrong-password"), OWLET_EINVALID,
	       "a wrong password is refused");
	like(owlet_error_last(), "wrong user name or password", "and says so");
	is_int(owlet_cognito_sign_in(&access, &id, &c, client_id, "alice", "Sup3r-secret-pw"), 0,
	       "USER_PASSWORD_AUTH signs in");
	is_int(owlet_cognito_jwks(&jwks_json, &c, pool_id), 0, "the pool's JWKS is served");
	struct owlet_jwks *jwks = NULL;
	is_int(owlet_jwks_parse(&jwks, jwks_json, strlen(jwks_json)), 0, "and parses");

	char *issuer = owlet_cognito_issuer("us-east-1", pool_id);
	const char *aud[] = { client_id };
	struct owlet_jwt_policy p = { .issuer = issuer, .audiences = aud, .n_audiences = 1, .token_use = "access",
				      .skew_s = 60 };
	json_t *claims = NULL;
	is_int(owlet_jwt_verify(&claims, jwks, &p, access), 0, "the emulator's access token verifies");
	if (claims == NULL)
		diag("%s", owlet_error_last());
	is_str(json_string_value(json_object_get(claims, "username")), "alice", "it names the user");
	json_t *groups = json_object_get(claims, "cognito:groups");
	is_str(json_string_value(json_array_get(groups, 0)), "editors", "and carries her groups");
	json_decref(claims);
	is_int(owlet_jwt_verify(NULL, jwks, &p, id), OWLET_EINVALID, "the id token is refused as an access token");
	const char *other[] = { "another-client" };
	struct owlet_jwt_policy wrong_aud = p;
	wrong_aud.audiences = other;
	is_int(owlet_jwt_verify(NULL, jwks, &wrong_aud, access), OWLET_EINVALID, "another client's audience refuses it");
	struct owlet_jwt_policy later = p;
	later.now = time(NULL) + 2 * 86400;
	is_int(owlet_jwt_verify(NULL, jwks, &later, access), OWLET_EINVALID, "two days later it has expired");
	char *bad_issuer = owlet_cognito_issuer("eu-west-1", pool_id);
	struct owlet_jwt_policy wrong_iss = p;
	wrong_iss.issuer = bad_issuer;
	is_int(owlet_jwt_verify(NULL, jwks, &wrong_iss, access), OWLET_EINVALID, "another region's issuer refuses it");

	struct owlet_cognito down = c;
	down.endpoint = "http://127.0.0.1:1";
	is_int(owlet_cognito_create_user(&down, pool_id, "bob"), OWLET_EIO, "an unreachable endpoint is EIO");

	free(bad_issuer);
	free(issuer);
	owlet_jwks_free(jwks);
	free(jwks_json);
	free(access);
	free(id);
	json_decref(pool);
	json_decref(client);
	stop_moto();
	return done_testing();
}
