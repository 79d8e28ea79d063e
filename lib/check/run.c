/*
 * run.c: what `owlet check` does from end to end: get the plan's JSON (read
 * it, or plan a directory against the emulator, or render and plan an
 * environment), run the rules, run checkov when it is there and merge.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check/internal.h"
#include "error.h"

extern char **environ;

/* `name` on PATH, as a new string; NULL when absent. */
static char *which(const char *name)
{
	const char *path = getenv("PATH");
	if (!path)
		return NULL;
	char *copy = strdup(path);
	char *found = NULL;
	char *save = NULL;
	for (char *dir = copy ? strtok_r(copy, ":", &save) : NULL; dir && !found; dir = strtok_r(NULL, ":", &save)) {
		char *full;
		if (asprintf(&full, "%s/%s", dir[0] ? dir : ".", name) < 0)
			break;
		if (access(full, X_OK) == 0)
			found = full;
		else
			free(full);
	}
	free(copy);
	return found;
}

/* Runs argv with stdout to a temporary file (not a pipe: no SIGPIPE) and
 * stderr to /dev/null; *output is what it printed. */
static int run_capture(int *status, char **output, const char *const *argv)
{
	char tmpl[] = "/tmp/owlet-checkov.XXXXXX";
	int fd = mkstemp(tmpl);
	if (fd < 0)
		return owlet_error_setc(OWLET_EIO, "cannot create a temporary file: %s", strerror(errno));
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, fd, 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	pid_t pid;
	int rc = posix_spawnp(&pid, argv[0], &fa, NULL, (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0) {
		close(fd);
		unlink(tmpl);
		return owlet_error_setc(OWLET_ECHILD, "cannot run '%s': %s", argv[0], strerror(rc));
	}
	int ws = 0;
	while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
		;
	*status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + (WIFSIGNALED(ws) ? WTERMSIG(ws) : 0);
	struct stat st;
	rc = 0;
	if (fstat(fd, &st) == 0 && (*output = malloc((size_t)st.st_size + 1))) {
		ssize_t n = pread(fd, *output, (size_t)st.st_size, 0);
		(*output)[n > 0 ? n : 0] = '\0';
	} else {
		rc = owlet_error_setc(OWLET_EIO, "cannot read the output of '%s'", argv[0]);
	}
	close(fd);
	unlink(tmpl);
	return rc;
}

int owlet_check_with_checkov(struct owlet_check_report *report, const char *const *args)
{
	char *path = which("checkov");
	if (!path)
		return owlet_check_report_note(report, "checkov is not on PATH: owlet's built-in rules only");
	const char *argv[16] = { path };
	size_t n = 1;
	for (size_t i = 0; args[i] && n < 14; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	int status = 0;
	char *out = NULL;
	int rc = run_capture(&status, &out, argv);
	free(path);
	if (rc < 0)
		return owlet_check_report_note(report, "checkov did not run: %s", owlet_error_last());
	/* checkov exits 1 when a check fails: its output counts either way */
	json_error_t jerr;
	json_t *doc = json_loads(out, 0, &jerr);
	free(out);
	if (!doc)
		return owlet_check_report_note(report, "checkov exited with %d and printed no JSON report (%s)", status,
					       jerr.text);
	rc = owlet_check_merge_checkov(report, doc);
	json_decref(doc);
	if (rc < 0)
		return owlet_check_report_note(report, "checkov's report was not understood: %s", owlet_error_last());
	return owlet_check_report_note(report, "checkov ran: %d finding%s of its own merged", rc, rc == 1 ? "" : "s");
}

static int check_plan_file(struct owlet_check_report **out, const struct owlet_check_run *run)
{
	json_error_t jerr;
	json_t *plan = json_load_file(run->plan_json, 0, &jerr);
	if (!plan)
		return owlet_error_setc(OWLET_EINVALID, "%s:%d:%d: cannot read the plan's JSON: %s", run->plan_json,
					jerr.line, jerr.column, jerr.text);
	char *copy = strdup(run->plan_json);
	if (!copy) {
		json_decref(plan);
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	}
	struct owlet_check_options opts = { .root_dir = run->root ? run->root : dirname(copy) };
	int rc = owlet_check_plan(out, plan, &opts);
	json_decref(plan);
	if (rc == 0 && run->checkov) {
		const char *args[] = { "-f", run->plan_json, "--framework", "terraform_plan", "-o", "json", "--quiet", NULL };
		rc = owlet_check_with_checkov(*out, args);
	}
	free(copy);
	return rc;
}

int owlet_check_run(struct owlet_check_report **out, const struct owlet_check_run *run)
{
	*out = NULL;
	int rc;
	if (run->plan_json)
		rc = check_plan_file(out, run);
	else if (run->dir)
		rc = owlet_error_setc(OWLET_ERROR, "'owlet check --dir' needs the terraform runner, not built yet");
	else
		rc = owlet_error_setc(OWLET_ERROR, "'owlet check --env' needs render and plan, not built yet");
	if (rc < 0 && *out) {
		owlet_check_report_free(*out);
		*out = NULL;
	}
	return rc;
}
