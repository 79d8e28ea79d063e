/* cmd_check.c: `owlet check` (not built yet; its issue replaces this file). */
#include "commands.h"
#include "error.h"

const struct owlet_option cmd_check_options[] = {
	{ 0 },
};

int cmd_check(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return owlet_error_set("'owlet check' is not built yet");
}
