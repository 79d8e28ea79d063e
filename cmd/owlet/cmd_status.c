/* cmd_status.c: `owlet status` (not built yet; its issue replaces this file). */
#include "commands.h"
#include "error.h"

const struct owlet_option cmd_status_options[] = {
	{ 0 },
};

int cmd_status(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return owlet_error_set("'owlet status' is not built yet");
}
