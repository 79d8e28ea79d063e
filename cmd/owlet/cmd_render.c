/* cmd_render.c: `owlet render` (not built yet; its issue replaces this file). */
#include "commands.h"
#include "error.h"

const struct owlet_option cmd_render_options[] = {
	{ 0 },
};

int cmd_render(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return owlet_error_set("'owlet render' is not built yet");
}
