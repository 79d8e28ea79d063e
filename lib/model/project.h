/*
 * project.h: `owlet init`: a new project from templates/project/.
 *
 * The scaffold is copied file by file into DIR (created, or an empty
 * existing directory; a non-empty one is refused and left untouched), with
 * "{{project}}" replaced by the project name in every file.  Files are
 * created with O_EXCL, so nothing is ever overwritten.  Then a git repository
 * is created in DIR with one commit of those files (libgit2).  Should any step
 * fail, what init created is removed again: DIR is as it was.
 */
#ifndef OWLET_PROJECT_H
#define OWLET_PROJECT_H

#include <stdbool.h>
#include <stddef.h>

struct owlet_project {
	char *dir;            /* as given */
	char *name;           /* the project name */
	size_t n_files;       /* files written (and committed) */
	char commit[41];      /* the initial commit, hex */
	char *author;         /* "Name <email>" of that commit */
	bool author_fallback; /* no git identity configured: owlet <owlet@localhost> */
};

/* A project name made from a directory name: lower-cased, '_', '.' and
 * spaces become '-', other characters dropped, cut to 24, leading non-letters
 * and trailing '-' removed.  OWLET_EINVALID when nothing valid remains. */
int owlet_project_name_from_dir(char **out, const char *dir);

/* Creates the project in `dir` from `template_dir` (templates/project).
 * `name` may be NULL: then it comes from dir's base name.  On success *out
 * says what was done (free with owlet_project_free). */
int owlet_project_init(struct owlet_project **out, const char *dir, const char *name, const char *template_dir);
/* The same, and `hook` (may be NULL) runs after the scaffold is copied and
 * before the commit: it writes more files into the project `dir` and
 * returns their paths relative to it in *written (a NULL-terminated array
 * the caller frees with owlet_fs_names_free), to be committed too.  A hook
 * that fails undoes init as any other failure. */
typedef int (*owlet_project_hook)(void *ctx, const char *dir, char ***written);
int owlet_project_init_hook(struct owlet_project **out, const char *dir, const char *name,
			    const char *template_dir, owlet_project_hook hook, void *ctx);
void owlet_project_free(struct owlet_project *project);

#endif
