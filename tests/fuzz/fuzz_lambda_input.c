/*
 * fuzz_lambda_input.c: libFuzzer target for what the Lambda reads from the
 * outside: record payloads (lib/records.c, against the trips dataset of a
 * fixed model) and ListObjectsV2 documents (owlet_s3_parse_list).
 *
 * Properties beyond "no crash, no leak, no UB" (ASan + UBSan):
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

#include "error.h"
#include "model.h"
#include "records.h"
#include "s3.h"

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!model) {
		json_t *j = json_loads(model_text, 0, NULL);
		if (!j || owlet_model_from_json(&model, j) != 0)
			abort();
		json_decref(j);
	}
	json_t *payload = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
	if (payload) {
		struct owlet_record_problems p = { 0 };
		int rc = owlet_records_validate(&p, owlet_model_dataset(model, "trips"), payload);
		if ((rc > 0 && p.count != 0) || (rc == OWLET_EINVALID && p.count == 0) || rc == 0)
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
