/*
 * fuzz_groups.c: libFuzzer target for the reading of cognito:groups
 * (owlet_model_claim_groups), which decides a caller's rights.  The first
 * byte picks the form: API Gateway's string form (the input as the string),
 * or JSON (the input parsed: an array as the token has it, or any value).
 * Beyond "no crash, no leak, no UB" it checks:
 *   - every group returned is one of the model's own strings, at most once,
 *     in model order;
 *   - from a JSON array: exactly the model's groups equal (byte for byte) to
 *     a string element;
 *   - from a string: each group returned is a whole space-separated name
 *     inside "[...]" of the input;
 *   - the local API's string form of an array (owlet_localapi_event) read
 *     back never grants a group the array does not, when every element is a
 *     string without a space (Cognito group names have none), and grants the
 *     same groups.
 * Build and run: make fuzz FUZZ_SECONDS=600 (seeds in tests/fuzz/seeds/fuzz_groups/).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "local/apigw.h"
#include "model/model.h"

static struct owlet_model *model;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	static const char yml[] = "project: fuzz-proj\n"
				  "groups: [analysts, editors, drivers, a, 'null', 'true', g-1_x]\n"
				  "datasets:\n"
				  "  trips:\n"
				  "    fields: { x: { type: int } }\n";
	struct owlet_diags diags = { 0 };
	if (owlet_model_parse(&model, &diags, "fuzz.yml", yml, sizeof yml - 1) != 0)
		abort();
	return 0;
}

/* The model's groups granted, as a bit set; aborts on a broken invariant. */
static uint32_t read_claim(const json_t *claim)
{
	const char **g = NULL;
	size_t n = 0;
	if (owlet_model_claim_groups(model, claim, &g, &n) != 0)
		abort();
	if (n > model->n_groups || (n == 0) != (g == NULL))
		abort();
	uint32_t bits = 0;
	size_t last = 0;
	for (size_t k = 0; k < n; k++) {
		size_t i = 0;
		while (i < model->n_groups && model->groups[i] != g[k])
			i++;
		if (i == model->n_groups || (bits >> i & 1) || (k && i <= last))
			abort(); /* not the model's string, repeated, or out of order */
		bits |= 1u << i;
		last = i;
	}
	free(g);
	return bits;
}

/* Whether name[0..len) is a whole space-separated name inside s's brackets. */
static bool whole_name(const char *s, size_t slen, const char *name, size_t len)
{
	if (slen < 2 || s[0] != '[' || s[slen - 1] != ']')
		return false;
	for (size_t i = 1; i + len <= slen - 1; i++)
		if ((s[i - 1] == '[' || s[i - 1] == ' ') && memcmp(s + i, name, len) == 0 &&
		    (s[i + len] == ' ' || i + len == slen - 1))
			return true;
	return false;
}

static json_t *via_localapi(json_t *array)
{
	struct owlet_http_request req = { .method = "GET", .raw_path = "/", .raw_query = "", .headers = json_object() };
	json_t *claims = json_pack("{s:O}", "cognito:groups", array);
	json_t *event = owlet_localapi_event(&req, "GET /", NULL, claims, "api", "1", "r", 0);
	json_t *form = json_incref(json_object_get(
		json_object_get(
			json_object_get(json_object_get(json_object_get(event, "requestContext"), "authorizer"), "jwt"),
			"claims"),
		"cognito:groups"));
	json_decref(event);
	json_decref(claims);
	json_decref(req.headers);
	return form;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 65536)
		return 0;
	uint8_t mode = data[0] % 2;
	const char *s = (const char *)data + 1;
	size--;
	if (mode == 0) {
		json_t *str = json_stringn_nocheck(s, size);
		if (!str)
			return 0;
		uint32_t bits = read_claim(str);
		for (size_t i = 0; i < model->n_groups; i++)
			if ((bits >> i & 1) && !whole_name(s, size, model->groups[i], strlen(model->groups[i])))
				abort();
		json_decref(str);
		return 0;
	}
	json_t *j = json_loadb(s, size, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	if (!j)
		return 0;
	uint32_t bits = read_claim(j);
	if (json_is_array(j)) {
		uint32_t want = 0;
		bool cognito_like = true;
		size_t k;
		const json_t *v;
		json_array_foreach(j, k, v) {
			if (!json_is_string(v) || json_string_length(v) == 0 ||
			    memchr(json_string_value(v), ' ', json_string_length(v)))
				cognito_like = false;
			for (size_t i = 0; json_is_string(v) && i < model->n_groups; i++)
				if (strlen(model->groups[i]) == json_string_length(v) &&
				    memcmp(model->groups[i], json_string_value(v), json_string_length(v)) == 0)
					want |= 1u << i;
		}
		if (bits != want)
			abort();
		json_t *form = via_localapi(j);
		if (!form)
			abort();
		uint32_t local = read_claim(form);
		if (cognito_like && local != bits) {
			fprintf(stderr, "the local string form '%s' grants %x, the array %x\n", json_string_value(form),
				local, bits);
			abort();
		}
		json_decref(form);
	}
	json_decref(j);
	return 0;
}
