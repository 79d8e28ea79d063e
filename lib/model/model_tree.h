/*
 * model_tree.h: inside the model: the one validator that both the YAML file
 * (model_yaml.c) and the JSON form (model.c) go through.  Not for cmd/.
 */
#ifndef OWLET_MODEL_TREE_H
#define OWLET_MODEL_TREE_H

#include "model/model.h"
#include "model/yaml_tree.h"

/* A tree (NULL: an empty document) -> a model; each problem is reported to
 * c.  0, OWLET_EINVALID (problems reported) or OWLET_ENOMEM. */
int owlet_model_from_tree(struct owlet_model **out, struct yctx *c, const struct ynode *root, const char *path);

#endif
