#!/usr/bin/env bash
# The aggregation core in the Lambda, with S3 on a real moto_server on
# 127.0.0.1: GET /datasets/trips/stats merges the stats of every object
# under raw/trips/ (CSV and JSON Lines) and caches each object's partial
# under stats/trips/; a second GET reads the cache (same answer); the S3
# trigger caches a new object's partial; a stale cache entry is recomputed;
# an object that cannot be read is recorded under failures/ and the
# invocation fails (so Lambda retries it).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lambda_lib.sh"

command -v moto_server >/dev/null || skip_all "moto_server is not installed"
command -v curl >/dev/null || skip_all "curl is not installed"

port=$(free_port)
moto_server -H 127.0.0.1 -p "$port" >"$t/moto.log" 2>&1 &
moto=$!
at_exit "kill $moto 2>/dev/null"
S3=http://127.0.0.1:$port
s3() { curl -sf --aws-sigv4 aws:amz:us-east-1:s3 -u testing:testing "$@"; }
s3put() { s3 -X PUT -H 'Content-Type: application/octet-stream' --data-binary @- "$S3/owlet-data/$1" >/dev/null; }
for _ in $(seq 100); do curl -sf "$S3/" >/dev/null && break; sleep 0.1; done
curl -sf -X PUT "$S3/owlet-data" >/dev/null
ok $? "moto_server runs on 127.0.0.1:$port with bucket owlet-data"

a_csv=$'trip_id,pickup_at,fare,vendor\n1,2026-11-01T00:00:00Z,10.5,CMT\n2,2026-11-01T01:00:00Z,,VTS\n3,bad,4.5,CMT\n'
printf '%s' "$a_csv" | s3put raw/trips/dt=2026-11-01/a.csv
printf '{"trip_id": 4, "fare": 20, "vendor": "CMT"}\n{"trip_id": 5, "vendor": "DDS"}\n' |
	s3put raw/trips/dt=2026-11-02/b.jsonl

AWS=(AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1
	AWS_ENDPOINT_URL="$S3" OWLET_DATA_BUCKET=owlet-data OWLET_MODEL="$MODEL")
run_plan first "$(fixture_plan get_trips_stats get_trips_stats)" "${AWS[@]}"
is "$(resp 1-get_trips_stats "['statusCode']")" 200 "GET /datasets/trips/stats: 200"
is "$(body 1-get_trips_stats "['rows']") $(body 1-get_trips_stats "['objects']") $(body 1-get_trips_stats "['cached']")" \
	"5 2 0" "5 rows from 2 objects (CSV and JSON Lines), none from the cache yet"
c="['columns']"
is "$(body 1-get_trips_stats "$c['trip_id']['sum']") $(body 1-get_trips_stats "$c['fare']['sum']") $(body 1-get_trips_stats "$c['fare']['nulls']")" \
	"15 35.0 2" "the merged sums and nulls of both objects"
is "$(body 1-get_trips_stats "$c['pickup_at']['invalid']['examples'][0]")" \
	"{'file': 'raw/trips/dt=2026-11-01/a.csv', 'line': 4, 'value': 'bad'}" "an invalid value names its object and line"
is "$(body 1-get_trips_stats "$c['vendor']['top'][0]")" "{'value': 'CMT', 'count': 3}" "the top vendor"
listing=$(s3 "$S3/owlet-data?list-type=2&prefix=stats/trips/")
like "$listing" "<Key>stats/trips/dt=2026-11-01/a.csv.json</Key>.*<Key>stats/trips/dt=2026-11-02/b.jsonl.json</Key>" \
	"each object's partial is cached under stats/trips/"
is "$(s3 "$S3/owlet-data/stats/trips/dt=2026-11-01/a.csv.json" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["source"], d["size"], d["partial"]["rows"])')" \
	"raw/trips/dt=2026-11-01/a.csv ${#a_csv} 3" "a cache entry names its source and size, and holds the partial"
is "$(body 2-get_trips_stats "['cached']")" 2 "the second GET reads both partials from the cache"
is "$(body 2-get_trips_stats "$c")" "$(body 1-get_trips_stats "$c")" "and answers the same statistics"

# the S3 trigger: a new object, an event for it, and one for a missing object
printf 'trip_id,fare\n6,1.25\n' | s3put raw/trips/dt=2026-11-03/new.csv
s3event() { # KEY SIZE
	python3 -c 'import json,sys; print(json.dumps({"Records": [{"eventSource": "aws:s3", "eventName": "ObjectCreated:Put",
		"s3": {"bucket": {"name": "owlet-data"}, "object": {"key": sys.argv[1], "size": int(sys.argv[2])}}}]}))' "$1" "$2"
}
plan=$(python3 -c 'import json,sys; print(json.dumps([{"id": "s3-new", "event": json.loads(sys.argv[1])},
	{"id": "s3-missing", "event": json.loads(sys.argv[2])}]))' \
	"$(s3event raw/trips/dt%3D2026-11-03/new.csv 20)" "$(s3event raw/trips/dt=2026-11-03/gone.csv 9)")
run_plan trigger "$plan" "${AWS[@]}"
is "$(resp s3-new "['aggregated']")" 1 "an ObjectCreated event aggregates the new object (its key URL-decoded)"
is "$(s3 "$S3/owlet-data/stats/trips/dt=2026-11-03/new.csv.json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["partial"]["rows"])')" \
	1 "its partial is cached"
is "$(q '[j(x["body"])["errorType"] for x in r if x["path"].endswith("/s3-missing/error")]')" "['Owlet.AggregationFailed']" \
	"an object that cannot be read fails the invocation (Lambda retries it)"
like "$(s3 "$S3/owlet-data/failures/stats/raw/trips/dt=2026-11-03/gone.csv.json")" '"source": ?"raw/trips/dt=2026-11-03/gone.csv"' \
	"and the failure is recorded under failures/stats/"

# a stale cache entry (the object was replaced by a longer one) is recomputed
printf 'trip_id,pickup_at,fare,vendor\n1,2026-11-01T00:00:00Z,10.5,CMT\n2,2026-11-01T01:00:00Z,,VTS\n3,bad,4.5,CMT\n7,2026-11-02T00:00:00Z,1,VTS\n' |
	s3put raw/trips/dt=2026-11-01/a.csv
run_plan third "$(fixture_plan get_trips_stats)" "${AWS[@]}"
is "$(body 1-get_trips_stats "['rows']") $(body 1-get_trips_stats "['objects']") $(body 1-get_trips_stats "['cached']")" \
	"7 3 2" "a replaced object is read again; the new object's partial comes from the trigger's cache"
is "$(body 1-get_trips_stats "$c['trip_id']['sum']")" 28 "the sums include the replaced and the new object"
done_testing
