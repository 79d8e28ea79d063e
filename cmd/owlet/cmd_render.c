/* cmd_render.c: `owlet render --env E`: write the Terraform root of an
 * environment to state/E/ (deterministic; see lib/deploy/render.h). */
#include <stdio.h>

#include "commands.h"
#include "base/error.h"
#include "spine.h"

static const char *opt_env;

const struct owlet_option cmd_render_options[] = {
	{ "env", 'e', OPT_STRING, &opt_env, "ENV", "the environment (default: local)" },
	{ 0 },
};

int cmd_render(int argc, char **argv)
{
	(void)argv;
	if (argc > 1)
		return owlet_error_setc(OWLET_EUSAGE, "'owlet render' takes no arguments");
	struct spine s;
	int rc = spine_open(&s, opt_env, "render");
	if (rc == 0)
		rc = spine_render(&s);
	if (rc == 0)
		printf("rendered %s/ (root module, modules/, owlet.auto.tfvars.json, backend.hcl)\n", s.state_dir);
	spine_close(&s);
	return rc;
}
