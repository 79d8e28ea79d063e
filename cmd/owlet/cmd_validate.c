/* cmd_validate.c: `owlet validate` (not built yet; its issue replaces this file). */
#include "commands.h"
#include "error.h"

const struct owlet_option cmd_validate_options[] = {
	{ 0 },
};

int cmd_validate(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return owlet_error_set("'owlet validate' is not built yet");
}
