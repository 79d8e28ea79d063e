/* cmd_token.c: `owlet token` (not built yet; its issue replaces this file). */
#include "commands.h"
#include "error.h"

const struct owlet_option cmd_token_options[] = {
	{ 0 },
};

int cmd_token(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return owlet_error_set("'owlet token' is not built yet");
}
