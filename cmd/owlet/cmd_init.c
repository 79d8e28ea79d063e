/* cmd_init.c: `owlet init` (not built yet; its issue replaces this file). */
#include "commands.h"
#include "error.h"

const struct owlet_option cmd_init_options[] = {
	{ 0 },
};

int cmd_init(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return owlet_error_set("'owlet init' is not built yet");
}
