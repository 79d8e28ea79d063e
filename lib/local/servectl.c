/* servectl.c: the local API's process, seen from up and down (see servectl.h). */
#include "local/servectl.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "base/error.h"
#include "base/fsutil.h"
#include "base/proc.h"

#define START_TIMEOUT_MS 30000

/* pid and url from localapi.json; pid 0 when absent or unreadable. */
static pid_t read_info(char **url, const char *state_dir)
{
	if (url)
		*url = NULL;
	char *path = owlet_fs_join(state_dir, "localapi.json");
	json_t *j = path ? json_load_file(path, 0, NULL) : NULL;
	json_int_t pid = 0;
	const char *u = NULL;
	if (!j || json_unpack(j, "{s:I, s:s}", "pid", &pid, "url", &u) != 0)
		pid = 0;
	if (url && pid > 0 && u)
		*url = strdup(u);
	json_decref(j);
	free(path);
	return (pid_t)pid;
}

char *owlet_servectl_url(const char *state_dir)
{
	char *url;
	pid_t pid = read_info(&url, state_dir);
	if (pid > 0 && owlet_proc_alive(pid))
		return url;
	free(url);
	return NULL;
}

int owlet_servectl_stop(const char *state_dir)
{
	pid_t pid = read_info(NULL, state_dir);
	int rc = 0;
	if (pid > 0 && owlet_proc_alive(pid))
		rc = owlet_proc_stop(pid, SIGTERM, 5000);
	char *path = owlet_fs_join(state_dir, "localapi.json");
	if (rc == 0 && path && unlink(path) != 0 && errno != ENOENT)
		rc = owlet_error_setc(OWLET_EIO, "cannot remove '%s': %s", path, strerror(errno));
	free(path);
	return rc;
}

int owlet_servectl_start(char **url, const char *state_dir, const char *env_name)
{
	*url = NULL;
	int rc = owlet_servectl_stop(state_dir);
	if (rc < 0)
		return rc;
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0)
		return owlet_error_setc(OWLET_EIO, "cannot find owlet's own executable: %s", strerror(errno));
	exe[n] = '\0';
	char *log = owlet_fs_join(state_dir, "localapi.log");
	if (!log)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	unlink(log);
	const char *argv[] = { exe, "serve", "--env", env_name, "--detach", NULL };
	struct owlet_proc_opts opts = { .argv = argv, .log_path = log };
	pid_t pid;
	rc = owlet_proc_spawn_detached(&pid, &opts);
	int dead_for = 0;
	for (int waited = 0; rc == 0; waited += 100) {
		pid_t listening = read_info(url, state_dir);
		if (listening > 0 && owlet_proc_alive(listening))
			break;
		free(*url);
		*url = NULL;
		if (!owlet_proc_alive(pid)) {
			dead_for += 100; /* it may have forked into the background: give it a moment */
		}
		if (dead_for > 3000 || waited > START_TIMEOUT_MS) {
			rc = owlet_error_setc(OWLET_ECHILD, "the local API did not start (see '%s')", log);
			owlet_proc_stop(pid, SIGTERM, 2000);
			break;
		}
		struct timespec ts = { 0, 100 * 1000000L };
		nanosleep(&ts, NULL);
	}
	free(log);
	return rc;
}
