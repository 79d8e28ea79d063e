/*
 * cmd_user.c: `owlet user add NAME --group G [--group G2] [--password P]
 * [--env E]`: a user of the environment's Cognito user pool (the emulator's
 * for local), with a permanent password, in the given groups.
 *
 * Without --password a strong one is generated and printed once.  For the
 * local environment the password is also kept in state/<env>/users.json
 * (mode 0600) so that `owlet token NAME` needs none; for AWS environments
 * nothing is stored.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "aws/cognito.h"
#include "commands.h"
#include "model/environment.h"
#include "base/error.h"
#include "deploy/stack.h"
#include "model/model.h"

static const char *opt_env = "local";
static const char *opt_password;
static struct owlet_strlist opt_groups;

const struct owlet_option cmd_user_options[] = {
	{ "env", 'e', OPT_STRING, &opt_env, "ENV", "environment (default: local)" },
	{ "group", 'g', OPT_LIST, &opt_groups, "GROUP", "add the user to GROUP (repeatable; groups of data_model.yml)" },
	{ "password", 'p', OPT_STRING, &opt_password, "PASSWORD", "the password (default: a generated one, printed once)" },
	{ 0 },
};

/* 20 characters with at least one of each class Cognito's default policy asks for. */
static int generate_password(char *out, size_t size)
{
	static const char *classes[] = { "ABCDEFGHJKLMNPQRSTUVWXYZ", "abcdefghijkmnopqrstuvwxyz", "23456789",
					 "-_.!@#%+=" };
	unsigned char raw[20];
	if (size < sizeof raw + 1 || RAND_bytes(raw, sizeof raw) != 1)
		return owlet_error_set("cannot generate a password");
	for (size_t i = 0; i < sizeof raw; i++) {
		const char *set = classes[i < 4 ? i : raw[i] % 3];
		out[i] = set[raw[i] % strlen(set)];
	}
	out[sizeof raw] = '\0';
	return 0;
}

/* Refuses groups that data_model.yml does not declare, when it can be read. */
static int check_groups(void)
{
	struct owlet_model *model = NULL;
	if (owlet_model_load(&model, NULL, "data_model.yml") < 0)
		return 0; /* Cognito will say it when the group is missing */
	int rc = 0;
	for (int i = 0; i < opt_groups.count && rc == 0; i++) {
		bool known = false;
		for (size_t g = 0; g < model->n_groups; g++)
			known = known || strcmp(model->groups[g], opt_groups.items[i]) == 0;
		if (!known) {
			char list[512] = "";
			size_t off = 0;
			for (size_t g = 0; g < model->n_groups && off < sizeof list; g++)
				off += (size_t)snprintf(list + off, sizeof list - off, "%s%s", g ? ", " : "", model->groups[g]);
			rc = owlet_error_setc(OWLET_EUSAGE, "unknown group '%s' (data_model.yml has: %s)",
					      opt_groups.items[i], list);
		}
	}
	owlet_model_free(model);
	return rc;
}

int cmd_user(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "add") != 0)
		return owlet_error_setc(OWLET_EUSAGE, argc < 2 ? "missing subcommand (add)" : "unknown subcommand '%s'",
					argc < 2 ? "" : argv[1]);
	if (argc != 3)
		return owlet_error_setc(OWLET_EUSAGE, "'owlet user add' takes one NAME");
	const char *name = argv[2];
	if (!owlet_environment_valid_name(opt_env))
		return owlet_error_setc(OWLET_EUSAGE, "invalid environment name '%s'", opt_env);
	if (opt_groups.count == 0)
		return owlet_error_setc(OWLET_EUSAGE, "give the user at least one --group");
	int rc = check_groups();
	if (rc < 0)
		return rc;
	char generated[32];
	struct owlet_stack *stack = NULL;
	rc = owlet_stack_open(&stack, opt_env, true);
	if (rc < 0)
		return rc;
	const char *password = opt_password;
	if (!password) {
		rc = generate_password(generated, sizeof generated);
		if (rc < 0)
			goto out;
		password = generated;
	}
	struct owlet_cognito c = { .endpoint = stack->endpoint, .region = stack->region };
	rc = owlet_cognito_create_user(&c, stack->user_pool_id, name);
	if (rc == 0)
		rc = owlet_cognito_set_password(&c, stack->user_pool_id, name, password);
	for (int i = 0; rc == 0 && i < opt_groups.count; i++)
		rc = owlet_cognito_add_to_group(&c, stack->user_pool_id, name, opt_groups.items[i]);
	if (rc < 0)
		goto out;
	bool kept = stack->endpoint != NULL && owlet_users_remember(stack->state_dir, name, password) == 0;
	printf("added user '%s' to user pool %s, groups:", name, stack->user_pool_id);
	for (int i = 0; i < opt_groups.count; i++)
		printf(" %s", opt_groups.items[i]);
	printf("\n");
	if (!opt_password)
		printf("password: %s   (shown once%s%s%s)\n", password, kept ? "; kept in " : "",
		       kept ? stack->state_dir : "", kept ? "/users.json for 'owlet token'" : "");
	printf("next: owlet token %s%s%s\n", name, strcmp(opt_env, "local") ? " --env " : "",
	       strcmp(opt_env, "local") ? opt_env : "");
out:
	owlet_stack_free(stack);
	return rc;
}
