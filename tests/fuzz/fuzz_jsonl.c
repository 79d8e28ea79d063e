/*
 * fuzz_jsonl.c: libFuzzer target for the JSON Lines reader
 * (lib/agg/jsonl.c); the checks are in fuzz_agg.h.  make fuzz
 * FUZZ_SECONDS=600; seeds in tests/fuzz/seeds/fuzz_jsonl/.
 */
#define FUZZ_READER owlet_agg_jsonl
#include "fuzz_agg.h"
