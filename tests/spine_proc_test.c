/* spine_proc_test.c: lib/proc runs children from an argv, streams their
 * lines, maps their status, passes SIGINT on, and times them out. */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/error.h"
#include "base/fsutil.h"
#include "base/proc.h"
#include "tap.h"

struct lines {
	char text[4096];
	int count;
};

static void collect(void *ctx, const char *line)
{
	struct lines *l = ctx;
	l->count++;
	strncat(l->text, line, sizeof l->text - strlen(l->text) - 2);
	strcat(l->text, "|");
}

static void *interrupt_later(void *arg)
{
	(void)arg;
	struct timespec ts = { 0, 400 * 1000000L };
	nanosleep(&ts, NULL);
	kill(getpid(), SIGINT);
	return NULL;
}

int main(void)
{
	int status;
	struct lines l = { "", 0 };
	const char *argv1[] = { "sh", "-c", "echo one; echo two >&2; printf 'no newline'; exit 3", NULL };
	struct owlet_proc_opts o = { .argv = argv1, .on_line = collect, .ctx = &l };
	is_int(owlet_proc_run(&status, &o), 0, "a child that fails still ran");
	is_int(status, 3, "its exit status is passed through");
	is_str(l.text, "one|two|no newline|", "stdout and stderr arrive line by line, the last partial line too");

	const char *argv2[] = { "owlet-no-such-program", NULL };
	struct owlet_proc_opts o2 = { .argv = argv2 };
	is_int(owlet_proc_run(&status, &o2), OWLET_ENOTFOUND, "a missing program is OWLET_ENOTFOUND");
	like(owlet_error_last(), "'owlet-no-such-program' not found on PATH", "and the message names it");

	memset(&l, 0, sizeof l);
	const char *env[] = { "OWLET_PROC_TEST=set", NULL };
	const char *unset[] = { "HOME", NULL };
	const char *argv3[] = { "sh", "-c", "echo \"$OWLET_PROC_TEST:${HOME-unset}:$(pwd)\"", NULL };
	struct owlet_proc_opts o3 = { .argv = argv3, .env = env, .unset = unset, .cwd = "/",
				      .on_line = collect, .ctx = &l };
	owlet_proc_run(&status, &o3);
	is_str(l.text, "set:unset:/|", "environment set, unset and working directory are the child's");

	char dir[] = "/tmp/owlet-proc-test.XXXXXX";
	ok(mkdtemp(dir) != NULL, "a temporary directory");
	char *out_path = owlet_fs_join(dir, "out.json");
	char *log_path = owlet_fs_join(dir, "log");
	memset(&l, 0, sizeof l);
	const char *argv4[] = { "sh", "-c", "echo '{\"a\":1}'; echo progress >&2", NULL };
	struct owlet_proc_opts o4 = { .argv = argv4, .stdout_path = out_path, .log_path = log_path,
				      .on_line = collect, .ctx = &l };
	owlet_proc_run(&status, &o4);
	char *text = NULL;
	owlet_fs_read(&text, NULL, out_path);
	is_str(text, "{\"a\":1}\n", "stdout_path takes stdout alone");
	is_str(l.text, "progress|", "stderr still streams");
	free(text);
	owlet_fs_read(&text, NULL, log_path);
	is_str(text, "progress\n", "the log file keeps the output");
	free(text);

	memset(&l, 0, sizeof l);
	const char *argv5[] = { "sh", "-c", "trap 'echo caught; exit 9' INT; echo ready; while :; do sleep 0.05; done", NULL };
	struct owlet_proc_opts o5 = { .argv = argv5, .on_line = collect, .ctx = &l };
	pthread_t t;
	pthread_create(&t, NULL, interrupt_later, NULL);
	int rc = owlet_proc_run(&status, &o5);
	pthread_join(t, NULL);
	is_int(rc, OWLET_EINTR, "SIGINT to owlet makes the run OWLET_EINTR");
	is_int(status, 9, "the child got SIGINT and exited its own way");
	is_str(l.text, "ready|caught|", "the child's last words are read");
	ok(owlet_proc_interrupted(), "owlet_proc_interrupted says so");

	const char *argv6[] = { "sleep", "30", NULL };
	struct owlet_proc_opts o6 = { .argv = argv6, .timeout_s = 1 };
	time_t t0 = time(NULL);
	rc = owlet_proc_run(&status, &o6);
	is_int(rc, OWLET_ECHILD, "a child past its timeout is stopped");
	like(owlet_error_last(), "timed out after 1 s", "and the message says so");
	ok(time(NULL) - t0 < 10, "promptly");

	pid_t pid;
	char *dlog = owlet_fs_join(dir, "daemon.log");
	const char *argv7[] = { "sleep", "30", NULL };
	struct owlet_proc_opts o7 = { .argv = argv7, .log_path = dlog };
	is_int(owlet_proc_spawn_detached(&pid, &o7), 0, "a daemon starts");
	ok(pid > 0 && owlet_proc_alive(pid), "and is alive with its pid");
	ok(getsid(pid) == pid, "in its own session");
	is_int(owlet_proc_stop(pid, SIGTERM, 2000), 0, "it stops by pid");
	ok(!owlet_proc_alive(pid), "and is gone");
	const char *argv8[] = { "/nonexistent/daemon", NULL };
	struct owlet_proc_opts o8 = { .argv = argv8 };
	ok(owlet_proc_spawn_detached(&pid, &o8) < 0, "a missing daemon program is an error");

	/* owlet_proc_capture: stdout only, bounded, status passed on */
	char *cap = NULL;
	size_t caplen = 0;
	const char *argv9[] = { "sh", "-c", "printf 'one\\ntwo'; echo noise >&2; exit 3", NULL };
	struct owlet_proc_opts o9 = { .argv = argv9 };
	is_int(owlet_proc_capture(&cap, &caplen, 64, &status, &o9), 0, "capture runs the child");
	is_str(cap ? cap : "", "one\ntwo", "and returns its stdout alone, not its stderr");
	is_int((long long)caplen, 7, "with its length");
	is_int(status, 3, "and its exit status");
	free(cap);
	cap = NULL;
	const char *argv10[] = { "sh", "-c", "head -c 100 /dev/zero", NULL };
	struct owlet_proc_opts o10 = { .argv = argv10 };
	ok(owlet_proc_capture(&cap, NULL, 99, &status, &o10) == OWLET_EIO && !cap, "more than max bytes is an error");
	like(owlet_error_last(), "printed 100 bytes; at most 99", "that names both sizes");
	owlet_error_clear();
	const char *argv11[] = { "owlet-no-such-program", NULL };
	struct owlet_proc_opts o11 = { .argv = argv11 };
	is_int(owlet_proc_capture(&cap, NULL, 99, &status, &o11), OWLET_ENOTFOUND, "a missing program is not found");
	owlet_error_clear();

	owlet_fs_rmtree(dir);
	free(out_path);
	free(log_path);
	free(dlog);
	return done_testing();
}
