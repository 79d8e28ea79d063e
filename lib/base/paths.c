/* paths.c: owlet's share directory (see paths.h). */
#include "base/paths.h"
#include "base/error.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Whether dir holds templates/. */
static int has_templates(const char *dir)
{
	char path[PATH_MAX];
	int n = snprintf(path, sizeof path, "%s/templates", dir);
	return n > 0 && (size_t)n < sizeof path && is_dir(path);
}

static int canonical(char **out, const char *path)
{
	*out = realpath(path, NULL);
	if (!*out)
		return owlet_error_setc(errno == ENOMEM ? OWLET_ENOMEM : OWLET_ENOTFOUND, "cannot resolve '%s': %s",
					path, strerror(errno));
	return 0;
}

int owlet_paths_share_dir(char **out)
{
	*out = NULL;
	const char *home = getenv("OWLET_HOME");
	if (home && *home) {
		if (!has_templates(home))
			return owlet_error_setc(OWLET_ENOTFOUND, "OWLET_HOME is '%s', which has no templates/ directory", home);
		return canonical(out, home);
	}
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n < 0)
		return owlet_error_setc(OWLET_ENOTFOUND, "cannot find the running program (/proc/self/exe): %s; set OWLET_HOME",
					strerror(errno));
	exe[n] = '\0';
	const char *bindir = dirname(exe);
	char installed[PATH_MAX], checkout[PATH_MAX];
	int a = snprintf(installed, sizeof installed, "%s/../share/owlet", bindir);
	int b = snprintf(checkout, sizeof checkout, "%s/..", bindir);
	if (a > 0 && (size_t)a < sizeof installed && has_templates(installed))
		return canonical(out, installed);
	if (b > 0 && (size_t)b < sizeof checkout && has_templates(checkout))
		return canonical(out, checkout);
	return owlet_error_setc(OWLET_ENOTFOUND,
				"cannot find owlet's templates/ (tried '%s/../share/owlet' and '%s/..'); set OWLET_HOME",
				bindir, bindir);
}

int owlet_paths_share(char **out, const char *sub)
{
	*out = NULL;
	char *dir;
	int rc = owlet_paths_share_dir(&dir);
	if (rc < 0)
		return rc;
	char *path = NULL;
	if (asprintf(&path, "%s/%s", dir, sub) < 0) {
		free(dir);
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	}
	free(dir);
	struct stat st;
	if (stat(path, &st) != 0) {
		rc = owlet_error_setc(OWLET_ENOTFOUND, "owlet's '%s' is missing: '%s': %s", sub, path, strerror(errno));
		free(path);
		return rc;
	}
	*out = path;
	return 0;
}
