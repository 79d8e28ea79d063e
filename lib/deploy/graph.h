/*
 * graph.h: the stack as a picture, for `owlet graph`: Graphviz DOT text from
 * a plan's JSON (`terraform show -json`): one cluster per module with its
 * resources, and the data's path through them drawn bold (browser -> API ->
 * Lambda -> S3 / Glue / Athena, the S3 trigger, the dead-letter queue, the
 * alarms' topic).  Built from the plan, so it needs no credentials.
 */
#ifndef OWLET_GRAPH_H
#define OWLET_GRAPH_H

#include <jansson.h>

/* The DOT text (caller frees), or NULL with an error set: OWLET_EINVALID
 * for something that is not a plan, or more than 5000 resources. */
char *owlet_graph_dot(const json_t *plan, const char *title);

#endif
