/* cmd_down.c: `owlet down` (not built yet; its issue replaces this file). */
#include "commands.h"
#include "error.h"

const struct owlet_option cmd_down_options[] = {
	{ 0 },
};

int cmd_down(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return owlet_error_set("'owlet down' is not built yet");
}
