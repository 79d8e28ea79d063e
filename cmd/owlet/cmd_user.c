/*
 * cmd_user.c: the users of the environment's Cognito user pool (the
 * emulator's for local):
 *   owlet user add EMAIL --group G [--group G2] [--password-stdin] [--env E]
 *   owlet user list [--env E]
 *   owlet user groups EMAIL [--add G]... [--remove G]... [--env E]
 *   owlet user remove EMAIL [--env E]
 *
 * A password is never on the command line: --password-stdin reads it from
 * the first line of standard input, else a strong one is generated and
 * printed once.  For the local environment the password is also kept in
 * state/<env>/users.json (mode 0600, gone with `owlet down`) so that `owlet
 * token EMAIL` needs none; for AWS environments nothing is stored.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "aws/cognito.h"
#include "commands.h"
#include "model/environment.h"
#include "base/error.h"
#include "base/random.h"
#include "deploy/stack.h"
#include "model/model.h"

static const char *opt_env = "local";
static bool opt_password_stdin;
static struct owlet_strlist opt_groups, opt_add, opt_remove;

const struct owlet_option cmd_user_options[] = {
	{ "env", 'e', OPT_STRING, &opt_env, "ENV", "environment (default: local)" },
	{ "group", 'g', OPT_LIST, &opt_groups, "GROUP", "add: put the user in GROUP (repeatable; groups of data_model.yml)" },
	{ "password-stdin", 0, OPT_FLAG, &opt_password_stdin, NULL,
	  "add: read the password from standard input (default: a generated one, printed once)" },
	{ "add", 0, OPT_LIST, &opt_add, "GROUP", "groups: add the user to GROUP (repeatable)" },
	{ "remove", 0, OPT_LIST, &opt_remove, "GROUP", "groups: take the user out of GROUP (repeatable)" },
	{ 0 },
};

/* 20 characters with at least one of each class Cognito's default policy asks for. */
static int generate_password(char *out, size_t size)
{
	static const char *classes[] = { "ABCDEFGHJKLMNPQRSTUVWXYZ", "abcdefghijkmnopqrstuvwxyz", "23456789",
					 "-_.!@#%+=" };
	unsigned char raw[20];
	if (size < sizeof raw + 1 || owlet_random_bytes(raw, sizeof raw) < 0)
		return owlet_error_set("cannot generate a password");
	for (size_t i = 0; i < sizeof raw; i++) {
		const char *set = classes[i < 4 ? i : raw[i] % 3];
		out[i] = set[raw[i] % strlen(set)];
	}
	out[sizeof raw] = '\0';
	return 0;
}

/* Refuses groups that data_model.yml does not declare, when it can be read. */
static int check_groups(const struct owlet_strlist *groups)
{
	struct owlet_model *model = NULL;
	if (owlet_model_load(&model, NULL, "data_model.yml") < 0)
		return 0; /* Cognito will say it when the group is missing */
	int rc = 0;
	for (int i = 0; i < groups->count && rc == 0; i++) {
		bool known = false;
		for (size_t g = 0; g < model->n_groups; g++)
			known = known || strcmp(model->groups[g], groups->items[i]) == 0;
		if (!known) {
			char list[512] = "";
			size_t off = 0;
			for (size_t g = 0; g < model->n_groups && off < sizeof list; g++)
				off += (size_t)snprintf(list + off, sizeof list - off, "%s%s", g ? ", " : "", model->groups[g]);
			rc = owlet_error_setc(OWLET_EUSAGE, "unknown group '%s' (data_model.yml has: %s)",
					      groups->items[i], list);
		}
	}
	owlet_model_free(model);
	return rc;
}

/* The first line of standard input, without its line end; 6 to 256 bytes. */
static int read_password(char *out, size_t size)
{
	if (!fgets(out, (int)size, stdin))
		return owlet_error_setc(OWLET_EUSAGE, "--password-stdin: nothing on standard input");
	size_t n = strcspn(out, "\r\n");
	if (out[n] == '\0' && n == size - 1)
		return owlet_error_setc(OWLET_EUSAGE, "--password-stdin: the password is longer than %zu bytes", size - 2);
	out[n] = '\0';
	if (n < 6)
		return owlet_error_setc(OWLET_EUSAGE, "--password-stdin: the password is shorter than 6 characters");
	return 0;
}

static const char *env_suffix(void)
{
	static char buf[64];
	if (strcmp(opt_env, "local") == 0)
		return "";
	snprintf(buf, sizeof buf, " --env %s", opt_env);
	return buf;
}

static int user_add(struct owlet_stack *stack, const struct owlet_cognito *c, const char *name)
{
	if (opt_groups.count == 0)
		return owlet_error_setc(OWLET_EUSAGE, "give the user at least one --group");
	int rc = check_groups(&opt_groups);
	if (rc < 0)
		return rc;
	char password[258];
	rc = opt_password_stdin ? read_password(password, sizeof password) : generate_password(password, sizeof password);
	if (rc < 0)
		return rc;
	rc = owlet_cognito_create_user(c, stack->user_pool_id, name);
	if (rc == 0)
		rc = owlet_cognito_set_password(c, stack->user_pool_id, name, password);
	for (int i = 0; rc == 0 && i < opt_groups.count; i++)
		rc = owlet_cognito_add_to_group(c, stack->user_pool_id, name, opt_groups.items[i]);
	if (rc < 0)
		return rc;
	bool kept = stack->endpoint != NULL && owlet_users_remember(stack->state_dir, name, password) == 0;
	printf("added user '%s' to user pool %s, groups:", name, stack->user_pool_id);
	for (int i = 0; i < opt_groups.count; i++)
		printf(" %s", opt_groups.items[i]);
	printf("\n");
	if (!opt_password_stdin)
		printf("password: %s   (shown once%s%s%s)\n", password, kept ? "; kept in " : "",
		       kept ? stack->state_dir : "", kept ? "/users.json for 'owlet token'" : "");
	printf("next: owlet token %s%s\n", name, env_suffix());
	return 0;
}

static int print_groups(const struct owlet_cognito *c, const char *pool, const char *name, const char *username)
{
	json_t *groups = NULL;
	int rc = owlet_cognito_user_groups(&groups, c, pool, username);
	if (rc < 0)
		return rc;
	printf("%s\t", name);
	size_t i;
	const json_t *g;
	json_array_foreach(groups, i, g) {
		printf("%s%s", i ? " " : "", json_string_value(g));
	}
	printf("%s\n", json_array_size(groups) ? "" : "(no group)");
	json_decref(groups);
	return 0;
}

static int user_list(const struct owlet_stack *stack, const struct owlet_cognito *c)
{
	json_t *users = NULL;
	int rc = owlet_cognito_list_users(&users, c, stack->user_pool_id);
	if (rc < 0)
		return rc;
	size_t i;
	const json_t *u;
	json_array_foreach(users, i, u) {
		rc = print_groups(c, stack->user_pool_id, json_string_value(json_object_get(u, "name")),
				  json_string_value(json_object_get(u, "username")));
		if (rc < 0)
			break;
	}
	if (rc == 0)
		fprintf(stderr, "%zu user%s in user pool %s\n", json_array_size(users), json_array_size(users) == 1 ? "" : "s",
			stack->user_pool_id);
	json_decref(users);
	return rc;
}

static int user_groups(const struct owlet_stack *stack, const struct owlet_cognito *c, const char *name)
{
	int rc = check_groups(&opt_add);
	if (rc == 0)
		rc = check_groups(&opt_remove);
	for (int i = 0; rc == 0 && i < opt_add.count; i++)
		rc = owlet_cognito_add_to_group(c, stack->user_pool_id, name, opt_add.items[i]);
	for (int i = 0; rc == 0 && i < opt_remove.count; i++)
		rc = owlet_cognito_remove_from_group(c, stack->user_pool_id, name, opt_remove.items[i]);
	if (rc == OWLET_ENOTFOUND)
		rc = owlet_error_setc(OWLET_ENOTFOUND, "no user '%s' in the user pool (owlet user list shows them)", name);
	if (rc == 0)
		rc = print_groups(c, stack->user_pool_id, name, name);
	if (rc == 0 && (opt_add.count || opt_remove.count))
		printf("a token made before this change still carries the old groups: run 'owlet token %s%s' again\n",
		       name, env_suffix());
	return rc;
}

static int user_remove(const struct owlet_stack *stack, const struct owlet_cognito *c, const char *name)
{
	int rc = owlet_cognito_delete_user(c, stack->user_pool_id, name);
	if (rc == 0 && stack->endpoint)
		rc = owlet_users_forget(stack->state_dir, name);
	if (rc == 0)
		printf("removed user '%s' from user pool %s\n", name, stack->user_pool_id);
	return rc;
}

int cmd_user(int argc, char **argv)
{
	static const char *const subs[] = { "add", "list", "groups", "remove", NULL };
	const char *sub = argc >= 2 ? argv[1] : NULL;
	int which = -1;
	for (int i = 0; sub && subs[i]; i++)
		if (strcmp(sub, subs[i]) == 0)
			which = i;
	if (which < 0)
		return owlet_error_setc(OWLET_EUSAGE, sub ? "unknown subcommand '%s' (add, list, groups, remove)"
							  : "missing subcommand%s (add, list, groups, remove)", sub ? sub : "");
	if (which == 1 ? argc != 2 : argc != 3)
		return owlet_error_setc(OWLET_EUSAGE, which == 1 ? "'owlet user list' takes no argument"
							     : "'owlet user %s' takes one EMAIL", sub);
	if ((opt_groups.count || opt_password_stdin) && which != 0)
		return owlet_error_setc(OWLET_EUSAGE, "--group and --password-stdin are for 'owlet user add'");
	if ((opt_add.count || opt_remove.count) && which != 2)
		return owlet_error_setc(OWLET_EUSAGE, "--add and --remove are for 'owlet user groups'");
	if (!owlet_environment_valid_name(opt_env))
		return owlet_error_setc(OWLET_EUSAGE, "invalid environment name '%s'", opt_env);
	struct owlet_stack *stack = NULL;
	int rc = owlet_stack_open(&stack, opt_env, true);
	if (rc < 0)
		return rc;
	struct owlet_cognito c = { .endpoint = stack->endpoint, .region = stack->region };
	switch (which) {
	case 0: rc = user_add(stack, &c, argv[2]); break;
	case 1: rc = user_list(stack, &c); break;
	case 2: rc = user_groups(stack, &c, argv[2]); break;
	default: rc = user_remove(stack, &c, argv[2]); break;
	}
	owlet_stack_free(stack);
	return rc;
}
