/* fsutil.c: file-system helpers (see fsutil.h). */
#include "base/fsutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/error.h"
#include "base/random.h"

char *owlet_fs_join(const char *a, const char *b)
{
	char *out;
	size_t alen = strlen(a);
	bool slash = alen > 0 && a[alen - 1] == '/';
	if (asprintf(&out, "%s%s%s", a, slash ? "" : "/", b) < 0)
		return NULL;
	return out;
}

bool owlet_fs_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

bool owlet_fs_is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int owlet_fs_read(char **out, size_t *len, const char *path)
{
	*out = NULL;
	if (len)
		*len = 0;
	FILE *f = fopen(path, "rb");
	if (!f)
		return owlet_error_setc(errno == ENOENT ? OWLET_ENOTFOUND : OWLET_EIO, "cannot open '%s': %s",
					path, strerror(errno));
	int rc = 0;
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	if (!buf) {
		rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
		goto out_close;
	}
	for (;;) {
		if (n + 1 >= cap) {
			char *bigger = realloc(buf, cap * 2);
			if (!bigger) {
				rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
				goto out_close;
			}
			buf = bigger;
			cap *= 2;
		}
		size_t got = fread(buf + n, 1, cap - 1 - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		rc = owlet_error_setc(OWLET_EIO, "cannot read '%s': %s", path, strerror(errno));
		goto out_close;
	}
	buf[n] = '\0';
	*out = buf;
	buf = NULL;
	if (len)
		*len = n;
out_close:
	free(buf);
	fclose(f);
	return rc;
}

static bool same_content(const char *path, const char *data, size_t len)
{
	char *old;
	size_t old_len;
	if (owlet_fs_read(&old, &old_len, path) < 0) {
		owlet_error_clear();
		return false;
	}
	bool same = old_len == len && memcmp(old, data, len) == 0;
	free(old);
	return same;
}

/* A new temporary file beside path (see owlet_fs_replace); *tmp its name. */
static int create_temp(char **tmp, const char *path)
{
	*tmp = NULL;
	for (int attempt = 0; attempt < 8; attempt++) {
		char hex[17] = "";
		if (attempt > 0 && owlet_random_hex(hex, 8) < 0)
			return OWLET_EIO;
		if (asprintf(tmp, "%s.tmp-%d%s%s", path, (int)getpid(), attempt ? "-" : "", hex) < 0) {
			*tmp = NULL;
			return owlet_error_setc(OWLET_ENOMEM, "out of memory");
		}
		int fd = open(*tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0)
			return fd;
		int e = errno;
		if (e != EEXIST) {
			int rc = owlet_error_setc(OWLET_EIO, "cannot create '%s': %s", *tmp, strerror(e));
			free(*tmp);
			*tmp = NULL;
			return rc;
		}
		free(*tmp); /* something is there already (a left-over, a planted link): another name */
		*tmp = NULL;
	}
	return owlet_error_setc(OWLET_EIO, "cannot create a temporary file beside '%s': every name tried exists", path);
}

int owlet_fs_write_atomic(const char *path, const char *data, size_t len)
{
	if (same_content(path, data, len))
		return 0;
	return owlet_fs_replace(path, data, len, 0644, false);
}

int owlet_fs_replace(const char *path, const char *data, size_t len, mode_t mode, bool sync)
{
	char *tmp;
	int fd = create_temp(&tmp, path);
	if (fd < 0)
		return fd;
	int rc = 0;
	size_t done = 0;
	while (done < len) {
		ssize_t w = write(fd, data + done, len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			rc = owlet_error_setc(OWLET_EIO, "cannot write '%s': %s", tmp, strerror(errno));
			break;
		}
		done += (size_t)w;
	}
	if (rc == 0 && fchmod(fd, mode) != 0)
		rc = owlet_error_setc(OWLET_EIO, "cannot chmod '%s': %s", tmp, strerror(errno));
	if (rc == 0 && sync && fsync(fd) != 0)
		rc = owlet_error_setc(OWLET_EIO, "cannot write '%s': %s", tmp, strerror(errno));
	if (close(fd) != 0 && rc == 0)
		rc = owlet_error_setc(OWLET_EIO, "cannot write '%s': %s", tmp, strerror(errno));
	if (rc == 0 && rename(tmp, path) != 0)
		rc = owlet_error_setc(OWLET_EIO, "cannot rename '%s' to '%s': %s", tmp, path, strerror(errno));
	if (rc < 0)
		unlink(tmp);
	free(tmp);
	return rc;
}

/* json_dumps plus a final newline (caller frees); NULL on out of memory. */
static char *json_text(const json_t *value, size_t flags, size_t *len)
{
	char *text = json_dumps(value, flags);
	size_t n = text ? strlen(text) : 0;
	char *with_nl = text ? realloc(text, n + 2) : NULL;
	if (!with_nl) {
		free(text);
		return NULL;
	}
	with_nl[n] = '\n';
	with_nl[n + 1] = '\0';
	*len = n + 1;
	return with_nl;
}

int owlet_fs_write_json(const char *path, const json_t *value, size_t flags)
{
	size_t n;
	char *text = json_text(value, flags, &n);
	int rc = text ? owlet_fs_write_atomic(path, text, n)
		      : owlet_error_setc(OWLET_ENOMEM, "cannot serialise '%s'", path);
	free(text);
	return rc;
}

int owlet_fs_replace_json(const char *path, const json_t *value, size_t flags, mode_t mode)
{
	size_t n;
	char *text = json_text(value, flags, &n);
	int rc = text ? owlet_fs_replace(path, text, n, mode, true)
		      : owlet_error_setc(OWLET_ENOMEM, "cannot serialise '%s'", path);
	free(text);
	return rc;
}

int owlet_fs_mkdirs(const char *path)
{
	char *copy = strdup(path);
	if (!copy)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	int rc = 0;
	for (char *p = copy + 1; ; p++) {
		bool end = *p == '\0';
		if (*p == '/' || end) {
			*p = '\0';
			if (mkdir(copy, 0755) != 0 && errno != EEXIST) {
				rc = owlet_error_setc(OWLET_EIO, "cannot create directory '%s': %s", copy,
						      strerror(errno));
				break;
			}
			if (end)
				break;
			*p = '/';
		}
	}
	free(copy);
	return rc;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void owlet_fs_names_free(char **names)
{
	for (size_t i = 0; names && names[i]; i++)
		free(names[i]);
	free(names);
}

int owlet_fs_list(char ***out, const char *dir)
{
	*out = NULL;
	DIR *d = opendir(dir);
	if (!d)
		return owlet_error_setc(errno == ENOENT ? OWLET_ENOTFOUND : OWLET_EIO, "cannot open '%s': %s", dir,
					strerror(errno));
	int rc = 0;
	size_t n = 0, cap = 16;
	char **names = calloc(cap, sizeof *names);
	if (!names) {
		rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
		goto out_close;
	}
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (n + 1 >= cap) {
			char **bigger = realloc(names, cap * 2 * sizeof *names);
			if (!bigger) {
				rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
				goto out_close;
			}
			names = bigger;
			cap *= 2;
		}
		names[n] = strdup(e->d_name);
		if (!names[n]) {
			rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
			goto out_close;
		}
		names[++n] = NULL;
	}
	qsort(names, n, sizeof *names, cmp_names);
	*out = names;
	names = NULL;
out_close:
	owlet_fs_names_free(names);
	closedir(d);
	return rc;
}

int owlet_fs_rmtree(const char *path)
{
	struct stat st;
	if (lstat(path, &st) != 0)
		return errno == ENOENT ? 0 : owlet_error_setc(OWLET_EIO, "cannot stat '%s': %s", path, strerror(errno));
	if (S_ISDIR(st.st_mode)) {
		char **names;
		int rc = owlet_fs_list(&names, path);
		if (rc < 0)
			return rc;
		for (size_t i = 0; names[i] && rc == 0; i++) {
			char *child = owlet_fs_join(path, names[i]);
			rc = child ? owlet_fs_rmtree(child) : owlet_error_setc(OWLET_ENOMEM, "out of memory");
			free(child);
		}
		owlet_fs_names_free(names);
		if (rc < 0)
			return rc;
		if (rmdir(path) != 0)
			return owlet_error_setc(OWLET_EIO, "cannot remove '%s': %s", path, strerror(errno));
		return 0;
	}
	if (unlink(path) != 0)
		return owlet_error_setc(OWLET_EIO, "cannot remove '%s': %s", path, strerror(errno));
	return 0;
}
