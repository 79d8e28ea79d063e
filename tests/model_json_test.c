/*
 * model_json_test.c: the model's C API: parse from memory, the normalised
 * JSON round trip (to_json -> from_json -> to_json), from_json's refusal of
 * bad input (it reads OWLET_MODEL from the Lambda's environment), lookups,
 * access checks, and the environment parser's defaults and JSON.
 */
#include <stdlib.h>

#include "model/environment.h"
#include "base/error.h"
#include "model/model.h"
#include "tap.h"

static char *dump(const json_t *j)
{
	return json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
}

static const char demo[] =
	"project: test-proj\n"
	"groups: [analysts, editors]\n"
	"datasets:\n"
	"  trips:\n"
	"    description: \"Trips: one row per trip\"\n"
	"    key: trip_id\n"
	"    partition_by: day\n"
	"    fields:\n"
	"      trip_id: { type: int, required: true, min: -5, max: 9000000000 }\n"
	"      day: { type: date }\n"
	"      at: { type: timestamp }\n"
	"      fare: { type: float, min: 0.25, max: 1e6 }\n"
	"      vendor: { type: string, enum: [CMT, \"V T S\"], max_length: 8 }\n"
	"      paid: { type: bool, required: false }\n"
	"    access: { read: [analysts], write: [editors] }\n"
	"  open_data:\n"
	"    format: jsonl\n"
	"    fields:\n"
	"      x: { type: string }\n";

static void test_parse_and_round_trip(void)
{
	struct owlet_diags diags = { 0 };
	struct owlet_model *m = NULL;
	int rc = owlet_model_parse(&m, &diags, "demo.yml", demo, sizeof demo - 1);
	is_int(rc, 0, "a good model parses");
	is_int((long long)diags.count, 0, "with no diagnostics");
	if (!m)
		return;
	is_str(m->project, "test-proj", "project");
	is_int((long long)m->n_datasets, 2, "two datasets in file order");
	const struct owlet_dataset *trips = owlet_model_dataset(m, "trips");
	ok(trips == &m->datasets[0], "owlet_model_dataset finds 'trips'");
	ok(owlet_model_dataset(m, "nope") == NULL, "an unknown dataset is NULL");
	const struct owlet_field *id = owlet_dataset_field(trips, "trip_id");
	ok(id && id->type == OWLET_TYPE_INT && id->required && id->has_min && id->min == -5 && id->max == 9e9,
	   "trip_id: int, required, min -5, max 9e9");
	ok(id && id->line == 9 && id->col == 7, "a field knows where it is declared (9:7)");
	const struct owlet_field *vendor = owlet_dataset_field(trips, "vendor");
	ok(vendor && vendor->n_enum == 2 && strcmp(vendor->enum_values[1], "V T S") == 0 && !vendor->enum_values[2] &&
		   vendor->max_length == 8,
	   "vendor: enum (NULL-terminated) and max_length");
	ok(owlet_dataset_field(trips, "paid")->max_length == -1, "unset max_length is -1");
	const struct owlet_dataset *open = owlet_model_dataset(m, "open_data");
	ok(open && open->format == OWLET_FORMAT_JSONL && !open->key && !open->partition_by && !open->description,
	   "absent optional values are NULL");

	json_t *a = owlet_model_to_json(m);
	char *sa = dump(a);
	like(sa, "\"read\":[\"*\"],\"write\":[]", "no access: read [\"*\"], write []");
	like(sa, "\"max\":9000000000,", "an int max stays a JSON integer");
	like(sa, "\"min\":0.25,", "a float min is a real");
	like(sa, "\"enum\":null", "an absent enum is null");

	struct owlet_model *back = NULL;
	rc = owlet_model_from_json(&back, a);
	is_int(rc, 0, "from_json takes to_json's output");
	json_t *b = back ? owlet_model_to_json(back) : NULL;
	char *sb = b ? dump(b) : NULL;
	is_str(sb, sa, "to_json(from_json(to_json(m))) == to_json(m)");
	char *ordered = json_dumps(b, JSON_COMPACT);
	like(ordered, "\"fields\":{\"trip_id\":{", "fields keep file order through JSON");
	free(ordered);
	ok(back && owlet_model_dataset(back, "open_data")->n_read == 1, "the default read list survives");
	free(sa);
	free(sb);
	json_decref(a);
	json_decref(b);
	owlet_model_free(back);
	owlet_model_free(m);
	owlet_diags_clear(&diags);
}

static void test_access(void)
{
	struct owlet_diags diags = { 0 };
	struct owlet_model *m = NULL;
	owlet_model_parse(&m, &diags, "demo.yml", demo, sizeof demo - 1);
	if (!m) {
		ok(0, "parse for access tests");
		return;
	}
	const struct owlet_dataset *trips = owlet_model_dataset(m, "trips");
	const struct owlet_dataset *open = owlet_model_dataset(m, "open_data");
	const char *analyst[] = { "analysts" };
	const char *both[] = { "visitors", "editors" };
	ok(owlet_dataset_can_read(trips, analyst, 1), "an analyst reads trips");
	ok(!owlet_dataset_can_write(trips, analyst, 1), "an analyst does not write trips");
	ok(owlet_dataset_can_write(trips, both, 2), "any of the caller's groups counts");
	ok(!owlet_dataset_can_read(trips, NULL, 0), "no groups: no read of a restricted dataset");
	ok(owlet_dataset_can_read(open, NULL, 0), "\"*\": any signed-in user reads");
	ok(!owlet_dataset_can_write(open, both, 2), "no write list: no one writes");
	ok(!owlet_dataset_can_read(NULL, analyst, 1), "a NULL dataset admits no one");
	owlet_model_free(m);
	owlet_diags_clear(&diags);
}

static void test_from_json_refuses(void)
{
	static const struct {
		const char *json;
		const char *message;
	} cases[] = {
		{ "[]", "expected a mapping for the model" },
		{ "\"x\"", "expected a mapping for the model" },
		{ "null", "expected a mapping for the model" },
		{ "{}", "missing 'project'" },
		{ "{\"project\":\"ok-name\"}", "no datasets" },
		{ "{\"project\":\"Bad\",\"datasets\":{\"d\":{\"fields\":{\"a\":{\"type\":\"int\"}}}}}", "bad project name 'Bad'" },
		{ "{\"project\":\"p-1\",\"datasets\":{\"d\":{\"fields\":{\"a\":{\"type\":\"flaot\"}}}}}", "unknown type 'flaot' for field 'a'" },
		{ "{\"project\":\"p-1\",\"datasets\":{\"d\":{\"fields\":{\"a\":{\"type\":7}}}}}", "unknown type '7'" },
		{ "{\"project\":\"p-1\",\"datasets\":{\"d\":{\"fields\":[]}}}", "expected a mapping for fields of dataset 'd'" },
		{ "{\"project\":\"p-1\",\"datasets\":{\"d\":{\"fields\":{\"a\":{\"type\":\"int\",\"required\":\"yes\"}}}}}", "expected true or false for required" },
		{ "{\"project\":\"p-1\",\"datasets\":{\"d\":{\"fields\":{\"a\":{\"type\":\"string\",\"enum\":[1]}}}}}", "enum value 1 of field 'a' is a number" },
		{ "{\"project\":\"p-1\",\"datasets\":{\"d\":{\"fields\":{\"a\":{\"type\":\"int\",\"min\":\"0\"}}}}}", "expected a whole number for min" },
		{ "{\"project\":\"p-1\",\"datasets\":{\"d\":{\"fields\":{\"a\":{\"type\":\"int\"}},\"access\":{\"read\":\"*\"}}}}", "expected a list for access.read" },
		{ "{\"project\":\"p-1\",\"datasets\":{\"d\":{\"fields\":{\"a\":{\"type\":\"int\"}},\"access\":{\"read\":[\"ghosts\"]}}}}", "group 'ghosts' in access.read of dataset 'd' is not declared" },
		{ "{\"project\":\"p-1\",\"datasets\":{\"d\":{\"key\":\"b\",\"fields\":{\"a\":{\"type\":\"int\"}}}}}", "key 'b' of dataset 'd' is not one of its fields" },
		{ "{\"project\":\"p-1\",\"datasets\":{\"d\":{\"fields\":{\"a\":{\"type\":\"int\"}}}},\"extra\":{\"x\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}}", "unknown key 'extra'" },
		{ "{\"project\":\"p-1\",\"datasets\":{\"d\":{\"description\":\"a\\u0000b\",\"fields\":{\"a\":{\"type\":\"int\"}}}}}", "description of dataset 'd' contains a NUL character" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		json_error_t jerr;
		json_t *j = json_loads(cases[i].json, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
		if (!j) {
			ok(0, "case %zu parses as JSON: %s", i, jerr.text);
			continue;
		}
		struct owlet_model *m = (struct owlet_model *)1;
		int rc = owlet_model_from_json(&m, j);
		ok(rc == OWLET_EINVALID && m == NULL, "from_json refuses case %zu", i);
		like(owlet_error_last(), cases[i].message, "  and says: %s", cases[i].message);
		like(owlet_error_last(), "invalid model JSON: ", "  as invalid model JSON");
		json_decref(j);
	}
	struct owlet_model *m = (struct owlet_model *)1;
	is_int(owlet_model_from_json(&m, NULL), OWLET_EINVALID, "from_json(NULL) is refused");
	ok(m == NULL, "  and *out is NULL");
}

static void test_names(void)
{
	is_str(owlet_type_name(OWLET_TYPE_TIMESTAMP), "timestamp", "type name");
	is_int(owlet_type_parse("bool"), OWLET_TYPE_BOOL, "type parse");
	is_int(owlet_type_parse("boolean"), -1, "unknown type name is -1");
	is_str(owlet_format_name(OWLET_FORMAT_JSONL), "jsonl", "format name");
	ok(owlet_model_valid_project("abc") && owlet_model_valid_project("a23456789012345678901234"),
	   "project names of 3 and 24 characters");
	ok(!owlet_model_valid_project("ab") && !owlet_model_valid_project("a234567890123456789012345") &&
		   !owlet_model_valid_project("abc-") && !owlet_model_valid_project("1abc") &&
		   !owlet_model_valid_project("a_bc"),
	   "bad project names: too short, too long, trailing '-', leading digit, '_'");
	ok(owlet_model_valid_name("a") && owlet_model_valid_name("a_1") && !owlet_model_valid_name("A") &&
		   !owlet_model_valid_name("a-b") && !owlet_model_valid_name(""),
	   "dataset and field names");
}

static void test_diagnostics_in_memory(void)
{
	static const char bad[] = "project: p-1\ndatasets:\n  d:\n    fields:\n      a: { type: flaot }\n";
	struct owlet_diags diags = { 0 };
	struct owlet_model *m = NULL;
	int rc = owlet_model_parse(&m, &diags, "mem.yml", bad, sizeof bad - 1);
	is_int(rc, OWLET_EINVALID, "a bad model is OWLET_EINVALID");
	ok(m == NULL, "  with no model");
	is_int((long long)diags.count, 1, "  and one diagnostic");
	char *line = diags.count ? owlet_diag_format(&diags.items[0]) : NULL;
	like(line, "mem.yml:5:18: error: unknown type 'flaot' for field 'a'", "  located at 5:18");
	free(line);
	owlet_diags_clear(&diags);
	rc = owlet_model_parse(&m, NULL, "mem.yml", bad, sizeof bad - 1);
	is_int(rc, OWLET_EINVALID, "diags may be NULL");
	like(owlet_error_last(), "1 problem in 'mem.yml'", "  and the error says how many problems");
}

static void test_environment(void)
{
	struct owlet_diags diags = { 0 };
	struct owlet_environment *env = NULL;
	static const char local[] = "target: local\n";
	int rc = owlet_environment_parse(&env, &diags, "environments/local.yml", "local", local, sizeof local - 1,
					 "demo-proj");
	is_int(rc, 0, "a one-line local environment parses");
	if (env) {
		ok(env->target == OWLET_TARGET_LOCAL && strcmp(env->region, "us-east-1") == 0 && !env->protect,
		   "defaults: us-east-1, not protected");
		is_str(env->backend.key, "demo-proj/local/terraform.tfstate", "default backend key from project and name");
		is_str(env->backend.region, "us-east-1", "the backend region defaults to the region");
		ok(env->network.enabled && env->network.az_count == 2 && env->network.flow_logs &&
			   !env->network.interface_endpoints,
		   "network defaults");
		ok(!env->storage.kms && env->storage.noncurrent_days == 30 && env->storage.log_retention_days == 30,
		   "storage defaults");
		ok(strcmp(env->function.architecture, "x86_64") == 0 && env->function.memory_mb == 256 &&
			   env->function.timeout_s == 10 && env->function.reserved_concurrency == 5 &&
			   env->function.log_retention_days == 14,
		   "function defaults");
		ok(env->api.throttle_rate == 10 && env->api.throttle_burst == 20 && env->n_skips == 0, "api defaults");
		json_t *j = owlet_environment_to_json(env);
		char *s = dump(j);
		like(s, "\"backend\":{\"bucket\":\"\",\"key\":\"demo-proj/local/terraform.tfstate\",\"region\":\"us-east-1\"}",
		     "to_json: the backend");
		like(s, "\"checks\":{\"skip\":[]}", "to_json: no skips");
		like(s, "\"target\":\"local\"", "to_json: the target");
		free(s);
		json_decref(j);
	}
	owlet_environment_free(env);

	static const char aws[] = "region: eu-west-1\nbackend: { bucket: b-1.x }\nfunction: { reserved_concurrency: -1 }\n"
				  "checks:\n  skip:\n    - { id: CKV_AWS_117, reason: cheap }\n";
	rc = owlet_environment_parse(&env, &diags, "environments/dev.yml", "dev", aws, sizeof aws - 1, NULL);
	is_int(rc, 0, "an aws environment with a bucket parses");
	if (env) {
		is_str(env->backend.key, "dev/terraform.tfstate", "without a project the key is <env>/terraform.tfstate");
		ok(env->function.reserved_concurrency == -1, "reserved_concurrency -1 (unreserved)");
		ok(env->n_skips == 1 && strcmp(env->skips[0].id, "CKV_AWS_117") == 0 &&
			   strcmp(env->skips[0].reason, "cheap") == 0 && env->skips[0].line == 6,
		   "a skip with its reason and line");
	}
	owlet_environment_free(env);

	rc = owlet_environment_parse(&env, &diags, "environments/Bad.yml", "Bad", "", 0, NULL);
	is_int(rc, OWLET_EINVALID, "a bad environment name is refused");
	owlet_diags_clear(&diags);
	rc = owlet_environment_load(&env, &diags, "/nonexistent", "dev", NULL);
	is_int(rc, OWLET_ENOTFOUND, "a missing environment file is OWLET_ENOTFOUND");
	like(owlet_error_last(), "no environment 'dev': '/nonexistent/environments/dev.yml' does not exist",
	     "  and names the file");
	owlet_diags_clear(&diags);
}

int main(void)
{
	test_parse_and_round_trip();
	test_access();
	test_from_json_refuses();
	test_names();
	test_diagnostics_in_memory();
	test_environment();
	return done_testing();
}
