/* check_skips_test.c: environment skips (environments/E.yml checks: skip:)
 * on the fixture plan: a rule skipped for every resource, with its reason
 * and origin; a skip without a reason is refused, naming file and line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/check.h"
#include "base/error.h"
#include "tap.h"

static json_t *load_plan(void)
{
	const char *src = getenv("OWLET_SRC");
	char path[4096];
	snprintf(path, sizeof path, "%s/tests/fixtures/check/rules.plan.json", src ? src : ".");
	return json_load_file(path, 0, NULL);
}

static size_t count(const struct owlet_check_report *r, const char *id, enum owlet_check_status st)
{
	size_t n = 0;
	for (size_t i = 0; i < r->count; i++)
		if (strcmp(r->results[i].check_id, id) == 0 && r->results[i].status == st)
			n++;
	return n;
}

int main(void)
{
	json_t *plan = load_plan();
	ok(plan != NULL, "fixture plan loads");
	if (!plan)
		return exit_status();

	struct owlet_check_report *base = NULL;
	is_int(owlet_check_plan(&base, plan, NULL), 0, "no skips: checks run");
	size_t failed_117 = base ? count(base, "CKV_AWS_117", OWLET_CHECK_FAILED) : 0;
	size_t passed_117 = base ? count(base, "CKV_AWS_117", OWLET_CHECK_PASSED) : 0;
	ok(failed_117 > 0 && passed_117 > 0, "CKV_AWS_117 fails and passes without skips");

	struct owlet_check_skip skips[] = {
		{ .id = "CKV_AWS_117", .reason = "no VPC in a $1/month sandbox", .line = 4, .col = 7 },
		{ .id = "CKV_AWS_999", .reason = "a checkov-only rule", .line = 5, .col = 7 },
	};
	struct owlet_check_options opts = { .skips = skips, .n_skips = 2, .skips_file = "environments/sandbox.yml" };
	struct owlet_check_report *r = NULL;
	is_int(owlet_check_plan(&r, plan, &opts), 0, "with environment skips: checks run");
	if (r) {
		is_int((long long)count(r, "CKV_AWS_117", OWLET_CHECK_SKIPPED), (long long)(failed_117 + passed_117),
		       "every CKV_AWS_117 verdict became a skip");
		is_int((long long)count(r, "CKV_AWS_117", OWLET_CHECK_FAILED), 0, "no CKV_AWS_117 failure left");
		const struct owlet_check_result *s = NULL;
		for (size_t i = 0; i < r->count && !s; i++)
			if (r->results[i].status == OWLET_CHECK_SKIPPED && strcmp(r->results[i].check_id, "CKV_AWS_117") == 0)
				s = &r->results[i];
		is_str(s ? s->skip_reason : NULL, "no VPC in a $1/month sandbox", "the reason is kept");
		is_str(s ? s->skip_origin : NULL, "environments/sandbox.yml", "the origin is the environment file");
		is_int((long long)count(r, "CKV_AWS_116", OWLET_CHECK_FAILED),
		       base ? (long long)count(base, "CKV_AWS_116", OWLET_CHECK_FAILED) : -1, "other rules untouched");
		ok(r->n_notes == 1 && strstr(r->notes[0], "CKV_AWS_999") && strstr(r->notes[0], "sandbox.yml:5"),
		   "a skip naming no built-in rule is noted");
		char *text = owlet_check_report_format(r, OWLET_CHECK_TEXT);
		like(text, "skipped: CKV_AWS_117 aws_lambda_function.bad", "text lists the skip");
		like(text, "no VPC in a $1/month sandbox [environments/sandbox.yml]", "with reason and origin");
		free(text);
	}
	owlet_check_report_free(r);

	struct owlet_check_skip bad[] = { { .id = "CKV_AWS_117", .reason = "", .line = 9, .col = 7 } };
	struct owlet_check_options bad_opts = { .skips = bad, .n_skips = 1, .skips_file = "environments/dev.yml" };
	r = NULL;
	is_int(owlet_check_plan(&r, plan, &bad_opts), OWLET_EINVALID, "a skip without a reason is refused");
	ok(r == NULL, "and no report comes back");
	is_str(owlet_error_last(), "environments/dev.yml:9: skip of 'CKV_AWS_117' has no reason", "the error names file:line");

	struct owlet_check_skip none[] = { { .id = "CKV_AWS_117", .reason = NULL, .line = 3, .col = 5 } };
	bad_opts.skips = none;
	is_int(owlet_check_plan(&r, plan, &bad_opts), OWLET_EINVALID, "a NULL reason too");

	owlet_check_report_free(base);
	json_decref(plan);
	return exit_status();
}
