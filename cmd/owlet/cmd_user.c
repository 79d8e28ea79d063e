/* cmd_user.c: `owlet user` (not built yet; its issue replaces this file). */
#include "commands.h"
#include "error.h"

const struct owlet_option cmd_user_options[] = {
	{ 0 },
};

int cmd_user(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return owlet_error_set("'owlet user' is not built yet");
}
