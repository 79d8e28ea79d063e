/*
 * proc.h: child processes from an argv, never through a shell.
 *
 * owlet_proc_run() runs a program in the foreground of owlet:
 *  - the child gets stdin from /dev/null and its own process group, so a
 *    Ctrl-C on the terminal reaches owlet only; owlet passes SIGINT/SIGTERM
 *    on to the child once per signal (terraform stops cleanly on the first
 *    and releases its state lock; a second one makes it quit at once);
 *  - stdout and stderr go to a log file (opts.log_path, appended), never to
 *    a pipe, and owlet follows that file and hands each line to on_line: so
 *    the child never dies of SIGPIPE when owlet itself is killed;
 *  - the child gets opts.parent_death_signal (e.g. SIGINT) when owlet dies,
 *    so a `kill -9` of owlet still lets terraform stop cleanly;
 *  - opts.stdout_path, when set, takes the child's stdout alone (for
 *    `terraform show -json`), truncated, not followed;
 *  - after opts.timeout_s seconds the child gets SIGINT, 20 s later SIGKILL.
 *
 * owlet_proc_spawn_detached() starts a daemon (the emulator, the local API):
 * a new session, output to a log file, reparented to init, not waited for.
 */
#ifndef OWLET_PROC_H
#define OWLET_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

typedef void (*owlet_proc_line_fn)(void *ctx, const char *line);

struct owlet_proc_opts {
	const char *const *argv;     /* argv[0] is looked up on PATH */
	const char *const *env;      /* "NAME=VALUE" set in the child, NULL-ended; may be NULL */
	const char *const *unset;    /* names removed from the child's environment; may be NULL */
	const char *cwd;             /* NULL: owlet's */
	const char *log_path;        /* stdout+stderr appended here; NULL: a temporary file */
	const char *stdout_path;     /* NULL: stdout goes to the log too */
	owlet_proc_line_fn on_line;  /* each line of the log (no newline); may be NULL */
	void *ctx;
	int timeout_s;               /* 0: none */
	int parent_death_signal;     /* 0: none */
	const char *pid_file;        /* written with the child's pid while it runs; may be NULL */
};

/* Runs the child to its end.  *status is its exit status, or 128 + signal.
 * Returns 0 when it ran (whatever its status), OWLET_ENOTFOUND when the
 * program is not on PATH, OWLET_EINTR when owlet was interrupted (the signal
 * was passed on and the child waited for), OWLET_ECHILD on a timeout. */
int owlet_proc_run(int *status, const struct owlet_proc_opts *opts);

/* Runs the child like owlet_proc_run and returns its standard output in
 * *out (NUL-terminated, caller frees; *out_len when not NULL), at most max
 * bytes (more is OWLET_EIO, the child having run).  stdout goes through a
 * private temporary directory, removed after; without opts.log_path,
 * stderr is dropped there too.  opts.stdout_path must be NULL. */
int owlet_proc_capture(char **out, size_t *out_len, size_t max, int *status, const struct owlet_proc_opts *opts);

/* Starts a daemon in its own session; *pid is its pid.  Output goes to
 * opts.log_path; on_line, timeout_s and stdout_path are ignored. */
int owlet_proc_spawn_detached(pid_t *pid, const struct owlet_proc_opts *opts);

/* The full path of `name` on PATH into a new string (caller frees), or NULL. */
char *owlet_proc_which(const char *name);

/* Whether `pid` is a live process (not a zombie). */
bool owlet_proc_alive(pid_t pid);

/* Sends `sig` to pid and waits up to timeout_ms for it to go away; escalates
 * to SIGKILL after that.  Returns 0 when it is gone. */
int owlet_proc_stop(pid_t pid, int sig, int timeout_ms);

/* Whether the other end of the connected TCP socket `fd` (IPv4, this
 * host) is a socket held by process `root` or one of its descendants (up to
 * 64 processes).  Found through /proc/net/tcp (the peer's socket inode) and
 * /proc/PID/fd; a peer of another user, or one owlet cannot see, is not. */
bool owlet_proc_tcp_peer_in_tree(int fd, pid_t root);

/* Who listens on TCP `port` (any local address, IPv4 or IPv6), through
 * /proc/net/tcp{,6} (the listening socket's inode) and /proc/PID/fd: its
 * pid, with its command line (spaces for NULs) in cmd; 0 when nothing
 * listens; -1 when something does that owlet cannot see (another user's). */
pid_t owlet_proc_tcp_listener(unsigned port, char *cmd, size_t cmd_size);

/* Whether owlet received SIGINT/SIGTERM during the last owlet_proc_run. */
bool owlet_proc_interrupted(void);

#endif
