/*
 * fuzz_csv.c: libFuzzer target for the CSV reader (lib/agg/csv.c); the
 * checks are in fuzz_agg.h.  make fuzz FUZZ_SECONDS=600; seeds in
 * tests/fuzz/seeds/fuzz_csv/.
 */
#define FUZZ_READER owlet_agg_csv
#include "agg/agg_internal.h"
#define FUZZ_CSV_PATHS
#include "fuzz_agg.h"
