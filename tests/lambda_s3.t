#!/usr/bin/env bash
# S3 from the Lambda against a scripted S3 endpoint of the test
# (tests/lambda_fake_s3.py) that checks every request's SigV4 signature:
# path-style requests, the session token, x-amz-content-sha256, retries with
# backoff on throttling and 5xx, ListObjectsV2 pagination, and the deadline.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lambda_lib.sh"

# the verifier itself: AWS's published example (GET /test.txt, S3 SigV4
# documentation) passes, and the same request with one header changed fails
verdict=$(python3 - "$OWLET_SRC/tests/lambda_fake_s3.py" <<'PY'
import importlib.util, sys
spec = importlib.util.spec_from_file_location("fake", sys.argv[1])
fake = importlib.util.module_from_spec(spec)
spec.loader.exec_module(fake)
fake.SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
h = {"host": "examplebucket.s3.amazonaws.com", "range": "bytes=0-9",
     "x-amz-content-sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
     "x-amz-date": "20130524T000000Z",
     "authorization": "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
                      "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
                      "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"}
good = fake.check_sigv4("GET", "/test.txt", h, b"") == ""
h["range"] = "bytes=0-8"
bad = fake.check_sigv4("GET", "/test.txt", h, b"") != ""
print("%s %s" % (good, bad))
PY
)
is "$verdict" "True True" "the test's SigV4 verifier accepts AWS's published example and rejects a changed request"

# trips without its key here: the requests scripted below are the object PUTs
# alone (a keyed dataset first PUTs a key marker: tests/lambda_layout.t)
MODEL=$(printf '%s' "$MODEL" | python3 -c 'import json,sys; m=json.load(sys.stdin); m["datasets"]["trips"]["key"]=None; print(json.dumps(m))')

list_page() { # TRUNCATED TOKEN KEY...
	local truncated=$1 token=$2 keys='' k
	shift 2
	for k in "$@"; do keys="$keys<Contents><Key>$k</Key><LastModified>2026-11-23T00:00:00.000Z</LastModified><Size>42</Size></Contents>"; done
	printf '<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>owlet-data</Name><Prefix>raw/</Prefix><KeyCount>%d</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>%s</IsTruncated>%s%s</ListBucketResult>' \
		$# "$truncated" "$keys" "${token:+<NextContinuationToken>$token</NextContinuationToken>}"
}
export -f list_page
python3 - "$t/script.json" <<'PY'
import json, subprocess, sys
page = lambda *a: subprocess.run(["bash", "-c", 'list_page "$@"', "-"] + list(a), capture_output=True, text=True).stdout
answers = [
    {"status": 503, "code": "SlowDown"}, {"status": 400, "code": "RequestTimeout"}, {"status": 200},  # POST 1
    {"status": 200, "body": page("true", "1/abc+def=", "raw/trips/dt=2026-11-01/a&amp;b-r2.jsonl")},     # GET /datasets
    {"status": 200, "body": page("false", "", "raw/trips/dt=2026-11-02/c-r3.jsonl")},
    {"status": 200, "body": page("false", "")}, {"status": 200, "body": page("false", "")},
    {"status": 500, "code": "InternalError"}, {"status": 503, "code": "SlowDown"},                      # POST 2: gives up
    {"status": 429, "code": "TooManyRequests"}, {"status": 503, "code": "SlowDown"},
    {"status": 200, "sleep": 4},                                                                       # POST 3: hangs
    {"status": 403, "code": "AccessDenied"},                                                           # POST 4: refused
]
json.dump({"answers": answers}, open(sys.argv[1], "w"))
PY
python3 "$OWLET_SRC/tests/lambda_fake_s3.py" "$t/script.json" "$t/s3log.json" "$t/s3port" &
fake=$!
at_exit "kill $fake 2>/dev/null"
for _ in $(seq 100); do [ -s "$t/s3port" ] && break; sleep 0.05; done

plan=$(fixture_plan post_trips_one get_datasets_analyst post_trips_one post_trips_one post_trips_one |
	python3 -c 'import json,sys; p=json.load(sys.stdin); p[3]["deadline_in_ms"]=1500; print(json.dumps(p))')
run_plan s3 "$plan" AWS_ACCESS_KEY_ID=AKIDOWLETTEST AWS_SECRET_ACCESS_KEY=testing AWS_SESSION_TOKEN=session-tok \
	AWS_REGION=eu-west-1 AWS_ENDPOINT_URL_S3="http://127.0.0.1:$(cat "$t/s3port")" AWS_ENDPOINT_URL=http://127.0.0.1:9 \
	OWLET_DATA_BUCKET=owlet-data OWLET_MODEL="$MODEL"
rtlog=$log
is "$(resp 1-post_trips_one "['statusCode']")" 201 "a PUT throttled (503 SlowDown) and timed out (400 RequestTimeout) is retried until it succeeds: 201"
is "$(resp 2-get_datasets_analyst "['statusCode']")" 200 "GET /datasets over a paginated listing: 200"
is "$(q "' '.join('%s=%s' % (d['name'], d['row_count']) for d in j([j(x['body']) for x in r if x['path'].endswith('/2-get_datasets_analyst/response')][0]['body'])['datasets'])")" \
	"trips=5 stations=0 readings=0" "row counts are summed over every page (keys with XML entities)"
is "$(resp 3-post_trips_one "['statusCode']")" 502 "a PUT that keeps failing is given up after 4 attempts: 502"
is "$(resp 4-post_trips_one "['statusCode']")" 504 "a PUT that would outlast the deadline: 504"
is "$(resp 5-post_trips_one "['statusCode']")" 502 "a PUT refused (403 AccessDenied): 502"
took=$(q "[x['time'] for x in r if x['path'].endswith('/4-post_trips_one/response')][0] - [x['time'] for x in r if x['method'] == 'GET'][3]")
ok "$(python3 -c "import sys; sys.exit(0 if $took < 1.5 else 1)"; echo $?)" "the 504 is posted before the deadline (after ${took%.???????*} s of 1.5 s)"

log=$t/s3log.json
is "$(q 'len(r)')" 13 "the S3 endpoint got 3 + 4 + 4 + 1 + 1 requests: a 403 is not retried"
is "$(q '[x["signature_problem"] for x in r if x["signature_problem"]]')" "[]" "every request carries a valid SigV4 signature"
is "$(q 'sorted(set(x["headers"]["authorization"].split("Credential=")[1].split("/")[0] + " " + "/".join(x["headers"]["authorization"].split("Credential=")[1].split(",")[0].split("/")[2:]) for x in r))')" \
	"['AKIDOWLETTEST eu-west-1/s3/aws4_request']" "signed with the access key for the region's s3"
is "$(q 'sorted(set(x["headers"].get("x-amz-security-token") for x in r))')" "['session-tok']" "AWS_SESSION_TOKEN is sent as x-amz-security-token"
like "$(q 'r[0]["method"] + " " + r[0]["path"]')" '^PUT /owlet-data/raw/trips/dt%3D[0-9]{4}-[0-9]{2}-[0-9]{2}/[0-9T]+Z-[0-9a-f]{16}-r1\.jsonl$' \
	"objects are written path-style at AWS_ENDPOINT_URL_S3 (which wins over AWS_ENDPOINT_URL)"
is "$(q '[x["path"] == r[0]["path"] and x["body"] == r[0]["body"] for x in r[:3]]')" "[True, True, True]" "each retry sends the same object"
gaps=$(q '[round(r[i]["time"] - r[i-1]["time"], 3) for i in (1, 2)]')
ok "$(python3 -c "g=$gaps; import sys; sys.exit(0 if g[0] >= 0.04 and g[1] >= 0.09 and g[1] > g[0] * 0.9 else 1)"; echo $?)" \
	"retries back off, each pause longer (gaps $gaps s)"
is "$(q 'r[3]["path"]')" "/owlet-data/?list-type=2&prefix=raw%2Ftrips%2F" "ListObjectsV2 with an encoded prefix"
is "$(q 'r[4]["path"]')" "/owlet-data/?continuation-token=1%2Fabc%2Bdef%3D&list-type=2&prefix=raw%2Ftrips%2F" \
	"the next page is asked for with the continuation token"
is "$(q 'r[3]["headers"]["x-amz-content-sha256"]')" "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" \
	"an empty GET carries the hash of the empty payload"

# https: the CA bundle is $SSL_CERT_FILE (or the system's), and is checked,
# the server's name too.  The name is in the certificate as an IP address and
# as a DNS name: the HTTPS-only Lambda's mbedTLS 2.28 matches DNS names only
# (docs/lambda.md), Debian's libcurl (OpenSSL) the IP address.
if command -v openssl >/dev/null; then
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
		-addext subjectAltName=IP:127.0.0.1,DNS:127.0.0.1 -keyout "$t/key.pem" -out "$t/cert.pem" 2>/dev/null
	echo '{"answers": []}' >"$t/tls.json"
	python3 "$OWLET_SRC/tests/lambda_fake_s3.py" "$t/tls.json" "$t/tlslog.json" "$t/tlsport" "$t/cert.pem" "$t/key.pem" &
	tls=$!
	at_exit "kill $tls 2>/dev/null"
	for _ in $(seq 100); do [ -s "$t/tlsport" ] && break; sleep 0.05; done
	TLSENV=(AWS_ACCESS_KEY_ID=AKIDOWLETTEST AWS_SECRET_ACCESS_KEY=testing AWS_ENDPOINT_URL_S3="https://127.0.0.1:$(cat "$t/tlsport")"
		OWLET_DATA_BUCKET=owlet-data OWLET_MODEL="$MODEL")
	run_plan tls-trusted "$(fixture_plan post_trips_one)" "${TLSENV[@]}" SSL_CERT_FILE="$t/cert.pem"
	is "$(resp 1-post_trips_one "['statusCode']")" 201 "https: a server whose certificate is in SSL_CERT_FILE is trusted"
	run_plan tls-untrusted "$(fixture_plan post_trips_one)" "${TLSENV[@]}"
	is "$(resp 1-post_trips_one "['statusCode']")" 502 "https: an unknown certificate is refused (the system bundle is used)"
	like "$stderr" "s3 PUT 'https://127.0.0.1:[0-9]+/owlet-data/raw/trips/.*': .*([Cc]ertificate|Cert verify failed)" \
		"and the log says why"
	# a trusted certificate for another name
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=s3.example.org -addext subjectAltName=DNS:s3.example.org \
		-keyout "$t/key2.pem" -out "$t/cert2.pem" 2>/dev/null
	python3 "$OWLET_SRC/tests/lambda_fake_s3.py" "$t/tls.json" "$t/tlslog2.json" "$t/tlsport2" "$t/cert2.pem" "$t/key2.pem" &
	tls2=$!
	at_exit "kill $tls2 2>/dev/null"
	for _ in $(seq 100); do [ -s "$t/tlsport2" ] && break; sleep 0.05; done
	run_plan tls-othername "$(fixture_plan post_trips_one)" "${TLSENV[@]}" SSL_CERT_FILE="$t/cert2.pem" \
		AWS_ENDPOINT_URL_S3="https://127.0.0.1:$(cat "$t/tlsport2")"
	is "$(resp 1-post_trips_one "['statusCode']")" 502 "https: a trusted certificate for another name is refused"
	like "$stderr" "s3 PUT 'https://127.0.0.1:[0-9]+/.*': .*(does not match|no alternative certificate subject name|CN_MISMATCH)" \
		"and the log says the name does not match"
fi
done_testing
