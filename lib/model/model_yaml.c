/*
 * model_yaml.c: data_model.yml -> the model: libyaml's half of model.h
 * (owlet_model_parse, owlet_model_load).  The checks are model.c's.
 */
#include "base/error.h"
#include "model/model.h"
#include "model/model_tree.h"
#include "model/yaml_tree.h"

#include <stdlib.h>

int owlet_model_parse(struct owlet_model **out, struct owlet_diags *diags, const char *name,
		      const char *buf, size_t len)
{
	*out = NULL;
	struct yctx c = { .file = name, .diags = diags };
	struct ynode *root = NULL;
	int rc = ytree_parse(&root, &c, buf, len);
	if (rc == 0)
		rc = owlet_model_from_tree(out, &c, root, name);
	ytree_free(root);
	if (rc == OWLET_EINVALID)
		owlet_error_setc(rc, "%zu problem%s in '%s'", c.problems, c.problems == 1 ? "" : "s", name);
	return rc;
}

int owlet_model_load(struct owlet_model **out, struct owlet_diags *diags, const char *path)
{
	*out = NULL;
	char *buf;
	size_t len;
	int rc = ytree_read_file(&buf, &len, path);
	if (rc < 0)
		return rc;
	rc = owlet_model_parse(out, diags, path, buf, len);
	free(buf);
	return rc;
}
