/*
 * cmd_graph.c: `owlet graph [--env E] [--output graph.svg] [--plan-json FILE]`:
 * the stack as a picture, drawn by Graphviz's dot from the environment's
 * plan (planned offline against a moto_server of its own, as `owlet cost`
 * does, so `local` needs no credentials either).  The DOT text is kept next
 * to the picture (graph.svg -> graph.dot).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/fsutil.h"
#include "base/proc.h"
#include "commands.h"
#include "deploy/graph.h"
#include "spine.h"

static const char *opt_env, *opt_output, *opt_plan_json;

const struct owlet_option cmd_graph_options[] = {
	{ "env", 'e', OPT_STRING, &opt_env, "ENV", "the environment (default: local)" },
	{ "output", 'o', OPT_STRING, &opt_output, "FILE", "the SVG to write (default: graph.svg)" },
	{ "plan-json", 0, OPT_STRING, &opt_plan_json, "FILE",
	  "draw this plan (terraform show -json PLAN) instead of planning the environment offline" },
	{ 0 },
};

static int draw(const char *dot_path, const char *svg_path)
{
	char *dot = owlet_proc_which("dot");
	if (!dot)
		return owlet_error_setc(OWLET_ENOTFOUND,
					"Graphviz's 'dot' is not on PATH: install it (Debian: apt-get install graphviz, or make deps)");
	free(dot);
	char *out_arg = NULL;
	if (asprintf(&out_arg, "-o%s", svg_path) < 0)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	const char *argv[] = { "dot", "-Tsvg", out_arg, dot_path, NULL };
	struct owlet_proc_opts opts = { .argv = argv, .timeout_s = 120 };
	int status;
	int rc = owlet_proc_run(&status, &opts);
	if (rc == 0 && status != 0)
		rc = owlet_error_setc(OWLET_ECHILD, "dot failed (status %d) on '%s'", status, dot_path);
	free(out_arg);
	return rc;
}

int cmd_graph(int argc, char **argv)
{
	(void)argv;
	if (argc > 1)
		return owlet_error_setc(OWLET_EUSAGE, "'owlet graph' takes no arguments");
	const char *svg = opt_output && opt_output[0] ? opt_output : "graph.svg";
	size_t n = strlen(svg);
	if (n < 5 || strcmp(svg + n - 4, ".svg") != 0)
		return owlet_error_setc(OWLET_EUSAGE, "--output must name an .svg file, not '%s'", svg);
	struct spine s = { .lock_fd = -1 };
	json_t *plan = NULL;
	char *text = NULL, *dot_path = NULL, title[128];
	int rc = spine_open(&s, opt_env, opt_plan_json ? NULL : "graph");
	if (rc < 0)
		goto out;
	rc = spine_plan_json_offline(&s, &plan, opt_plan_json, "graph");
	if (rc < 0)
		goto out;
	snprintf(title, sizeof title, "%s / %s (%s)", s.model->project, s.env_name, s.env->region);
	if (!(text = owlet_graph_dot(plan, title))) {
		rc = OWLET_EINVALID;
		goto out;
	}
	if (asprintf(&dot_path, "%.*s.dot", (int)(n - 4), svg) < 0) {
		dot_path = NULL;
		rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
		goto out;
	}
	rc = owlet_fs_write_atomic(dot_path, text, strlen(text));
	if (rc == 0)
		rc = draw(dot_path, svg);
	if (rc == 0)
		printf("wrote %s (and %s)\n", svg, dot_path);
out:
	free(text);
	free(dot_path);
	json_decref(plan);
	spine_close(&s);
	return rc;
}
