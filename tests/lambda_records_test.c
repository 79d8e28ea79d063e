/*
 * lambda_records_test.c: record validation (lib/lambda/records.c) on the fixtures
 * of tests/fixtures/lambda/records.json: each case is a dataset of the
 * fixture model, a payload, and the exact problems expected, as
 * "RECORD FIELD MESSAGE" ("-" where none applies), in order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/error.h"
#include "model/model.h"
#include "lambda/records.h"
#include "tap.h"

static json_t *load(const char *src, const char *name)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/tests/fixtures/lambda/%s", src, name);
	json_error_t err;
	json_t *j = json_load_file(path, 0, &err);
	if (!j)
		diag("cannot load '%s': %d:%d: %s", path, err.line, err.column, err.text);
	return j;
}

static char *problem_line(const struct owlet_record_problem *p)
{
	char rec[32] = "-";
	if (p->record >= 0)
		snprintf(rec, sizeof rec, "%ld", p->record);
	char *s = NULL;
	if (asprintf(&s, "%s %s %s", rec, p->field ? p->field : "-", p->message) < 0)
		return NULL;
	return s;
}

static void run_case(const struct owlet_model *model, const json_t *c)
{
	const char *name = json_string_value(json_object_get(c, "name"));
	const char *dsname = json_string_value(json_object_get(c, "dataset"));
	const json_t *want = json_object_get(c, "problems");
	const struct owlet_dataset *ds = owlet_model_dataset(model, dsname);
	if (!ok(ds != NULL, "%s: dataset '%s' exists", name, dsname))
		return;
	struct owlet_record_problems got = { 0 };
	const json_t *payload = json_object_get(c, "payload");
	int rc = owlet_records_validate(&got, ds, payload);
	if (json_array_size(want) == 0) {
		long n = json_is_array(payload) ? (long)json_array_size(payload) : 1;
		is_int(rc, n, "%s: valid, %ld record(s)", name, n);
		for (size_t i = 0; i < got.count; i++)
			diag("  unexpected: %s", got.items[i].message);
	} else {
		is_int(rc, OWLET_EINVALID, "%s: invalid", name);
		size_t n = json_array_size(want);
		for (size_t i = 0; i < n || i < got.count; i++) {
			char *line = i < got.count ? problem_line(&got.items[i]) : NULL;
			is_str(line, i < n ? json_string_value(json_array_get(want, i)) : NULL, "%s: problem %zu",
			       name, i + 1);
			free(line);
		}
	}
	owlet_record_problems_clear(&got);
}

int main(void)
{
	const char *src = getenv("OWLET_SRC") ? getenv("OWLET_SRC") : ".";
	json_t *model_json = load(src, "model.json");
	json_t *cases = load(src, "records.json");
	struct owlet_model *model = NULL;
	if (!ok(model_json && cases && owlet_model_from_json(&model, model_json) == 0, "fixtures load"))
		diag("%s", owlet_error_last());
	if (model) {
		size_t i;
		const json_t *c;
		json_array_foreach(cases, i, c) {
			run_case(model, c);
		}

		/* the JSON form of the problems, as the API answers 400 */
		struct owlet_record_problems p = { 0 };
		json_t *payload = json_pack("[{s:i}, s]", "trip_id", 0, "x");
		owlet_records_validate(&p, owlet_model_dataset(model, "trips"), payload);
		json_t *pj = owlet_record_problems_to_json(&p);
		char *text = pj ? json_dumps(pj, JSON_COMPACT) : NULL;
		is_str(text,
		       "[{\"record\":0,\"field\":\"trip_id\",\"message\":\"field 'trip_id' must be at least 1\"},"
		       "{\"record\":0,\"field\":\"pickup_at\",\"message\":\"field 'pickup_at' is required\"},"
		       "{\"record\":1,\"message\":\"record 1 must be a JSON object, not a string\"}]",
		       "problems as JSON: record and field left out where they do not apply");
		free(text);
		json_decref(pj);
		json_decref(payload);
		owlet_record_problems_clear(&p);

		/* at most OWLET_RECORD_PROBLEMS_MAX kept, every one counted */
		payload = json_array();
		for (int k = 0; k < 300; k++)
			json_array_append_new(payload, json_object());
		int rc = owlet_records_validate(&p, owlet_model_dataset(model, "trips"), payload);
		ok(rc == OWLET_EINVALID && p.count == OWLET_RECORD_PROBLEMS_MAX && p.total == 600,
		   "300 empty records: 100 problems kept, 600 counted (got %zu, %zu)", p.count, p.total);
		ok(p.count > 99 && p.items[99].record == 49, "the first ones, in order");
		json_decref(payload);
		owlet_record_problems_clear(&p);
	}

	/* the scan that bounds a body before it is parsed */
	static const struct {
		const char *text;
		size_t records, values, depth;
	} scans[] = {
		{ "[]", 0, 1, 1 },
		{ "{}", 1, 1, 1 },
		{ "7", 1, 1, 0 },
		{ "[{},{},{}]", 3, 4, 2 },
		{ " [ {\"a\" : 1 , \"b\":[true,null,\"x\\\"],{\"]} ] ", 1, 7, 3 },
		{ "[{\"k\":\"v\"},\"s\",-1.5e3,{\"a\":{\"b\":{}}}]", 4, 8, 4 },
	};
	for (size_t k = 0; k < sizeof scans / sizeof scans[0]; k++) {
		struct owlet_records_size sz;
		int over = owlet_records_scan(&sz, scans[k].text, strlen(scans[k].text), 100, 100, 100);
		ok(over == 0 && sz.records == scans[k].records && sz.values == scans[k].values &&
			   sz.depth == scans[k].depth,
		   "scan %s: %zu records, %zu values, depth %zu (got %zu %zu %zu)", scans[k].text, scans[k].records,
		   scans[k].values, scans[k].depth, sz.records, sz.values, sz.depth);
	}
	struct owlet_records_size sz;
	ok(owlet_records_scan(&sz, "[{},{},{}]", 10, 2, 100, 100) == 1 && sz.records == 3,
	   "scan: over max_records, and the full count");
	ok(owlet_records_scan(&sz, "[1,2,3]", 7, 100, 3, 100) == 1, "scan: over max_values");
	ok(owlet_records_scan(&sz, "[[[]]]", 6, 100, 100, 2) == 1, "scan: over max_depth");
	owlet_model_free(model);
	json_decref(model_json);
	json_decref(cases);
	return done_testing();
}
