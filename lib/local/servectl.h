/*
 * servectl.h: starting and stopping the local API of an environment
 * (`owlet serve --env E --detach`) from up and down.  The server writes
 * state/<env>/localapi.json {"url","pid","port"} once it listens
 * (docs/contracts.md); its output goes to state/<env>/localapi.log.
 */
#ifndef OWLET_SERVECTL_H
#define OWLET_SERVECTL_H

/* Starts it (stopping a running one first) and waits for localapi.json;
 * *url is its URL (caller frees). */
int owlet_servectl_start(char **url, const char *state_dir, const char *env_name);
/* Stops the running one by its pid, removes localapi.json; 0 when none ran. */
int owlet_servectl_stop(const char *state_dir);
/* The URL of the running one (caller frees), or NULL. */
char *owlet_servectl_url(const char *state_dir);

#endif
