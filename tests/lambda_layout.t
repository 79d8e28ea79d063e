#!/usr/bin/env bash
# The data bucket's one layout (docs/contracts.md, "The data bucket") on the
# real bootstrap, with S3 on a real moto_server on 127.0.0.1:
#   - POSTed records of a csv dataset are stored as canonical JSON Lines in
#     the dt= partition of their own partition_by value (UTC), and read back
#     by the Glue table's rules (Hive JSON SerDe: java.sql.Timestamp form);
#   - a record without a partition value: 400, nothing stored;
#   - keys: a taken key, or a key twice in one request, gets 409 naming it,
#     nothing is stored and the markers of the refused request are removed;
#     a marker left by a writer that died is taken over after 900 s;
#   - row_count and the statistics count the same rows.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lambda_lib.sh"

# trips (format csv, key trip_id, partition_by pickup_at) with pickup_at optional,
# so that a record may come without its partition value
MODEL=$(printf '%s' "$MODEL" | python3 -c 'import json,sys; m=json.load(sys.stdin); m["datasets"]["trips"]["fields"]["pickup_at"]["required"]=False; print(json.dumps(m))')
moto_s3

# mkplan SPEC_JSON: [{"id", "method", "path", "body" (JSON value, optional)}],
# events made from post_trips_one.json, as editors and analysts
mkplan() {
	python3 - "$OWLET_SRC/tests/fixtures/lambda/events/post_trips_one.json" "$1" <<'PY'
import json, sys
base = json.load(open(sys.argv[1]))
plan = []
for s in json.loads(sys.argv[2]):
    ev = json.loads(json.dumps(base))
    ev["rawPath"] = ev["requestContext"]["http"]["path"] = s["path"]
    ev["requestContext"]["http"]["method"] = s["method"]
    ev["routeKey"] = ev["requestContext"]["routeKey"] = s["method"] + " " + s["path"]
    ev["requestContext"]["authorizer"]["jwt"]["claims"]["cognito:groups"] = "[editors analysts]"
    if "body" in s:
        ev["body"] = json.dumps(s["body"])
        ev["headers"]["content-length"] = str(len(ev["body"]))
    else:
        ev.pop("body", None)
    plan.append({"id": s["id"], "event": ev, "deadline_in_ms": 20000})
print(json.dumps(plan))
PY
}
status() { resp "$1" "['statusCode']"; }
R=/datasets/trips/records
spec=$(python3 -c 'import json,sys; R=sys.argv[1]; print(json.dumps([
 {"id":"l1","method":"POST","path":R,"body":[{"trip_id":1,"pickup_at":"2026-03-01T23:30:00-02:00","fare":12},
                                            {"trip_id":2,"pickup_at":"2026-03-01T12:00:00.5Z","pickup_day":"2026-03-01"}]},
 {"id":"l2","method":"POST","path":R,"body":[{"trip_id":3,"pickup_at":"2026-03-01T12:00:00Z"},{"trip_id":4},{"trip_id":5,"pickup_at":None}]},
 {"id":"l3","method":"POST","path":R,"body":{"trip_id":1,"pickup_at":"2026-04-01T00:00:00Z"}},
 {"id":"l4","method":"POST","path":R,"body":[{"trip_id":7,"pickup_at":"2026-04-01T00:00:00Z"},{"trip_id":7,"pickup_at":"2026-04-02T00:00:00Z"}]},
 {"id":"l5","method":"POST","path":R,"body":[{"trip_id":6,"pickup_at":"2026-04-01T00:00:00Z"},{"trip_id":2,"pickup_at":"2026-04-01T00:00:00Z"}]},
 {"id":"l6","method":"POST","path":R,"body":{"trip_id":6,"pickup_at":"2026-04-01T00:00:00Z"}},
 {"id":"l7","method":"POST","path":R,"body":[{"trip_id":1000+i,"pickup_at":"2026-04-01T00:00:00Z"} for i in range(501)]},
 {"id":"l8","method":"GET","path":"/datasets"},
 {"id":"l9","method":"GET","path":"/datasets/trips/stats"}]))' "$R")
run_plan layout "$(mkplan "$spec")" "${AWS[@]}"

is "$(status l1)" 201 "POST two records of a csv dataset: 201"
keys=$(body l1 "['keys']")
is "$(printf '%s' "$keys" | tr -d "[]' " | tr , '\n' | sed -E 's/[0-9]{8}T[0-9]{9}Z-[0-9a-f]{16}/STEM/' | sort | tr '\n' ' ')" \
	"raw/trips/dt=2026-03-01/STEM-r1.jsonl raw/trips/dt=2026-03-02/STEM-r1.jsonl " \
	"one object per day of each record's own pickup_at in UTC (23:30 at -02:00 is the next day)"
k0=$(body l1 "['keys'][0]")
k1=$(body l1 "['keys'][1]")
is "$( (s3curl "$S3/owlet-data/$k0"; s3curl "$S3/owlet-data/$k1") | sort)" \
	'{"trip_id":1,"pickup_at":"2026-03-02 01:30:00","fare":12.0}
{"trip_id":2,"pickup_at":"2026-03-01 12:00:00.500","pickup_day":"2026-03-01"}' \
	"stored as canonical JSON Lines: model order, UTC timestamps without T or zone, floats with a point"

# the Glue table's rules (modules/catalog): the Hive JSON SerDe, one object a
# line, TIMESTAMP in java.sql.Timestamp.valueOf's form, DATE yyyy-mm-dd,
# partition dt from the path; a CSV SerDe reading this would need no header
read=$(for k in $(s3keys raw/trips/); do printf '%s\t' "$k"; s3curl "$S3/owlet-data/$k" | python3 -c 'import sys; print(sys.stdin.read().replace("\n", "\\n"))'; done |
	python3 -c '
import sys, json, re, datetime
ts = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,9})?$")
order = ["trip_id","pickup_at","dropoff_at","pickup_day","vendor","passengers","distance_km","fare","paid_card","note"]
rows = 0
for line in sys.stdin:
    key, text = line.rstrip("\n").split("\t", 1)
    text = text.replace("\\n", "\n")
    assert text.endswith("\n") and "\n\n" not in text, key
    dt = re.search(r"/dt=(\d{4}-\d{2}-\d{2})/", key).group(1)
    for l in text.splitlines():
        rec = json.loads(l)
        assert list(rec) == [f for f in order if f in rec], l
        assert l == json.dumps(rec, separators=(",", ":"), ensure_ascii=False), l
        assert ts.match(rec["pickup_at"]), rec
        when = datetime.datetime.strptime(rec["pickup_at"][:19], "%Y-%m-%d %H:%M:%S")
        assert when.strftime("%Y-%m-%d") == dt, (key, rec)
        rows += 1
print(rows)' 2>&1)
is "$read" 3 "every stored line reads by the table's rules, in the partition of its own day"

is "$(status l2)" 400 "records without a partition value (absent, null): 400"
is "$(body l2 "['errors']")" \
	"[{'record': 1, 'field': 'pickup_at', 'message': \"record 1 has no value for partition field 'pickup_at'\"}, {'record': 2, 'field': 'pickup_at', 'message': \"record 2 has no value for partition field 'pickup_at'\"}]" \
	"the 400 names each record and the field"
is "$(status l3)" 409 "a record with a key that is taken: 409"
is "$(body l3 "['message']") $(body l3 "['key']")" "dataset 'trips' already has a record with key trip_id = 1 1" "the 409 names the key"
is "$(status l4) $(body l4 "['message']")" \
	"409 records 0 and 1 have the same key trip_id = 7; a key is stored once" "a key twice in one request: 409"
is "$(status l5)" 409 "a request with one new and one taken key: 409"
is "$(status l6)" 201 "the new key of the refused request is free again (its marker was removed): 201"
is "$(status l7) $(body l7 "['message']")" \
	"413 too many records: 501; a dataset with a key takes at most 500 records per request" "501 keyed records: 413"
is "$(s3keys raw/trips/ | wc -l)" 3 "stored: two objects of the first POST and one of the retry of trip 6, nothing of the refused ones"
is "$(s3keys _keys/trips/ | wc -l)" 3 "one key marker per stored record (trips 1, 2, 6), outside raw/"
is "$(body l8 "['datasets'][0]['row_count']") $(body l9 "['rows']")" "3 3" "row_count and the statistics agree: 3 rows"

# a marker whose writer died: its object is missing; older than 900 s it is taken over
mark() { # TRIP AGE_S
	local h
	h=$(printf '%s' "$1" | sha256sum | cut -c1-64)
	printf '{"v":1,"key":%s,"data_key":"raw/trips/dt=2026-05-01/20260501T000000000Z-0000000000000000-r1.jsonl","created":%s}' \
		"$1" $(($(date +%s) - $2)) | s3curl -X PUT -H "Content-Type: application/json" --data-binary @- "$S3/owlet-data/_keys/trips/$h.json" >/dev/null
}
mark 50 1000
mark 51 10
spec=$(python3 -c 'import json,sys; R=sys.argv[1]; print(json.dumps([
 {"id":"s1","method":"POST","path":R,"body":{"trip_id":50,"pickup_at":"2026-05-01T00:00:00Z"}},
 {"id":"s2","method":"POST","path":R,"body":{"trip_id":51,"pickup_at":"2026-05-01T00:00:00Z"}}]))' "$R")
run_plan stale "$(mkplan "$spec")" "${AWS[@]}"
is "$(status s1)" 201 "a key marker of 1000 s whose object is missing is taken over: 201"
is "$(status s2)" 409 "one of 10 s may still be written by its request: 409"
done_testing
