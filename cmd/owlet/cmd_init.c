/*
 * cmd_init.c: `owlet init DIR [--name NAME]`: a new project (model,
 * environments, .gitignore, README) in a git repository with one commit,
 * then validated as `owlet validate` would.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "deploy/ci.h"
#include "model/environment.h"
#include "base/error.h"
#include "model/model.h"
#include "base/paths.h"
#include "model/project.h"

static const char *opt_name;
static bool opt_no_ci;

const struct owlet_option cmd_init_options[] = {
	{ "name", 'n', OPT_STRING, &opt_name, "NAME", "the project name (default: made from DIR's name)" },
	{ "no-ci", 0, OPT_FLAG, &opt_no_ci, NULL, "write no GitHub Actions workflows (.github/workflows/)" },
	{ 0 },
};

static const char *const scaffold_envs[] = { "local", "dev", "prod", NULL };

/* Validates what init wrote, as `owlet validate` in DIR would. */
static int validate_new(const struct owlet_project *p)
{
	struct owlet_diags diags = { 0 };
	struct owlet_model *model = NULL;
	char *path = NULL;
	int rc = OWLET_ENOMEM;
	if (asprintf(&path, "%s/data_model.yml", p->dir) < 0) {
		path = NULL;
		owlet_error_setc(rc, "out of memory");
		goto out;
	}
	rc = owlet_model_load(&model, &diags, path);
	for (const char *const *e = scaffold_envs; rc >= 0 && *e; e++) {
		struct owlet_environment *env = NULL;
		rc = owlet_environment_load(&env, &diags, p->dir, *e, model ? model->project : NULL);
		owlet_environment_free(env);
	}
	if (diags.count > 0) {
		for (size_t i = 0; i < diags.count; i++) {
			char *line = owlet_diag_format(&diags.items[i]);
			fprintf(stderr, "%s\n", line ? line : "out of memory");
			free(line);
		}
		rc = owlet_error_setc(OWLET_EINVALID, "the new project does not validate (a bug in owlet's template)");
	}
out:
	owlet_model_free(model);
	owlet_diags_clear(&diags);
	free(path);
	return rc;
}

/* The workflows, written before the first commit (owlet ci github). */
static int write_ci(void *ctx, const char *dir, char ***written)
{
	(void)ctx;
	struct owlet_ci_files files;
	struct owlet_ci_params params = { .project_dir = dir };
	int rc = owlet_ci_render(&files, &params);
	if (rc == 0)
		rc = owlet_ci_write(&files, dir, false);
	if (rc == 0 && !(*written = calloc(files.count + 1, sizeof **written)))
		rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
	for (size_t i = 0; rc == 0 && i < files.count; i++)
		if (!((*written)[i] = strdup(files.items[i].path)))
			rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
	owlet_ci_files_clear(&files);
	return rc;
}

int cmd_init(int argc, char **argv)
{
	if (argc < 2)
		return owlet_error_setc(OWLET_EUSAGE, "owlet init needs a directory");
	if (argc > 2)
		return owlet_error_setc(OWLET_EUSAGE, "unexpected argument '%s'", argv[2]);
	char *template_dir = NULL;
	struct owlet_project *p = NULL;
	int rc = owlet_paths_share(&template_dir, "templates/project");
	if (rc < 0)
		return rc;
	rc = owlet_project_init_hook(&p, argv[1], opt_name, template_dir, opt_no_ci ? NULL : write_ci, NULL);
	free(template_dir);
	if (rc < 0)
		return rc;
	if (p->author_fallback)
		fprintf(stderr, "note: no git identity (user.name, user.email) is configured; "
				"the first commit's author is '%s'\n", p->author);
	rc = validate_new(p);
	if (rc == 0)
		printf("created project '%s' in %s: %zu files, first commit %.7s by %s\n\n"
		       "next:\n"
		       "  cd %s\n"
		       "  owlet validate          # check data_model.yml and environments/\n"
		       "  owlet up                # deploy to the local environment (an emulator on 127.0.0.1)\n%s",
		       p->name, p->dir, p->n_files, p->commit, p->author, p->dir,
		       opt_no_ci ? "" : "  .github/workflows/      pull request: validate, check, plan; push to main: up dev, then prod\n");
	if (rc == 0 && !opt_no_ci)
		ci_print_next();
	owlet_project_free(p);
	return rc;
}
