/*
 * files.c: the stats of files, on several threads (POSIX I/O and threads;
 * the rest of lib/agg/ does no I/O).
 *
 * Work
 *   Files are taken in groups of `threads`.  When a group has fewer files
 *   than threads, each regular file of at least 1 MiB is cut into `threads`
 *   chunks of equal size; otherwise each file is one task.  A group's tasks
 *   run on up to `threads` threads, each into its own owlet_agg, reading
 *   with pread into its own buffer; then they are merged in file and chunk
 *   order, so the exact statistics and the examples are those of one
 *   sequential read, whatever the thread count (the sketches stay within
 *   their bounds).  stdin ("-") is one task, read sequentially.  Memory:
 *   threads x (one agg + one reader buffer) plus the merged result.
 *
 * Chunks of one file
 *   A CSV header is read first (a read with stop = 0), and gives the column
 *   mapping to every chunk.  The data after it, [h, size), is cut at
 *   o_1 < ... < o_{N-1}.  Chunk k (k > 0) starts reading at o_k - 1 and skips
 *   to the first newline (so it starts at a line start at or after o_k);
 *   chunk k reads the records that start before o_{k+1}, the last one to
 *   its end, past o_{k+1}.  A newline inside a quoted field can fool the
 *   skip; so the merge checks that each chunk started where the chunk before
 *   it ended (its end_offset), and when it did not, reads that chunk again
 *   from the right place, on the calling thread.  The result is always the
 *   sequential one; the cost is one chunk re-read per fooled boundary (none
 *   for files without quoted newlines).  JSON Lines cannot hold a raw
 *   newline inside a value, so every line start is a record start there.
 *   Line numbers in examples: each chunk counts from 1, and the merge adds
 *   the lines of the chunks before it.
 */
#include "agg_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHUNK_MIN (1u << 20)

struct task {
	const char *path;
	int fd;
	bool is_stdin;
	uint64_t pos;  /* next file offset to read */
	uint64_t start; /* file offset where the input starts */
	uint64_t bound; /* o_{k+1} as a file offset, UINT64_MAX for the last */
	bool skip;
	enum owlet_format format;
	const struct owlet_agg *like;  /* CSV chunks: has the header mapping */
	const struct owlet_dataset *ds;
	struct owlet_agg_input in;
	struct owlet_agg *agg;
	int rc;
	char err[256];
};

static long task_read(void *ctx, char *buf, size_t cap)
{
	struct task *t = ctx;
	for (;;) {
		ssize_t n = t->is_stdin ? read(t->fd, buf, cap) : pread(t->fd, buf, cap, (off_t)t->pos);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return owlet_error_setc(OWLET_EIO, "cannot read '%s': %s", t->path, strerror(errno));
		t->pos += (uint64_t)n;
		return (long)n;
	}
}

static int task_run(struct task *t)
{
	t->pos = t->start;
	memset(&t->in, 0, sizeof t->in);
	t->in.name = t->path;
	t->in.read = task_read;
	t->in.ctx = t;
	t->in.skip_partial_line = t->skip;
	t->in.origin = t->start;
	t->in.stop = t->bound == UINT64_MAX ? UINT64_MAX : t->bound > t->start ? t->bound - t->start : 0;
	t->in.header = !t->like;
	owlet_agg_free(t->agg);
	t->agg = NULL;
	int rc = t->like ? owlet_agg_new_like(&t->agg, t->like) : owlet_agg_new(&t->agg, t->ds);
	if (rc < 0)
		return rc;
	return t->format == OWLET_FORMAT_CSV ? owlet_agg_csv(t->agg, &t->in) : owlet_agg_jsonl(t->agg, &t->in);
}

struct pool {
	struct task *tasks;
	size_t n;
	size_t next;
	pthread_mutex_t lock;
};

static void *worker(void *arg)
{
	struct pool *p = arg;
	for (;;) {
		pthread_mutex_lock(&p->lock);
		size_t i = p->next++;
		pthread_mutex_unlock(&p->lock);
		if (i >= p->n)
			return NULL;
		struct task *t = &p->tasks[i];
		t->rc = task_run(t);
		if (t->rc < 0)
			snprintf(t->err, sizeof t->err, "%s", owlet_error_last());
	}
}

static int run_pool(struct task *tasks, size_t n, int threads)
{
	struct pool p = { .tasks = tasks, .n = n };
	pthread_t tid[64];
	size_t nt = (size_t)threads < n ? (size_t)threads : n;
	if (nt > 64)
		nt = 64;
	if (nt <= 1) {
		worker(&p);
	} else {
		pthread_mutex_init(&p.lock, NULL);
		size_t started = 0;
		for (; started < nt; started++)
			if (pthread_create(&tid[started], NULL, worker, &p) != 0)
				break;
		if (started == 0)
			worker(&p);
		for (size_t i = 0; i < started; i++)
			pthread_join(tid[i], NULL);
		pthread_mutex_destroy(&p.lock);
	}
	for (size_t i = 0; i < n; i++)
		if (tasks[i].rc < 0)
			return owlet_error_setc(tasks[i].rc, "%s", tasks[i].err);
	return 0;
}

static int open_file(const char *path, int *fd, bool *is_stdin, uint64_t *size, bool *regular)
{
	struct stat st;
	*is_stdin = strcmp(path, "-") == 0;
	*fd = *is_stdin ? 0 : open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0)
		return owlet_error_setc(errno == ENOENT ? OWLET_ENOTFOUND : OWLET_EIO, "cannot open '%s': %s", path,
					strerror(errno));
	if (fstat(*fd, &st) < 0) {
		int e = errno;
		if (!*is_stdin)
			close(*fd);
		return owlet_error_setc(OWLET_EIO, "cannot read '%s': %s", path, strerror(e));
	}
	if (S_ISDIR(st.st_mode)) {
		if (!*is_stdin)
			close(*fd);
		return owlet_error_setc(OWLET_EIO, "cannot read '%s': Is a directory", path);
	}
	*regular = S_ISREG(st.st_mode) && !*is_stdin;
	*size = (uint64_t)st.st_size;
	if (*regular)
		posix_fadvise(*fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	return 0;
}

/* One group of files: tasks, run, verify chunk boundaries, merge in order. */
static int run_group(struct owlet_agg *result, const struct owlet_dataset *ds, enum owlet_format format,
		     const char *const *paths, size_t nfiles, int threads)
{
	size_t chunks = nfiles < (size_t)threads ? (size_t)threads : 1;
	struct task *tasks = calloc(nfiles * chunks, sizeof *tasks);
	struct owlet_agg **headers = calloc(nfiles, sizeof *headers);
	uint64_t *header_lines = calloc(nfiles, sizeof *header_lines);
	size_t nt = 0;
	int rc = OWLET_ENOMEM;
	if (!tasks || !headers || !header_lines) {
		owlet_error_setc(OWLET_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t f = 0; f < nfiles; f++) {
		int fd = -1;
		bool is_stdin = false, regular = false;
		uint64_t size = 0;
		if ((rc = open_file(paths[f], &fd, &is_stdin, &size, &regular)) < 0)
			goto out;
		uint64_t h = 0;
		size_t n = regular && size >= CHUNK_MIN ? chunks : 1;
		if (n > 1 && format == OWLET_FORMAT_CSV) {
			/* the header first: its mapping goes to every chunk */
			struct task ht = { .path = paths[f], .fd = fd, .bound = 0, .format = format, .ds = ds };
			rc = task_run(&ht);
			headers[f] = ht.agg;
			if (rc < 0) {
				close(fd);
				goto out;
			}
			h = ht.in.end_offset;
			header_lines[f] = ht.agg->lines;
		}
		for (size_t k = 0; k < n; k++) {
			struct task *t = &tasks[nt++];
			t->path = paths[f];
			t->fd = fd;
			t->is_stdin = is_stdin;
			t->format = format;
			t->ds = ds;
			t->like = headers[f];
			uint64_t ok = h + (size - h) * k / n;
			t->start = k == 0 ? ok : ok - 1;
			t->skip = k > 0;
			t->bound = k + 1 < n ? h + (size - h) * (k + 1) / n : UINT64_MAX;
		}
	}
	if ((rc = run_pool(tasks, nt, threads)) < 0)
		goto out;
	for (size_t i = 0, f = 0; i < nt; f++) {
		uint64_t lines = header_lines[f];
		result->lines += lines;
		size_t first = i;
		for (; i < nt && tasks[i].path == paths[f]; i++) {
			struct task *t = &tasks[i];
			if (i > first) {
				struct task *prev = &tasks[i - 1];
				uint64_t expected = prev->start + prev->in.end_offset;
				if (t->start + t->in.first_offset != expected) {
					/* the skip landed inside a quoted field: read again */
					t->start = expected;
					t->skip = false;
					if ((rc = task_run(t)) < 0)
						goto out;
				}
			}
			if ((rc = owlet_agg_merge(result, t->agg, lines)) < 0)
				goto out;
			lines += t->agg->lines;
		}
	}
	rc = 0;
out:
	for (size_t i = 0; i < nt; i++) {
		if ((i == 0 || tasks[i].fd != tasks[i - 1].fd) && !tasks[i].is_stdin)
			close(tasks[i].fd);
		owlet_agg_free(tasks[i].agg);
	}
	for (size_t f = 0; headers && f < nfiles; f++)
		owlet_agg_free(headers[f]);
	free(tasks);
	free(headers);
	free(header_lines);
	return rc;
}

int owlet_agg_files(struct owlet_agg **out, const struct owlet_dataset *ds, enum owlet_format format,
		    const char *const *paths, size_t n, int threads)
{
	*out = NULL;
	if (threads < 1)
		threads = 1;
	struct owlet_agg *result;
	int rc = owlet_agg_new(&result, ds);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < n; i += (size_t)threads) {
		size_t g = n - i < (size_t)threads ? n - i : (size_t)threads;
		if ((rc = run_group(result, ds, format, paths + i, g, threads)) < 0) {
			owlet_agg_free(result);
			return rc;
		}
	}
	*out = result;
	return 0;
}
