/*
 * emulator.h: the local AWS emulator (moto_server) of the `local` target.
 *
 * owlet starts moto_server on 127.0.0.1 on a free port, in its own session,
 * with its log in <state_dir>/emulator.log, and records
 * {"endpoint":"http://127.0.0.1:PORT","pid":N,"port":N} in
 * <state_dir>/emulator.json (docs/contracts.md).  A running emulator is
 * reused when its pid is alive, is a moto_server, and its port answers.
 * Only 127.0.0.1 is ever spoken to.
 */
#ifndef OWLET_EMULATOR_H
#define OWLET_EMULATOR_H

#include <stdbool.h>
#include <sys/types.h>

struct owlet_emulator {
	char endpoint[64]; /* http://127.0.0.1:PORT */
	int port;
	pid_t pid;
	bool reused;       /* it was already running */
};

/* Starts the emulator for state_dir (state/local), or reuses the running one.
 * OWLET_ENOTFOUND, with what to install, when moto_server is missing. */
int owlet_emulator_start(struct owlet_emulator *out, const char *state_dir);
/* The running emulator of state_dir: 0, or OWLET_ENOTFOUND when none runs. */
int owlet_emulator_find(struct owlet_emulator *out, const char *state_dir);
/* Stops the emulator of state_dir by its pid and removes emulator.json;
 * 0 also when none was running. */
int owlet_emulator_stop(const char *state_dir);
/* Creates an S3 bucket in the emulator (no error when it exists). */
int owlet_emulator_create_bucket(const struct owlet_emulator *emu, const char *bucket, const char *region);
/* Whether something answers HTTP on 127.0.0.1:port. */
bool owlet_emulator_answers(int port);
/* A free TCP port on 127.0.0.1, or a negative error. */
int owlet_free_port(void);

#endif
