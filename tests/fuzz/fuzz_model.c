/*
 * fuzz_model.c: libFuzzer target for the model and environment parsers.
 *
 * Each input is given to owlet_model_parse, owlet_environment_parse and (when
 * it is JSON) owlet_model_from_json.  Beyond "no crash, no leak, no UB"
 * (ASan + UBSan), it checks two properties:
 *   - a model that parses survives the JSON round trip unchanged:
 *     to_json(from_json(to_json(m))) == to_json(m);
 *   - a rejected model always comes with at least one located diagnostic.
 * Build and run: make fuzz FUZZ_SECONDS=600 (seeds in tests/fuzz/seeds/fuzz_model/).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "model/environment.h"
#include "base/error.h"
#include "model/model.h"

static void check_round_trip(const struct owlet_model *m)
{
	json_t *a = owlet_model_to_json(m);
	struct owlet_model *back = NULL;
	if (!a || owlet_model_from_json(&back, a) != 0) {
		fprintf(stderr, "round trip: from_json refused to_json's output: %s\n", owlet_error_last());
		abort();
	}
	json_t *b = owlet_model_to_json(back);
	if (!json_equal(a, b)) {
		fprintf(stderr, "round trip changed the model\n");
		abort();
	}
	json_decref(a);
	json_decref(b);
	owlet_model_free(back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct owlet_diags diags = { 0 };
	struct owlet_model *m = NULL;
	int rc = owlet_model_parse(&m, &diags, "fuzz.yml", (const char *)data, size);
	if (rc == 0)
		check_round_trip(m);
	else if (rc == OWLET_EINVALID && diags.count == 0)
		abort(); /* rejected without saying why */
	for (size_t i = 0; i < diags.count; i++)
		free(owlet_diag_format(&diags.items[i]));
	owlet_diags_sort(&diags);
	owlet_model_free(m);
	owlet_diags_clear(&diags);

	struct owlet_environment *env = NULL;
	rc = owlet_environment_parse(&env, &diags, "environments/fuzz.yml", "fuzz", (const char *)data, size,
				     "fuzz-project");
	if (rc == 0) {
		json_t *j = owlet_environment_to_json(env);
		if (!j)
			abort();
		json_decref(j);
	} else if (rc == OWLET_EINVALID && diags.count == 0) {
		abort();
	}
	owlet_environment_free(env);
	owlet_diags_clear(&diags);

	json_t *json = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
	if (json) {
		m = NULL;
		if (owlet_model_from_json(&m, json) == 0)
			check_round_trip(m);
		owlet_model_free(m);
		json_decref(json);
	}
	return 0;
}
