/* check_robust_test.c: the rule engine on plans of the wrong shape.  The
 * fixture plan, with every resource's values (and then every configuration
 * expression) replaced in turn by a JSON value of another type, must give a
 * report or a clear error, never a crash (run under ASan by make check-asan). */
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

/* Replaces every object member named `key` (at any depth) by `with`. */
static void replace_all(json_t *v, const char *key, const json_t *with)
{
	if (json_is_array(v)) {
		size_t i;
		json_t *e;
		json_array_foreach(v, i, e) {
			replace_all(e, key, with);
		}
		return;
	}
	if (!json_is_object(v))
		return;
	const char *k;
	json_t *e;
	void *tmp;
	json_object_foreach_safe(v, tmp, k, e) {
		if (strcmp(k, key) == 0)
			json_object_set_new(v, k, json_deep_copy(with));
		else
			replace_all(e, key, with);
	}
}

static bool survives(json_t *plan)
{
	struct owlet_check_report *r = NULL;
	int rc = owlet_check_plan(&r, plan, NULL);
	bool ok_ = (rc == 0 && r) || (rc < 0 && !r && owlet_error_last()[0]);
	if (r) {
		char *t = owlet_check_report_format(r, OWLET_CHECK_SARIF);
		ok_ = ok_ && t;
		free(t);
	}
	owlet_check_report_free(r);
	return ok_;
}

int main(void)
{
	json_t *base = load_plan();
	ok(base != NULL, "fixture plan loads");
	if (!base)
		return exit_status();
	json_t *shapes = json_pack("[n, i, s, [i, s], {s:i}, b, s]", 7, "x", 1, "y", "z", 3, 1, "");
	static const char *const keys[] = { "values", "expressions", "references", "resources", "child_modules",
					    "module_calls", "address", "type", "name", "mode", "policy", "Statement",
					    "bucket", "rule", "ingress", "after_unknown", "source", "index" };
	for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
		int fine = 0, total = 0;
		size_t i;
		json_t *shape;
		json_array_foreach(shapes, i, shape) {
			json_t *plan = json_deep_copy(base);
			replace_all(plan, keys[k], shape);
			total++;
			fine += survives(plan);
			json_decref(plan);
		}
		is_int(fine, total, "'%s' of every other shape: a report or an error", keys[k]);
	}
	/* child module addresses that are not "module.NAME", with var. references */
	json_t *odd = json_deep_copy(base);
	json_t *kids = json_object_get(json_object_get(json_object_get(odd, "planned_values"), "root_module"), "child_modules");
	size_t i;
	json_t *kid;
	json_array_foreach(kids, i, kid) {
		json_object_set_new(kid, "address", json_string(i % 2 ? "nodot" : "module."));
	}
	ok(survives(odd), "child modules with odd addresses");
	json_decref(odd);
	json_t *empty = json_object();
	struct owlet_check_report *r = NULL;
	is_int(owlet_check_plan(&r, empty, NULL), OWLET_EINVALID, "an empty object is not a plan");
	json_decref(empty);
	json_decref(shapes);
	json_decref(base);
	return exit_status();
}
