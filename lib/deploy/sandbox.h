/*
 * sandbox.h: a developer's sandbox in the account: the project's sandboxes
 * (owlet sandbox list) and what is left of one after its destroy (owlet
 * sandbox down), found through AWS's own APIs, not terraform's state.
 *
 * Tagged resources come from the Resource Groups Tagging API (owlet:project,
 * owlet:env, owlet:sandbox); what that API does not return (Cognito user
 * pools and API Gateway APIs on the emulator) or what nobody tagged (the log
 * group a Lambda makes for itself when it runs after its log group went) is
 * found by name: the sandbox's name prefix <project>-<env>-<name>, itself or
 * followed by '-'.
 */
#ifndef OWLET_SANDBOX_H
#define OWLET_SANDBOX_H

#include <jansson.h>

struct owlet_sandbox_scope {
	const char *project;
	const char *env;
	const char *region;
	const char *endpoint;   /* the emulator's; NULL for AWS */
	const char *access_key; /* "test" for the emulator; NULL: the AWS_* variables */
};

/* A sandbox name: 1 to 16 of [a-z0-9-], starting with a letter or digit. */
int owlet_sandbox_name_check(const char *name);

/* The sandboxes of scope's project and environment: a new array of
 * {"name", "expires" (YYYY-MM-DD or ""), "resources": N}, sorted by name. */
int owlet_sandbox_list(json_t **out, const struct owlet_sandbox_scope *sc);

/* What remains of sandbox `name`: a new array of strings, one per resource
 * (its ARN, or "user pool NAME (ID)", "API NAME (ID)", "log group NAME"). */
int owlet_sandbox_leftovers(json_t **out, const struct owlet_sandbox_scope *sc, const char *name);

/* After the sandbox's destroy: deletes the log groups /aws/lambda/<prefix>...
 * that its Lambda made for itself (without tags, unknown to terraform) when
 * it ran after its log group was destroyed.  *removed: a new array of their
 * names. */
int owlet_sandbox_remove_function_logs(json_t **removed, const struct owlet_sandbox_scope *sc, const char *name);

#endif
