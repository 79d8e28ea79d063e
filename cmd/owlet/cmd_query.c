/*
 * cmd_query.c: `owlet query [--env E] "SELECT ..." [--output table|csv|json]`:
 * SQL through the environment's Athena workgroup and Glue database (from
 * state/<env>/outputs.json).  For a local environment that is the local
 * Athena of `owlet serve` (localapi.json "athena_url"), answered by DuckDB.
 * The rows go to stdout (an aligned table by default on a terminal, CSV
 * otherwise); rows, bytes scanned and the cost to stderr.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aws/athena.h"
#include "base/error.h"
#include "commands.h"
#include "deploy/stack.h"
#include "model/environment.h"

static const char *opt_env = "local";
static const char *opt_output;
static long opt_max_rows = 100000;

const struct owlet_option cmd_query_options[] = {
	{ "env", 'e', OPT_STRING, &opt_env, "ENV", "environment (default: local); must have been brought up" },
	{ "output", 'o', OPT_STRING, &opt_output, "FORMAT",
	  "table, csv or json (default: table on a terminal, else csv)" },
	{ "max-rows", 0, OPT_INT, &opt_max_rows, "N", "fail when the result has more rows (default: 100000)" },
	{ 0 },
};

/* Athena's price: USD 5 per TB scanned, at least 10 MB per query, each
 * query rounded up to the next MB. */
static double cost_usd(long long scanned)
{
	const long long mb = 1000000;
	long long billed = (scanned + mb - 1) / mb * mb;
	if (billed < 10 * mb)
		billed = 10 * mb;
	return (double)billed / 1e12 * 5.0;
}

static const char *outputs_string(const json_t *outputs, const char *name)
{
	const json_t *v = json_object_get(outputs, name);
	if (json_is_object(v))
		v = json_object_get(v, "value");
	return json_string_value(v);
}

static bool numeric(const char *type)
{
	static const char *const types[] = { "tinyint", "smallint", "integer", "bigint", "real", "double", "decimal" };
	for (size_t i = 0; type && i < sizeof types / sizeof types[0]; i++)
		if (strncmp(type, types[i], strlen(types[i])) == 0)
			return true;
	return false;
}

/* Columns on a terminal: code points, not bytes. */
static size_t width(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static void print_table(const json_t *cols, const json_t *rows)
{
	size_t nc = json_array_size(cols), i;
	size_t *w = calloc(nc + 1, sizeof *w);
	if (!w)
		return;
	for (size_t c = 0; c < nc; c++)
		w[c] = width(json_string_value(json_object_get(json_array_get(cols, c), "name")));
	json_t *row;
	json_array_foreach(rows, i, row) {
		for (size_t c = 0; c < nc; c++) {
			const char *v = json_string_value(json_array_get(row, c));
			size_t n = width(v ? v : "NULL");
			if (n > w[c])
				w[c] = n;
		}
	}
	for (size_t c = 0; c < nc; c++) {
		const char *name = json_string_value(json_object_get(json_array_get(cols, c), "name"));
		printf("%s%s%*s", c ? "  " : "", name, (int)(w[c] - width(name)), "");
	}
	printf("\n");
	for (size_t c = 0; c < nc; c++) {
		printf("%s", c ? "  " : "");
		for (size_t k = 0; k < w[c]; k++)
			putchar('-');
	}
	printf("\n");
	json_array_foreach(rows, i, row) {
		for (size_t c = 0; c < nc; c++) {
			const char *v = json_string_value(json_array_get(row, c));
			const char *s = v ? v : "NULL";
			int pad = (int)(w[c] - width(s));
			if (numeric(json_string_value(json_object_get(json_array_get(cols, c), "type"))))
				printf("%s%*s%s", c ? "  " : "", pad, "", s);
			else
				printf("%s%s%*s", c ? "  " : "", s, c + 1 < nc ? pad : 0, "");
		}
		printf("\n");
	}
	free(w);
}

/* RFC 4180: a field with a comma, quote, CR or LF is quoted, quotes doubled;
 * NULL is an empty field. */
static void csv_field(const char *s)
{
	if (!s)
		return;
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, stdout);
		return;
	}
	putchar('"');
	for (; *s; s++) {
		if (*s == '"')
			putchar('"');
		putchar(*s);
	}
	putchar('"');
}

static void print_csv(const json_t *cols, const json_t *rows)
{
	size_t nc = json_array_size(cols), i;
	for (size_t c = 0; c < nc; c++) {
		fputs(c ? "," : "", stdout);
		csv_field(json_string_value(json_object_get(json_array_get(cols, c), "name")));
	}
	printf("\n");
	json_t *row;
	json_array_foreach(rows, i, row) {
		for (size_t c = 0; c < nc; c++) {
			fputs(c ? "," : "", stdout);
			csv_field(json_string_value(json_array_get(row, c)));
		}
		printf("\n");
	}
}

/* One JSON object per row, typed by Athena's column types. */
static int print_json(const json_t *cols, const json_t *rows)
{
	json_t *out = json_array();
	size_t nc = json_array_size(cols), i;
	json_t *row;
	json_array_foreach(rows, i, row) {
		json_t *o = json_object();
		for (size_t c = 0; o && c < nc; c++) {
			const json_t *col = json_array_get(cols, c);
			const char *type = json_string_value(json_object_get(col, "type"));
			const char *v = json_string_value(json_array_get(row, c));
			json_t *jv;
			char *end = NULL;
			if (!v)
				jv = json_null();
			else if (type && (!strcmp(type, "bigint") || !strcmp(type, "integer") || !strcmp(type, "smallint") ||
					  !strcmp(type, "tinyint")))
				jv = json_integer(strtoll(v, &end, 10));
			else if (type && (!strcmp(type, "double") || !strcmp(type, "real")))
				jv = json_real(strtod(v, &end));
			else if (type && !strcmp(type, "boolean"))
				jv = json_boolean(!strcmp(v, "true"));
			else
				jv = json_string(v);
			if (end && *end) { /* not a number after all (NaN, Infinity): keep the text */
				json_decref(jv);
				jv = json_string(v);
			}
			json_object_set_new(o, json_string_value(json_object_get(col, "name")), jv);
		}
		json_array_append_new(out, o);
	}
	int rc = json_dumpf(out, stdout, JSON_INDENT(2)) == 0 ? 0 : owlet_error_setc(OWLET_EIO, "cannot write the result");
	printf("\n");
	json_decref(out);
	return rc;
}

int query_athena_open(struct owlet_athena_client **client, const struct owlet_stack *stack, const char *state_dir,
		      const char *env)
{
	*client = NULL;
	if (!stack->endpoint)
		return owlet_athena_client_open_env(client);
	char path[128];
	json_t *local = NULL;
	snprintf(path, sizeof path, "%s/localapi.json", state_dir);
	const char *url = owlet_state_read_json(&local, path) == 0 ? json_string_value(json_object_get(local, "athena_url"))
								 : NULL;
	int rc;
	if (!url) {
		rc = owlet_error_setc(OWLET_ENOTFOUND, "the local Athena of '%s' is not running: it is served with the "
						      "local API ('owlet serve --env %s --detach')", env, env);
	} else {
		struct owlet_s3_config cfg = { "test", "test", NULL, stack->region, url };
		rc = owlet_athena_client_open(client, &cfg);
	}
	json_decref(local);
	return rc;
}

int cmd_query(int argc, char **argv)
{
	if (argc != 2)
		return owlet_error_setc(OWLET_EUSAGE, "'owlet query' takes one SQL statement (quote it)");
	const char *format = opt_output ? opt_output : isatty(STDOUT_FILENO) ? "table" : "csv";
	if (strcmp(format, "table") && strcmp(format, "csv") && strcmp(format, "json"))
		return owlet_error_setc(OWLET_EUSAGE, "--output must be table, csv or json");
	if (opt_max_rows < 1)
		return owlet_error_setc(OWLET_EUSAGE, "--max-rows must be at least 1");
	struct owlet_stack *stack = NULL;
	struct owlet_athena_client *client = NULL;
	json_t *cols = NULL, *rows = NULL;
	char *id = NULL;
	struct owlet_athena_status st = { 0 };
	int rc = owlet_stack_open(&stack, opt_env, false);
	if (rc < 0)
		goto out;
	const char *workgroup = outputs_string(stack->outputs, "athena_workgroup");
	const char *database = outputs_string(stack->outputs, "glue_database");
	rc = query_athena_open(&client, stack, stack->state_dir, opt_env);
	if (rc == 0)
		rc = owlet_athena_start_query(client, &id, argv[1], NULL, workgroup, database);
	if (rc == 0)
		rc = owlet_athena_wait(client, &st, id, 0);
	if (rc == 0 && strcmp(st.state, "SUCCEEDED") != 0) {
		rc = owlet_error_setc(OWLET_ERROR, "the query %s: %s", strcmp(st.state, "FAILED") == 0 ? "failed" : st.state,
				      st.reason ? st.reason : "no reason given");
		goto out;
	}
	if (rc == 0)
		rc = owlet_athena_results(client, &cols, &rows, id, (size_t)opt_max_rows);
	if (rc < 0)
		goto out;
	if (!strcmp(format, "table"))
		print_table(cols, rows);
	else if (!strcmp(format, "csv"))
		print_csv(cols, rows);
	else
		rc = print_json(cols, rows);
	fflush(stdout);
	size_t n = json_array_size(rows);
	if (stack->endpoint)
		fprintf(stderr, "%zu row%s, %lld bytes scanned (the local Athena, DuckDB: no charge)\n", n,
			n == 1 ? "" : "s", st.scanned);
	else
		fprintf(stderr, "%zu row%s, %lld bytes scanned, USD %.6f (Athena: USD 5 per TB, at least 10 MB)\n", n,
			n == 1 ? "" : "s", st.scanned, cost_usd(st.scanned));
out:
	owlet_athena_status_clear(&st);
	free(id);
	json_decref(cols);
	json_decref(rows);
	owlet_athena_client_free(client);
	owlet_stack_free(stack);
	return rc;
}
