# tests/lambda_lib.sh: helpers of the Lambda tests (sourced after lib.sh).
#   run_plan NAME PLAN_JSON [ENV=VALUE...]   bootstrap under a Runtime API
#                                            server of the test; sets $log,
#                                            $stderr, $rc, $rss_kb (its peak
#                                            RSS in KiB, /usr/bin/time -f %M);
#                                            it is stopped after
#                                            $LAMBDA_TIMEOUT_S (default 20) s
#   q PYTHON_EXPR                            a value of $log's requests
#   resp ID [SUFFIX]                         the response to invocation ID
#   body ID [SUFFIX]                         the JSON body of that response
#   ev METHOD PATH BODY GROUPS               a payload 2.0 event (the fixtures'
#                                            shape) for a caller of GROUPS
#   s3ev KEY...                              an S3 ObjectCreated:Post event
#   evplan ID EVENT [ID EVENT...]            a plan of those events
#   ddb OPERATION JSON                       one DynamoDB call to moto ($S3),
#                                            signed by curl (not by owlet)
#   meta_table NAME                          a table as the storage module's
#                                            metadata table (keys dataset, item)
#   summary TABLE DATASET FIELD              a number of the dataset's summary
#                                            item ("-" when there is none)
#   fixture_plan NAME...                     a plan of recorded events of
#                                            tests/fixtures/lambda/events/,
#                                            invocation ids "N-NAME"
# $t is a temporary directory, $MODEL the model JSON of the fixtures.
BOOTSTRAP=$OWLET_BUILD/lambda/bootstrap
[ -x "$BOOTSTRAP" ] || skip_all "no build/lambda/bootstrap"
t=$(tmpdir)
MODEL=$(cat "$OWLET_SRC/tests/fixtures/lambda/model.json")
P=/2018-06-01/runtime

# run_plan NAME PLAN_JSON [ENV=VALUE...]: runs bootstrap under a fresh
# Runtime API server until the plan is used up; sets $log, $stderr, $rc.
run_plan() {
	local name=$1 plan=$2
	shift 2
	local d=$t/$name
	mkdir -p "$d"
	printf '%s\n' "$plan" >"$d/plan.json"
	python3 "$OWLET_SRC/tests/lambda_runtime_api.py" "$d/plan.json" "$d/log.json" "$d/port" &
	local srv=$!
	at_exit "kill $srv 2>/dev/null"
	for _ in $(seq 100); do [ -s "$d/port" ] && break; sleep 0.05; done
	local wrap=()
	[ -x /usr/bin/time ] && wrap=(/usr/bin/time -q -f %M -o "$d/rss")
	env -i PATH=/usr/bin:/bin AWS_LAMBDA_RUNTIME_API="127.0.0.1:$(cat "$d/port")" "$@" \
		"${wrap[@]}" timeout "${LAMBDA_TIMEOUT_S:-20}" "$BOOTSTRAP" 2>"$d/stderr"
	rc=$?
	rss_kb=$(tail -1 "$d/rss" 2>/dev/null)
	wait "$srv"
	log=$d/log.json
	stderr=$(cat "$d/stderr")
}
# q PYTHON_EXPR: evaluates with r = the list of recorded requests of $log,
# j = json.loads; one python process answers every query (startup is slow)
coproc PYQ { python3 -u -c '
import json, sys
for line in sys.stdin:
    path, expr = line.rstrip("\n").split("\t", 1)
    try:
        r = json.load(open(path))["requests"]
        out = str(eval(expr, {"r": r, "j": json.loads}))
    except Exception as e:
        out = "error: %r" % e
    print(out.replace("\n", "\\n"))
'; }
at_exit "kill $PYQ_PID 2>/dev/null"
q() {
	printf '%s\t%s\n' "$log" "$1" >&"${PYQ[1]}"
	local line
	IFS= read -r line <&"${PYQ[0]}"
	printf '%s\n' "$line"
}

resp() { q "[j(x['body']) for x in r if x['path']=='$P/invocation/$1/response'][0]$2"; }
body() { q "j([j(x['body']) for x in r if x['path']=='$P/invocation/$1/response'][0]['body'])$2"; }

fixture_plan() {
	python3 - "$OWLET_SRC/tests/fixtures/lambda/events" "$@" <<'PY'
import json, sys
d, names = sys.argv[1], sys.argv[2:]
print(json.dumps([{"id": "%d-%s" % (i + 1, n), "event": json.load(open("%s/%s.json" % (d, n)))}
                  for i, n in enumerate(names)]))
PY
}

# moto_s3: starts moto_server on a free 127.0.0.1 port (stopped at exit) with
# the bucket owlet-data; sets $S3 and $AWS (the Lambda's environment for it,
# with OWLET_MODEL=$MODEL as it is when called); defines s3curl (signed curl)
# and s3keys PREFIX (the keys under PREFIX, one a line).
moto_s3() {
	command -v moto_server >/dev/null || skip_all "moto_server is not installed"
	command -v curl >/dev/null || skip_all "curl is not installed"
	local port
	port=$(free_port)
	moto_server -H 127.0.0.1 -p "$port" >"$t/moto.log" 2>&1 &
	at_exit "kill $! 2>/dev/null"
	S3=http://127.0.0.1:$port
	for _ in $(seq 100); do curl -sf "$S3/" >/dev/null && break; sleep 0.1; done
	s3curl -X PUT "$S3/owlet-data" >/dev/null
	ok $? "moto_server runs on 127.0.0.1:$port with bucket owlet-data"
	AWS=(AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1
		AWS_ENDPOINT_URL="$S3" OWLET_DATA_BUCKET=owlet-data OWLET_MODEL="$MODEL")
}
s3curl() { curl -sf --aws-sigv4 aws:amz:us-east-1:s3 -u testing:testing "$@"; }
s3keys() { s3curl "$S3/owlet-data?list-type=2&prefix=$1" | grep -o '<Key>[^<]*</Key>' | sed 's/<[^>]*>//g'; }

# ev METHOD PATH BODY GROUPS: a payload 2.0 event of the fixtures' shape
ev() {
	python3 - "$OWLET_SRC/tests/fixtures/lambda/events/post_trips_one.json" "$@" <<'PY'
import json, sys
e = json.load(open(sys.argv[1]))
method, path, body, groups = sys.argv[2:6]
e["rawPath"] = e["requestContext"]["http"]["path"] = path
e["requestContext"]["http"]["method"] = method
e["routeKey"] = e["requestContext"]["routeKey"] = "%s %s" % (method, path)
e["requestContext"]["authorizer"]["jwt"]["claims"]["cognito:groups"] = groups
if body:
    e["body"] = body
else:
    e.pop("body", None)
print(json.dumps(e))
PY
}
# s3ev KEY...: an S3 ObjectCreated:Post event, as S3 sends it (keys URL-encoded)
s3ev() {
	python3 - "$@" <<'PY'
import json, sys, urllib.parse
print(json.dumps({"Records": [{"eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": "us-east-1",
    "eventName": "ObjectCreated:Post", "s3": {"s3SchemaVersion": "1.0", "configurationId": "owlet-uploads",
    "bucket": {"name": "owlet-data", "arn": "arn:aws:s3:::owlet-data"},
    "object": {"key": urllib.parse.quote_plus(k, safe="/"), "size": 1, "eTag": "x"}}} for k in sys.argv[1:]]}))
PY
}
evplan() { # ID EVENT ... -> a plan of those events, 15 s each
	local out="[" sep=""
	while [ $# -gt 0 ]; do out+="$sep{\"id\":\"$1\",\"deadline_in_ms\":15000,\"event\":$2}"; sep=","; shift 2; done
	printf '%s]' "$out"
}

ddb() {
	curl -s --aws-sigv4 aws:amz:us-east-1:dynamodb -u testing:testing -H "X-Amz-Target: DynamoDB_20120810.$1" \
		-H 'Content-Type: application/x-amz-json-1.0' --data-binary "$2" "$S3/"
}
meta_table() {
	ddb CreateTable '{"TableName":"'"$1"'","BillingMode":"PAY_PER_REQUEST",
 "AttributeDefinitions":[{"AttributeName":"dataset","AttributeType":"S"},{"AttributeName":"item","AttributeType":"S"}],
 "KeySchema":[{"AttributeName":"dataset","KeyType":"HASH"},{"AttributeName":"item","KeyType":"RANGE"}]}'
}
summary() {
	ddb GetItem "{\"TableName\":\"$1\",\"Key\":{\"dataset\":{\"S\":\"$2\"},\"item\":{\"S\":\"summary\"}}}" |
		python3 -c 'import json,sys; i=json.load(sys.stdin).get("Item",{}); print(i.get(sys.argv[1],{}).get("N","-"))' "$3"
}
