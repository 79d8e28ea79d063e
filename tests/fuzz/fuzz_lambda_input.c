/*
 * fuzz_lambda_input.c: libFuzzer target for what the Lambda reads from the
 * outside: record payloads (lib/lambda/records.c, against the trips dataset of a
 * fixed model), the scan that bounds them before they are parsed
 * (owlet_records_scan), the Idempotency-Key header (owlet_idem_key_check),
 * idempotency records read back from S3 (owlet_idem_record_parse) and
 * ListObjectsV2 documents (owlet_s3_parse_list).
 *
 * Properties beyond "no crash, no leak, no UB" (ASan + UBSan):
 *   - the scan never counts a JSON text short: for every text jansson
 *     parses, the scan's records, values and depth are at least the tree's
 *     (more for duplicate keys, or bytes jansson ignores after a NUL);
 *   - validation keeps at most OWLET_RECORD_PROBLEMS_MAX problems, and
 *     counts every one;
 *   - a key the check accepts is 1..255 printable ASCII bytes;
 *   - validation either accepts (count > 0, no problems) or lists at least
 *     one problem, and every problem has a non-empty message;
 *   - the list reader never reads past the document (the input is copied to
 *     a buffer of exactly its length) and every object it returns has a key.
 * Build and run: make fuzz FUZZ_SECONDS=600 (seeds in
 * tests/fuzz/seeds/fuzz_lambda_input/).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "lambda/idempotency.h"
#include "model/model.h"
#include "lambda/records.h"
#include "aws/s3.h"

static const char model_text[] =
	"{\"project\":\"fuzz\",\"groups\":[\"g\"],\"datasets\":{\"trips\":{\"description\":null,"
	"\"format\":\"csv\",\"key\":\"trip_id\",\"partition_by\":\"pickup_at\",\"fields\":{"
	"\"trip_id\":{\"type\":\"int\",\"required\":true,\"enum\":null,\"min\":1,\"max\":null,\"max_length\":null},"
	"\"pickup_at\":{\"type\":\"timestamp\",\"required\":true,\"enum\":null,\"min\":null,\"max\":null,\"max_length\":null},"
	"\"day\":{\"type\":\"date\",\"required\":false,\"enum\":null,\"min\":null,\"max\":null,\"max_length\":null},"
	"\"vendor\":{\"type\":\"string\",\"required\":false,\"enum\":[\"A\",\"B\"],\"min\":null,\"max\":null,\"max_length\":null},"
	"\"fare\":{\"type\":\"float\",\"required\":false,\"enum\":null,\"min\":0,\"max\":100,\"max_length\":null},"
	"\"ok\":{\"type\":\"bool\",\"required\":false,\"enum\":null,\"min\":null,\"max\":null,\"max_length\":null},"
	"\"note\":{\"type\":\"string\",\"required\":false,\"enum\":null,\"min\":null,\"max\":null,\"max_length\":5}},"
	"\"access\":{\"read\":[\"*\"],\"write\":[\"g\"]}}}}";

static struct owlet_model *model;

/* The tree's own counts, as owlet_records_scan defines them. */
static void tree_size(const json_t *v, size_t depth, struct owlet_records_size *out)
{
	out->values++;
	if (json_is_object(v) || json_is_array(v)) {
		if (depth + 1 > out->depth)
			out->depth = depth + 1;
		const char *k;
		const json_t *x;
		size_t i;
		if (json_is_object(v)) {
			json_object_foreach((json_t *)v, k, x) {
				tree_size(x, depth + 1, out);
			}
		} else {
			json_array_foreach((json_t *)v, i, x) {
				tree_size(x, depth + 1, out);
			}
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!model) {
		json_t *j = json_loads(model_text, 0, NULL);
		if (!j || owlet_model_from_json(&model, j) != 0)
			abort();
		json_decref(j);
	}
	struct owlet_records_size scan;
	int over = owlet_records_scan(&scan, (const char *)data, size, 3, 20, 4);
	if (over != (scan.records > 3 || scan.values > 20 || scan.depth > 4))
		abort();
	if (owlet_idem_key_check((const char *)data, size) == 0) {
		if (size == 0 || size > OWLET_IDEM_KEY_MAX)
			abort();
		for (size_t i = 0; i < size; i++)
			if (data[i] < 0x20 || data[i] > 0x7e)
				abort();
	}
	struct owlet_idem_record rec;
	if (owlet_idem_record_parse(&rec, (const char *)data, size) == 0) {
		if (!rec.data_key || strlen(rec.fingerprint) != 64 || !json_is_object(rec.body))
			abort();
		owlet_idem_record_clear(&rec);
	}
	json_t *payload = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
	if (payload) {
		struct owlet_records_size tree = { 0 };
		tree_size(payload, 0, &tree);
		tree.records = json_is_array(payload) ? json_array_size(payload) : 1;
		if (scan.records < tree.records || scan.values < tree.values || scan.depth < tree.depth)
			abort();
		struct owlet_record_problems p = { 0 };
		int rc = owlet_records_validate(&p, owlet_model_dataset(model, "trips"), payload);
		if ((rc > 0 && p.total != 0) || (rc == OWLET_EINVALID && (p.count == 0 || p.total < p.count)) ||
		    p.count > OWLET_RECORD_PROBLEMS_MAX || rc == 0)
			abort();
		for (size_t i = 0; i < p.count; i++)
			if (!p.items[i].message || !p.items[i].message[0])
				abort();
		json_t *pj = owlet_record_problems_to_json(&p);
		json_decref(pj);
		owlet_record_problems_clear(&p);
		json_decref(payload);
	}
	char *copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	struct owlet_s3_list list = { 0 };
	int truncated;
	char *token = NULL;
	if (owlet_s3_parse_list(&list, &truncated, &token, copy, size) == 0)
		for (size_t i = 0; i < list.count; i++)
			if (!list.items[i].key)
				abort();
	free(token);
	owlet_s3_list_clear(&list);
	free(copy);
	return 0;
}
