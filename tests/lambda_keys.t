#!/usr/bin/env bash
# Object keys that try to leave their dataset, with S3 on a real moto_server
# on 127.0.0.1 (issue 21, item 1).  S3 keys may hold "..": an object named
# raw/trips/../stations/s.jsonl is listed under raw/trips/, and a client that
# lets its HTTP library collapse dot segments reads raw/stations/s.jsonl (a
# dataset the caller may not read) and writes its cache under
# stats/stations/; with raw/trips/../../../owlet-tfstate/... it reads and
# writes another bucket.  Such keys are refused (listed, not read, reported
# in the stats answer, on stderr and under failures/stats/refused/), from a
# listing and from an S3 event alike.  Keys with spaces, '+', '%' and
# non-ASCII letters round-trip: they are read, cached and found again.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lambda_lib.sh"

command -v moto_server >/dev/null || skip_all "moto_server is not installed"
command -v curl >/dev/null || skip_all "curl is not installed"

port=$(free_port)
moto_server -H 127.0.0.1 -p "$port" >"$t/moto.log" 2>&1 &
moto=$!
at_exit "kill $moto 2>/dev/null"
S3=http://127.0.0.1:$port
s3() { curl -sf --path-as-is --aws-sigv4 aws:amz:us-east-1:s3 -u testing:testing "$@"; }
s3put() { # BUCKET/KEY (encoded as it must be sent), body on stdin
	s3 -X PUT -H 'Content-Type: application/octet-stream' --data-binary @- "$S3/$1" >/dev/null
}
keys() { # BUCKET PREFIX: the keys under PREFIX, one a line, as S3 lists them
	s3 "$S3/$1?list-type=2&prefix=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$2")" | python3 -c 'import sys, xml.etree.ElementTree as E
ns = "{http://s3.amazonaws.com/doc/2006-03-01/}"
for c in E.parse(sys.stdin).getroot().iter(ns + "Contents"):
    print(c.find(ns + "Key").text)'
}
for _ in $(seq 100); do curl -sf "$S3/" >/dev/null && break; sleep 0.1; done
curl -sf -X PUT "$S3/owlet-data" >/dev/null && curl -sf -X PUT "$S3/owlet-tfstate" >/dev/null
ok $? "moto_server runs on 127.0.0.1:$port with buckets owlet-data and owlet-tfstate"

# trips (the caller may read it): two rows; stations and the state bucket
# hold rows that would show in trips' stats if they were read
printf '{"trip_id": 1, "fare": 10}\n{"trip_id": 2, "fare": 20}\n' | s3put owlet-data/raw/trips/dt=2026-11-01/a.jsonl
printf '{"trip_id": 500, "fare": 1000, "station_id": "secret"}\n' | s3put owlet-data/raw/stations/s.jsonl
printf '{"trip_id": 9000, "fare": 5000}\n' | s3put owlet-tfstate/terraform.tfstate
# the hostile objects: their own bytes are harmless, their names are not
printf '{"trip_id": 3}\n' | s3put owlet-data/raw/trips/../stations/s.jsonl
printf '{"trip_id": 4}\n' | s3put owlet-data/raw/trips/../../../owlet-tfstate/terraform.tfstate
printf '{"trip_id": 5}\n' | s3put owlet-data/raw/trips/./c.jsonl
printf '{"trip_id": 6}\n' | s3put owlet-data/raw/trips//d.jsonl
# a key that needs encoding: a space, '+', '%', '&', non-ASCII letters
odd='raw/trips/dt=2026 11/a+b 50%&é ü.jsonl'
odd_enc=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe="/-_.~"))' "$odd")
printf '{"trip_id": 7, "fare": 1}\n' | s3put "owlet-data/$odd_enc"
is "$(keys owlet-data raw/trips/ | sort | tr '\n' '|')" \
	"raw/trips/../../../owlet-tfstate/terraform.tfstate|raw/trips/../stations/s.jsonl|raw/trips/./c.jsonl|raw/trips//d.jsonl|raw/trips/dt=2026 11/a+b 50%&é ü.jsonl|raw/trips/dt=2026-11-01/a.jsonl|" \
	"moto keeps the names as they were given: six objects under raw/trips/"

AWS=(AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1
	AWS_ENDPOINT_URL="$S3" OWLET_DATA_BUCKET=owlet-data OWLET_MODEL="$MODEL")
run_plan stats "$(fixture_plan get_trips_stats)" "${AWS[@]}"
is "$(resp 1-get_trips_stats "['statusCode']")" 200 "GET /datasets/trips/stats: 200"
is "$(body 1-get_trips_stats "['rows']") $(body 1-get_trips_stats "['columns']['trip_id']['sum']")" "3 10" \
	"only a.jsonl (trip_id 1, 2) and the odd key (7) are counted: not stations' 500, the state's 9000, nor the refused 3, 4, 5, 6"
is "$(body 1-get_trips_stats "['refused']")" 4 "the answer says four keys were refused"
is "$(keys owlet-data stats/stations/)" "" "nothing is written under stats/stations/"
is "$(keys owlet-tfstate '' | tr '\n' '|')" "terraform.tfstate|" "nothing is written into the state bucket"
is "$(keys owlet-data stats/ | sort | tr '\n' '|')" \
	"stats/trips/dt=2026 11/a+b 50%&é ü.jsonl.json|stats/trips/dt=2026-11-01/a.jsonl.json|" \
	"only the two good objects are cached, each under its own name"
like "$stderr" "refused the key 'raw/trips/\.\./stations/s\.jsonl' .*'\.\.'" "stderr names a refused key and why"
refused=$(for k in $(keys owlet-data failures/stats/refused/); do s3 "$S3/owlet-data/$k"; echo; done |
	python3 -c 'import json, sys; print("|".join(sorted(json.loads(l)["source"] for l in sys.stdin if l.strip())))')
is "$refused" "raw/trips/../../../owlet-tfstate/terraform.tfstate|raw/trips/../stations/s.jsonl|raw/trips/./c.jsonl|raw/trips//d.jsonl" \
	"each refused key is recorded under failures/stats/refused/"

run_plan again "$(fixture_plan get_trips_stats)" "${AWS[@]}"
is "$(body 1-get_trips_stats "['rows']") $(body 1-get_trips_stats "['cached']")" "3 2" \
	"a second GET reads both good objects from the cache (the odd key is found again)"

# GET /datasets counts rows the same way: the refused keys are not read
run_plan list "$(fixture_plan get_datasets_analyst)" "${AWS[@]}"
is "$(body 1-get_datasets_analyst "['datasets'][0]['name']") $(body 1-get_datasets_analyst "['datasets'][0]['row_count']")" \
	"trips 3" "GET /datasets: trips has 3 rows (the refused keys are not read)"

# S3 events carry keys URL-encoded, '+' for a space
s3event() { # KEY...
	python3 -c 'import json,sys; print(json.dumps({"Records": [{"eventSource": "aws:s3", "eventName": "ObjectCreated:Put",
		"s3": {"bucket": {"name": "owlet-data"}, "object": {"key": k, "size": 10}}} for k in sys.argv[1:]]}))' "$@"
}
odd_event=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote_plus(sys.argv[1], safe="/"))' "$odd")
s3 -X DELETE "$S3/owlet-data/stats/trips/$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe="/"))' "${odd#raw/trips/}").json" >/dev/null
plan=$(python3 -c 'import json,sys; print(json.dumps([{"id": "s3-" + str(i), "event": json.loads(e)} for i, e in enumerate(sys.argv[1:])]))' \
	"$(s3event "$odd_event")" "$(s3event raw/trips/../stations/s.jsonl)" "$(s3event raw/trips/%2E%2E/stations/s.jsonl)" \
	"$(s3event raw/trips/dt%3D1/%01x.jsonl)")
run_plan events "$plan" "${AWS[@]}"
is "$(resp s3-0 "['aggregated']")" 1 "an event for the odd key ($odd_event) aggregates it"
is "$(keys owlet-data "stats/trips/dt=2026 11/")" "stats/trips/dt=2026 11/a+b 50%&é ü.jsonl.json" "and caches it under its own name"
is "$(resp s3-1 "['aggregated']") $(resp s3-1 "['refused']") $(resp s3-2 "['refused']") $(resp s3-3 "['refused']")" "0 1 1 1" \
	"events for ../ (plain and %2E%2E) and a control character are refused (not retried: a refusal is final)"
like "$stderr" "refused the key 'raw/trips/dt=1/\\\\x01x.jsonl'" "stderr shows a control character escaped"
is "$(keys owlet-data stats/stations/)" "" "still nothing under stats/stations/"

# the same event against a scripted S3 that checks every SigV4 signature
# (tests/lambda_fake_s3.py computes the canonical URI as S3 does: the path
# URI-encoded once): the path goes out exactly as encoded, and is signed so
python3 -c 'import json, sys; json.dump({"answers": [{"status": 200, "body": "{\"trip_id\": 7}\n"}, {"status": 200}]}, open(sys.argv[1], "w"))' "$t/fake.json"
python3 "$OWLET_SRC/tests/lambda_fake_s3.py" "$t/fake.json" "$t/fakelog.json" "$t/fakeport" &
fake=$!
at_exit "kill $fake 2>/dev/null"
for _ in $(seq 100); do [ -s "$t/fakeport" ] && break; sleep 0.05; done
plan=$(python3 -c 'import json,sys; print(json.dumps([{"id": "s3-odd", "event": json.loads(sys.argv[1])}]))' "$(s3event "$odd_event")")
run_plan fake "$plan" "${AWS[@]}" AWS_ENDPOINT_URL_S3="http://127.0.0.1:$(cat "$t/fakeport")"
is "$(resp s3-odd "['aggregated']")" 1 "fake S3: the odd key is aggregated"
log=$t/fakelog.json
is "$(q '[x["method"] + " " + x["path"] for x in r]')" \
	"['GET /owlet-data/$odd_enc', 'PUT /owlet-data/stats/trips/${odd_enc#raw/trips/}.json']" \
	"fake S3: the paths are the keys percent-encoded once, per segment"
is "$(q '[x["signature_problem"] for x in r if x["signature_problem"]]')" "[]" "fake S3: and every request's signature matches them"
done_testing
