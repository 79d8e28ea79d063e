/* cmd_build.c: `owlet build` (not built yet; its issue replaces this file). */
#include "commands.h"
#include "error.h"

const struct owlet_option cmd_build_options[] = {
	{ 0 },
};

int cmd_build(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return owlet_error_set("'owlet build' is not built yet");
}
