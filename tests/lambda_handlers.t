#!/usr/bin/env bash
# The dataset API of the Lambda on recorded API Gateway payload 2.0 events
# (tests/fixtures/lambda/events/), with S3 on a real moto_server on
# 127.0.0.1: access from cognito:groups (string and array forms), schemas,
# record validation (400 with every problem), POST then GET (the JSON Lines
# object in S3, row counts), 401/403/404/405/501.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lambda_lib.sh"

command -v moto_server >/dev/null || skip_all "moto_server is not installed"
command -v curl >/dev/null || skip_all "curl is not installed"

port=$(free_port)
moto_server -H 127.0.0.1 -p "$port" >"$t/moto.log" 2>&1 &
moto=$!
at_exit "kill $moto 2>/dev/null"
S3=http://127.0.0.1:$port
# moto answers unsigned object reads 403: sign them as the Lambda does
s3get() { curl -sf --aws-sigv4 aws:amz:us-east-1:s3 -u testing:testing "$S3/owlet-data/$1"; }
for _ in $(seq 100); do curl -sf "$S3/" >/dev/null && break; sleep 0.1; done
curl -sf -X PUT "$S3/owlet-data" >/dev/null
ok $? "moto_server runs on 127.0.0.1:$port with bucket owlet-data"
# objects that arrived without the API: a CSV with a header and a JSON Lines file
# (copied by hand in the layout of docs/contracts.md: canonical JSON Lines)
printf '{"trip_id":100,"pickup_at":"2026-11-01 00:00:00"}\n{"trip_id":101,"pickup_at":"2026-11-01 00:05:00"}\n' |
	curl -sf -X PUT -H 'Content-Type: application/octet-stream' --data-binary @- "$S3/owlet-data/raw/trips/dt=2026-11-01/bulk.jsonl" >/dev/null
printf '{"station_id":"a"}\n{"station_id":"b"}\n{"station_id":"c"}' |
	curl -sf -X PUT -H 'Content-Type: application/octet-stream' --data-binary @- "$S3/owlet-data/raw/stations/dt=2026-11-01/bulk.jsonl" >/dev/null

AWS=(AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_SESSION_TOKEN=token AWS_REGION=us-east-1
	AWS_ENDPOINT_URL="$S3" OWLET_DATA_BUCKET=owlet-data OWLET_MODEL="$MODEL")
plan=$(fixture_plan get_datasets_analyst post_trips_one post_trips_two_base64 post_trips_invalid \
	post_trips_not_json post_stations_forbidden post_readings_nobody get_datasets_analyst \
	get_datasets_driver_array get_datasets_stage_v1 get_trips_schema get_trips_forbidden \
	get_unknown_dataset get_trips_stats get_no_claims get_no_groups delete_trips post_trips_nul_body \
	post_trips_group_comma post_trips_group_brackets post_trips_group_array_hostile post_trips_group_33rd \
	post_trips_group_33rd_array)
run_plan api "$plan" "${AWS[@]}"
is "$(q 'len([x for x in r if x["path"].endswith("/response")])')" 23 "every event is answered with a response"

counts() { body "$1" "['datasets']" >/dev/null; q "' '.join('%s=%s' % (d['name'], d['row_count']) for d in j([j(x['body']) for x in r if x['path']=='$P/invocation/$1/response'][0]['body'])['datasets'])"; }
is "$(resp 1-get_datasets_analyst "['statusCode']")" 200 "GET /datasets: 200"
is "$(counts 1-get_datasets_analyst)" "trips=2 stations=3 readings=0" \
	"GET /datasets: row counts of objects that arrived without the API (their lines)"
is "$(body 1-get_datasets_analyst "['datasets'][0]['fields'][0]")" \
	"{'name': 'trip_id', 'type': 'int', 'required': True, 'min': 1}" "GET /datasets lists the fields"

is "$(resp 2-post_trips_one "['statusCode']")" 201 "POST one record (editors): 201"
key1=$(body 2-post_trips_one "['key']")
like "$key1" "^raw/trips/dt=2026-11-23/[0-9]{8}T[0-9]{9}Z-[0-9a-f]{16}-r1\.jsonl$" \
	"the object key is raw/trips/dt=<day of pickup_at>/<time>-<random>-r<records>.jsonl"
is "$(body 2-post_trips_one "['records']")" 1 "the answer counts the records"
is "$(s3get "$key1")" \
	'{"trip_id":1,"pickup_at":"2026-11-23 08:15:00","vendor":"CMT","passengers":2,"distance_km":3.4,"fare":12.5,"paid_card":true,"note":"airport run"}' \
	"the record is in S3 as one canonical JSON line (timestamp in UTC, without T or zone)"
is "$(resp 3-post_trips_two_base64 "['statusCode']")" 201 "POST an array, base64 body, groups as a JSON array (drivers): 201"
key2=$(body 3-post_trips_two_base64 "['key']")
is "$(s3get "$key2" | wc -l)" 2 "two records of one day, two lines, one object"
is "$(s3get "$key2" | head -1)" '{"trip_id":2,"pickup_at":"2026-11-23 08:00:00","pickup_day":"2026-11-23"}' \
	"a timestamp with an offset is stored in UTC"
like "$(s3get "$key2" | tail -1)" '"pickup_at":"2026-11-23 10:30:00.250"' "a fraction is kept (whole milliseconds: 3 digits)"
like "$(s3get "$key2" | tail -1)" '"note":"ünïcödé"' "UTF-8 survives"

is "$(resp 4-post_trips_invalid "['statusCode']")" 400 "invalid records: 400"
problems=$(q "'\\n'.join('%s %s %s' % (e.get('record', '-'), e.get('field', '-'), e['message']) for e in j([j(x['body']) for x in r if x['path']=='$P/invocation/4-post_trips_invalid/response'][0]['body'])['errors'])")
problems=${problems//\\n/$'\n'}
is "$(printf '%s\n' "$problems" | wc -l)" 11 "every problem is listed (11)"
for want in "0 colour unknown field 'colour' for dataset 'trips'" "0 trip_id field 'trip_id' must be at least 1" \
	"0 pickup_at field 'pickup_at' must be an ISO 8601 timestamp, not 'yesterday'" \
	"0 pickup_day field 'pickup_day' must be a date (YYYY-MM-DD), not '2026-02-30'" \
	"0 vendor field 'vendor' must be one of 'CMT', 'VTS', 'DDS', not 'XYZ'" "0 passengers field 'passengers' must be at most 9" \
	"0 fare field 'fare' must be a number, not a string" "0 paid_card field 'paid_card' must be a boolean, not a string" \
	"0 note field 'note' is longer than max_length 200" "1 trip_id field 'trip_id' is required" \
	"2 - record 2 must be a JSON object, not an integer"; do
	printf '%s\n' "$problems" | grep -qxF -- "$want"
	ok $? "problem listed: $want"
done
is "$(resp 5-post_trips_not_json "['statusCode']")" 400 "a body that is not JSON: 400"
like "$(body 5-post_trips_not_json "['message']")" "^the body is not JSON: 1:" "and the message says where"
is "$(resp 6-post_stations_forbidden "['statusCode']")" 403 "POST to stations as drivers: 403"
is "$(body 6-post_stations_forbidden "['message']")" "your groups may not write to dataset 'stations'" "the 403 says why"
is "$(resp 7-post_readings_nobody "['statusCode']")" 403 "POST to a dataset nobody may write: 403"

is "$(counts 8-get_datasets_analyst)" "trips=5 stations=3 readings=0" "POST then GET: the row counts include the new records"
is "$(counts 9-get_datasets_driver_array)" "readings=0" "drivers may only read readings (read: any signed-in user)"
is "$(resp 10-get_datasets_stage_v1 "['statusCode']")" 200 "a named stage's prefix is stripped from rawPath"
is "$(resp 11-get_trips_schema "['statusCode']")" 200 "GET /datasets/trips: 200"
is "$(body 11-get_trips_schema "['access']")" "{'read': ['analysts', 'editors'], 'write': ['editors', 'drivers']}" \
	"the schema has the access lists"
is "$(body 11-get_trips_schema "['fields'][4]")" \
	"{'name': 'vendor', 'type': 'string', 'required': False, 'enum': ['CMT', 'VTS', 'DDS']}" "the schema has the enums"
is "$(body 11-get_trips_schema "['partition_by']")" "pickup_at" "the schema has partition_by"
is "$(resp 12-get_trips_forbidden "['statusCode']")" 403 "GET /datasets/trips as drivers: 403"
is "$(resp 13-get_unknown_dataset "['statusCode']") $(body 13-get_unknown_dataset "['message']")" \
	"404 no dataset 'taxis'" "an unknown dataset: 404"
is "$(resp 14-get_trips_stats "['statusCode']")" 200 "GET /datasets/trips/stats: 200"
is "$(body 14-get_trips_stats "['rows']")" 5 "GET /datasets/trips/stats: the rows of every object (tests/agg_lambda.t has the rest)"
is "$(resp 15-get_no_claims "['statusCode']")" 401 "no JWT claims: 401"
is "$(counts 16-get_no_groups)" "readings=0" "a signed-in user without groups reads what '*' allows"
is "$(resp 17-delete_trips "['statusCode']")" 405 "a known path with another method: 405"
like "$(resp 17-delete_trips "['headers']")" "application/json" "every answer is JSON"
is "$(resp 18-post_trips_nul_body "['statusCode']")" 400 "a (base64) body with a NUL byte inside: 400"
like "$(body 18-post_trips_nul_body "['message']")" "^the body is not JSON" "it is not JSON"
# cognito:groups: a group's name is never split; only the model's groups count, all of them
is "$(resp 19-post_trips_group_comma "['statusCode']")" 403 "a group named 'ops,editors' ('[ops,editors]') may not write trips: 403"
is "$(resp 20-post_trips_group_brackets "['statusCode']")" 403 "a group named '[editors]' ('[[editors]]') may not write trips: 403"
is "$(resp 21-post_trips_group_array_hostile "['statusCode']")" 403 \
	"an array of 'ops,editors', '[editors]', 'editors ' and '*' may not write trips: 403"
# these two post trip_id 1 again: past the write check, the key is taken (409, not 403)
is "$(resp 22-post_trips_group_33rd "['statusCode']")" 409 "editors as the 33rd group (string form) may write trips: past the check, 409 for the key"
is "$(resp 23-post_trips_group_33rd_array "['statusCode']")" 409 "editors as the 33rd group (JSON array) may write trips: past the check, 409 for the key"
is "$(body 23-post_trips_group_33rd_array "['message']")" "dataset 'trips' already has a record with key trip_id = 1" \
	"the 409 names the key"
is "$rc" 1 "(the program ran until the Runtime API went away)"
# a record that gives a field twice: 400, as `owlet stats` refuses it too (issue 21)
plan=$(python3 - "$OWLET_SRC/tests/fixtures/lambda/events/post_trips_not_json.json" <<'PY'
import json, sys
e = json.load(open(sys.argv[1]))
e["body"] = '{"trip_id": 7, "pickup_at": "2026-11-23T08:15:00Z", "trip_id": 8}'
e["headers"]["content-length"] = str(len(e["body"]))
print(json.dumps([{"id": "1-post_trips_duplicate_key", "event": e}]))
PY
)
run_plan dup "$plan" "${AWS[@]}"
is "$(resp 1-post_trips_duplicate_key "['statusCode']")" 400 "a record that gives a field twice: 400"
like "$(body 1-post_trips_duplicate_key "['message']")" "duplicate object key" "and the message says why"
done_testing
