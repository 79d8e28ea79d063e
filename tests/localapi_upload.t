#!/usr/bin/env bash
# `owlet upload` end to end on the local stack, without `owlet up` (the
# stack of tests/localapi_stack.sh): the real CLI asks the local API for a
# presigned POST with a user's token, posts the file to owlet's front for
# S3 (which checks it as S3 would and stores it in moto), the front delivers
# the S3 event to the real Lambda artifact, and the CLI waits for the
# outcome and prints it; the rows are then read back through the API.
. "$(dirname "$0")/lib.sh"

command -v moto_server >/dev/null || skip_all "moto_server is not installed"
command -v aws >/dev/null || skip_all "the aws CLI is not installed"
command -v curl >/dev/null || skip_all "curl is not installed"
[ -x "$OWLET_BUILD/lambda/bootstrap" ] || skip_all "no build/lambda/bootstrap"

t=$(tmpdir)
cd "$t" || exit 1
. "$OWLET_SRC/tests/localapi_stack.sh"
localapi_stack
run_owlet build --env local
run_owlet user add writer@example.com --group editors
run_owlet user add reader@example.com --group analysts
run_owlet serve --env local --detach
is "$rc" 0 "the local API runs"
pid=$(python3 -c 'import json; print(json.load(open("state/local/localapi.json"))["pid"])')
at_exit "kill $pid 2>/dev/null"
url=$(python3 -c 'import json; print(json.load(open("state/local/localapi.json"))["url"])')
s3url=$(python3 -c 'import json; print(json.load(open("state/local/localapi.json"))["s3_url"])')
like "$s3url" '^http://127\.0\.0\.1:[0-9]+$' "localapi.json names the front for S3 (s3_url)"

printf 'trip_id,pickup_at,vendor,fare\n1,2026-11-01T08:00:00Z,CMT,10\n0,2026-11-01T09:00:00Z,CMT,11\n2,2026-11-02T10:00:00Z,VTS,12\n' >trips.csv
run_owlet upload --user writer@example.com --dataset trips trips.csv
is "$rc" 1 "owlet upload of a CSV with one bad row: exit 1"
like "$out" "trips.csv: 2 rows accepted, 1 rejected \(partly_rejected\)" "it prints the counts and the outcome"
like "$out" "rejects: s3://$bucket/rejects/trips/[0-9T]+Z-[0-9a-f]{16}\.jsonl" "and where the rejects are"
like "$out" "line 3: trip_id: field 'trip_id' must be at least 1" "and the first problems with their line numbers"
rejects_key=$(printf '%s\n' "$out" | sed -n 's|.*rejects: s3://[^/]*/||p')
like "$(awsl s3 cp "s3://$bucket/$rejects_key" - 2>/dev/null)" '"line":3' "the rejects object is in the bucket"

token=$(printf '%s\n' "$("$OWLET" token writer@example.com)" | tail -1)
api() { curl -s -H "Authorization: Bearer $token" "$url$1"; }
is "$(api /datasets | python3 -c 'import json,sys; print([d["row_count"] for d in json.load(sys.stdin)["datasets"] if d["name"] == "trips"][0])')" 2 \
	"GET /datasets counts the 2 accepted rows"
is "$(api /datasets/trips/stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["rows"])')" 2 \
	"GET /datasets/trips/stats counts them too"
is "$(awsl s3 ls "s3://$bucket/raw/trips/" --recursive | grep -c 'dt=2026-11-0[12]/.*-r1\.jsonl')" 2 \
	"they are stored in the partitions of their own days"

printf '{"station_id":"S1","name":"One","active":true}\n' >st.jsonl
OWLET_TOKEN=$token run_owlet upload stations st.jsonl
is "$rc" 0 "a JSON Lines upload without problems, with the token in OWLET_TOKEN: exit 0"
like "$out" "st.jsonl: 1 row accepted, 0 rejected \(done\)" "it prints the outcome"

run_owlet upload --user reader@example.com --dataset trips trips.csv
is "$rc" 1 "a user whose groups may not write: exit 1"
like "$err" "your groups may not upload to dataset 'trips'" "with the API's 403 message"

# the front refuses what S3 refuses: a presigned POST whose key was changed
ticket=$(curl -s -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
	--data '{"filename":"x.csv"}' "$url/datasets/trips/uploads")
form=()
while IFS= read -r kv; do form+=(-F "$kv"); done < <(printf '%s' "$ticket" | python3 -c 'import json,sys
f = json.load(sys.stdin)["fields"]; f["key"] = "raw/trips/forged.jsonl"
[print("%s=%s" % kv) for kv in f.items()]')
code=$(curl -s -o answer.xml -w '%{http_code}' "${form[@]}" -F 'file=@trips.csv' "$(printf '%s' "$ticket" | python3 -c 'import json,sys; print(json.load(sys.stdin)["url"])')")
is "$code $(grep -o '<Code>[^<]*' answer.xml | cut -c7-)" "403 AccessDenied" "a forged key: 403 AccessDenied, as S3 answers"
is "$(awsl s3 ls "s3://$bucket/raw/trips/forged.jsonl" | wc -l)" 0 "and nothing is stored"
like "$(cat state/local/localapi.log)" "S3 event delivered \(attempt 1\): ok" "the front's events are delivered to the function (localapi.log)"
done_testing
