/*
 * fsutil.h: small file-system helpers of the spine (render, state files).
 * Writes are atomic: a temporary file in the same directory, then rename(2),
 * so a reader never sees half a file and a crash never leaves one.
 */
#ifndef OWLET_FSUTIL_H
#define OWLET_FSUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <jansson.h>

/* Replaces path with data, mode `mode`: a new temporary file beside it
 * ("PATH.tmp-PID", else "PATH.tmp-PID-<random hex>" when that name is
 * taken), created with O_CREAT|O_EXCL|O_NOFOLLOW and mode 0600, so a file or
 * symlink planted at the temporary name is never followed or written; then
 * fchmod(mode), fsync when `sync`, rename(2) over path. */
int owlet_fs_replace(const char *path, const char *data, size_t len, mode_t mode, bool sync);
/* owlet_fs_replace with mode 0644, no fsync; leaves the file untouched
 * (mtime included) when it already holds exactly these bytes. */
int owlet_fs_write_atomic(const char *path, const char *data, size_t len);
/* json_dumps(value, flags) plus a final newline, written atomically. */
int owlet_fs_write_json(const char *path, const json_t *value, size_t flags);
/* The same through owlet_fs_replace: mode `mode`, fsync'd, always written. */
int owlet_fs_replace_json(const char *path, const json_t *value, size_t flags, mode_t mode);
/* Reads a whole file into a new NUL-terminated buffer (caller frees);
 * OWLET_ENOTFOUND when it does not exist. */
int owlet_fs_read(char **out, size_t *len, const char *path);
/* mkdir -p. */
int owlet_fs_mkdirs(const char *path);
/* rm -r (no error when absent). */
int owlet_fs_rmtree(const char *path);
bool owlet_fs_exists(const char *path);
bool owlet_fs_is_dir(const char *path);
/* "a/b" in a new string (caller frees); NULL on out of memory. */
char *owlet_fs_join(const char *a, const char *b);
/* Sorted names of a directory's entries (not . and ..), NULL-ended, caller
 * frees with owlet_fs_names_free. */
int owlet_fs_list(char ***out, const char *dir);
void owlet_fs_names_free(char **names);

#endif
