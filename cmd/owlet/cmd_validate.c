/*
 * cmd_validate.c: `owlet validate [--model FILE] [--env NAME] [--json]`.
 *
 * Checks the model and the environments next to it (environments/NAME.yml
 * with --env, else every environments/NAME.yml there), prints every problem as
 * FILE:LINE:COL: error: MESSAGE on stderr in reading order, and a summary.
 * --json prints the normalised model (every default filled in) on stdout.
 */
#include <dirent.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "model/environment.h"
#include "base/error.h"
#include "model/model.h"

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

/* The names of environments/NAME.yml under dir, sorted; none when there is
 * no such directory. */
static int list_environments(char ***out, size_t *n, const char *dir)
{
	*out = NULL;
	*n = 0;
	char *path = NULL;
	if (asprintf(&path, "%s/environments", dir) < 0)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	struct dirent **entries = NULL;
	int count = scandir(path, &entries, NULL, alphasort);
	free(path);
	if (count < 0)
		return 0;
	int rc = 0;
	char **names = calloc((size_t)count + 1, sizeof *names);
	for (int i = 0; i < count; i++) {
		const char *name = entries[i]->d_name;
		size_t len = strlen(name);
		if (names && rc == 0 && name[0] != '.' && len > 4 && strcmp(name + len - 4, ".yml") == 0) {
			names[*n] = strndup(name, len - 4);
			if (!names[*n])
				rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
			else
				(*n)++;
		}
		free(entries[i]);
	}
	free(entries);
	if (!names)
		rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
	*out = names;
	return rc;
}

static void free_names(char **names, size_t n)
{
	for (size_t i = 0; names && i < n; i++)
		free(names[i]);
	free(names);
}

/* One failed file for the summary. */
struct failed {
	const char *file;
	size_t problems;
};

/* Validates one environment; a line on stdout when it is fine. */
static int validate_env(struct owlet_diags *diags, struct failed *failed, size_t *n_failed, const char *dir,
			const char *name, const char *project)
{
	struct owlet_environment *env = NULL;
	size_t before = diags->count;
	int rc = owlet_environment_load(&env, diags, dir, name, project);
	if (rc == OWLET_EINVALID) {
		char *path = NULL;
		owlet_environment_path(&path, dir, name);
		if (diags->count == before)
			owlet_diags_add(diags, path ? path : name, 0, 0, "%s", owlet_error_last());
		failed[*n_failed].file = diags->items[before].file; /* owned by diags */
		failed[(*n_failed)++].problems = diags->count - before;
		free(path);
		return 0;
	}
	if (rc < 0)
		return rc;
	if (!opt_json)
		printf("%s: environment '%s', target %s, region %s: ok\n", env->path, env->name,
		       env->target == OWLET_TARGET_LOCAL ? "local" : "aws", env->region);
	owlet_environment_free(env);
	return 0;
}

int cmd_validate(int argc, char **argv)
{
	if (argc > 1)
		return owlet_error_setc(OWLET_EUSAGE, "unexpected argument '%s'", argv[1]);
	struct owlet_diags diags = { 0 };
	struct owlet_model *model = NULL;
	char **envs = NULL;
	size_t n_envs = 0, n_failed = 0;
	struct failed *failed = NULL;
	char *model_copy = strdup(opt_model);
	if (!model_copy)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	const char *dir = dirname(model_copy);

	int rc = owlet_model_load(&model, &diags, opt_model);
	if (rc < 0 && rc != OWLET_EINVALID)
		goto out;
	if (opt_env) {
		envs = calloc(1, sizeof *envs);
		if (!envs || !(envs[0] = strdup(opt_env))) {
			rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
			goto out;
		}
		n_envs = 1;
	} else if ((rc = list_environments(&envs, &n_envs, dir)) < 0) {
		goto out;
	}
	failed = calloc(n_envs + 1, sizeof *failed);
	if (!failed) {
		rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
		goto out;
	}
	if (!model) {
		failed[n_failed].file = opt_model;
		failed[n_failed++].problems = diags.count;
	} else if (!opt_json) {
		size_t fields = count_fields(model);
		printf("%s: project '%s', %zu dataset%s, %zu field%s: ok\n", opt_model, model->project,
		       model->n_datasets, model->n_datasets == 1 ? "" : "s", fields, fields == 1 ? "" : "s");
	}
	for (size_t i = 0; i < n_envs; i++) {
		rc = validate_env(&diags, failed, &n_failed, dir, envs[i], model ? model->project : NULL);
		if (rc < 0)
			goto out;
	}
	if (n_failed > 0) {
		/* error: 3 problems in data_model.yml, 1 in environments/dev.yml */
		char summary[512];
		size_t o = 0;
		for (size_t i = 0; i < n_failed && o < sizeof summary; i++) {
			int w = snprintf(summary + o, sizeof summary - o, "%s%zu%s in %s", i ? ", " : "", failed[i].problems,
					 i ? "" : (failed[i].problems == 1 ? " problem" : " problems"), failed[i].file);
			if (w < 0)
				break;
			o += (size_t)w;
		}
		rc = owlet_error_setc(OWLET_EINVALID, "%s", summary);
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
	}
	rc = 0;
out:
	owlet_print_diags(&diags);
	free(failed);
	free_names(envs, n_envs);
	owlet_model_free(model);
	owlet_diags_clear(&diags);
	free(model_copy);
	return rc;
}
