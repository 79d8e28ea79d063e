/*
 * claim_groups_test.c: owlet_model_claim_groups, the reading of cognito:groups
 * that decides a caller's rights, on the token's JSON array and on API
 * Gateway's string form "[a b]": hostile names (',', '[', ']', spaces, NUL),
 * more groups than fit any fixed table, names the model does not have, and
 * string forms whose names cannot be recovered unambiguously; and the local
 * API's string form of the token's array (owlet_localapi_event), read back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "local/apigw.h"
#include "model/model.h"
#include "tap.h"

static const char yml[] = "project: test-proj\n"
			  "groups: [analysts, editors, drivers]\n"
			  "datasets:\n"
			  "  trips:\n"
			  "    fields: { x: { type: int } }\n"
			  "    access: { read: [analysts, editors], write: [editors] }\n";

static struct owlet_model *m;

/* The groups the claim grants, joined by '|' (static buffer), or "ERR". */
static const char *granted(json_t *claim)
{
	static char buf[256];
	const char **g = NULL;
	size_t n = 0;
	int rc = owlet_model_claim_groups(m, claim, &g, &n);
	json_decref(claim);
	if (rc < 0)
		return "ERR";
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++)
		snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%s", i ? "|" : "", g[i]);
	free(g);
	return buf;
}

static const char *str_form(const char *s)
{
	return granted(json_string(s));
}

/* A claim of n groups "gNNN", with `last` as the (n+1)th. */
static json_t *many(size_t n, const char *last)
{
	json_t *a = json_array();
	char name[16];
	for (size_t i = 0; i < n; i++) {
		snprintf(name, sizeof name, "g%03zu", i);
		json_array_append_new(a, json_string(name));
	}
	json_array_append_new(a, json_string(last));
	return a;
}

/* The same in API Gateway's string form. */
static json_t *many_str(size_t n, const char *last)
{
	size_t cap = n * 8 + strlen(last) + 3, o = 0;
	char *s = malloc(cap);
	s[o++] = '[';
	for (size_t i = 0; i < n; i++)
		o += (size_t)snprintf(s + o, cap - o, "g%03zu ", i);
	o += (size_t)snprintf(s + o, cap - o, "%s]", last);
	json_t *j = json_string(s);
	free(s);
	return j;
}

/* The claim as the local API puts it into the Lambda's event. */
static json_t *via_localapi(json_t *claim)
{
	struct owlet_http_request req = { .method = "GET", .raw_path = "/datasets", .raw_query = "",
					  .headers = json_object() };
	json_t *claims = json_pack("{s:o}", "cognito:groups", claim);
	json_t *event = owlet_localapi_event(&req, "GET /datasets", NULL, claims, "api", "123", "req", 0);
	json_t *g = json_incref(json_object_get(
		json_object_get(json_object_get(json_object_get(event, "requestContext"), "authorizer"), "jwt"),
		"claims"));
	json_t *form = json_incref(json_object_get(g, "cognito:groups"));
	json_decref(g);
	json_decref(event);
	json_decref(claims);
	json_decref(req.headers);
	return form;
}

int main(void)
{
	struct owlet_diags diags = { 0 };
	is_int(owlet_model_parse(&m, &diags, "t.yml", yml, sizeof yml - 1), 0, "the model parses");
	const struct owlet_dataset *ds = owlet_model_dataset(m, "trips");

	/* the JSON array, as the token has it */
	is_str(granted(json_pack("[s,s]", "editors", "analysts")), "analysts|editors", "array: both groups, model order");
	is_str(granted(json_pack("[s]", "ops,editors")), "", "array: 'ops,editors' grants nothing");
	is_str(granted(json_pack("[s]", "[editors]")), "", "array: '[editors]' grants nothing");
	is_str(granted(json_pack("[s]", "ops editors")), "", "array: 'ops editors' grants nothing");
	is_str(granted(json_pack("[s]", " editors")), "", "array: ' editors' grants nothing");
	is_str(granted(json_pack("[s]", "Editors")), "", "array: 'Editors' (case) grants nothing");
	is_str(granted(json_pack("[s]", "*")), "", "array: '*' grants nothing");
	is_str(granted(json_pack("[s]", "admins")), "", "array: a group the model does not have grants nothing");
	is_str(granted(json_stringn("[editors\0x]", 11)), "", "string: '[editors\\0x]' grants nothing");
	is_str(granted(json_pack("[o]", json_stringn("editors\0x", 9))), "", "array: 'editors\\0x' grants nothing");
	is_str(granted(json_pack("[i,b,n,{s:s},[s]]", 1, 1, "editors", "x", "editors")), "",
	       "array: elements that are not strings grant nothing");
	is_str(granted(json_pack("[s,s,s]", "drivers", "drivers", "nope")), "drivers", "array: a repeated group once");
	is_str(granted(json_array()), "", "array: empty");
	is_str(granted(NULL), "", "no claim: no groups");
	is_str(granted(json_integer(7)), "", "a number: no groups");
	is_str(granted(json_pack("{s:s}", "editors", "editors")), "", "an object: no groups");

	/* API Gateway's string form */
	is_str(str_form("[editors analysts]"), "analysts|editors", "string: '[editors analysts]'");
	is_str(str_form("[drivers]"), "drivers", "string: '[drivers]'");
	is_str(str_form("[]"), "", "string: '[]'");
	is_str(str_form("[ops,editors]"), "", "string: '[ops,editors]' (one group 'ops,editors') grants nothing");
	is_str(str_form("[[editors]]"), "", "string: '[[editors]]' (one group '[editors]') grants nothing");
	is_str(str_form("[[editors] drivers]"), "drivers", "string: '[editors]' beside 'drivers': only drivers");
	is_str(str_form("[ops,editors drivers]"), "drivers", "string: 'ops,editors' beside 'drivers': only drivers");
	is_str(str_form("[editors,analysts]"), "", "string: commas do not separate");
	is_str(str_form("[editors\tanalysts]"), "", "string: tabs do not separate");
	is_str(str_form("editors"), "", "string without brackets: nothing (not API Gateway's form)");
	is_str(str_form("editors analysts"), "", "string 'editors analysts': nothing");
	is_str(str_form("[editors"), "", "string '[editors': nothing");
	is_str(str_form("editors]"), "", "string 'editors]': nothing");
	is_str(str_form("["), "", "string '[': nothing");
	is_str(str_form("]"), "", "string ']': nothing");
	is_str(str_form(""), "", "empty string: nothing");
	is_str(str_form("[editors  analysts]"), "", "string with a doubled space (ambiguous): nothing");
	is_str(str_form("[ editors]"), "", "string with a leading space (ambiguous): nothing");
	is_str(str_form("[editors ]"), "", "string with a trailing space (ambiguous): nothing");
	is_str(str_form("[ ]"), "", "string '[ ]' (ambiguous): nothing");
	is_str(str_form("[nope editors]"), "editors", "string: a group the model lacks beside editors: only editors");

	/* every group counts, not only the first 32 */
	is_str(granted(many(32, "editors")), "editors", "array: editors as the 33rd group");
	is_str(granted(many(5000, "analysts")), "analysts", "array: analysts as the 5001st group");
	is_str(granted(many_str(32, "editors")), "editors", "string: editors as the 33rd group");
	is_str(granted(many_str(5000, "drivers")), "drivers", "string: drivers as the 5001st group");

	/* the local API hands the Lambda API Gateway's form, which reads back */
	json_t *form = via_localapi(json_pack("[s,s]", "editors", "analysts"));
	is_str(json_string_value(form), "[editors analysts]", "the local API writes '[editors analysts]'");
	is_str(granted(form), "analysts|editors", "which grants both");
	is_str(granted(via_localapi(json_pack("[s,s]", "ops,editors", "[editors]"))), "",
	       "local: 'ops,editors' and '[editors]' grant nothing");
	is_str(granted(via_localapi(many(40, "editors"))), "editors", "local: editors as the 41st group");
	is_str(granted(via_localapi(json_pack("[o,s]", json_stringn("editors\0x", 9), "drivers"))), "drivers",
	       "local: a name with a NUL inside ('editors\\0x') is not cut short into 'editors'");

	/* what the rights become */
	const char **g = NULL;
	size_t n = 0;
	json_t *c = json_string("[ops,editors [editors]]");
	is_int(owlet_model_claim_groups(m, c, &g, &n), 0, "a hostile string form is read");
	ok(!owlet_dataset_can_read(ds, g, n) && !owlet_dataset_can_write(ds, g, n),
	   "and may neither read nor write a dataset of editors");
	free(g);
	json_decref(c);
	c = many(40, "editors");
	is_int(owlet_model_claim_groups(m, c, &g, &n), 0, "41 groups are read");
	ok(owlet_dataset_can_write(ds, g, n), "and the 41st (editors) may write");
	free(g);
	json_decref(c);

	owlet_model_free(m);
	return done_testing();
}
