/*
 * cmd_ci.c: `owlet ci github [--force] [--dir DIR]`: writes or refreshes the
 * project's GitHub Actions workflows (.github/workflows/owlet-*.yml), and
 * says what it did with each; a file the user changed is left unless --force.
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "base/error.h"
#include "deploy/ci.h"

static bool opt_force;
static const char *opt_dir;

const struct owlet_option cmd_ci_options[] = {
	{ "force", 'f', OPT_FLAG, &opt_force, NULL, "overwrite workflow files you changed" },
	{ "dir", 'C', OPT_STRING, &opt_dir, "DIR", "the project's directory (default: the current one)" },
	{ 0 },
};

void ci_print_next(void)
{
	printf("\nthe workflows assume AWS roles through GitHub's OIDC provider; set these repository variables\n"
	       "(Settings > Secrets and variables > Actions > Variables), and give the 'prod' environment\n"
	       "required reviewers (Settings > Environments):\n"
	       "  OWLET_DEV_PLAN_ROLE_ARN  role the pull request's plan assumes (dev, read-only)\n"
	       "  OWLET_DEV_ROLE_ARN       role a push to main deploys dev with\n"
	       "  OWLET_PROD_ROLE_ARN      role the prod job deploys with\n"
	       "'owlet bootstrap --env dev' (and --env prod) makes the roles, the OIDC provider and the state\n"
	       "bucket, and prints the exact 'gh variable set' lines\n");
}

int ci_write_workflows(const char *dir, bool force, bool quiet)
{
	struct owlet_ci_files files;
	struct owlet_ci_params params = { .project_dir = dir };
	int rc = owlet_ci_render(&files, &params);
	if (rc < 0)
		return rc;
	rc = owlet_ci_write(&files, dir, force);
	size_t left = 0;
	for (size_t i = 0; rc == 0 && i < files.count; i++) {
		const struct owlet_ci_file *f = &files.items[i];
		if (f->action == OWLET_CI_LEFT) {
			left++;
			printf("left        %s: changed by you (--force overwrites)\n", f->path);
		} else if (!quiet) {
			printf("%-11s %s\n", owlet_ci_action_name(f->action), f->path);
		}
	}
	if (rc == 0 && !quiet)
		printf("owlet in the workflows: built from %s at %s\n", files.owlet_git, files.owlet_ref);
	if (rc == 0 && left)
		printf("%zu file%s left as you changed %s\n", left, left == 1 ? "" : "s", left == 1 ? "it" : "them");
	owlet_ci_files_clear(&files);
	return rc;
}

int cmd_ci(int argc, char **argv)
{
	if (argc < 2)
		return owlet_error_setc(OWLET_EUSAGE, "owlet ci needs a provider: github");
	if (strcmp(argv[1], "github") != 0)
		return owlet_error_setc(OWLET_EUSAGE, "unknown CI provider '%s' (owlet knows github)", argv[1]);
	if (argc > 2)
		return owlet_error_setc(OWLET_EUSAGE, "unexpected argument '%s'", argv[2]);
	int rc = ci_write_workflows(opt_dir ? opt_dir : ".", opt_force, false);
	if (rc == 0)
		ci_print_next();
	return rc;
}
