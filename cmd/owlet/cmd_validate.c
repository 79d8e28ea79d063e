/*
 * cmd_validate.c: `owlet validate [--model FILE] [--env NAME] [--json]`.
 *
 * Checks the model and the environments next to it (environments/NAME.yml
 * with --env, else every environments/NAME.yml there), prints every problem as
 * FILE:LINE:COL: error: MESSAGE on stderr in reading order, and a summary.
 * --json prints the normalised model (every default filled in) on stdout.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "error.h"
#include "model.h"

static const char *opt_model = "data_model.yml";
static const char *opt_env;
static bool opt_json;

const struct owlet_option cmd_validate_options[] = {
	{ "model", 'm', OPT_STRING, &opt_model, "FILE", "the model to check (default: data_model.yml)" },
	{ "env", 'e', OPT_STRING, &opt_env, "NAME", "check environments/NAME.yml only (default: every environment)" },
	{ "json", 0, OPT_FLAG, &opt_json, NULL, "print the normalised model as JSON (defaults filled in)" },
	{ 0 },
};

static size_t count_fields(const struct owlet_model *m)
{
	size_t n = 0;
	for (size_t i = 0; i < m->n_datasets; i++)
		n += m->datasets[i].n_fields;
	return n;
}

static void print_diags(struct owlet_diags *d)
{
	owlet_diags_sort(d);
	for (size_t i = 0; i < d->count; i++) {
		char *line = owlet_diag_format(&d->items[i]);
		if (line)
			fprintf(stderr, "%s\n", line);
		free(line);
	}
}

int cmd_validate(int argc, char **argv)
{
	if (argc > 1)
		return owlet_error_setc(OWLET_EUSAGE, "unexpected argument '%s'", argv[1]);
	struct owlet_diags diags = { 0 };
	struct owlet_model *model = NULL;
	int rc = owlet_model_load(&model, &diags, opt_model);
	if (rc < 0 && rc != OWLET_EINVALID)
		goto out;
	print_diags(&diags);
	if (rc == OWLET_EINVALID) {
		rc = owlet_error_setc(OWLET_EINVALID, "%zu problem%s in %s", diags.count,
				      diags.count == 1 ? "" : "s", opt_model);
		goto out;
	}
	if (opt_json) {
		json_t *j = owlet_model_to_json(model);
		if (!j || json_dumpf(j, stdout, JSON_INDENT(2)) < 0) {
			json_decref(j);
			rc = owlet_error_setc(OWLET_ENOMEM, "cannot write the model as JSON");
			goto out;
		}
		json_decref(j);
		putchar('\n');
	} else {
		printf("%s: project '%s', %zu dataset%s, %zu field%s: ok\n", opt_model, model->project,
		       model->n_datasets, model->n_datasets == 1 ? "" : "s", count_fields(model),
		       count_fields(model) == 1 ? "" : "s");
	}
	rc = 0;
out:
	owlet_model_free(model);
	owlet_diags_clear(&diags);
	return rc;
}
