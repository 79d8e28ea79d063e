/*
 * output.c: a check report as text, as checkov's JSON, as SARIF 2.1.0.
 *
 * Text lists failures (one line each, as
 *   CKV_AWS_19 aws_s3_bucket.this["data"] (modules/storage/main.tf:12): S3 bucket is not encrypted at rest
 * ), then every skip with its reason and where it comes from, the notes,
 * and a summary line.  JSON has checkov's shape (results.passed_checks,
 * failed_checks, skipped_checks; summary) so tools that read checkov's
 * output read owlet's.  SARIF holds the failures as results and the skips
 * as suppressed results, for GitHub code scanning.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/check.h"
#include "base/gha.h"
#include "base/version.h"

static const char *status_name(enum owlet_check_status s)
{
	switch (s) {
	case OWLET_CHECK_PASSED:
		return "PASSED";
	case OWLET_CHECK_FAILED:
		return "FAILED";
	case OWLET_CHECK_SKIPPED:
		return "SKIPPED";
	}
	return "UNKNOWN";
}

static json_t *result_json(const struct owlet_check_result *r)
{
	json_t *cr = json_pack("{s:s}", "result", status_name(r->status));
	if (cr && r->status == OWLET_CHECK_SKIPPED)
		json_object_set_new(cr, "suppress_comment", json_string(r->skip_reason));
	json_t *range = r->line_start ? json_pack("[i,i]", r->line_start, r->line_end) : json_array();
	char *path = NULL;
	if (r->file_path[0] && asprintf(&path, "/%s", r->file_path) < 0)
		path = NULL;
	json_t *o = json_pack("{s:s, s:s, s:o, s:s, s:s, s:o, s:s, s:s, s:s}", "check_id", r->check_id,
			      "check_name", r->check_name, "check_result", cr, "resource", r->resource, "file_path",
			      path ? path : "", "file_line_range", range, "guideline", r->guideline, "message",
			      r->message, "origin", r->origin);
	free(path);
	if (o && r->status == OWLET_CHECK_SKIPPED)
		json_object_set_new(o, "skip_origin", json_string(r->skip_origin));
	return o;
}

json_t *owlet_check_report_json(const struct owlet_check_report *report)
{
	json_t *passed = json_array(), *failed = json_array(), *skipped = json_array();
	for (size_t i = 0; i < report->count; i++) {
		const struct owlet_check_result *r = &report->results[i];
		json_t *to = r->status == OWLET_CHECK_PASSED ? passed : r->status == OWLET_CHECK_FAILED ? failed : skipped;
		json_array_append_new(to, result_json(r));
	}
	json_t *notes = json_array();
	for (size_t i = 0; i < report->n_notes; i++)
		json_array_append_new(notes, json_string(report->notes[i]));
	return json_pack("{s:s, s:{s:o, s:o, s:o, s:[]}, s:{s:I, s:I, s:I, s:i, s:I, s:s}, s:o}", "check_type",
			 "terraform_plan", "results", "passed_checks", passed, "failed_checks", failed,
			 "skipped_checks", skipped, "parsing_errors", "summary", "passed",
			 (json_int_t)owlet_check_report_count(report, OWLET_CHECK_PASSED), "failed",
			 (json_int_t)owlet_check_report_count(report, OWLET_CHECK_FAILED), "skipped",
			 (json_int_t)owlet_check_report_count(report, OWLET_CHECK_SKIPPED), "parsing_errors", 0,
			 "resource_count", (json_int_t)report->resource_count, "checkov_version",
			 "owlet-" OWLET_VERSION, "notes", notes);
}

/* The rule index of check_id in rules, adding it when new. */
static size_t sarif_rule(json_t *rules, const struct owlet_check_result *r)
{
	size_t i;
	json_t *v;
	json_array_foreach(rules, i, v) {
		if (strcmp(json_string_value(json_object_get(v, "id")), r->check_id) == 0)
			return i;
	}
	json_t *rule = json_pack("{s:s, s:s, s:{s:s}, s:{s:s}, s:{s:s}}", "id", r->check_id, "name", r->check_id,
				 "shortDescription", "text", r->check_name, "fullDescription", "text",
				 r->message[0] ? r->message : r->check_name, "defaultConfiguration", "level", "error");
	if (rule && r->guideline[0])
		json_object_set_new(rule, "helpUri", json_string(r->guideline));
	json_array_append_new(rules, rule);
	return json_array_size(rules) - 1;
}

json_t *owlet_check_report_sarif(const struct owlet_check_report *report)
{
	json_t *rules = json_array(), *results = json_array();
	for (size_t i = 0; i < report->count; i++) {
		const struct owlet_check_result *r = &report->results[i];
		if (r->status == OWLET_CHECK_PASSED)
			continue;
		size_t idx = sarif_rule(rules, r);
		char *text;
		if (asprintf(&text, "%s: %s", r->resource, r->message[0] ? r->message : r->check_name) < 0)
			continue;
		json_t *res = json_pack("{s:s, s:I, s:s, s:{s:s}}", "ruleId", r->check_id, "ruleIndex", (json_int_t)idx,
					"level", "error", "message", "text", text);
		free(text);
		if (!res)
			continue;
		json_t *loc = json_pack("{s:[{s:s}]}", "logicalLocations", "fullyQualifiedName", r->resource);
		if (loc && r->file_path[0]) {
			json_t *phys = json_pack("{s:{s:s}}", "artifactLocation", "uri", r->file_path);
			if (phys && r->line_start)
				json_object_set_new(phys, "region", json_pack("{s:i, s:i}", "startLine", r->line_start,
									      "endLine", r->line_end));
			json_object_set_new(loc, "physicalLocation", phys);
		}
		json_object_set_new(res, "locations", json_pack("[o]", loc));
		if (r->status == OWLET_CHECK_SKIPPED)
			json_object_set_new(res, "suppressions",
					    json_pack("[{s:s, s:s}]", "kind", strcmp(r->skip_origin, "inline") == 0 ? "inSource" : "external",
						      "justification", r->skip_reason));
		json_array_append_new(results, res);
	}
	return json_pack("{s:s, s:s, s:[{s:{s:{s:s, s:s, s:s, s:o}}, s:o}]}", "$schema",
			 "https://json.schemastore.org/sarif-2.1.0.json", "version", "2.1.0", "runs", "tool", "driver",
			 "name", "owlet check", "version", OWLET_VERSION, "informationUri",
			 "https://www.checkov.io/5.Policy%20Index/terraform.html", "rules", rules, "results", results);
}

/* A growing string. */
struct buf {
	char *s;
	size_t len, cap;
	bool oom;
};

static void bprintf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void bprintf(struct buf *b, const char *fmt, ...)
{
	if (b->oom)
		return;
	for (;;) {
		va_list ap;
		va_start(ap, fmt);
		int n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->oom = true;
			return;
		}
		if (b->s && b->len + (size_t)n < b->cap) {
			b->len += (size_t)n;
			return;
		}
		size_t cap = (b->cap + (size_t)n + 1) * 2;
		char *ns = realloc(b->s, cap);
		if (!ns) {
			b->oom = true;
			return;
		}
		b->s = ns;
		b->cap = cap;
	}
}

static void where(struct buf *b, const struct owlet_check_result *r)
{
	if (r->file_path[0] && r->line_start)
		bprintf(b, " (%s:%d)", r->file_path, r->line_start);
	else if (r->file_path[0])
		bprintf(b, " (%s)", r->file_path);
}

static char *report_text(const struct owlet_check_report *report)
{
	struct buf b = { 0 };
	bprintf(&b, "%s", "");
	for (size_t i = 0; i < report->count; i++) {
		const struct owlet_check_result *r = &report->results[i];
		if (r->status != OWLET_CHECK_FAILED)
			continue;
		bprintf(&b, "%s %s", r->check_id, r->resource);
		where(&b, r);
		bprintf(&b, ": %s%s\n", r->message[0] ? r->message : r->check_name,
			strcmp(r->origin, "checkov") == 0 ? " [checkov]" : "");
	}
	for (size_t i = 0; i < report->count; i++) {
		const struct owlet_check_result *r = &report->results[i];
		if (r->status != OWLET_CHECK_SKIPPED)
			continue;
		bprintf(&b, "skipped: %s %s", r->check_id, r->resource);
		where(&b, r);
		bprintf(&b, ": %s [%s]\n", r->skip_reason, r->skip_origin);
	}
	for (size_t i = 0; i < report->n_notes; i++)
		bprintf(&b, "note: %s\n", report->notes[i]);
	bprintf(&b, "passed: %zu, failed: %zu, skipped: %zu (resources: %zu)\n",
		owlet_check_report_count(report, OWLET_CHECK_PASSED), owlet_check_report_count(report, OWLET_CHECK_FAILED),
		owlet_check_report_count(report, OWLET_CHECK_SKIPPED), report->resource_count);
	if (b.oom) {
		free(b.s);
		return NULL;
	}
	return b.s;
}

char *owlet_check_report_format(const struct owlet_check_report *report, enum owlet_check_format format)
{
	if (format == OWLET_CHECK_TEXT)
		return report_text(report);
	json_t *j = format == OWLET_CHECK_JSON ? owlet_check_report_json(report) : owlet_check_report_sarif(report);
	if (!j)
		return NULL;
	char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(j);
	return s;
}

char *owlet_check_report_annotations(const struct owlet_check_report *report)
{
	struct buf b = { 0 };
	bprintf(&b, "%s", "");
	for (size_t i = 0; i < report->count; i++) {
		const struct owlet_check_result *r = &report->results[i];
		if (r->status != OWLET_CHECK_FAILED)
			continue;
		char *msg = NULL, *line = NULL;
		if (asprintf(&msg, "%s: %s", r->resource, r->message[0] ? r->message : r->check_name) < 0)
			msg = NULL;
		line = msg ? owlet_gha_error(r->file_path, r->line_start, 0, r->check_id, msg) : NULL;
		if (!line)
			b.oom = true;
		else
			bprintf(&b, "%s\n", line);
		free(msg);
		free(line);
	}
	if (b.oom) {
		free(b.s);
		return NULL;
	}
	return b.s;
}

#define MD_ROWS 100

static void md_row(struct buf *b, const char *const *cells, size_t n)
{
	bprintf(b, "|");
	for (size_t i = 0; i < n; i++) {
		char *c = owlet_gha_md_cell(cells[i], 512);
		if (!c)
			b->oom = true;
		else
			bprintf(b, " %s |", c);
		free(c);
	}
	bprintf(b, "\n");
}

char *owlet_check_report_markdown(const struct owlet_check_report *report, const char *heading)
{
	struct buf b = { 0 };
	size_t failed = owlet_check_report_count(report, OWLET_CHECK_FAILED);
	size_t skipped = owlet_check_report_count(report, OWLET_CHECK_SKIPPED);
	bprintf(&b, "### %s\n\n**%zu passed, %zu failed, %zu skipped** (%zu resources)\n\n", heading,
		owlet_check_report_count(report, OWLET_CHECK_PASSED), failed, skipped, report->resource_count);
	for (int pass = 0; pass < 2; pass++) {
		enum owlet_check_status want = pass == 0 ? OWLET_CHECK_FAILED : OWLET_CHECK_SKIPPED;
		size_t total = pass == 0 ? failed : skipped, rows = 0;
		if (!total)
			continue;
		bprintf(&b, pass == 0 ? "#### Failed\n\n| check | resource | where | what |\n|---|---|---|---|\n"
				      : "#### Skipped\n\n| check | resource | reason | skipped by |\n|---|---|---|---|\n");
		for (size_t i = 0; i < report->count && rows < MD_ROWS; i++) {
			const struct owlet_check_result *r = &report->results[i];
			if (r->status != want)
				continue;
			char where_s[600] = "";
			if (r->file_path[0] && r->line_start)
				snprintf(where_s, sizeof where_s, "%s:%d", r->file_path, r->line_start);
			else
				snprintf(where_s, sizeof where_s, "%s", r->file_path);
			const char *cells[4] = { r->check_id, r->resource,
						 pass == 0 ? where_s : r->skip_reason,
						 pass == 0 ? (r->message[0] ? r->message : r->check_name) : r->skip_origin };
			md_row(&b, cells, 4);
			rows++;
		}
		if (total > rows)
			bprintf(&b, "\nand %zu more\n", total - rows);
		bprintf(&b, "\n");
	}
	for (size_t i = 0; i < report->n_notes; i++)
		bprintf(&b, "> %s\n", report->notes[i]);
	if (b.oom) {
		free(b.s);
		return NULL;
	}
	return b.s;
}
