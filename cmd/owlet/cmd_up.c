/* cmd_up.c: `owlet up` (not built yet; its issue replaces this file). */
#include "commands.h"
#include "error.h"

const struct owlet_option cmd_up_options[] = {
	{ 0 },
};

int cmd_up(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return owlet_error_set("'owlet up' is not built yet");
}
