/* project.c: `owlet init`, the scaffold and its first commit (see project.h). */
#include "model/project.h"
#include "base/buf.h"
#include "base/error.h"
#include "model/model.h"
#include "base/version.h"
#include "model/yaml_tree.h"
#include "base/fsutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <git2.h>

#define PLACEHOLDER "{{project}}"
/* Template trees are shallow; deeper is a mistake (or a loop). */
#define MAX_TEMPLATE_DEPTH 8

void owlet_project_free(struct owlet_project *project)
{
	if (!project)
		return;
	free(project->dir);
	free(project->name);
	free(project->author);
	free(project);
}

/* ---- the name ----------------------------------------------------------- */

int owlet_project_name_from_dir(char **out, const char *dir)
{
	*out = NULL;
	char *abs = realpath(dir, NULL);
	char *copy = strdup(abs ? abs : dir);
	free(abs);
	if (!copy)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	size_t len = strlen(copy);
	while (len > 1 && copy[len - 1] == '/')
		copy[--len] = '\0';
	const char *base = basename(copy);
	char name[25];
	size_t n = 0;
	for (const char *s = base; *s && n < sizeof name - 1; s++) {
		char c = *s;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c == '_' || c == '.' || c == ' ' || c == '-')
			c = '-';
		else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
			continue;
		if (n == 0 && !(c >= 'a' && c <= 'z'))
			continue; /* a name starts with a letter */
		if (c == '-' && n > 0 && name[n - 1] == '-')
			continue;
		name[n++] = c;
	}
	while (n > 0 && name[n - 1] == '-')
		n--;
	name[n] = '\0';
	int rc = 0;
	if (!owlet_model_valid_project(name))
		rc = owlet_error_setc(OWLET_EINVALID,
				      "cannot make a project name from '%s' (it needs 3 to 24 lower-case letters, digits or '-'); give one with --name",
				      base);
	else if (!(*out = strdup(name)))
		rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
	free(copy);
	return rc;
}

/* ---- the directory ------------------------------------------------------ */

/* What init created, to undo it on failure. */
struct created {
	char *top;          /* the outermost directory init made (NULL: dir existed) */
	char **files;       /* relative paths of the files written, for git add */
	size_t n_files, cap;
};

static int dir_is_empty(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return owlet_error_setc(OWLET_EIO, "cannot read '%s': %s", dir, strerror(errno));
	const struct dirent *e;
	int empty = 1;
	while (empty && (e = readdir(d)))
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			empty = 0;
	closedir(d);
	return empty;
}

/* mkdir -p; remembers the outermost directory it made. */
static int make_dirs(struct created *cr, const char *dir)
{
	char *path = strdup(dir);
	if (!path)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	int rc = 0;
	for (char *p = path + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char saved = *p;
		*p = '\0';
		if (mkdir(path, 0777) == 0) {
			if (!cr->top && !(cr->top = strdup(path))) {
				rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
				break;
			}
		} else if (errno != EEXIST) {
			rc = owlet_error_setc(OWLET_EIO, "cannot create '%s': %s", path, strerror(errno));
			break;
		}
		*p = saved;
		if (saved == '\0')
			break;
	}
	free(path);
	return rc;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	if (ftw->level > 0)
		remove(path);
	return 0;
}

/* Puts dir back as it was: empty, or gone with the parents init made. */
static void undo(const struct created *cr, const char *dir)
{
	nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	if (!cr->top)
		return;
	char *path = strdup(dir);
	while (path) {
		rmdir(path);
		if (strcmp(path, cr->top) == 0 || strcmp(path, "/") == 0 || strcmp(path, ".") == 0)
			break;
		char *parent = strdup(dirname(path));
		free(path);
		path = parent;
	}
	free(path);
}

/* ---- the scaffold ------------------------------------------------------- */

static int note_file(struct created *cr, const char *rel)
{
	if (owlet_grow((void **)&cr->files, &cr->cap, cr->n_files, sizeof *cr->files, 16) < 0)
		return OWLET_ENOMEM;
	if (!(cr->files[cr->n_files] = strdup(rel)))
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	cr->n_files++;
	return 0;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Copies one template file, with the placeholder replaced; never overwrites. */
static int copy_file(const char *from, const char *to, mode_t mode, const char *name)
{
	char *buf;
	size_t len;
	int rc = ytree_read_file(&buf, &len, from);
	if (rc < 0)
		return rc;
	int fd = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, (mode & 0111) ? 0777 : 0666);
	if (fd < 0) {
		rc = owlet_error_setc(OWLET_EIO, "cannot create '%s': %s", to, strerror(errno));
		goto out;
	}
	const char *p = buf, *end = buf + len;
	size_t plen = strlen(PLACEHOLDER);
	while (p < end) {
		const char *hit = memmem(p, (size_t)(end - p), PLACEHOLDER, plen);
		size_t chunk = hit ? (size_t)(hit - p) : (size_t)(end - p);
		if (write_all(fd, p, chunk) < 0 || (hit && write_all(fd, name, strlen(name)) < 0)) {
			rc = owlet_error_setc(OWLET_EIO, "cannot write '%s': %s", to, strerror(errno));
			break;
		}
		p += chunk + (hit ? plen : 0);
	}
	if (close(fd) < 0 && rc == 0)
		rc = owlet_error_setc(OWLET_EIO, "cannot write '%s': %s", to, strerror(errno));
out:
	free(buf);
	return rc;
}

/* Copies the template tree under `from` to `to`; `rel` is the path relative
 * to the project ("" at the top). */
static int copy_tree(struct created *cr, const char *from, const char *to, const char *rel, const char *name,
		     int depth)
{
	if (depth > MAX_TEMPLATE_DEPTH)
		return owlet_error_setc(OWLET_ERROR, "the template '%s' is nested too deeply", from);
	struct dirent **entries;
	int n = scandir(from, &entries, NULL, alphasort);
	if (n < 0)
		return owlet_error_setc(OWLET_ENOTFOUND, "cannot read the template '%s': %s", from, strerror(errno));
	int rc = 0;
	for (int i = 0; i < n; i++) {
		const char *e = entries[i]->d_name;
		char *src = NULL, *dst = NULL, *r = NULL;
		struct stat st;
		if (rc < 0 || strcmp(e, ".") == 0 || strcmp(e, "..") == 0)
			goto next;
		if (asprintf(&src, "%s/%s", from, e) < 0 || asprintf(&dst, "%s/%s", to, e) < 0 ||
		    asprintf(&r, "%s%s%s", rel, rel[0] ? "/" : "", e) < 0) {
			rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
			goto next;
		}
		if (lstat(src, &st) < 0) {
			rc = owlet_error_setc(OWLET_EIO, "cannot read '%s': %s", src, strerror(errno));
		} else if (S_ISDIR(st.st_mode)) {
			if (mkdir(dst, 0777) < 0)
				rc = owlet_error_setc(OWLET_EIO, "cannot create '%s': %s", dst, strerror(errno));
			else
				rc = copy_tree(cr, src, dst, r, name, depth + 1);
		} else if (S_ISREG(st.st_mode)) {
			rc = copy_file(src, dst, st.st_mode, name);
			if (rc == 0)
				rc = note_file(cr, r);
		} else {
			rc = owlet_error_setc(OWLET_ERROR, "the template holds '%s', which is not a file or directory", src);
		}
next:
		free(src);
		free(dst);
		free(r);
		free(entries[i]);
	}
	free(entries);
	return rc;
}

/* ---- git ---------------------------------------------------------------- */

static int git_fail(const char *what)
{
	const git_error *e = git_error_last();
	return owlet_error_setc(OWLET_ERROR, "git: cannot %s: %s", what, e && e->message ? e->message : "unknown error");
}

static int first_commit(struct owlet_project *p, const struct created *cr)
{
	git_repository *repo = NULL;
	git_index *index = NULL;
	git_tree *tree = NULL;
	git_signature *sig = NULL;
	git_oid tree_id, commit_id;
	char *message = NULL;
	int rc = 0;

	if (git_repository_init(&repo, p->dir, 0) < 0) {
		rc = git_fail("create the repository");
		goto out;
	}
	if (git_repository_index(&index, repo) < 0) {
		rc = git_fail("open the index");
		goto out;
	}
	for (size_t i = 0; i < cr->n_files; i++)
		if (git_index_add_bypath(index, cr->files[i]) < 0) {
			rc = git_fail("add the files");
			goto out;
		}
	if (git_index_write(index) < 0 || git_index_write_tree(&tree_id, index) < 0 ||
	    git_tree_lookup(&tree, repo, &tree_id) < 0) {
		rc = git_fail("write the tree");
		goto out;
	}
	if (git_signature_default(&sig, repo) < 0) {
		p->author_fallback = true;
		if (git_signature_now(&sig, "owlet", "owlet@localhost") < 0) {
			rc = git_fail("make a signature");
			goto out;
		}
	}
	if (asprintf(&p->author, "%s <%s>", sig->name, sig->email) < 0 ||
	    asprintf(&message,
		     "Create the owlet project '%s'\n\n"
		     "Written by `owlet init` (owlet %s): the data model, the environments\n"
		     "and this repository.\n",
		     p->name, OWLET_VERSION) < 0) {
		p->author = NULL;
		message = NULL;
		rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
		goto out;
	}
	if (git_commit_create_v(&commit_id, repo, "HEAD", sig, sig, NULL, message, tree, 0) < 0) {
		rc = git_fail("commit");
		goto out;
	}
	git_oid_tostr(p->commit, sizeof p->commit, &commit_id);
out:
	free(message);
	git_signature_free(sig);
	git_tree_free(tree);
	git_index_free(index);
	git_repository_free(repo);
	return rc;
}

/* ---- init --------------------------------------------------------------- */

/* A directory init may use: absent (*exists false), or an empty directory. */
static int check_dir(const char *dir, bool *exists)
{
	struct stat st;
	*exists = false;
	if (stat(dir, &st) != 0) {
		if (errno != ENOENT)
			return owlet_error_setc(OWLET_EIO, "cannot use '%s': %s", dir, strerror(errno));
		return 0;
	}
	if (!S_ISDIR(st.st_mode))
		return owlet_error_setc(OWLET_ERROR, "'%s' exists and is not a directory", dir);
	int empty = dir_is_empty(dir);
	if (empty < 0)
		return empty;
	if (!empty)
		return owlet_error_setc(OWLET_ERROR, "'%s' is not empty: owlet init needs a new or empty directory", dir);
	*exists = true;
	return 0;
}

int owlet_project_init(struct owlet_project **out, const char *dir, const char *name, const char *template_dir)
{
	return owlet_project_init_hook(out, dir, name, template_dir, NULL, NULL);
}

int owlet_project_init_hook(struct owlet_project **out, const char *dir, const char *name,
			    const char *template_dir, owlet_project_hook hook, void *ctx)
{
	*out = NULL;
	struct created cr = { 0 };
	bool touched = false;
	int rc;
	bool exists;
	struct owlet_project *p = calloc(1, sizeof *p);
	if (!p || !(p->dir = strdup(dir))) {
		rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t len = strlen(p->dir); len > 1 && p->dir[len - 1] == '/';)
		p->dir[--len] = '\0';
	dir = p->dir;
	if ((rc = check_dir(dir, &exists)) < 0)
		goto out;
	if (name) {
		if (!owlet_model_valid_project(name)) {
			rc = owlet_error_setc(OWLET_EUSAGE,
					      "bad project name '%s' (expected 3 to 24 lower-case letters, digits or '-', starting with a letter and not ending with '-')",
					      name);
			goto out;
		}
		if (!(p->name = strdup(name))) {
			rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
			goto out;
		}
	} else if ((rc = owlet_project_name_from_dir(&p->name, dir)) < 0) {
		goto out;
	}
	struct stat st;
	if (stat(template_dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		rc = owlet_error_setc(OWLET_ENOTFOUND, "no project template at '%s'", template_dir);
		goto out;
	}
	touched = true;
	if (!exists && (rc = make_dirs(&cr, dir)) < 0)
		goto out;
	if ((rc = copy_tree(&cr, template_dir, dir, "", p->name, 0)) < 0)
		goto out;
	if (hook) {
		char **written = NULL;
		rc = hook(ctx, dir, &written);
		for (size_t i = 0; rc == 0 && written && written[i]; i++)
			rc = note_file(&cr, written[i]);
		owlet_fs_names_free(written);
		if (rc < 0)
			goto out;
	}
	p->n_files = cr.n_files;
	git_libgit2_init();
	rc = first_commit(p, &cr);
	git_libgit2_shutdown();
out:
	if (rc < 0 && touched)
		undo(&cr, dir);
	for (size_t i = 0; i < cr.n_files; i++)
		free(cr.files[i]);
	free(cr.files);
	free(cr.top);
	if (rc < 0)
		owlet_project_free(p);
	else
		*out = p;
	return rc;
}
