/*
 * deploy.h: the deploy records of an environment, state/<env>/deploys.jsonl,
 * one JSON object per line, appended by `owlet up`:
 *   {"time":"2026-11-23T19:00:00Z","environment":"local","commit":"<sha>"|null,
 *    "dirty":false,"result":"applied"|"no changes","seconds":{"total":..,"terraform":..},
 *    "plan":{"add","change","destroy","modules":{...}}}
 * The commit is HEAD of the git repository the project is in (libgit2), null
 * outside one.
 */
#ifndef OWLET_DEPLOY_H
#define OWLET_DEPLOY_H

#include <jansson.h>

/* The HEAD commit of the repository that holds project_dir, as 40 hex
 * digits in buf (size >= 41); "" when none.  *dirty: tracked changes. */
void owlet_deploy_git_head(char *buf, size_t size, int *dirty, const char *project_dir);
/* Appends one record (a copy of `record` with time, commit and dirty added). */
int owlet_deploy_append(const char *state_dir, const char *project_dir, const json_t *record);
/* The last record (new reference), or OWLET_ENOTFOUND when there is none. */
int owlet_deploy_last(json_t **out, const char *state_dir);

#endif
