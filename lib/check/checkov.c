/*
 * checkov.c: merges checkov's own findings into a report.
 *
 * `checkov -o json` prints one report object ({"check_type", "results":
 * {"passed_checks", "failed_checks", "skipped_checks"}, "summary"}) or, with
 * several frameworks, a list of them.  A record is a duplicate of one of
 * ours when the check id is the same and the resource is the same one:
 * checkov names a resource by its address in the plan (resource_address),
 * or as TYPE.NAME with the module path in front or not, with the instance
 * key or not; both sides are reduced to "TYPE.NAME[key]" without module
 * path, and to "TYPE.NAME" when one side has no key.
 */
#include <stdlib.h>
#include <string.h>

#include "check/internal.h"
#include "base/error.h"

/* Drops leading "module.NAME[key]." segments. */
static const char *without_modules(const char *addr)
{
	while (strncmp(addr, "module.", 7) == 0) {
		const char *p = addr + 7;
		p += strcspn(p, ".[");
		if (*p == '[') {
			bool in_str = false;
			for (p++; *p; p++) {
				if (*p == '"')
					in_str = !in_str;
				else if (*p == ']' && !in_str)
					break;
			}
			if (*p)
				p++;
		}
		if (*p != '.')
			break;
		addr = p + 1;
	}
	return addr;
}

static size_t key_start(const char *addr)
{
	const char *b = strchr(addr, '[');
	return b ? (size_t)(b - addr) : strlen(addr);
}

static bool same_resource(const char *ours, const char *theirs)
{
	if (strcmp(ours, theirs) == 0)
		return true;
	const char *a = without_modules(ours), *b = without_modules(theirs);
	if (strcmp(a, b) == 0)
		return true;
	size_t ka = key_start(a), kb = key_start(b);
	bool one_without_key = a[ka] == '\0' || b[kb] == '\0';
	return one_without_key && ka == kb && strncmp(a, b, ka) == 0;
}

static bool is_duplicate(const struct owlet_check_report *report, size_t n_ours, const char *id, const char *res)
{
	for (size_t i = 0; i < n_ours; i++)
		if (strcmp(report->results[i].check_id, id) == 0 && same_resource(report->results[i].resource, res))
			return true;
	return false;
}

static int merge_one(struct owlet_check_report *report, size_t n_ours, const json_t *doc)
{
	const json_t *results = json_object_get(doc, "results");
	if (!results && json_object_get(doc, "passed"))
		return 0; /* nothing to check: checkov prints the summary alone */
	if (!json_is_object(results))
		return owlet_error_setc(OWLET_EINVALID, "checkov output has no 'results' object");
	static const char *const lists[] = { "failed_checks", "passed_checks", "skipped_checks" };
	static const enum owlet_check_status statuses[] = { OWLET_CHECK_FAILED, OWLET_CHECK_PASSED, OWLET_CHECK_SKIPPED };
	int added = 0;
	for (size_t l = 0; l < 3; l++) {
		size_t i;
		const json_t *rec;
		json_array_foreach(json_object_get(results, lists[l]), i, rec) {
			const char *id = json_string_value(json_object_get(rec, "check_id"));
			const char *res = json_string_value(json_object_get(rec, "resource_address"));
			if (!res)
				res = json_string_value(json_object_get(rec, "resource"));
			if (!id || !res)
				continue;
			if (is_duplicate(report, n_ours, id, res))
				continue;
			/* and not twice from checkov itself (several frameworks) */
			if (is_duplicate(report, report->count, id, res))
				continue;
			const char *path = json_string_value(json_object_get(rec, "file_path"));
			if (path && path[0] == '/')
				path++;
			const json_t *range = json_object_get(rec, "file_line_range");
			const json_t *cr = json_object_get(rec, "check_result");
			struct owlet_check_result item = {
				.check_id = (char *)id,
				.check_name = (char *)json_string_value(json_object_get(rec, "check_name")),
				.guideline = (char *)json_string_value(json_object_get(rec, "guideline")),
				.resource = (char *)res,
				.file_path = (char *)path,
				.line_start = (int)json_integer_value(json_array_get(range, 0)),
				.line_end = (int)json_integer_value(json_array_get(range, 1)),
				.status = statuses[l],
				.skip_reason = (char *)json_string_value(json_object_get(cr, "suppress_comment")),
				.skip_origin = statuses[l] == OWLET_CHECK_SKIPPED ? "checkov" : NULL,
				.origin = "checkov",
			};
			item.message = item.check_name;
			int rc = check_report_add(report, &item);
			if (rc < 0)
				return rc;
			added++;
		}
	}
	return added;
}

int owlet_check_merge_checkov(struct owlet_check_report *report, const json_t *checkov_json)
{
	size_t n_ours = report->count;
	if (json_is_object(checkov_json))
		return merge_one(report, n_ours, checkov_json);
	if (!json_is_array(checkov_json))
		return owlet_error_setc(OWLET_EINVALID, "checkov output is neither a report nor a list of reports");
	int total = 0;
	size_t i;
	const json_t *doc;
	json_array_foreach(checkov_json, i, doc) {
		int rc = merge_one(report, n_ours, doc);
		if (rc < 0)
			return rc;
		total += rc;
	}
	return total;
}
