#!/usr/bin/env bash
# The aggregation core in the Lambda, with S3 on a real moto_server on
# 127.0.0.1: GET /datasets/trips/stats merges the stats of every object
# of the layout under raw/trips/ (*.jsonl; a stray .csv is not read) and caches each object's partial
# under stats/trips/, keyed by the object's ETag as S3 lists it; a second GET
# reads the cache (same answer); the S3 trigger caches a new object's
# partial; a replaced object is recomputed, also when the replacement has as
# many bytes, and so is an entry without an ETag (null); an object that
# cannot be read is recorded under failures/ and the invocation fails (so
# Lambda retries it).  Then against a scripted S3 (tests/lambda_fake_s3.py):
# S3's &quot;-quoted and multipart ETags, and which ETag an entry records.
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
listed() { # REST (of raw/trips/REST): its ETag (quotes off) and size, as moto lists them
	s3 "$S3/owlet-data?list-type=2&prefix=raw/trips/" | python3 -c 'import sys, xml.etree.ElementTree as E
ns = "{http://s3.amazonaws.com/doc/2006-03-01/}"
for c in E.parse(sys.stdin).getroot().iter(ns + "Contents"):
    if c.find(ns + "Key").text == sys.argv[1]:
        print(c.find(ns + "ETag").text.strip("\""), c.find(ns + "Size").text)' "raw/trips/$1"
}
entry() { # REST: the source, size, etag and partial rows of its cache entry
	s3 "$S3/owlet-data/stats/trips/$1.json" |
		python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["source"], d["size"], d["etag"], d["partial"]["rows"])'
}
for _ in $(seq 100); do curl -sf "$S3/" >/dev/null && break; sleep 0.1; done
curl -sf -X PUT "$S3/owlet-data" >/dev/null
ok $? "moto_server runs on 127.0.0.1:$port with bucket owlet-data"

a_jsonl=$'{"trip_id":1,"pickup_at":"2026-11-01T00:00:00Z","fare":10.5,"vendor":"CMT"}\n{"trip_id":2,"pickup_at":"2026-11-01T01:00:00Z","vendor":"VTS"}\n{"trip_id":3,"pickup_at":"bad","fare":4.5,"vendor":"CMT"}\n'
printf '%s' "$a_jsonl" | s3put raw/trips/dt=2026-11-01/a.jsonl
# not part of the layout (docs/contracts.md): never read, as no table reads it
printf 'trip_id,fare\n99,1000\n' | s3put raw/trips/dt=2026-11-01/stray.csv
printf '{"trip_id":98,"fare":1000}\n' | s3put raw/trips/dt=2026-11-01/stray.json
printf '{"trip_id": 4, "fare": 20, "vendor": "CMT"}\n{"trip_id": 5, "vendor": "DDS"}\n' |
	s3put raw/trips/dt=2026-11-02/b.jsonl

AWS=(AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1
	AWS_ENDPOINT_URL="$S3" OWLET_DATA_BUCKET=owlet-data OWLET_MODEL="$MODEL")
run_plan first "$(fixture_plan get_trips_stats get_trips_stats)" "${AWS[@]}"
is "$(resp 1-get_trips_stats "['statusCode']")" 200 "GET /datasets/trips/stats: 200"
is "$(body 1-get_trips_stats "['rows']") $(body 1-get_trips_stats "['objects']") $(body 1-get_trips_stats "['cached']")" \
	"5 2 0" "5 rows from the 2 *.jsonl objects (not the .csv, not the .json), none from the cache yet"
c="['columns']"
is "$(body 1-get_trips_stats "$c['trip_id']['sum']") $(body 1-get_trips_stats "$c['fare']['sum']") $(body 1-get_trips_stats "$c['fare']['nulls']")" \
	"15 35.0 2" "the merged sums and nulls of both objects"
is "$(body 1-get_trips_stats "$c['pickup_at']['invalid']['examples'][0]")" \
	"{'file': 'raw/trips/dt=2026-11-01/a.jsonl', 'line': 3, 'value': 'bad'}" "an invalid value names its object and line"
is "$(body 1-get_trips_stats "$c['vendor']['top'][0]")" "{'value': 'CMT', 'count': 3}" "the top vendor"
listing=$(s3 "$S3/owlet-data?list-type=2&prefix=stats/trips/")
like "$listing" "<Key>stats/trips/dt=2026-11-01/a.jsonl.json</Key>.*<Key>stats/trips/dt=2026-11-02/b.jsonl.json</Key>" \
	"each object's partial is cached under stats/trips/"
a_etag=$(listed dt=2026-11-01/a.jsonl)
a_etag=${a_etag% *}
like "$a_etag" '^[0-9a-f]{32}$' "moto lists a.jsonl with an ETag ($a_etag)"
is "$(entry dt=2026-11-01/a.jsonl)" "raw/trips/dt=2026-11-01/a.jsonl ${#a_jsonl} $a_etag 3" \
	"a cache entry names its source, size and ETag (as moto lists it), and holds the partial"
is "$(body 2-get_trips_stats "['cached']")" 2 "the second GET reads both partials from the cache"
is "$(body 2-get_trips_stats "$c")" "$(body 1-get_trips_stats "$c")" "and answers the same statistics"

# the S3 trigger: a new object, an event for it, and one for a missing object
printf '{"trip_id":6,"fare":1.25}\n' | s3put raw/trips/dt=2026-11-03/new.jsonl
s3event() { # KEY SIZE ETAG (S3's events carry it unquoted)
	python3 -c 'import json,sys; print(json.dumps({"Records": [{"eventSource": "aws:s3", "eventName": "ObjectCreated:Put",
		"s3": {"bucket": {"name": "owlet-data"}, "object": {"key": sys.argv[1], "size": int(sys.argv[2]), "eTag": sys.argv[3]}}}]}))' "$@"
}
new_etag=$(listed dt=2026-11-03/new.jsonl)
new_etag=${new_etag% *}
plan=$(python3 -c 'import json,sys; print(json.dumps([{"id": "s3-new", "event": json.loads(sys.argv[1])},
	{"id": "s3-missing", "event": json.loads(sys.argv[2])}]))' \
	"$(s3event raw/trips/dt%3D2026-11-03/new.jsonl 26 "$new_etag")" "$(s3event raw/trips/dt=2026-11-03/gone.jsonl 9 0123)")
run_plan trigger "$plan" "${AWS[@]}"
is "$(resp s3-new "['aggregated']")" 1 "an ObjectCreated event aggregates the new object (its key URL-decoded)"
is "$(entry dt=2026-11-03/new.jsonl)" "raw/trips/dt=2026-11-03/new.jsonl 26 $new_etag 1" "its partial is cached under its ETag"
is "$(q '[j(x["body"])["errorType"] for x in r if x["path"].endswith("/s3-missing/error")]')" "['Owlet.AggregationFailed']" \
	"an object that cannot be read fails the invocation (Lambda retries it)"
like "$(s3 "$S3/owlet-data/failures/stats/raw/trips/dt=2026-11-03/gone.jsonl.json")" '"source": ?"raw/trips/dt=2026-11-03/gone.jsonl"' \
	"and the failure is recorded under failures/stats/"
run_plan stray "$(python3 -c 'import json,sys; print(json.dumps([{"id": "s3-stray", "event": json.loads(sys.argv[1])}]))' \
	"$(s3event raw/trips/dt%3D2026-11-01/stray.csv 20 0123)")" "${AWS[@]}"
is "$(resp s3-stray "['ok']") $(resp s3-stray "['aggregated']")" "True 0" "the event of an object outside the layout (.csv) does nothing"
is "$(s3 "$S3/owlet-data?list-type=2&prefix=stats/trips/dt=2026-11-01/stray" | grep -c '<Key>')" 0 "and caches nothing"

# a stale cache entry (the object was replaced by a longer one) is recomputed
printf '%s{"trip_id":7,"pickup_at":"2026-11-02T00:00:00Z","fare":1,"vendor":"VTS"}\n' "$a_jsonl" |
	s3put raw/trips/dt=2026-11-01/a.jsonl
run_plan third "$(fixture_plan get_trips_stats)" "${AWS[@]}"
is "$(body 1-get_trips_stats "['rows']") $(body 1-get_trips_stats "['objects']") $(body 1-get_trips_stats "['cached']")" \
	"7 3 2" "a replaced object is read again; the new object's partial comes from the trigger's cache"
is "$(body 1-get_trips_stats "$c['trip_id']['sum']")" 28 "the sums include the replaced and the new object"

# an object overwritten in place with other bytes of the same length: only
# its ETag tells, and its cached partial is not used
read -r b_etag b_size <<<"$(listed dt=2026-11-02/b.jsonl)"
is "$(entry dt=2026-11-02/b.jsonl)" "raw/trips/dt=2026-11-02/b.jsonl $b_size $b_etag 2" "b.jsonl is cached under its ETag"
printf '{"trip_id": 8, "fare": 30, "vendor": "VTS"}\n{"trip_id": 9, "vendor": "VTS"}\n' |
	s3put raw/trips/dt=2026-11-02/b.jsonl
read -r b_etag2 b_size2 <<<"$(listed dt=2026-11-02/b.jsonl)"
ok "$([ "$b_size2" = "$b_size" ] && [ "$b_etag2" != "$b_etag" ]; echo $?)" \
	"the replacement has as many bytes ($b_size) and another ETag ($b_etag2)"
run_plan fourth "$(fixture_plan get_trips_stats get_trips_stats)" "${AWS[@]}"
is "$(body 1-get_trips_stats "['rows']") $(body 1-get_trips_stats "['objects']") $(body 1-get_trips_stats "['cached']")" \
	"7 3 2" "the replaced object is read again; the two unchanged ones come from the cache"
is "$(body 1-get_trips_stats "$c['trip_id']['sum']") $(body 1-get_trips_stats "$c['fare']['sum']") $(body 1-get_trips_stats "$c['vendor']['top'][0]")" \
	"36 47.25 {'value': 'VTS', 'count': 4}" "the statistics are the new bytes' (the old ones gave 28, 37.25 and CMT)"
is "$(entry dt=2026-11-02/b.jsonl)" "raw/trips/dt=2026-11-02/b.jsonl $b_size $b_etag2 2" \
	"its cache entry is overwritten under the new ETag, as moto lists it"
is "$(body 2-get_trips_stats "['cached']") $(body 2-get_trips_stats "$c")" "3 $(body 1-get_trips_stats "$c")" \
	"and the next GET reads all three from the cache, with the same answer"

# an entry without an ETag (as written before ETags were kept) is not used,
# even with the right source and size: it is recomputed and overwritten
read -r a_etag a_size <<<"$(listed dt=2026-11-01/a.jsonl)"
s3 "$S3/owlet-data/stats/trips/dt=2026-11-01/a.jsonl.json" |
	python3 -c 'import json,sys; d=json.load(sys.stdin); d["etag"]=None; d["partial"]["rows"]=1000; print(json.dumps(d))' |
	s3put stats/trips/dt=2026-11-01/a.jsonl.json
is "$(entry dt=2026-11-01/a.jsonl)" "raw/trips/dt=2026-11-01/a.jsonl $a_size None 1000" "a.jsonl's entry now has a null etag (and a false row count)"
run_plan fifth "$(fixture_plan get_trips_stats)" "${AWS[@]}"
is "$(body 1-get_trips_stats "['rows']") $(body 1-get_trips_stats "['cached']")" "7 2" \
	"a null etag is a miss: a.jsonl is read again (7 rows, not 1004)"
is "$(entry dt=2026-11-01/a.jsonl)" "raw/trips/dt=2026-11-01/a.jsonl $a_size $a_etag 4" "and its entry is rewritten with its ETag"

# S3 itself (tests/lambda_fake_s3.py answers as a script says): listings
# quote ETags as &quot;, a multipart upload's ends in -N; the ETag recorded
# is the GET's (the version read), the event's eTag only when the GET's
# answer has none
s3 "$S3/owlet-data/stats/trips/dt=2026-11-03/new.jsonl.json" | python3 -c '
import json, sys
partial = json.load(sys.stdin)["partial"]  # of the line of new.jsonl, as x.jsonl and y.jsonl below
csv = "{\"trip_id\":6,\"fare\":1.25}\n"
k = "raw/trips/dt=2026-11-04/"
def entry(name, etag):
    return json.dumps({"source": k + name, "size": len(csv), "etag": etag, "partial": partial})
def contents(name, etag):
    return "<Contents><Key>%s</Key><LastModified>2026-11-23T00:00:00.000Z</LastModified><ETag>&quot;%s&quot;</ETag><Size>%d</Size><StorageClass>STANDARD</StorageClass></Contents>" % (k + name, etag, len(csv))
page = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
        "<Name>owlet-data</Name><Prefix>raw/trips/</Prefix><KeyCount>2</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>"
        + contents("x.jsonl", "abc-3") + contents("y.jsonl", "0f343b0931126a20f133d67c2b018a3b") + "</ListBucketResult>")
answers = [
    {"status": 200, "body": csv, "headers": {"ETag": "\"abc-3\""}}, {"status": 200},  # event: x.jsonl, its entry
    {"status": 200, "body": csv}, {"status": 200},                                    # y.jsonl (no ETag header), its entry
    {"status": 200, "body": page},                                                    # GET stats: the listing
    {"status": 200, "body": entry("x.jsonl", "abc-3")},                                 # x: a hit
    {"status": 200, "body": entry("y.jsonl", "event-y")},                               # y: another ETag
    {"status": 200, "body": csv, "headers": {"ETag": "\"0f343b0931126a20f133d67c2b018a3b\""}}, {"status": 200},
]
json.dump({"answers": answers}, open(sys.argv[1], "w"))' "$t/fake.json"
python3 "$OWLET_SRC/tests/lambda_fake_s3.py" "$t/fake.json" "$t/fakelog.json" "$t/fakeport" &
fake=$!
at_exit "kill $fake 2>/dev/null"
for _ in $(seq 100); do [ -s "$t/fakeport" ] && break; sleep 0.05; done
events=$(python3 -c 'import json,sys; a, b = (json.loads(x) for x in sys.argv[1:]); a["Records"] += b["Records"]; print(json.dumps(a))' \
	"$(s3event raw/trips/dt%3D2026-11-04/x.jsonl 20 event-x)" "$(s3event raw/trips/dt%3D2026-11-04/y.jsonl 20 event-y)")
plan=$(python3 -c 'import json,sys; print(json.dumps([{"id": "s3-xy", "event": json.loads(sys.argv[1])}] +
	json.loads(sys.argv[2])))' "$events" "$(fixture_plan get_trips_stats)")
run_plan fake "$plan" "${AWS[@]}" AWS_ENDPOINT_URL_S3="http://127.0.0.1:$(cat "$t/fakeport")"
is "$(resp s3-xy "['aggregated']")" 2 "S3: an event of two objects aggregates both"
is "$(body 1-get_trips_stats "['rows']") $(body 1-get_trips_stats "['objects']") $(body 1-get_trips_stats "['cached']")" "2 2 1" \
	"S3: the entry of a multipart object listed as &quot;abc-3&quot; is used; the other is read again"
log=$t/fakelog.json
is "$(q '[x["method"] + " " + x["path"].split("/", 2)[2] for x in r]')" \
	"['GET raw/trips/dt%3D2026-11-04/x.jsonl', 'PUT stats/trips/dt%3D2026-11-04/x.jsonl.json', 'GET raw/trips/dt%3D2026-11-04/y.jsonl', 'PUT stats/trips/dt%3D2026-11-04/y.jsonl.json', 'GET ?list-type=2&prefix=raw%2Ftrips%2F', 'GET stats/trips/dt%3D2026-11-04/x.jsonl.json', 'GET stats/trips/dt%3D2026-11-04/y.jsonl.json', 'GET raw/trips/dt%3D2026-11-04/y.jsonl', 'PUT stats/trips/dt%3D2026-11-04/y.jsonl.json']" \
	"S3: the requests, in order (every answer of the script used)"
is "$(q '[j(x["body"])["etag"] for x in r if x["method"] == "PUT"]')" "['abc-3', 'event-y', '0f343b0931126a20f133d67c2b018a3b']" \
	"S3: entries take the GET's ETag header (not the event's event-x), else the event's eTag; unquoted"
is "$(q '[x["signature_problem"] for x in r if x["signature_problem"]]')" "[]" "S3: every request is signed"
done_testing
