/*
 * cmd_token.c: `owlet token NAME [--env E] [--password P]`: sign NAME in to
 * the environment's user pool (USER_PASSWORD_AUTH) and print the access
 * token, alone on the last line of stdout, so that
 *   TOKEN=$(owlet token alice)
 *   curl -H "Authorization: Bearer $TOKEN" "$API_URL/datasets"
 * works.  Users added locally by `owlet user add` need no password: it is
 * kept in state/<env>/users.json.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/cognito.h"
#include "commands.h"
#include "model/environment.h"
#include "base/error.h"
#include "deploy/stack.h"

static const char *opt_env = "local";
static const char *opt_password;

const struct owlet_option cmd_token_options[] = {
	{ "env", 'e', OPT_STRING, &opt_env, "ENV", "environment (default: local)" },
	{ "password", 'p', OPT_STRING, &opt_password, "PASSWORD",
	  "the user's password (default: the one 'owlet user add' kept in state/ENV/users.json, local only)" },
	{ 0 },
};

int cmd_token(int argc, char **argv)
{
	if (argc != 2)
		return owlet_error_setc(OWLET_EUSAGE, "'owlet token' takes one NAME");
	const char *name = argv[1];
	struct owlet_stack *stack = NULL;
	char *kept = NULL, *access = NULL;
	int rc = owlet_stack_open(&stack, opt_env, true);
	if (rc < 0)
		return rc;
	const char *password = opt_password;
	if (!password) {
		rc = owlet_users_password(&kept, stack->state_dir, name);
		if (rc < 0)
			goto out;
		password = kept;
	}
	if (!password) {
		rc = owlet_error_setc(OWLET_EUSAGE, "no password for '%s': give --password (only users added with "
						    "'owlet user add' on a local environment need none)", name);
		goto out;
	}
	struct owlet_cognito c = { .endpoint = stack->endpoint, .region = stack->region };
	rc = owlet_cognito_sign_in(&access, NULL, &c, stack->client_id, name, password);
	if (rc == 0)
		printf("%s\n", access);
out:
	free(access);
	free(kept);
	owlet_stack_free(stack);
	return rc;
}
