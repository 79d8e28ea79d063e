/* lock.c: flock on state/<env>/lock (see lock.h). */
#include "base/lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "base/clock.h"
#include "base/error.h"
#include "base/fsutil.h"

static void holder_text(char *buf, size_t size, int fd)
{
	char raw[512];
	ssize_t n = pread(fd, raw, sizeof raw - 1, 0);
	raw[n > 0 ? n : 0] = '\0';
	json_t *j = json_loads(raw, 0, NULL);
	json_int_t pid = 0;
	const char *command = "?", *since = "?";
	if (j && json_unpack(j, "{s:I, s?s, s?s}", "pid", &pid, "command", &command, "since", &since) == 0 && pid > 0)
		snprintf(buf, size, "'owlet %s' (pid %lld, since %s)", command, (long long)pid, since);
	else
		snprintf(buf, size, "another owlet run");
	json_decref(j);
}

int owlet_lock_acquire(int *fd_out, const char *state_dir, const char *env_name, const char *command)
{
	*fd_out = -1;
	int rc = owlet_fs_mkdirs(state_dir);
	if (rc < 0)
		return rc;
	char *path = owlet_fs_join(state_dir, "lock");
	if (!path)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		rc = owlet_error_setc(OWLET_EIO, "cannot open '%s': %s", path, strerror(errno));
		goto out;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno == EWOULDBLOCK) {
			char holder[300];
			holder_text(holder, sizeof holder, fd);
			rc = owlet_error_setc(OWLET_ELOCKED, "environment '%s' is locked by %s: wait for it to finish "
					      "(lock '%s')", env_name, holder, path);
		} else {
			rc = owlet_error_setc(OWLET_EIO, "cannot lock '%s': %s", path, strerror(errno));
		}
		close(fd);
		goto out;
	}
	char since[32];
	owlet_clock_format(since, sizeof since, owlet_clock_wall_ms(), OWLET_CLOCK_ISO);
	char text[256];
	int n = snprintf(text, sizeof text, "{\"pid\": %d, \"command\": \"%s\", \"since\": \"%s\"}\n", (int)getpid(),
			 command, since);
	if (ftruncate(fd, 0) != 0 || pwrite(fd, text, (size_t)n, 0) != n) {
		rc = owlet_error_setc(OWLET_EIO, "cannot write '%s': %s", path, strerror(errno));
		close(fd);
		goto out;
	}
	*fd_out = fd;
out:
	free(path);
	return rc;
}

void owlet_lock_release(int fd)
{
	if (fd < 0)
		return;
	if (ftruncate(fd, 0) != 0) {
		/* the kernel lock goes with close(); the holder text is only a hint */
	}
	close(fd);
}
