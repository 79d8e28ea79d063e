/*
 * cmd_stats.c: `owlet stats --model FILE --dataset NAME [--format csv|jsonl]
 * [--threads N] [--partial] [--merge] FILE...`
 *
 * Column statistics of CSV or JSON Lines files, typed by a dataset of the
 * model (lib/agg/).  Prints the report as JSON on stdout (the schema is in
 * docs/stats.md); `-` reads stdin.  --partial prints the
 * mergeable partial form instead, and --merge reads partials (of the same
 * dataset) and merges them: `stats --merge a.json b.json` reports the same
 * as `stats a.csv b.csv`, within the sketches' bounds.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agg/agg.h"
#include "commands.h"
#include "base/error.h"
#include "model/model.h"

static const char *opt_model = "data_model.yml";
static const char *opt_dataset;
static const char *opt_format;
static long opt_threads;
static bool opt_partial, opt_merge;

const struct owlet_option cmd_stats_options[] = {
	{ "model", 'm', OPT_STRING, &opt_model, "FILE", "the model (default: data_model.yml)" },
	{ "dataset", 'd', OPT_STRING, &opt_dataset, "NAME", "the dataset whose fields type the columns" },
	{ "format", 'f', OPT_STRING, &opt_format, "FORMAT", "csv or jsonl (default: the dataset's format)" },
	{ "threads", 'j', OPT_INT, &opt_threads, "N", "threads over files or chunks of a file (default: the cores)" },
	{ "partial", 0, OPT_FLAG, &opt_partial, NULL, "print the mergeable partial stats instead of the report" },
	{ "merge", 0, OPT_FLAG, &opt_merge, NULL, "the FILEs are partial stats (--partial) to merge" },
	{ 0 },
};

static int merge_partials(struct owlet_agg **out, const struct owlet_dataset *ds, char **paths, int n)
{
	struct owlet_agg *total = NULL;
	int rc = owlet_agg_new(&total, ds);
	for (int i = 0; rc == 0 && i < n; i++) {
		json_error_t jerr;
		json_t *j = strcmp(paths[i], "-") == 0 ? json_loadf(stdin, 0, &jerr) : json_load_file(paths[i], 0, &jerr);
		if (!j) {
			rc = owlet_error_setc(OWLET_EINVALID, "%s:%d:%d: %s", paths[i], jerr.line, jerr.column, jerr.text);
			break;
		}
		struct owlet_agg *part = NULL;
		rc = owlet_agg_from_partial(&part, ds, j);
		json_decref(j);
		if (rc < 0)
			rc = owlet_error_setc(rc, "'%s': %s", paths[i], owlet_error_last());
		else
			rc = owlet_agg_merge(total, part, 0);
		owlet_agg_free(part);
	}
	if (rc < 0) {
		owlet_agg_free(total);
		return rc;
	}
	*out = total;
	return 0;
}

int cmd_stats(int argc, char **argv)
{
	struct owlet_model *model = NULL;
	struct owlet_diags diags = { 0 };
	struct owlet_agg *agg = NULL;
	json_t *out = NULL;
	int rc;
	if (argc < 2)
		return owlet_error_setc(OWLET_EUSAGE, "no input files (use - for stdin)");
	if (opt_threads < 0 || opt_threads > 64)
		return owlet_error_setc(OWLET_EUSAGE, "--threads must be between 1 and 64, not %ld", opt_threads);
	rc = owlet_model_load(&model, &diags, opt_model);
	if (rc < 0) {
		owlet_print_diags(&diags);
		if (rc == OWLET_EINVALID)
			owlet_error_setc(rc, "'%s' is not a valid model", opt_model);
		goto out;
	}
	const struct owlet_dataset *ds = NULL;
	if (opt_dataset)
		ds = owlet_model_dataset(model, opt_dataset);
	else if (model->n_datasets == 1)
		ds = &model->datasets[0];
	if (!ds) {
		rc = opt_dataset ? owlet_error_setc(OWLET_ENOTFOUND, "no dataset '%s' in '%s'", opt_dataset, opt_model)
				 : owlet_error_setc(OWLET_EUSAGE, "which dataset? (--dataset NAME)");
		goto out;
	}
	enum owlet_format format = ds->format;
	if (opt_format && strcmp(opt_format, "csv") == 0)
		format = OWLET_FORMAT_CSV;
	else if (opt_format && strcmp(opt_format, "jsonl") == 0)
		format = OWLET_FORMAT_JSONL;
	else if (opt_format) {
		rc = owlet_error_setc(OWLET_EUSAGE, "unknown format '%s' (csv or jsonl)", opt_format);
		goto out;
	}
	int threads = (int)opt_threads;
	if (threads == 0) {
		long cores = sysconf(_SC_NPROCESSORS_ONLN);
		threads = cores < 1 ? 1 : cores > 64 ? 64 : (int)cores;
	}
	if (opt_merge)
		rc = merge_partials(&agg, ds, argv + 1, argc - 1);
	else
		rc = owlet_agg_files(&agg, ds, format, (const char *const *)(argv + 1), (size_t)(argc - 1), threads);
	if (rc < 0)
		goto out;
	out = opt_partial ? owlet_agg_to_partial(agg) : owlet_agg_to_json(agg);
	if (!out) {
		rc = OWLET_ENOMEM;
		goto out;
	}
	size_t flags = opt_partial ? JSON_COMPACT : JSON_INDENT(2) | JSON_REAL_PRECISION(15);
	if (json_dumpf(out, stdout, flags) < 0 || fputc('\n', stdout) == EOF || fflush(stdout) != 0)
		rc = owlet_error_setc(OWLET_EIO, "cannot write the stats to stdout");
out:
	json_decref(out);
	owlet_agg_free(agg);
	owlet_model_free(model);
	owlet_diags_clear(&diags);
	return rc < 0 ? rc : 0;
}
