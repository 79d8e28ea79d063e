#!/usr/bin/env bash
# bench/upload.sh [ROWS] [KEYED_ROWS]: the bulk-upload trigger of the real
# Lambda (build/lambda/bootstrap) on a moto_server of 127.0.0.1: a CSV of
# ROWS trips-like rows (5 of them bad) into a dataset without key, and
# KEYED_ROWS into trips (keyed: one conditional PUT per row).  Prints rows/s
# and MB/s of each, from the upload record's "seconds" (the function's own
# time from claim to outcome), and the function's peak RSS.
export OWLET_SRC=${OWLET_SRC:-$(cd "$(dirname "$0")/.." && pwd)} OWLET_BUILD=${OWLET_BUILD:-$OWLET_SRC/build}
. "$OWLET_SRC/tests/lib.sh"
. "$OWLET_SRC/tests/lambda_lib.sh"
rows=${1:-100000} keyed=${2:-2000}
export LAMBDA_TIMEOUT_S=900 # run_plan (tests/lambda_lib.sh) stops the function after this
# the fixtures' model plus "trips_log": trips' fields, no key, partitioned by pickup_at
MODEL=$(printf '%s' "$MODEL" | python3 -c 'import json,sys
m = json.load(sys.stdin); d = json.loads(json.dumps(m["datasets"]["trips"])); d["key"] = None
m["datasets"]["trips_log"] = d; print(json.dumps(m))')
moto_s3 >/dev/null
AWS=("${AWS[@]:0:6}" OWLET_MODEL="$MODEL")
gen() { # N FILE: N rows, rows 1000, 2000, ... 5000 bad
	python3 - "$1" "$2" <<'PY'
import sys
n, path = int(sys.argv[1]), sys.argv[2]
with open(path, "w") as f:
    f.write("trip_id,pickup_at,vendor,passengers,distance_km,fare,paid_card,note\n")
    for i in range(1, n + 1):
        tid = 0 if i in (1000, 2000, 3000, 4000, 5000) else i
        f.write("%d,2026-11-%02dT%02d:%02d:00Z,%s,%d,%.1f,%.2f,%s,trip %d\n" % (
            tid, 1 + i % 28, i % 24, i % 60, ("CMT", "VTS", "DDS")[i % 3], i % 5, i % 50 / 3, 5 + i % 97, "true" if i % 2 else "false", i))
PY
}
ev() {
	python3 - "$OWLET_SRC/tests/fixtures/lambda/events/post_trips_one.json" "$@" <<'PY'
import json, sys
e = json.load(open(sys.argv[1]))
e["rawPath"] = e["requestContext"]["http"]["path"] = "/datasets/%s/uploads" % sys.argv[2]
e["body"] = json.dumps({"filename": "f.csv"})
print(json.dumps(e))
PY
}
s3ev() { printf '{"Records":[{"s3":{"bucket":{"name":"owlet-data"},"object":{"key":"%s","size":1}}}]}' "$1"; }
for spec in "trips_log $rows" "trips $keyed"; do
	set -- $spec
	gen "$2" "$t/$1.csv"
	run_plan "start-$1" "[{\"id\":\"up\",\"event\":$(ev "$1")}]" "${AWS[@]}"
	id=$(body up "['id']")
	s3curl -X PUT -H 'Content-Type: text/csv' --data-binary @"$t/$1.csv" "$S3/owlet-data/incoming/$1/$id.csv" >/dev/null
	run_plan "go-$1" "[{\"id\":\"s3\",\"deadline_in_ms\":900000,\"event\":$(s3ev "incoming/$1/$id.csv")}]" "${AWS[@]}"
	rec=$(s3curl "$S3/owlet-data/_uploads/$1/$id.json")
	printf '%s' "$rec" | python3 -c 'import json,sys
r = json.load(sys.stdin); name, rss = sys.argv[1:3]
print("%-10s %7d rows %6.2f MB: %d accepted, %d rejected in %.2f s = %.0f rows/s, %.2f MB/s; peak RSS %s KiB" % (
    name, r["accepted"] + r["rejected"], r["bytes"] / 1e6, r["accepted"], r["rejected"], r["seconds"],
    (r["accepted"] + r["rejected"]) / r["seconds"], r["bytes"] / 1e6 / r["seconds"], rss))' "$1" "$rss_kb"
done
