/* cmd_plan.c: `owlet plan` (not built yet; its issue replaces this file). */
#include "commands.h"
#include "error.h"

const struct owlet_option cmd_plan_options[] = {
	{ 0 },
};

int cmd_plan(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return owlet_error_set("'owlet plan' is not built yet");
}
