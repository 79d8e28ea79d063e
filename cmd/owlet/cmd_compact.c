/*
 * cmd_compact.c: `owlet compact [--env E] [--dataset NAME]`: the raw JSON
 * Lines of the datasets as Parquet under curated/NAME/ (the Glue table
 * NAME_curated), partition by partition, through the environment's Athena
 * (lib/lambda/compact.h; for a local environment the local Athena of
 * `owlet serve`).  One line per partition on stdout, the totals on stderr.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/athena.h"
#include "aws/s3.h"
#include "base/error.h"
#include "commands.h"
#include "deploy/stack.h"
#include "lambda/compact.h"
#include "model/environment.h"
#include "model/model.h"

static const char *opt_env = "local";
static const char *opt_dataset;

const struct owlet_option cmd_compact_options[] = {
	{ "env", 'e', OPT_STRING, &opt_env, "ENV", "environment (default: local); must have been brought up" },
	{ "dataset", 'd', OPT_STRING, &opt_dataset, "NAME", "only this dataset (default: every dataset)" },
	{ 0 },
};

struct totals {
	long long compacted, unchanged, removed, raw_bytes, parquet_bytes, rows, scanned;
};

static void progress(void *cls, const struct owlet_compact_partition *p)
{
	struct totals *t = cls;
	if (!strcmp(p->action, "removed")) {
		t->removed++;
		printf("%s %s: removed (no raw objects left)\n", p->dataset, *p->partition ? p->partition : "(all)");
		fflush(stdout);
		return;
	}
	if (!strcmp(p->action, "compacted"))
		t->compacted++;
	else
		t->unchanged++;
	t->raw_bytes += p->raw_bytes;
	t->parquet_bytes += p->parquet_bytes;
	t->rows += p->rows;
	t->scanned += p->scanned;
	printf("%s %s: %s, %lld rows, %lld objects of %lld bytes JSON Lines -> %lld bytes Parquet\n", p->dataset,
	       *p->partition ? p->partition : "(all)", p->action, p->rows, p->raw_objects, p->raw_bytes,
	       p->parquet_bytes);
	fflush(stdout);
}

static const char *outputs_string(const json_t *outputs, const char *name)
{
	const json_t *v = json_object_get(outputs, name);
	if (json_is_object(v))
		v = json_object_get(v, "value");
	return json_string_value(v);
}

int cmd_compact(int argc, char **argv)
{
	(void)argv;
	if (argc != 1)
		return owlet_error_setc(OWLET_EUSAGE, "'owlet compact' takes no arguments");
	char fallback_db[160];
	struct owlet_stack *stack = NULL;
	struct owlet_model *model = NULL;
	struct owlet_athena_client *athena = NULL;
	struct owlet_s3 *s3 = NULL;
	int rc = owlet_model_load(&model, NULL, "data_model.yml");
	if (rc == OWLET_EINVALID)
		return owlet_error_setc(rc, "data_model.yml has problems; 'owlet validate' lists them");
	if (rc == 0)
		rc = owlet_stack_open(&stack, opt_env, false);
	if (rc < 0)
		goto out;
	const char *database = outputs_string(stack->outputs, "glue_database");
	if (!database) { /* modules/catalog's name: the name prefix with '_' for '-' */
		snprintf(fallback_db, sizeof fallback_db, "%s_%s", model->project, opt_env);
		for (char *p = fallback_db; *p; p++)
			*p = *p == '-' ? '_' : *p;
		database = fallback_db;
	}
	if (!stack->data_bucket) {
		rc = owlet_error_setc(OWLET_ENOTFOUND, "%s/outputs.json has no data_bucket", stack->state_dir);
		goto out;
	}
	rc = query_athena_open(&athena, stack, stack->state_dir, opt_env);
	if (rc == 0 && stack->endpoint) {
		struct owlet_s3_config cfg = { "test", "test", NULL, stack->region, stack->endpoint };
		rc = owlet_s3_open(&s3, &cfg);
	} else if (rc == 0) {
		rc = owlet_s3_open_env(&s3);
	}
	struct totals t = { 0 };
	struct owlet_compact_config cfg = {
		.model = model, .bucket = stack->data_bucket, .database = database,
		.workgroup = outputs_string(stack->outputs, "athena_workgroup"), .dataset = opt_dataset,
		.progress = progress, .cls = &t,
	};
	if (rc == 0)
		rc = owlet_compact(s3, athena, &cfg);
	if (rc == 0)
		fprintf(stderr, "%lld partition%s compacted, %lld unchanged, %lld removed; %lld rows; JSON Lines %lld bytes "
				"-> Parquet %lld bytes (%.2fx); %lld bytes scanned\n",
			t.compacted, t.compacted == 1 ? "" : "s", t.unchanged, t.removed, t.rows, t.raw_bytes,
			t.parquet_bytes, t.parquet_bytes ? (double)t.raw_bytes / (double)t.parquet_bytes : 0.0, t.scanned);
out:
	owlet_s3_free(s3);
	owlet_athena_client_free(athena);
	owlet_stack_free(stack);
	owlet_model_free(model);
	return rc;
}
