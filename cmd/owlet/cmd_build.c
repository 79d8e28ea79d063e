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

static const char *opt_env = "local";
static const char *opt_out;
static const char *opt_arch;

const struct owlet_option cmd_build_options[] = {
	{ "env", 'e', OPT_STRING, &opt_env, "ENV", "environment (default: local): writes state/ENV/artifacts/" },
	{ "out", 'o', OPT_STRING, &opt_out, "DIR", "write lambda.zip and lambda.json to DIR instead" },
	{ "arch", 0, OPT_STRING, &opt_arch, "ARCH", "x86_64 or arm64 (default: the environment's function.architecture)" },
	{ 0 },
};

static int valid_env_name(const char *s)
{
	if (!*s || strlen(s) > 32)
		return 0;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
			return 0;
	return 1;
}

/* mkdir -p */
static int make_dirs(const char *path)
{
	char buf[PATH_MAX];
	if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
		return owlet_error_set("path too long: '%s'", path);
	for (char *p = buf + 1;; p++) {
		if (*p == '/' || !*p) {
			char c = *p;
			*p = '\0';
			if (mkdir(buf, 0755) < 0 && errno != EEXIST)
				return owlet_error_setc(OWLET_EIO, "cannot create '%s': %s", buf, strerror(errno));
			*p = c;
			if (!c)
				break;
		}
	}
	return 0;
}

static int exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Finds the bootstrap program; *out is a static buffer. */
static int find_bootstrap(const char **out)
{
	static char path[PATH_MAX + 64];
	const char *env = getenv("OWLET_BOOTSTRAP");
	if (env && *env) {
		if (!exists(env))
			return owlet_error_setc(OWLET_ENOTFOUND, "OWLET_BOOTSTRAP: no file '%s'", env);
		*out = env;
		return 0;
	}
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash)
			*slash = '\0';
		snprintf(path, sizeof path, "%s/lambda/bootstrap", exe);
		if (exists(path)) {
			*out = path;
			return 0;
		}
		snprintf(path, sizeof path, "%s/../lib/owlet/lambda/bootstrap", exe);
		if (exists(path)) {
			*out = path;
			return 0;
		}
	}
	return owlet_error_setc(OWLET_ENOTFOUND,
				"no Lambda program to package: run 'make' (it builds build/lambda/bootstrap) "
				"or set OWLET_BOOTSTRAP");
}

/* Whether `prog` is an executable on PATH. */
static int on_path(const char *prog)
{
	const char *path = getenv("PATH");
	if (!path)
		return 0;
	char *copy = strdup(path), *save = NULL;
	int found = 0;
	for (char *dir = copy ? strtok_r(copy, ":", &save) : NULL; dir && !found; dir = strtok_r(NULL, ":", &save)) {
		char file[PATH_MAX];
		snprintf(file, sizeof file, "%s/%s", dir, prog);
		found = access(file, X_OK) == 0;
	}
	free(copy);
	return found;
}

/* The environment's function.architecture into arch (x86_64 when the
 * project has no environments/<env>.yml). */
static int env_architecture(char *arch, size_t size, const char *env_name)
{
	char path[PATH_MAX];
	snprintf(path, sizeof path, "environments/%s.yml", env_name);
	if (!exists(path)) {
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
	if (!valid_env_name(opt_env))
		return owlet_error_setc(OWLET_EUSAGE, "invalid environment name '%s'", opt_env);
	char arch_buf[16];
	const char *arch = opt_arch;
	if (!arch) {
		int rc = env_architecture(arch_buf, sizeof arch_buf, opt_env);
		if (rc < 0)
			return rc;
		arch = arch_buf;
	}
	if (strcmp(arch, "x86_64") != 0 && strcmp(arch, "arm64") != 0)
		return owlet_error_setc(OWLET_EUSAGE, "unknown architecture '%s' (expected x86_64 or arm64)", arch);
	if (strcmp(arch, "arm64") == 0 && !on_path("aarch64-linux-gnu-gcc"))
		return owlet_error_set("cannot build the Lambda for arm64: no aarch64 cross compiler "
				       "(aarch64-linux-gnu-gcc) is installed; use architecture x86_64");
	if (strcmp(arch, "arm64") == 0)
		return owlet_error_set("cannot build the Lambda for arm64 yet: only x86_64 programs are packaged");
	char dir[PATH_MAX];
	if (opt_out)
		snprintf(dir, sizeof dir, "%s", opt_out);
	else
		snprintf(dir, sizeof dir, "state/%s/artifacts", opt_env);
	const char *bootstrap = NULL;
	int rc = find_bootstrap(&bootstrap);
	if (rc < 0)
		return rc;
	if ((rc = make_dirs(dir)) < 0)
		return rc;
	char zip_path[PATH_MAX + 16], json_path[PATH_MAX + 16];
	snprintf(zip_path, sizeof zip_path, "%s/lambda.zip", dir);
	snprintf(json_path, sizeof json_path, "%s/lambda.json", dir);
	struct owlet_artifact a;
	rc = owlet_artifact_build(&a, bootstrap, zip_path, arch);
	if (rc < 0)
		return rc;
	rc = owlet_artifact_write_json(&a, json_path);
	if (rc == 0)
		printf("built %s (%s, %zu files, %lld bytes, sha256 %s)\n", zip_path, a.architecture, a.n_files,
		       a.size, a.sha256_base64);
	owlet_artifact_clear(&a);
	return rc;
}
