/* base_fsutil_test.c: owlet_fs_replace and owlet_state_write_json (the state
 * files: localapi.json, users.json, ...) on a real directory.  Their
 * temporary file is created with O_CREAT|O_EXCL|O_NOFOLLOW: a symlink or a
 * file planted at its name is neither followed nor written, nor renamed over
 * the target; the file gets its mode, and no temporary file is left. */
#include "base/fsutil.h"
#include "deploy/stack.h"
#include "tap.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *slurp(const char *path)
{
	char *text = NULL;
	size_t len;
	return owlet_fs_read(&text, &len, path) == 0 ? text : NULL;
}

/* How many entries of dir start with prefix. */
static int count_prefixed(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	int n = 0;
	for (struct dirent *e; d && (e = readdir(d));)
		n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
	if (d)
		closedir(d);
	return n;
}

int main(void)
{
	char dir[] = "/tmp/owlet-fsutil.XXXXXX";
	if (!mkdtemp(dir))
		return 1;
	char target[128], victim[128], planted[128], tmp_name[64];
	snprintf(target, sizeof target, "%s/localapi.json", dir);
	snprintf(victim, sizeof victim, "%s/victim", dir);
	snprintf(tmp_name, sizeof tmp_name, "localapi.json.tmp-%d", (int)getpid());
	snprintf(planted, sizeof planted, "%s/%s", dir, tmp_name);

	/* someone plants a symlink at the name the old code used, to a file of theirs */
	FILE *f = fopen(victim, "w");
	fputs("theirs\n", f);
	fclose(f);
	ok(symlink(victim, planted) == 0, "a symlink planted at the temporary name");
	json_t *doc = json_pack("{s:s, s:i}", "url", "http://127.0.0.1:1", "pid", 42);
	is_int(owlet_state_write_json(target, doc, 0600), 0, "owlet_state_write_json writes all the same");
	char *v = slurp(victim);
	is_str(v, "theirs\n", "the symlink's target is not written");
	free(v);
	struct stat st;
	ok(lstat(target, &st) == 0 && S_ISREG(st.st_mode), "the target is a regular file, not the planted link");
	is_int(st.st_mode & 07777, 0600, "with the mode asked for");
	json_t *back = json_load_file(target, 0, NULL);
	is_int(json_integer_value(json_object_get(back, "pid")), 42, "holding the document");
	json_decref(back);
	ok(lstat(planted, &st) == 0 && S_ISLNK(st.st_mode), "the planted link is left as it was");
	is_int(count_prefixed(dir, "localapi.json.tmp-"), 1, "and no temporary file of ours is left beside it");

	/* a regular file planted there is not truncated either */
	unlink(planted);
	f = fopen(planted, "w");
	fputs("left-over\n", f);
	fclose(f);
	is_int(owlet_fs_replace(target, "{}\n", 3, 0644, true), 0, "owlet_fs_replace with a file at the temporary name");
	v = slurp(planted);
	is_str(v, "left-over\n", "that file is not written");
	free(v);
	v = slurp(target);
	is_str(v, "{}\n", "the target has the new bytes");
	free(v);
	ok(stat(target, &st) == 0 && (st.st_mode & 07777) == 0644, "and mode 0644");

	/* a target that cannot be replaced: the error names it, nothing is left */
	char sub[160];
	snprintf(sub, sizeof sub, "%s/adir", dir);
	mkdir(sub, 0755);
	ok(owlet_fs_replace(sub, "x", 1, 0644, false) < 0, "replacing a directory fails");
	is_int(count_prefixed(dir, "adir.tmp-"), 0, "and its temporary file is removed");

	json_decref(doc);
	owlet_fs_rmtree(dir);
	return done_testing();
}
