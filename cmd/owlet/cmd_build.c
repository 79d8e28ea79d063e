/*
 * cmd_build.c: `owlet build [--env E] [--out DIR] [--arch ARCH]`: package the
 * Lambda program into state/E/artifacts/lambda.zip + lambda.json.
 *
 * The program itself is compiled by make (build/lambda/bootstrap, next to
 * build/owlet); build finds it next to the running owlet (<bindir>/lambda/
 * bootstrap, or <prefix>/lib/owlet/lambda/bootstrap when installed), or at
 * $OWLET_BOOTSTRAP, and packages it with the shared libraries it needs
 * (lib/deploy/artifact.h has the layout).  The architecture is --arch, else the
 * environment's function.architecture (environments/E.yml), else x86_64
 * when the project has no such file.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "deploy/artifact.h"
#include "commands.h"
#include "base/diag.h"
#include "model/environment.h"
#include "base/error.h"
#include "base/fsutil.h"
#include "deploy/stack.h"

static const char *opt_env = "local";
static const char *opt_out;
static const char *opt_arch;

const struct owlet_option cmd_build_options[] = {
	{ "env", 'e', OPT_STRING, &opt_env, "ENV", "environment (default: local): writes state/ENV/artifacts/" },
	{ "out", 'o', OPT_STRING, &opt_out, "DIR", "write lambda.zip and lambda.json to DIR instead" },
	{ "arch", 0, OPT_STRING, &opt_arch, "ARCH", "x86_64 or arm64 (default: the environment's function.architecture)" },
	{ 0 },
};

/* The environment's function.architecture into arch (x86_64 when the
 * project has no environments/<env>.yml). */
static int env_architecture(char *arch, size_t size, const char *env_name)
{
	char path[PATH_MAX];
	snprintf(path, sizeof path, "environments/%s.yml", env_name);
	if (!owlet_fs_exists(path)) {
		snprintf(arch, size, "x86_64");
		return 0;
	}
	struct owlet_environment *env = NULL;
	struct owlet_diags diags = { 0 };
	int rc = owlet_environment_load(&env, &diags, ".", env_name, NULL);
	if (rc == OWLET_EINVALID) {
		owlet_diags_sort(&diags);
		for (size_t i = 0; i < diags.count; i++) {
			char *line = owlet_diag_format(&diags.items[i]);
			fprintf(stderr, "%s\n", line ? line : diags.items[i].message);
			free(line);
		}
		rc = owlet_error_setc(OWLET_EINVALID, "environment '%s' has %zu problem%s", env_name, diags.count,
				      diags.count == 1 ? "" : "s");
	}
	if (rc == 0)
		snprintf(arch, size, "%s", env->function.architecture);
	owlet_diags_clear(&diags);
	owlet_environment_free(env);
	return rc;
}

int cmd_build(int argc, char **argv)
{
	(void)argv;
	if (argc > 1)
		return owlet_error_setc(OWLET_EUSAGE, "'owlet build' takes no arguments");
	if (!owlet_environment_valid_name(opt_env))
		return owlet_error_setc(OWLET_EUSAGE, "invalid environment name '%s'", opt_env);
	char arch_buf[16];
	const char *arch = opt_arch;
	if (!arch) {
		int rc = env_architecture(arch_buf, sizeof arch_buf, opt_env);
		if (rc < 0)
			return rc;
		arch = arch_buf;
	}
	char *state = owlet_state_dir(opt_env);
	char *dir = opt_out ? strdup(opt_out) : state ? owlet_fs_join(state, "artifacts") : NULL;
	free(state);
	if (!dir)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	struct owlet_artifact a;
	int rc = owlet_artifact_package(&a, dir, arch);
	if (rc == 0)
		printf("%s %s/lambda.zip (%s, %zu files, %lld bytes, sha256 %s)\n", a.reused ? "up to date:" : "built",
		       dir, a.architecture, a.n_files, a.size, a.sha256_base64);
	owlet_artifact_clear(&a);
	free(dir);
	return rc;
}
