/* servectl.c: the local API's process, seen from up, down, status and serve
 * (see servectl.h). */
#include "local/servectl.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "base/clock.h"
#include "base/error.h"
#include "base/fsutil.h"
#include "base/proc.h"

#define START_TIMEOUT_MS 60000
#define LINE_MAX_BYTES 1024

/* pid, start token and url from localapi.json; pid 0 when absent or unreadable. */
static pid_t read_info(char **url, char **start, const char *state_dir)
{
	if (url)
		*url = NULL;
	if (start)
		*start = NULL;
	char *path = owlet_fs_join(state_dir, "localapi.json");
	json_t *j = path ? json_load_file(path, 0, NULL) : NULL;
	json_int_t pid = 0;
	const char *u = NULL;
	if (!j || json_unpack(j, "{s:I, s:s}", "pid", &pid, "url", &u) != 0 || pid <= 0 || pid > 1 << 30)
		pid = 0;
	const char *st = json_string_value(json_object_get(j, "start"));
	if (url && pid > 0 && u)
		*url = strdup(u);
	if (start && pid > 0 && st)
		*start = strdup(st);
	json_decref(j);
	free(path);
	return (pid_t)pid;
}

bool owlet_servectl_is_server(pid_t pid, const char *start)
{
	char token[128];
	return pid > 0 && start && owlet_proc_alive(pid) && owlet_proc_start_token(token, sizeof token, pid) == 0 &&
	       strcmp(token, start) == 0 && owlet_proc_has_arg(pid, "serve");
}

char *owlet_servectl_url(const char *state_dir, pid_t *pid_out)
{
	char *url, *start;
	pid_t pid = read_info(&url, &start, state_dir);
	bool ours = owlet_servectl_is_server(pid, start);
	free(start);
	if (pid_out)
		*pid_out = ours ? pid : 0;
	if (ours)
		return url;
	free(url);
	return NULL;
}

int owlet_servectl_stop(const char *state_dir, pid_t *stale)
{
	if (stale)
		*stale = 0;
	char *start;
	pid_t pid = read_info(NULL, &start, state_dir);
	int rc = 0;
	if (owlet_servectl_is_server(pid, start))
		rc = owlet_proc_stop(pid, SIGTERM, 5000);
	else if (pid > 0 && owlet_proc_alive(pid) && stale)
		*stale = pid;
	free(start);
	char *path = owlet_fs_join(state_dir, "localapi.json");
	if (rc == 0 && path && unlink(path) != 0 && errno != ENOENT)
		rc = owlet_error_setc(OWLET_EIO, "cannot remove '%s': %s", path, strerror(errno));
	free(path);
	return rc;
}

void owlet_servectl_tell(int fd, const char *word, const char *text)
{
	if (fd < 0)
		return;
	char line[LINE_MAX_BYTES];
	int n = snprintf(line, sizeof line - 1, "%s %.1000s", word, text ? text : "");
	if (n < 0)
		n = 0;
	if ((size_t)n > sizeof line - 2)
		n = (int)sizeof line - 2;
	for (int i = 0; i < n; i++)
		if (line[i] == '\n' || line[i] == '\r')
			line[i] = ' ';
	line[n++] = '\n';
	for (ssize_t off = 0, w; off < n; off += w) {
		w = write(fd, line + off, (size_t)(n - off));
		if (w <= 0 && errno != EINTR)
			break;
		if (w < 0)
			w = 0;
	}
	close(fd);
}

int owlet_servectl_wait_ready(char **url, int fd, int timeout_ms, const char *log_path)
{
	*url = NULL;
	char line[LINE_MAX_BYTES] = "";
	size_t len = 0;
	bool eof = false;
	int64_t deadline = owlet_clock_mono_ms() + timeout_ms;
	while (!eof && len < sizeof line - 1 && !memchr(line, '\n', len)) {
		int left = (int)(deadline - owlet_clock_mono_ms());
		if (left <= 0)
			break;
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int r = poll(&p, 1, left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		ssize_t got = read(fd, line + len, sizeof line - 1 - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			eof = true;
		else
			len += (size_t)got;
	}
	line[len] = '\0';
	char *nl = strchr(line, '\n');
	if (!nl && !eof)
		return owlet_error_setc(OWLET_ECHILD, "the local API did not report that it listens within %d s; its log "
						      "is '%s'", timeout_ms / 1000, log_path);
	if (!nl)
		return owlet_error_setc(OWLET_ECHILD, "the local API exited before it listened; its log is '%s'",
					log_path);
	*nl = '\0';
	if (strncmp(line, "ready ", 6) == 0 && line[6]) {
		*url = strdup(line + 6);
		return *url ? 0 : owlet_error_setc(OWLET_ENOMEM, "out of memory");
	}
	if (strncmp(line, "error ", 6) == 0)
		return owlet_error_setc(OWLET_ECHILD, "the local API did not start: %s (log: '%s')", line + 6,
					log_path);
	return owlet_error_setc(OWLET_ECHILD, "the local API said '%.80s' instead of 'ready URL'; its log is '%s'",
				line, log_path);
}

int owlet_servectl_start(char **url, const char *state_dir, const char *env_name)
{
	*url = NULL;
	int rc = owlet_servectl_stop(state_dir, NULL);
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
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) != 0) {
		free(log);
		return owlet_error_setc(OWLET_EIO, "cannot make a pipe: %s", strerror(errno));
	}
	char fd_arg[16];
	snprintf(fd_arg, sizeof fd_arg, "%d", fds[1]);
	const char *argv[] = { exe, "serve", "--env", env_name, "--ready-fd", fd_arg, NULL };
	struct owlet_proc_opts opts = { .argv = argv, .log_path = log, .keep_fd = fds[1] };
	pid_t pid;
	rc = owlet_proc_spawn_detached(&pid, &opts);
	close(fds[1]); /* the server holds the only write end now: its exit is our end of file */
	if (rc == 0) {
		rc = owlet_servectl_wait_ready(url, fds[0], START_TIMEOUT_MS, log);
		if (rc < 0)
			owlet_proc_stop(pid, SIGTERM, 2000);
	}
	close(fds[0]);
	free(log);
	return rc;
}
