/* cmd_openapi.c: `owlet openapi [--env E]`: the OpenAPI 3.1 document of the
 * stack's API, made from data_model.yml (lib/model/openapi.h); with the
 * deployed stack's API URL and issuer when state/E/outputs.json has them. */
#include <stdio.h>
#include <stdlib.h>

#include "base/error.h"
#include "commands.h"
#include "deploy/stack.h"
#include "model/model.h"
#include "model/openapi.h"

static const char *opt_env = "local";

const struct owlet_option cmd_openapi_options[] = {
	{ "env", 'e', OPT_STRING, &opt_env, "ENV", "the environment whose API URL and issuer to use (default: local)" },
	{ 0 },
};

int cmd_openapi(int argc, char **argv)
{
	(void)argv;
	if (argc > 1)
		return owlet_error_setc(OWLET_EUSAGE, "openapi takes no arguments");
	struct owlet_model *model = NULL;
	int rc = owlet_model_load(&model, NULL, "data_model.yml");
	if (rc == OWLET_EINVALID)
		return owlet_error_setc(rc, "data_model.yml has problems; 'owlet validate' lists them");
	if (rc < 0)
		return rc;
	struct owlet_stack *stack = NULL;
	const char *issuer = NULL, *url = NULL;
	if (owlet_stack_open(&stack, opt_env, false) == 0) { /* not deployed: no URL, no issuer */
		issuer = stack->issuer;
		url = json_string_value(json_object_get(stack->outputs, "api_url"));
		if (url && !*url)
			url = NULL;
	} else {
		owlet_error_clear();
	}
	json_t *doc = owlet_openapi(model, issuer, url);
	rc = doc && json_dumpf(doc, stdout, JSON_INDENT(2)) == 0 ? 0 : owlet_error_setc(OWLET_ENOMEM, "out of memory");
	if (rc == 0)
		putchar('\n');
	json_decref(doc);
	owlet_stack_free(stack);
	owlet_model_free(model);
	return rc;
}
