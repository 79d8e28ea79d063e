/*
 * servectl.h: starting and stopping the local API of an environment
 * (`owlet serve`) from up, down, status and serve itself.
 *
 * Readiness travels through a file descriptor, never through the log: the
 * starter makes a pipe, the server gets its write end (`serve --ready-fd N`,
 * or the fork of `serve --detach`) and writes one line on it, "ready URL"
 * once it has bound its ports and written localapi.json, or "error MESSAGE"
 * when it cannot start; the starter waits for that line with a deadline.
 *
 * The server records {"url","pid","port","start",...} in
 * state/<env>/localapi.json (docs/contracts.md); "start" is its
 * owlet_proc_start_token.  A recorded pid is signalled only when the process
 * still has that token and "serve" among its arguments: a pid reused by
 * another program since is never touched.
 */
#ifndef OWLET_SERVECTL_H
#define OWLET_SERVECTL_H

#include <stdbool.h>
#include <sys/types.h>

/* Starts it (stopping a running one first) as a daemon running
 * `<owlet> serve --env ENV --ready-fd N`; waits for its line; *url is its
 * URL (caller frees). */
int owlet_servectl_start(char **url, const char *state_dir, const char *env_name);

/* Stops the recorded server, removes localapi.json; 0 when none ran.  When
 * the record names a live process that is not that server (a reused pid, a
 * record without "start"), nothing is signalled, the record is removed and
 * *stale (may be NULL) is that pid; else *stale is 0. */
int owlet_servectl_stop(const char *state_dir, pid_t *stale);

/* The URL of the running one (caller frees), or NULL; *pid (may be NULL)
 * its pid. */
char *owlet_servectl_url(const char *state_dir, pid_t *pid);

/* Whether pid is a live owlet server whose start token is `start`. */
bool owlet_servectl_is_server(pid_t pid, const char *start);

/* The server's side: writes "WORD TEXT\n" (WORD "ready" or "error"; TEXT on
 * one line, at most 1000 bytes) to fd and closes it; nothing when fd < 0. */
void owlet_servectl_tell(int fd, const char *word, const char *text);

/* The starter's side: waits up to timeout_ms for the line on fd.  "ready
 * URL": returns 0 with *url (caller frees).  "error MESSAGE": that message.
 * End of file first (the server exited) or no line in time: OWLET_ECHILD,
 * naming log_path, the server's log. */
int owlet_servectl_wait_ready(char **url, int fd, int timeout_ms, const char *log_path);

#endif
