/* deploy.c: deploy records (see deploy.h). */
#include "deploy/deploy.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <git2.h>

#include "base/clock.h"
#include "base/error.h"
#include "base/fsutil.h"

void owlet_deploy_git_head(char *buf, size_t size, int *dirty, const char *project_dir)
{
	buf[0] = '\0';
	*dirty = 0;
	git_libgit2_init();
	git_repository *repo = NULL;
	git_oid oid;
	if (git_repository_open_ext(&repo, project_dir, 0, NULL) == 0 &&
	    git_reference_name_to_id(&oid, repo, "HEAD") == 0) {
		git_oid_tostr(buf, size, &oid);
		git_status_options opts;
		git_status_options_init(&opts, GIT_STATUS_OPTIONS_VERSION);
		opts.flags = GIT_STATUS_OPT_EXCLUDE_SUBMODULES;
		opts.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
		git_status_list *list = NULL;
		if (git_status_list_new(&list, repo, &opts) == 0) {
			for (size_t i = 0; i < git_status_list_entrycount(list); i++) {
				const git_status_entry *e = git_status_byindex(list, i);
				if (e->status != GIT_STATUS_CURRENT && !(e->status & (GIT_STATUS_WT_NEW | GIT_STATUS_IGNORED)))
					*dirty = 1;
			}
			git_status_list_free(list);
		}
	}
	git_repository_free(repo);
	git_libgit2_shutdown();
}

int owlet_deploy_append(const char *state_dir, const char *project_dir, const json_t *record)
{
	char commit[48];
	int dirty;
	owlet_deploy_git_head(commit, sizeof commit, &dirty, project_dir);
	char when[32];
	owlet_clock_format(when, sizeof when, owlet_clock_wall_ms(), OWLET_CLOCK_ISO);
	json_t *rec = json_object();
	if (!rec)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	json_object_set_new(rec, "time", json_string(when));
	json_object_set_new(rec, "commit", commit[0] ? json_string(commit) : json_null());
	json_object_set_new(rec, "dirty", json_boolean(dirty));
	json_object_update(rec, (json_t *)record);
	char *line = json_dumps(rec, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(6));
	json_decref(rec);
	char *path = owlet_fs_join(state_dir, "deploys.jsonl");
	int rc = 0;
	if (!line || !path) {
		rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
		goto out;
	}
	size_t n = strlen(line);
	line[n] = '\n'; /* json_dumps' NUL becomes the newline; written as one piece */
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0) {
		rc = owlet_error_setc(OWLET_EIO, "cannot open '%s': %s", path, strerror(errno));
		goto out;
	}
	if (write(fd, line, n + 1) != (ssize_t)(n + 1))
		rc = owlet_error_setc(OWLET_EIO, "cannot write '%s': %s", path, strerror(errno));
	if (close(fd) != 0 && rc == 0)
		rc = owlet_error_setc(OWLET_EIO, "cannot write '%s': %s", path, strerror(errno));
out:
	free(line);
	free(path);
	return rc;
}

int owlet_deploy_last(json_t **out, const char *state_dir)
{
	*out = NULL;
	char *path = owlet_fs_join(state_dir, "deploys.jsonl");
	char *text = NULL;
	if (!path)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	int rc = owlet_fs_read(&text, NULL, path);
	if (rc == 0) {
		char *last = NULL;
		char *save = NULL;
		for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
			if (line[0] == '{')
				last = line;
		*out = last ? json_loads(last, 0, NULL) : NULL;
		if (!*out)
			rc = owlet_error_setc(OWLET_ENOTFOUND, "no deploy record in '%s'", path);
	}
	free(text);
	free(path);
	return rc;
}
