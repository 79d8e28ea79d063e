#!/usr/bin/env bash
# bench/datasets_latency.sh [OBJECTS] [RUNS]: the latency of GET /datasets
# through the real Lambda (build/lambda/bootstrap) on a moto_server of
# 127.0.0.1 with OBJECTS objects under raw/trips/ named as the API names
# them (...-r<N>.jsonl: counted from the listing, no object read), RUNS
# warm invocations; prints the median and the slowest, from the function's
# own log line ("N ms"): first without the metadata table (the count walks
# the S3 listing: issue 15's "before"), then with it (OWLET_META_TABLE: a
# DynamoDB table on the same moto whose summary item holds the count, as
# the function keeps it when it stores the objects: "after").
export OWLET_SRC=${OWLET_SRC:-$(cd "$(dirname "$0")/.." && pwd)} OWLET_BUILD=${OWLET_BUILD:-$OWLET_SRC/build}
. "$OWLET_SRC/tests/lib.sh"
. "$OWLET_SRC/tests/lambda_lib.sh"
n=${1:-1000} runs=${2:-10}
export LAMBDA_TIMEOUT_S=600 # run_plan stops the function after this
moto_s3 >/dev/null
python3 - "$S3" "$n" <<'PY'
import sys, urllib.request, hashlib, datetime
import botocore.session
from botocore.config import Config
s = botocore.session.get_session().create_client("s3", region_name="us-east-1", endpoint_url=sys.argv[1],
    aws_access_key_id="testing", aws_secret_access_key="testing", config=Config(max_pool_connections=8))
for i in range(int(sys.argv[2])):
    s.put_object(Bucket="owlet-data", Key="raw/trips/dt=2026-11-%02d/20261101T000000000Z-%016x-r1.jsonl" % (1 + i % 28, i),
                 Body=b'{"trip_id":%d,"pickup_at":"2026-11-01 00:00:00"}\n' % (i + 1))
PY
plan=$(python3 -c 'import json,sys
e = json.load(open(sys.argv[1])); n = int(sys.argv[2])
print(json.dumps([{"id": "r%d" % i, "deadline_in_ms": 10000, "event": e} for i in range(n)]))' "$OWLET_SRC/tests/fixtures/lambda/events/get_datasets_analyst.json" "$runs")
report() { # LABEL: the figures of the last run_plan
	printf '%s\n' "$stderr" | grep -o 'GET /datasets 200 [0-9]* ms' | awk '{print $4}' | sort -n | awk -v n="$n" -v l="$1" '
		{ a[NR] = $1 } END { printf "GET /datasets, %d objects in raw/trips/, %s: median %d ms, slowest %d ms (%d runs)\n", n, l, a[int((NR + 1) / 2)], a[NR], NR }'
	printf 'row_count: %s\n' "$(body r0 "['datasets'][0]['row_count']")"
}
run_plan list "$plan" "${AWS[@]}"
report "counted from the S3 listing"
meta_table owlet-meta >/dev/null
ddb UpdateItem "{\"TableName\":\"owlet-meta\",\"Key\":{\"dataset\":{\"S\":\"trips\"},\"item\":{\"S\":\"summary\"}},\"UpdateExpression\":\"ADD row_count :n\",\"ExpressionAttributeValues\":{\":n\":{\"N\":\"$n\"}}}" >/dev/null
run_plan meta "$plan" "${AWS[@]}" OWLET_META_TABLE=owlet-meta
report "read from the metadata table"
