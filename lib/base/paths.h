/*
 * paths.h: where owlet finds the files it ships (modules/, templates/).
 *
 * The share directory is the first of:
 *   1. $OWLET_HOME, when set (it must hold templates/; no fallback then);
 *   2. <bindir>/../share/owlet, the `make install PREFIX=...` layout;
 *   3. <bindir>/.., a source checkout running build/owlet.
 * <bindir> is the directory of the running program (/proc/self/exe).  A
 * candidate counts when it holds a templates/ directory.  Tests that run a
 * program from elsewhere (build/tests/) set OWLET_HOME to the checkout.
 */
#ifndef OWLET_PATHS_H
#define OWLET_PATHS_H

/* The share directory, in a new string (caller frees); OWLET_ENOTFOUND with
 * a message naming the places tried. */
int owlet_paths_share_dir(char **out);
/* <share dir>/<sub> (e.g. "templates/project", "modules"), checked to
 * exist, in a new string; OWLET_ENOTFOUND when it does not. */
int owlet_paths_share(char **out, const char *sub);

#endif
