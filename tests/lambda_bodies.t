#!/usr/bin/env bash
# POST /datasets/NAME/records at its limits, on the real bootstrap under the
# Runtime API of the test, with S3 on a real moto_server on 127.0.0.1:
#   - 400,000 empty records (1.2 MB): refused 413 at once, a small answer,
#     and the function's peak RSS stays under 128 MB (the smallest memory_mb);
#   - 10,000 empty records: 400 listing the first 100 problems and counting
#     the rest; 10,001 records, or too many JSON values: 413;
#   - Idempotency-Key: a retry returns the first answer and stores nothing
#     again; the same key with another body gets 422; a malformed key 400;
#     another user's same key is another key; a retry after a crash between
#     the idempotency record and the data write stores the data once.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lambda_lib.sh"

command -v moto_server >/dev/null || skip_all "moto_server is not installed"
command -v curl >/dev/null || skip_all "curl is not installed"

port=$(free_port)
moto_server -H 127.0.0.1 -p "$port" >"$t/moto.log" 2>&1 &
moto=$!
at_exit "kill $moto 2>/dev/null"
S3=http://127.0.0.1:$port
s3curl() { curl -sf --aws-sigv4 aws:amz:us-east-1:s3 -u testing:testing "$@"; }
for _ in $(seq 100); do curl -sf "$S3/" >/dev/null && break; sleep 0.1; done
s3curl -X PUT "$S3/owlet-data" >/dev/null
ok $? "moto_server runs on 127.0.0.1:$port with bucket owlet-data"
# the keys under a prefix, one a line
s3keys() { s3curl "$S3/owlet-data?list-type=2&prefix=$1" | grep -o '<Key>[^<]*</Key>' | sed 's/<[^>]*>//g'; }

AWS=(AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1
	AWS_ENDPOINT_URL="$S3" OWLET_DATA_BUCKET=owlet-data OWLET_MODEL="$MODEL")

# mkplan SPEC_JSON: a plan of POSTs to trips made from post_trips_one.json;
# SPEC is [{"id", "body" (a string, or {"empty": N} for N empty records,
# or {"values": N} for one record with an array of N integers), "key"
# (Idempotency-Key, optional), "sub" (optional), "groups" (optional)}]
mkplan() {
	python3 - "$OWLET_SRC/tests/fixtures/lambda/events/post_trips_one.json" "$1" <<'PY'
import json, sys
base = json.load(open(sys.argv[1]))
plan = []
for s in json.loads(sys.argv[2]):
    ev = json.loads(json.dumps(base))
    b = s["body"]
    if isinstance(b, dict) and "empty" in b:
        b = "[" + ",".join(["{}"] * b["empty"]) + "]"
    elif isinstance(b, dict) and "worst" in b:  # 9,999 records of 19 nested objects: 199,981 values
        b = "[" + ",".join(["{" + ",".join('"k%d":{}' % i for i in range(19)) + "}"] * 9999) + "]"
    elif isinstance(b, dict) and "values" in b:
        b = '[{"trip_id":[' + ",".join(["1"] * b["values"]) + "]}]"
    ev["body"] = b
    ev["headers"]["content-length"] = str(len(b))
    if "key" in s:
        ev["headers"]["idempotency-key"] = s["key"]
    claims = ev["requestContext"]["authorizer"]["jwt"]["claims"]
    if "sub" in s:
        claims["sub"] = s["sub"]
    plan.append({"id": s["id"], "event": ev, "deadline_in_ms": 10000})
print(json.dumps(plan))
PY
}
status() { resp "$1" "['statusCode']"; }
body_len() { q "len([j(x['body']) for x in r if x['path']=='$P/invocation/$1/response'][0]['body'])"; }

# --- 400,000 empty records ----------------------------------------------------------
run_plan empty400k "$(mkplan '[{"id":"e400k","body":{"empty":400000}}]')" "${AWS[@]}"
is "$(status e400k)" 413 "400,000 empty records: 413"
is "$(body e400k "['message']")" \
	"too many records: 400000; send at most 10000 records per request" "the 413 says the limit"
len=$(body_len e400k)
ok "$([ "${len:-999999}" -lt 65536 ] && echo 0 || echo 1)" "the answer is small ($len bytes < 64 KB)"
diag "peak RSS of the function for 400,000 empty records: ${rss_kb:-?} KiB"
ok "$([ "${rss_kb:-999999}" -lt 131072 ] && echo 0 || echo 1)" \
	"the function stays under 128 MB (the smallest memory_mb) for it: ${rss_kb:-?} KiB"

# --- 10,000 empty records; 10,001; too many values ----------------------------------
run_plan bounds "$(mkplan '[{"id":"e10k","body":{"empty":10000}},{"id":"e10k1","body":{"empty":10001}},
	{"id":"v200k","body":{"values":200000}}]')" "${AWS[@]}"
diag "peak RSS of the function for 10,000 empty records and 200,000 values: ${rss_kb:-?} KiB"
is "$(status e10k)" 400 "10,000 empty records: 400"
is "$(body e10k "['errors'].__len__()")" 100 "the first 100 problems are listed"
is "$(body e10k "['errors'][99]")" "{'record': 49, 'field': 'pickup_at', 'message': \"field 'pickup_at' is required\"}" \
	"in the order found"
is "$(body e10k "['more_errors']")" 19900 "the rest are counted (19,900 more)"
is "$(body e10k "['message']")" "invalid records: 20000 problems; the first 100 are listed, and 19900 more" \
	"the message gives the total"
len=$(body_len e10k)
ok "$([ "${len:-999999}" -lt 65536 ] && echo 0 || echo 1)" "the answer is small ($len bytes < 64 KB)"
is "$(status e10k1)" 413 "10,001 records: 413"
is "$(status v200k)" 413 "one record of 200,000 JSON values: 413"
like "$(body v200k "['message']")" "^too many JSON values: " "and the 413 says why"
ok "$([ "${rss_kb:-999999}" -lt 131072 ] && echo 0 || echo 1)" "the function stays under 128 MB: ${rss_kb:-?} KiB"

# the most the limits let through: 9,999 records, 199,981 values, all objects
run_plan worst "$(mkplan '[{"id":"w","body":{"worst":true}}]')" "${AWS[@]}"
diag "peak RSS of the function for the largest body the limits take (199,981 values, all objects): ${rss_kb:-?} KiB"
is "$(status w)" 400 "the largest body the limits take is parsed and checked: 400"
is "$(body w "['more_errors']")" $((9999 * 21 - 100)) "with its problems counted"
ok "$([ "${rss_kb:-999999}" -lt 131072 ] && echo 0 || echo 1)" "the function stays under 128 MB for it: ${rss_kb:-?} KiB"
is "$(s3keys raw/trips/ | wc -l)" 0 "nothing was stored"

# --- Idempotency-Key ------------------------------------------------------------------
one='{"trip_id": 7, "pickup_at": "2026-11-23T08:15:00Z"}'
two='{"trip_id": 8, "pickup_at": "2026-11-23T08:15:00Z"}'
long=$(printf 'k%.0s' $(seq 256))
spec=$(python3 -c 'import json,sys; one,two,long=sys.argv[1:4]; print(json.dumps([
 {"id":"i1","body":one,"key":"retry-1"},
 {"id":"i2","body":one,"key":"retry-1"},
 {"id":"i3","body":two,"key":"retry-1"},
 {"id":"i4","body":one,"key":long},
 {"id":"i5","body":one,"key":"bad\u0001key"},
 {"id":"i6","body":one,"key":""},
 {"id":"i7","body":one.replace("7", "9", 1),"key":"retry-1","sub":"another-user"},
 {"id":"i8","body":one.replace("7", "10", 1)},
 {"id":"i9","body":one.replace("7", "11", 1)},
 {"id":"i10","body":one.replace("7", "11", 1)}]))' "$one" "$two" "$long")
run_plan idem "$(mkplan "$spec")" "${AWS[@]}"
is "$(status i1)" 201 "POST with Idempotency-Key: 201"
is "$(status i2)" 201 "the retry with the same key and body: 201"
is "$(q "[j(x['body'])['body'] for x in r if x['path']=='$P/invocation/i2/response'][0] == [j(x['body'])['body'] for x in r if x['path']=='$P/invocation/i1/response'][0]")" \
	True "the retry gets the first answer, byte for byte"
is "$(resp i2 "['headers'].get('idempotent-replayed')")" true "and says it is a replay (Idempotent-Replayed: true)"
is "$(resp i1 "['headers'].get('idempotent-replayed')")" None "the first answer does not"
key1=$(body i1 "['key']")
is "$(status i3)" 422 "the same key with another body: 422"
is "$(body i3 "['message']")" \
	"Idempotency-Key 'retry-1' was used with another body in the last 24 hours; use a new key for a new request" \
	"the 422 says why"
is "$(status i4)" 400 "an Idempotency-Key of 256 characters: 400"
is "$(status i5)" 400 "an Idempotency-Key with a control character: 400"
is "$(status i6)" 400 "an empty Idempotency-Key: 400"
like "$(body i5 "['message']")" "^the Idempotency-Key header " "the 400 names the header"
is "$(status i7)" 201 "another user's same key is another key: 201"
unlike "$(body i7 "['key']")" "^$key1\$" "and stores its own object"
is "$(status i8) $(status i9)" "201 201" "without a key, each POST stores (as before)"
is "$(status i10)" 409 "the same record again without an Idempotency-Key: 409, its trip_id is taken"
is "$(s3keys raw/trips/ | wc -l)" 4 "objects stored: one for retry-1, one for the other user, two without a key"
is "$(s3keys raw/trips/ | grep -cxF "$key1")" 1 "the first answer's key is the object stored"
is "$(s3keys _idempotency/trips/ | wc -l)" 2 "one idempotency record per (user, key), under _idempotency/trips/"

# a crash between the idempotency record and the data write leaves the record
# without its object: the retry stores the object, once, under the same key
s3curl -X DELETE "$S3/owlet-data/$key1" >/dev/null
run_plan idem2 "$(mkplan "$(python3 -c 'import json,sys; print(json.dumps([
 {"id":"j1","body":sys.argv[1],"key":"retry-1"},{"id":"j2","body":sys.argv[1],"key":"retry-1"}]))' "$one")")" "${AWS[@]}"
is "$(status j1) $(status j2)" "201 201" "retries after a crash between the two writes: 201"
is "$(body j1 "['key']")" "$key1" "with the first answer"
is "$(s3keys raw/trips/ | grep -cxF "$key1")" 1 "the object is stored again, once"
is "$(s3keys raw/trips/ | wc -l)" 4 "and nothing else"

# two functions take the same retries at the same time: each key stores once
before=$(s3keys raw/trips/ | wc -l)
cspec=$(python3 -c 'import json; print(json.dumps([{"id":"c%d" % i,"key":"conc-%d" % i,
	"body":"{\"trip_id\": %d, \"pickup_at\": \"2026-11-23T08:15:00Z\"}" % (100 + i)} for i in range(8)]))')
cplan=$(mkplan "$cspec")
run_plan conc1 "$cplan" "${AWS[@]}" &
c1=$!
run_plan conc2 "$cplan" "${AWS[@]}" &
c2=$!
wait "$c1" "$c2"
is "$(( $(s3keys raw/trips/ | wc -l) - before ))" 8 "8 keys POSTed by two functions at once: 8 objects stored"
same=0
for i in 0 1 2 3 4 5 6 7; do
	log=$t/conc1/log.json; a="$(status c$i) $(body c$i "['key']")"
	log=$t/conc2/log.json; b="$(status c$i) $(body c$i "['key']")"
	[ "$a" = "$b" ] && [ "${a%% *}" = 201 ] && same=$((same + 1))
done
is "$same" 8 "and both functions answered each key 201 with the same object"

# an idempotency record older than 24 h is expired: the key is new again
rec=$(s3keys _idempotency/trips/ | while read -r k; do
	s3curl "$S3/owlet-data/$k" | grep '"key":"retry-1"' | grep -vq '"sub":"another-user"' && echo "$k"; done)
s3curl "$S3/owlet-data/$rec" | python3 -c 'import json,sys,time; d=json.load(sys.stdin); d["created"]=int(time.time())-86401; print(json.dumps(d))' |
	s3curl -X PUT -H 'Content-Type: application/json' --data-binary @- "$S3/owlet-data/$rec" >/dev/null
run_plan idem3 "$(mkplan "$(python3 -c 'import json,sys; print(json.dumps([
 {"id":"x1","body":sys.argv[1],"key":"retry-1"}]))' "$two")")" "${AWS[@]}"
is "$(status x1)" 201 "after 24 h the same key takes another body: 201"
is "$(s3keys raw/trips/ | wc -l)" $((before + 8 + 1)) "and stores it"
done_testing
