/* proc.c: child processes from an argv (see proc.h). */
#include "base/proc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "base/error.h"
#include "base/fsutil.h"

extern char **environ;

#define KILL_GRACE_S 20

static volatile sig_atomic_t signals_received;
static volatile sig_atomic_t last_signal;
static int wake_pipe[2] = { -1, -1 };
static bool was_interrupted;

static void on_signal(int sig)
{
	int saved = errno;
	last_signal = sig;
	signals_received++;
	if (wake_pipe[1] >= 0) {
		char c = 1;
		ssize_t n = write(wake_pipe[1], &c, 1);
		(void)n;
	}
	errno = saved;
}

bool owlet_proc_interrupted(void)
{
	return was_interrupted;
}

char *owlet_proc_which(const char *name)
{
	if (strchr(name, '/'))
		return access(name, X_OK) == 0 ? strdup(name) : NULL;
	const char *path = getenv("PATH");
	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	size_t nlen = strlen(name);
	while (*path) {
		const char *end = strchr(path, ':');
		size_t dlen = end ? (size_t)(end - path) : strlen(path);
		if (dlen > 0) {
			char *full = malloc(dlen + nlen + 2);
			if (!full)
				return NULL;
			memcpy(full, path, dlen);
			full[dlen] = '/';
			memcpy(full + dlen + 1, name, nlen + 1);
			struct stat st;
			if (stat(full, &st) == 0 && S_ISREG(st.st_mode) && access(full, X_OK) == 0)
				return full;
			free(full);
		}
		if (!end)
			break;
		path = end + 1;
	}
	return NULL;
}

bool owlet_proc_alive(pid_t pid)
{
	if (pid <= 0 || kill(pid, 0) != 0)
		return errno == EPERM && pid > 0;
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return true;
	char buf[512];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	const char *paren = strrchr(buf, ')');
	return !(paren && paren[1] == ' ' && (paren[2] == 'Z' || paren[2] == 'X'));
}

/* The inode of the IPv4 TCP socket from `from` to `to` (ESTABLISHED), 0 when none. */
static unsigned long tcp_socket_inode(const struct sockaddr_in *from, const struct sockaddr_in *to)
{
	FILE *f = fopen("/proc/net/tcp", "re");
	if (!f)
		return 0;
	char line[512];
	unsigned long inode = 0;
	unsigned from_port = ntohs(from->sin_port), to_port = ntohs(to->sin_port);
	/* the kernel prints each address as the integer of its network-order bytes */
	for (long i = 0; inode == 0 && i < 1000000 && fgets(line, sizeof line, f); i++) {
		unsigned la, lp, ra, rp, st;
		unsigned long ino;
		if (sscanf(line, " %*u: %x:%x %x:%x %x %*x:%*x %*x:%*x %*x %*u %*u %lu", &la, &lp, &ra, &rp, &st, &ino) ==
			    6 &&
		    st == 1 && lp == from_port && rp == to_port && la == from->sin_addr.s_addr &&
		    ra == to->sin_addr.s_addr)
			inode = ino;
	}
	fclose(f);
	return inode;
}

static bool pid_has_socket(pid_t pid, unsigned long inode)
{
	char path[64], want[48], link[64];
	snprintf(path, sizeof path, "/proc/%d/fd", (int)pid);
	snprintf(want, sizeof want, "socket:[%lu]", inode);
	DIR *d = opendir(path);
	if (!d)
		return false;
	bool found = false;
	const struct dirent *e;
	for (int n = 0; !found && n < 65536 && (e = readdir(d)); n++) {
		ssize_t len = readlinkat(dirfd(d), e->d_name, link, sizeof link - 1);
		if (len > 0) {
			link[len] = '\0';
			found = strcmp(link, want) == 0;
		}
	}
	closedir(d);
	return found;
}

/* The inode of a socket listening on TCP `port` (state 0A) in /proc/net/tcp
 * or tcp6, any local address; 0 when none. */
static unsigned long tcp_listen_inode(unsigned port)
{
	static const char *const files[] = { "/proc/net/tcp", "/proc/net/tcp6" };
	unsigned long inode = 0;
	for (size_t k = 0; k < 2 && inode == 0; k++) {
		FILE *f = fopen(files[k], "re");
		char line[512];
		for (long i = 0; f && inode == 0 && i < 1000000 && fgets(line, sizeof line, f); i++) {
			unsigned lp, st;
			unsigned long ino;
			if (sscanf(line, " %*u: %*[0-9A-Fa-f]:%x %*[0-9A-Fa-f]:%*x %x %*x:%*x %*x:%*x %*x %*u %*u %lu", &lp,
				   &st, &ino) == 3 &&
			    st == 0x0A && lp == port)
				inode = ino;
		}
		if (f)
			fclose(f);
	}
	return inode;
}

pid_t owlet_proc_tcp_listener(unsigned port, char *cmd, size_t cmd_size)
{
	if (cmd_size)
		cmd[0] = '\0';
	unsigned long inode = tcp_listen_inode(port);
	if (inode == 0)
		return 0;
	DIR *d = opendir("/proc");
	pid_t found = -1;
	const struct dirent *e;
	for (int n = 0; d && found < 0 && n < 1000000 && (e = readdir(d)); n++) {
		char *end;
		long pid = strtol(e->d_name, &end, 10);
		if (*end || pid <= 0 || !pid_has_socket((pid_t)pid, inode))
			continue;
		found = (pid_t)pid;
		char path[64];
		snprintf(path, sizeof path, "/proc/%ld/cmdline", pid);
		FILE *f = cmd_size ? fopen(path, "re") : NULL;
		size_t len = f ? fread(cmd, 1, cmd_size - 1, f) : 0;
		if (f)
			fclose(f);
		for (size_t i = 0; i < len; i++)
			if ((unsigned char)cmd[i] < 0x20 || cmd[i] == 0x7f)
				cmd[i] = ' ';
		while (len > 0 && cmd[len - 1] == ' ')
			len--;
		if (cmd_size)
			cmd[len] = '\0';
	}
	if (d)
		closedir(d);
	return found;
}

bool owlet_proc_tcp_peer_in_tree(int fd, pid_t root)
{
	struct sockaddr_in peer, self;
	socklen_t pl = sizeof peer, sl = sizeof self;
	if (root <= 0 || getpeername(fd, (struct sockaddr *)&peer, &pl) != 0 ||
	    getsockname(fd, (struct sockaddr *)&self, &sl) != 0 || peer.sin_family != AF_INET ||
	    self.sin_family != AF_INET)
		return false;
	unsigned long inode = tcp_socket_inode(&peer, &self);
	if (inode == 0)
		return false;
	enum { MAX_TREE = 64 };
	pid_t tree[MAX_TREE] = { root };
	size_t n = 1;
	for (size_t i = 0; i < n; i++) {
		if (pid_has_socket(tree[i], inode))
			return true;
		char path[80];
		snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)tree[i], (int)tree[i]);
		FILE *f = fopen(path, "re");
		int child;
		while (f && n < MAX_TREE && fscanf(f, "%d", &child) == 1)
			if (child > 0)
				tree[n++] = child;
		if (f)
			fclose(f);
	}
	return false;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

int owlet_proc_stop(pid_t pid, int sig, int timeout_ms)
{
	if (!owlet_proc_alive(pid))
		return 0;
	kill(pid, sig);
	for (int waited = 0; waited < timeout_ms; waited += 50) {
		waitpid(pid, NULL, WNOHANG); /* reaps it if it is our own child */
		if (!owlet_proc_alive(pid))
			return 0;
		sleep_ms(50);
	}
	kill(pid, SIGKILL);
	for (int waited = 0; waited < 5000; waited += 50) {
		waitpid(pid, NULL, WNOHANG);
		if (!owlet_proc_alive(pid))
			return 0;
		sleep_ms(50);
	}
	return owlet_error_setc(OWLET_ECHILD, "process %d does not stop", (int)pid);
}

static bool env_name_in(const char *entry, const char *const *list, bool list_has_values)
{
	if (!list)
		return false;
	size_t len = strcspn(entry, "=");
	for (size_t i = 0; list[i]; i++) {
		size_t llen = list_has_values ? strcspn(list[i], "=") : strlen(list[i]);
		if (llen == len && strncmp(entry, list[i], len) == 0)
			return true;
	}
	return false;
}

/* The child's environment: owlet's minus the unset and overridden names,
 * plus opts->env.  The strings are borrowed; free only the array. */
static char **child_environment(const struct owlet_proc_opts *opts)
{
	size_t n = 0, extra = 0;
	while (environ && environ[n])
		n++;
	while (opts->env && opts->env[extra])
		extra++;
	char **envp = calloc(n + extra + 1, sizeof *envp);
	if (!envp)
		return NULL;
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (!env_name_in(environ[i], opts->unset, false) && !env_name_in(environ[i], opts->env, true))
			envp[k++] = environ[i];
	for (size_t i = 0; i < extra; i++)
		envp[k++] = (char *)opts->env[i];
	envp[k] = NULL;
	return envp;
}

/* In the child after fork: descriptors, signals, then exec.  Reports an exec
 * failure's errno on err_fd and exits 127. */
static void child_exec(const struct owlet_proc_opts *opts, char *path, char **envp, int out_fd,
		       int log_fd, int err_fd, int death_signal, pid_t parent)
{
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	if (death_signal) { /* a foreground child: its own group, dies with owlet */
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, death_signal);
		if (getppid() != parent)
			raise(death_signal);
	} else if (parent == 0) { /* a daemon */
		setsid();
	} else {
		setpgid(0, 0);
	}
	int null_fd = open("/dev/null", O_RDONLY);
	if (null_fd >= 0 && null_fd != 0) {
		dup2(null_fd, 0);
		close(null_fd);
	}
	dup2(out_fd >= 0 ? out_fd : log_fd, 1);
	dup2(log_fd, 2);
	if (opts->cwd && chdir(opts->cwd) != 0) {
		int e = errno;
		ssize_t w = write(err_fd, &e, sizeof e);
		(void)w;
		_exit(127);
	}
	execve(path, (char *const *)opts->argv, envp);
	int e = errno;
	ssize_t w = write(err_fd, &e, sizeof e);
	(void)w;
	_exit(127);
}

struct line_reader {
	int fd;
	char buf[8192];
	size_t len;
	owlet_proc_line_fn on_line;
	void *ctx;
};

static void emit_line(struct line_reader *r, char *line, size_t len)
{
	if (len > 0 && line[len - 1] == '\r')
		len--;
	line[len] = '\0';
	if (r->on_line)
		r->on_line(r->ctx, line);
}

/* Reads what the log gained since the last call; hands out whole lines (and
 * the rest too when `flush`). */
static void follow(struct line_reader *r, bool flush)
{
	for (;;) {
		if (r->len == sizeof r->buf - 1) { /* a very long line: pass it in parts */
			emit_line(r, r->buf, r->len);
			r->len = 0;
		}
		ssize_t n = read(r->fd, r->buf + r->len, sizeof r->buf - 1 - r->len);
		if (n <= 0)
			break;
		r->len += (size_t)n;
		size_t start = 0;
		for (size_t i = 0; i < r->len; i++) {
			if (r->buf[i] == '\n') {
				emit_line(r, r->buf + start, i - start);
				start = i + 1;
			}
		}
		memmove(r->buf, r->buf + start, r->len - start);
		r->len -= start;
	}
	if (flush && r->len > 0) {
		emit_line(r, r->buf, r->len);
		r->len = 0;
	}
}

static int write_pid_file(const char *path, pid_t pid, const char *const *argv)
{
	json_t *args = json_array();
	for (size_t i = 0; argv[i]; i++)
		json_array_append_new(args, json_string(argv[i]));
	json_t *obj = json_pack("{s:i, s:o}", "pid", (int)pid, "argv", args);
	char *text = obj ? json_dumps(obj, JSON_COMPACT) : NULL;
	json_decref(obj);
	if (!text)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	int rc = owlet_fs_write_atomic(path, text, strlen(text));
	free(text);
	return rc;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int open_log(char **tmp_path, const struct owlet_proc_opts *opts)
{
	*tmp_path = NULL;
	if (opts->log_path)
		return open(opts->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	const char *dir = getenv("TMPDIR");
	char tmpl[4096];
	snprintf(tmpl, sizeof tmpl, "%s/owlet-proc.XXXXXX", dir && *dir ? dir : "/tmp");
	int fd = mkostemp(tmpl, O_APPEND | O_CLOEXEC);
	if (fd >= 0)
		*tmp_path = strdup(tmpl);
	return fd;
}

struct sig_state {
	struct sigaction old_int, old_term;
};

static int signals_catch(struct sig_state *s)
{
	if (pipe2(wake_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
		return owlet_error_setc(OWLET_EIO, "cannot create a pipe: %s", strerror(errno));
	signals_received = 0;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &s->old_int);
	sigaction(SIGTERM, &sa, &s->old_term);
	return 0;
}

static void signals_restore(struct sig_state *s)
{
	sigaction(SIGINT, &s->old_int, NULL);
	sigaction(SIGTERM, &s->old_term, NULL);
	close(wake_pipe[0]);
	close(wake_pipe[1]);
	wake_pipe[0] = wake_pipe[1] = -1;
}

/* Waits for the exec report of a child: 0 when exec succeeded. */
static int exec_result(int err_fd, const char *program)
{
	int child_errno = 0;
	ssize_t n;
	do
		n = read(err_fd, &child_errno, sizeof child_errno);
	while (n < 0 && errno == EINTR);
	if (n == (ssize_t)sizeof child_errno)
		return owlet_error_setc(child_errno == ENOENT ? OWLET_ENOTFOUND : OWLET_ECHILD,
					"cannot run '%s': %s", program, strerror(child_errno));
	return 0;
}

int owlet_proc_run(int *status, const struct owlet_proc_opts *opts)
{
	int rc = 0;
	*status = -1;
	was_interrupted = false;
	char *path = owlet_proc_which(opts->argv[0]);
	if (!path)
		return owlet_error_setc(OWLET_ENOTFOUND, "'%s' not found on PATH", opts->argv[0]);
	char *tmp_log = NULL;
	int log_fd = -1, read_fd = -1, out_fd = -1;
	int err_pipe[2] = { -1, -1 };
	char **envp = child_environment(opts);
	struct sig_state sigs;
	bool caught = false;
	if (!envp) {
		rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
		goto out_free;
	}
	log_fd = open_log(&tmp_log, opts);
	if (log_fd < 0) {
		rc = owlet_error_setc(OWLET_EIO, "cannot open '%s': %s",
				      opts->log_path ? opts->log_path : "a temporary file", strerror(errno));
		goto out_close;
	}
	read_fd = open(tmp_log ? tmp_log : opts->log_path, O_RDONLY | O_CLOEXEC);
	if (read_fd < 0 || lseek(read_fd, 0, SEEK_END) < 0) {
		rc = owlet_error_setc(OWLET_EIO, "cannot read '%s': %s",
				      tmp_log ? tmp_log : opts->log_path, strerror(errno));
		goto out_close;
	}
	if (opts->stdout_path) {
		out_fd = open(opts->stdout_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (out_fd < 0) {
			rc = owlet_error_setc(OWLET_EIO, "cannot open '%s': %s", opts->stdout_path, strerror(errno));
			goto out_close;
		}
	}
	if (pipe2(err_pipe, O_CLOEXEC) != 0) {
		rc = owlet_error_setc(OWLET_EIO, "cannot create a pipe: %s", strerror(errno));
		goto out_close;
	}
	rc = signals_catch(&sigs);
	if (rc < 0)
		goto out_close;
	caught = true;
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		rc = owlet_error_setc(OWLET_ECHILD, "cannot fork: %s", strerror(errno));
		goto out_close;
	}
	if (pid == 0)
		child_exec(opts, path, envp, out_fd, log_fd, err_pipe[1], opts->parent_death_signal, parent);
	close(err_pipe[1]);
	err_pipe[1] = -1;
	rc = exec_result(err_pipe[0], opts->argv[0]);
	if (rc < 0) {
		waitpid(pid, NULL, 0);
		goto out_close;
	}
	if (opts->pid_file)
		write_pid_file(opts->pid_file, pid, opts->argv);

	struct line_reader reader = { .fd = read_fd, .on_line = opts->on_line, .ctx = opts->ctx };
	double start = now_s();
	int forwarded = 0;
	bool timed_out = false, killed = false;
	for (;;) {
		struct pollfd pfd = { .fd = wake_pipe[0], .events = POLLIN };
		poll(&pfd, 1, 100);
		char drain[16];
		while (read(wake_pipe[0], drain, sizeof drain) > 0)
			;
		while (forwarded < signals_received) {
			kill(pid, last_signal ? last_signal : SIGINT);
			forwarded++;
		}
		follow(&reader, false);
		int wstatus;
		pid_t w = waitpid(pid, &wstatus, WNOHANG);
		if (w == pid) {
			*status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
			break;
		}
		double elapsed = now_s() - start;
		if (opts->timeout_s > 0 && !timed_out && elapsed > opts->timeout_s) {
			timed_out = true;
			kill(pid, SIGINT);
		}
		if (timed_out && !killed && elapsed > opts->timeout_s + KILL_GRACE_S) {
			killed = true;
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
		}
	}
	follow(&reader, true);
	if (opts->pid_file)
		unlink(opts->pid_file);
	if (forwarded > 0) {
		was_interrupted = true;
		rc = owlet_error_setc(OWLET_EINTR, "interrupted: '%s' stopped (status %d)", opts->argv[0], *status);
	} else if (timed_out) {
		rc = owlet_error_setc(OWLET_ECHILD, "'%s' timed out after %d s", opts->argv[0], opts->timeout_s);
	}
out_close:
	if (caught)
		signals_restore(&sigs);
	if (err_pipe[0] >= 0)
		close(err_pipe[0]);
	if (err_pipe[1] >= 0)
		close(err_pipe[1]);
	if (out_fd >= 0)
		close(out_fd);
	if (read_fd >= 0)
		close(read_fd);
	if (log_fd >= 0)
		close(log_fd);
	if (tmp_log)
		unlink(tmp_log);
out_free:
	free(tmp_log);
	free(envp);
	free(path);
	return rc;
}

int owlet_proc_spawn_detached(pid_t *pid_out, const struct owlet_proc_opts *opts)
{
	int rc = 0;
	*pid_out = -1;
	char *path = owlet_proc_which(opts->argv[0]);
	if (!path)
		return owlet_error_setc(OWLET_ENOTFOUND, "'%s' not found on PATH", opts->argv[0]);
	int log_fd = -1;
	int report[2] = { -1, -1 }, pid_pipe[2] = { -1, -1 };
	char **envp = child_environment(opts);
	if (!envp) {
		rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
		goto out;
	}
	log_fd = open(opts->log_path ? opts->log_path : "/dev/null",
		      O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (log_fd < 0) {
		rc = owlet_error_setc(OWLET_EIO, "cannot open '%s': %s", opts->log_path, strerror(errno));
		goto out;
	}
	if (pipe2(report, O_CLOEXEC) != 0 || pipe2(pid_pipe, O_CLOEXEC) != 0) {
		rc = owlet_error_setc(OWLET_EIO, "cannot create a pipe: %s", strerror(errno));
		goto out;
	}
	pid_t first = fork();
	if (first < 0) {
		rc = owlet_error_setc(OWLET_ECHILD, "cannot fork: %s", strerror(errno));
		goto out;
	}
	if (first == 0) {
		pid_t daemon = fork();
		if (daemon == 0)
			child_exec(opts, path, envp, -1, log_fd, report[1], 0, 0);
		int v = (int)daemon;
		ssize_t w = write(pid_pipe[1], &v, sizeof v);
		(void)w;
		_exit(daemon < 0 ? 1 : 0);
	}
	close(report[1]);
	report[1] = -1;
	close(pid_pipe[1]);
	pid_pipe[1] = -1;
	waitpid(first, NULL, 0);
	int daemon_pid = -1;
	ssize_t n = read(pid_pipe[0], &daemon_pid, sizeof daemon_pid);
	if (n != (ssize_t)sizeof daemon_pid || daemon_pid <= 0) {
		rc = owlet_error_setc(OWLET_ECHILD, "cannot start '%s'", opts->argv[0]);
		goto out;
	}
	rc = exec_result(report[0], opts->argv[0]);
	if (rc == 0)
		*pid_out = daemon_pid;
out:
	for (int i = 0; i < 2; i++) {
		if (report[i] >= 0)
			close(report[i]);
		if (pid_pipe[i] >= 0)
			close(pid_pipe[i]);
	}
	if (log_fd >= 0)
		close(log_fd);
	free(envp);
	free(path);
	return rc;
}

int owlet_proc_capture(char **out, size_t *out_len, size_t max, int *status, const struct owlet_proc_opts *opts)
{
	*out = NULL;
	if (out_len)
		*out_len = 0;
	if (opts->stdout_path)
		return owlet_error_setc(OWLET_EUSAGE, "owlet_proc_capture chooses the stdout path");
	const char *tmp = getenv("TMPDIR");
	char tmpl[4096];
	snprintf(tmpl, sizeof tmpl, "%s/owlet-capture.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(tmpl))
		return owlet_error_setc(OWLET_EIO, "cannot create a temporary directory: %s", strerror(errno));
	char *out_path = owlet_fs_join(tmpl, "stdout"), *log_path = owlet_fs_join(tmpl, "log");
	int rc = out_path && log_path ? 0 : owlet_error_setc(OWLET_ENOMEM, "out of memory");
	if (rc == 0) {
		struct owlet_proc_opts o = *opts;
		o.stdout_path = out_path;
		if (!o.log_path)
			o.log_path = log_path;
		rc = owlet_proc_run(status, &o);
	}
	struct stat st;
	if (rc == 0 && stat(out_path, &st) == 0 && (size_t)st.st_size > max)
		rc = owlet_error_setc(OWLET_EIO, "'%s' printed %lld bytes; at most %zu are read", opts->argv[0],
				      (long long)st.st_size, max);
	if (rc == 0)
		rc = owlet_fs_read(out, out_len, out_path);
	free(out_path);
	free(log_path);
	owlet_fs_rmtree(tmpl);
	return rc;
}
