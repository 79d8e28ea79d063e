/* cmd_serve.c: `owlet serve` (not built yet; its issue replaces this file). */
#include "commands.h"
#include "error.h"

const struct owlet_option cmd_serve_options[] = {
	{ 0 },
};

int cmd_serve(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return owlet_error_set("'owlet serve' is not built yet");
}
