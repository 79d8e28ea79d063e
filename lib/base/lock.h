/*
 * lock.h: owlet's own lock on an environment: flock(2) on state/<env>/lock,
 * so a second `owlet up` (plan, down) on the same environment fails at once
 * and names the holder.  The file holds {"pid","command","since"} of the
 * holder for that message; the kernel drops the lock when the holder dies,
 * so a killed owlet never leaves it stale.  terraform's own S3 lockfile
 * (use_lockfile) still guards the state across machines.
 */
#ifndef OWLET_LOCK_H
#define OWLET_LOCK_H

/* Takes the lock of state_dir for `command` ("up"); *fd is the lock, close
 * it with owlet_lock_release.  OWLET_ELOCKED when another run holds it. */
int owlet_lock_acquire(int *fd, const char *state_dir, const char *env_name, const char *command);
void owlet_lock_release(int fd);

#endif
