#!/usr/bin/env bash
# Bulk uploads through the real Lambda (build/lambda/bootstrap) with S3 on a
# real moto_server (issue 15): POST /datasets/NAME/uploads answers a
# presigned POST whose signature and policy are checked here by an
# independent SigV4 computation; the file is POSTed to the emulator as a
# browser would; the S3 event of incoming/ makes the function check every
# row against the model, store the good ones in the raw/ layout, write the
# bad ones with their line numbers to rejects/, and record the outcome that
# GET /datasets/NAME/uploads[/ID] shows.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lambda_lib.sh"
moto_s3

plan() { evplan "$@"; } # ID EVENT ... -> a plan (lambda_lib.sh)

# the dataset already holds trip 1 (POSTed as records are)
csv=$t/trips.csv
cat >"$csv" <<'CSV'
trip_id,pickup_at,vendor,fare,note
1,2026-11-01T08:00:00Z,CMT,10,"already stored"
2,2026-11-01T09:00:00Z,CMT,11,"a note, with a comma"
3,2026-11-02T23:30:00-02:00,VTS,12,
0,2026-11-02T10:00:00Z,VTS,13,bad id
4,2026-11-02T11:00:00Z,XYZ,14,bad vendor
5,2026-11-02T12:00:00Z,DDS,-1,
2,2026-11-03T12:00:00Z,DDS,15,key again
6,2026-11-03T12:00:00Z,DDS
7,not a time,CMT,1,

8,2026-11-03T13:00:00Z,CMT,16.5,"two
lines"
CSV
size=$(stat -c %s "$csv")
printf 'trip_id,pickup_at,colour\n9,2026-11-05T00:00:00Z,red\n' >"$t/bad.csv"
printf '{"station_id":"S1","name":"One","active":true}\n{"station_id":"S2","name":"Two"}\nnot json\n{"station_id":"S3","name":"Three","active":false,"latitude":91}\n{"station_id":"S4","name":"Four","active":false}\n' >"$t/st.jsonl"
run_plan start "$(plan post1 "$(ev POST /datasets/trips/records '{"trip_id":1,"pickup_at":"2026-10-31T08:00:00Z"}' '[editors]')" \
	up "$(ev POST /datasets/trips/uploads "{\"filename\":\"trips.csv\",\"size\":$size}" '[editors]')" \
	analyst "$(ev POST /datasets/trips/uploads '{"filename":"trips.csv"}' '[analysts]')" \
	fmt "$(ev POST /datasets/trips/uploads '{"filename":"trips.jsonl"}' '[editors]')" \
	big "$(ev POST /datasets/trips/uploads '{"filename":"trips.csv","size":104857601}' '[editors]')" \
	slash "$(ev POST /datasets/trips/uploads '{"filename":"../x.csv"}' '[editors]')" \
	up2 "$(ev POST /datasets/trips/uploads '{"filename":"bad.csv"}' '[drivers]')" \
	up3 "$(ev POST /datasets/stations/uploads '{"filename":"st.jsonl"}' '[editors]')")" "${AWS[@]}"
# post_form ID FILE: the browser's part: the presigned fields, then the file, as multipart/form-data
post_form() {
	local fields form=() kv
	fields=$(q "__import__('json').dumps(j([j(x['body']) for x in r if x['path'].endswith('/$1/response')][0]['body'])['fields'])")
	printf '%s\n' "$fields" >"$t/$1.fields"
	while IFS= read -r kv; do form+=(-F "$kv"); done < <(python3 -c 'import json,sys; [print("%s=%s" % kv) for kv in json.load(open(sys.argv[1])).items()]' "$t/$1.fields")
	curl -s -o /dev/null -w '%{http_code}' "${form[@]}" -F "file=@$2" "$S3/owlet-data"
}
is "$(resp post1 "['statusCode']")" 201 "trip 1 is stored by POST /records first"
is "$(resp up "['statusCode']")" 201 "POST /datasets/trips/uploads: 201"
id=$(body up "['id']")
like "$id" '^[0-9]{8}T[0-9]{9}Z-[0-9a-f]{16}$' "the upload id sorts by time"
is "$(body up "['key']")" "incoming/trips/$id.csv" "the presigned POST is for the one key incoming/trips/ID.csv"
is "$(body up "['url']")" "$S3/owlet-data" "its URL is the bucket at the environment's S3 endpoint"
is "$(resp analyst "['statusCode']")" 403 "a reader who may not write gets 403"
is "$(resp fmt "['statusCode']") $(body fmt "['message']")" \
	"400 dataset 'trips' takes csv files (its format); 'trips.jsonl' is jsonl" "a file of another format: 400"
is "$(resp big "['statusCode']")" 413 "a file over 100 MiB: 413 before anything is signed"
is "$(resp slash "['statusCode']")" 400 "a file name with a '/': 400"
code=$(post_form up "$csv")
id2=$(body up2 "['id']") id3=$(body up3 "['id']")
is "$code $(post_form up2 "$t/bad.csv") $(post_form up3 "$t/st.jsonl")" "204 204 204" \
	"the files are POSTed to the bucket with the presigned fields (to moto, which checks nothing): 204"
# the signature and the policy, computed independently (AWS's SigV4 POST policy rules)
verdict=$(python3 - "$t/up.fields" "$id" <<'PY'
import base64, hashlib, hmac, json, sys, time, calendar
f = json.load(open(sys.argv[1])); id_ = sys.argv[2]
def h(k, m): return hmac.new(k, m.encode(), hashlib.sha256).digest()
akid, day, region, svc, term = f["x-amz-credential"].split("/")
k = h(h(h(h(("AWS4" + "testing").encode(), day), region), svc), term)
sig = hmac.new(k, f["policy"].encode(), hashlib.sha256).hexdigest()
p = json.loads(base64.b64decode(f["policy"]))
exp = calendar.timegm(time.strptime(p["expiration"], "%Y-%m-%dT%H:%M:%S.000Z"))
conds = p["conditions"]
print(sig == f["x-amz-signature"], 0 < exp - time.time() <= 300,
      ["eq", "$key", "incoming/trips/%s.csv" % id_] in conds, ["content-length-range", 1, 104857600] in conds,
      {"bucket": "owlet-data"} in conds, sorted(f))
PY
)
is "$verdict" "True True True True True ['key', 'policy', 'x-amz-algorithm', 'x-amz-credential', 'x-amz-date', 'x-amz-signature']" \
	"the signature checks out; the policy expires within 5 minutes and names the key, the size range and the bucket"

run_plan trigger "$(plan s3 "$(s3ev "incoming/trips/$id.csv")" again "$(s3ev "incoming/trips/$id.csv")" \
	two "$(s3ev "incoming/trips/$id2.csv" "incoming/stations/$id3.jsonl" "incoming/trips/../stations/x.csv")")" "${AWS[@]}"
is "$(resp s3 "")" "{'ok': True, 'aggregated': 0, 'refused': 0, 'uploads': 1, 'skipped': 0}" "the S3 event processes the upload"
is "$(resp again "")" "{'ok': True, 'aggregated': 0, 'refused': 0, 'uploads': 0, 'skipped': 1}" \
	"the same event delivered again is skipped: the upload is no longer pending"
is "$(resp two "['uploads']") $(resp two "['skipped']")" "2 1" "one event with two uploads and a key with '..': two processed, one skipped"
like "$stderr" "upload $id of trips: partly_rejected, 3 accepted, 7 rejected" "the log line tells the outcome"
objs=$(s3keys raw/trips/ | grep -- "$id" | sed 's|raw/trips/||' | sed "s|$id|ID|" | sort | tr '\n' ' ')
is "$objs" "dt=2026-11-01/ID-b0000-r1.jsonl dt=2026-11-03/ID-b0000-r2.jsonl " \
	"accepted rows are in the partitions of their own days, named with their row counts (trip 3 is 2026-11-03 01:30 UTC)"
is "$(s3curl "$S3/owlet-data/raw/trips/dt=2026-11-01/$id-b0000-r1.jsonl")" \
	'{"trip_id":2,"pickup_at":"2026-11-01 09:00:00","vendor":"CMT","fare":11.0,"note":"a note, with a comma"}' \
	"a row is stored in the canonical JSON Lines form, quoted commas kept"
like "$(s3curl "$S3/owlet-data/raw/trips/dt=2026-11-03/$id-b0000-r2.jsonl")" '"note":"two\\nlines"' \
	"a quoted field over two lines is one row"
rej=$(s3curl "$S3/owlet-data/rejects/trips/$id.jsonl")
is "$(printf '%s\n' "$rej" | python3 -c 'import json,sys; [print(d["line"], d["errors"][0].get("field","-"), d["errors"][0]["message"]) for d in map(json.loads, sys.stdin)]')" \
"5 trip_id field 'trip_id' must be at least 1
6 vendor field 'vendor' must be one of 'CMT', 'VTS', 'DDS', not 'XYZ'
7 fare field 'fare' must be at least 0
9 - the row has 3 fields; the header has 5
10 pickup_at field 'pickup_at' must be an ISO 8601 timestamp, not 'not a time'
2 trip_id dataset 'trips' already has a record with key trip_id = 1
8 trip_id key trip_id = 2 appears again: line 3 has it" \
	"rejects/trips/ID.jsonl: each bad row with its line, field and reason (key clashes found when the batch is stored)"

run_plan read "$(plan one "$(ev GET "/datasets/trips/uploads/$id" '' '[editors]')" \
	list "$(ev GET /datasets/trips/uploads '' '[drivers]')" \
	none "$(ev GET /datasets/trips/uploads/20260101T000000000Z-0000000000000000 '' '[editors]')" \
	reader "$(ev GET "/datasets/trips/uploads/$id" '' '[analysts]')" \
	one2 "$(ev GET "/datasets/trips/uploads/$id2" '' '[editors]')" \
	one3 "$(ev GET "/datasets/stations/uploads/$id3" '' '[editors]')")" "${AWS[@]}"
is "$(body one "['status']") $(body one "['accepted']") $(body one "['rejected']") $(body one "['rejects_key']") $(body one "['user']")" \
	"partly_rejected 3 7 rejects/trips/$id.jsonl alice" "GET /datasets/trips/uploads/ID: the outcome, counts, rejects and who"
is "$(body one "['problems'][0]")" "{'field': 'trip_id', 'message': \"field 'trip_id' must be at least 1\", 'line': 5}" \
	"the first problems are in the record with their line numbers"
is "$(body list "['uploads'][1]['id']") $(body list "['uploads'][1]['status']") $(body list "['uploads'][0]['id']")" \
	"$id partly_rejected $id2" "GET /datasets/trips/uploads lists the dataset's uploads, newest first (any writer's group may)"
is "$(resp none "['statusCode']") $(resp reader "['statusCode']")" "404 403" "an unknown id: 404; a reader: 403"

# a header that does not match the model: the whole file is rejected, nothing stored
is "$(body one2 "['status']") $(body one2 "['accepted']") $(body one2 "['message']")" \
	"rejected 0 the header names column 3 'colour', which dataset 'trips' does not have" \
	"a wrong header rejects the whole file, with the reason"
is "$(s3keys raw/trips/ | grep -c -- "$id2")" 0 "nothing of it is stored"
# JSON Lines for stations (keyed, no partition)
is "$(body one3 "['status']") $(body one3 "['accepted']") $(body one3 "['rejected']")" "partly_rejected 2 3" \
	"a JSON Lines upload: 2 rows stored, 3 rejected"
is "$(body one3 "['problems']")" \
	"[{'field': 'active', 'message': \"field 'active' is required\", 'line': 2}, {'message': \"the line is not JSON: column 3: '[' or '{' expected near 'not'\", 'line': 3}, {'field': 'latitude', 'message': \"field 'latitude' must be at most 90\", 'line': 4}]" \
	"its problems by line"
is "$(s3keys raw/stations/ | wc -l) $(s3keys _keys/stations/ | wc -l)" "1 2" "one object and a key marker per stored row"
done_testing
