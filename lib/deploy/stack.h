/*
 * stack.h: what the local API, `owlet user` and `owlet token` read from
 * state/<env>/ (docs/contracts.md): outputs.json after `up`, emulator.json
 * for the local target, and users.json, where `owlet user add` keeps the
 * passwords of the users it made (mode 0600, local state only) so that
 * `owlet token NAME` needs none.  Writes are atomic (temporary file, rename).
 */
#ifndef OWLET_LOCALSTATE_H
#define OWLET_LOCALSTATE_H

#include <stdbool.h>
#include <sys/types.h>

#include <jansson.h>

struct owlet_stack {
	char *state_dir;      /* state/<env> */
	char *endpoint;       /* emulator.json "endpoint"; NULL for AWS */
	char *region;         /* outputs "region", else the user pool id's prefix */
	char *user_pool_id;   /* NULL for a stack without auth */
	char *client_id;      /* outputs "user_pool_client_id"; likewise */
	char *issuer;         /* outputs "issuer", else Cognito's form; likewise */
	char *data_bucket;
	char *function_name;
	char *api_id;
	json_t *outputs;      /* the whole outputs.json */
};

/* "state/<env_name>", the one place that builds it (caller frees); NULL,
 * with OWLET_EUSAGE set, for an invalid environment name. */
char *owlet_state_dir(const char *env_name);
/* owlet_stack_load of state/<env_name>, after checking the name; with
 * need_pool, also owlet_stack_need_pool. */
int owlet_stack_open(struct owlet_stack **out, const char *env_name, bool need_pool);

/* Reads state_dir/outputs.json (and emulator.json when present).  No
 * outputs.json: OWLET_ENOTFOUND naming the `owlet up` to run. */
int owlet_stack_load(struct owlet_stack **out, const char *state_dir, const char *env_name);
void owlet_stack_free(struct owlet_stack *stack);
/* OWLET_EINVALID, saying so, when the stack has no user pool and client. */
int owlet_stack_need_pool(const struct owlet_stack *stack, const char *env_name);

/* Reads a JSON object file; OWLET_ENOTFOUND when absent. */
int owlet_state_read_json(json_t **out, const char *path);
/* Writes a JSON object atomically with the given mode (owlet_fs_replace:
 * the temporary file is made with O_EXCL|O_NOFOLLOW, mode 0600, fsync'd). */
int owlet_state_write_json(const char *path, json_t *doc, mode_t mode);

/* users.json: remember / look up a password (*out new string, or NULL). */
int owlet_users_remember(const char *state_dir, const char *name, const char *password);
int owlet_users_password(char **out, const char *state_dir, const char *name);
/* Drops name's kept password (none kept: 0). */
int owlet_users_forget(const char *state_dir, const char *name);

/* The terraform state of a local stack, its bytes as terraform wrote them
 * to the emulator's S3 (*body new); none: OWLET_ENOTFOUND. */
int owlet_stack_local_state_bytes(char **body, size_t *len, const char *endpoint, const char *region,
				  const char *bucket, const char *key);
/* The resources of a local stack from its terraform state in the
 * emulator's S3 (bucket, key), read without terraform: *out is a new array
 * of addresses, empty when there is no state. */
int owlet_stack_local_resources(json_t **out, const char *endpoint, const char *region, const char *bucket,
				const char *key);
/* Its outputs the same way, as `terraform output -json` gives them but
 * flat ({"name": value}, sensitive ones included), from the state terraform
 * wrote at the end of its apply.  No state or no outputs: OWLET_ENOTFOUND. */
int owlet_stack_local_outputs(json_t **out, const char *endpoint, const char *region, const char *bucket,
			      const char *key);

#endif
