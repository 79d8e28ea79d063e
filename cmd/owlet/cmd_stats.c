/* cmd_stats.c: `owlet stats` (not built yet; its issue replaces this file). */
#include "commands.h"
#include "error.h"

const struct owlet_option cmd_stats_options[] = {
	{ 0 },
};

int cmd_stats(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return owlet_error_set("'owlet stats' is not built yet");
}
