#!/usr/bin/env bash
# The Lambda runtime loop against a minimal Runtime API server written for
# this test (tests/lambda_runtime_api.py): request paths, headers, the
# response and error shapes, Lambda-Runtime-Function-Error-Type, the trace
# id, the deadline, the init error path, and that bad events never end the
# loop.
. "$(dirname "$0")/lib.sh"

. "$(dirname "$0")/lambda_lib.sh"

http_event() { # METHOD PATH [GROUPS_JSON]
	printf '{"version":"2.0","routeKey":"%s %s","rawPath":"%s","requestContext":{"stage":"$default","http":{"method":"%s","path":"%s"},"authorizer":{"jwt":{"claims":{"sub":"u-1","cognito:groups":%s}}}}}' \
		"$1" "$2" "$2" "$1" "$2" "${3:-\"[analysts editors]\"}"
}

plan=$(cat <<EOF
[{"id": "ok-1", "trace_id": "Root=1-5f84c7a9-0123456789abcdef01234567;Sampled=1", "event": $(http_event GET /datasets)},
 {"id": "bad-json", "raw": true, "event": "{this is not json"},
 {"id": "odd-event", "event": {"hello": "world"}},
 {"id": "nul-event", "raw": true, "event": "{\"a\": 1}\u0000{\"rawPath\": \"/datasets\"}"},
 {"id": "late-1", "deadline_in_ms": 20, "event": $(http_event GET /datasets)},
 {"id": "late-s3", "deadline_in_ms": 20, "event": {"Records": [{"s3": {"bucket": {"name": "b"}, "object": {"key": "raw/trips/x.csv"}}}]}},
 {"id": "nf-1", "event": $(http_event GET /nowhere)},
 {"id": "s3-1", "event": {"Records": [{"eventName": "ObjectCreated:Put", "s3": {"bucket": {"name": "b"}, "object": {"key": "raw/trips/x.csv"}}}]}},
 {"id": "ok-2", "event": $(http_event GET /datasets/trips)}]
EOF
)
run_plan loop "$plan" OWLET_MODEL="$MODEL"

is "$rc" 1 "the program exits 1 once the Runtime API is gone (after the plan)"
is "$(q '[x["path"] for x in r if x["method"]=="GET"] == ["'$P'/invocation/next"]*10')" "True" \
	"every GET is $P/invocation/next: one per invocation, and one more"
is "$(q '[x["path"] for x in r if x["method"]=="POST"]')" \
	"['$P/invocation/ok-1/response', '$P/invocation/bad-json/error', '$P/invocation/odd-event/error', '$P/invocation/nul-event/error', '$P/invocation/late-1/response', '$P/invocation/late-s3/error', '$P/invocation/nf-1/response', '$P/invocation/s3-1/response', '$P/invocation/ok-2/response']" \
	"each invocation is answered once, in order, at the path of its request id"
is "$(q 'len(set(x["client_port"] for x in r))')" 1 "one connection is reused for every request"

err_req() { q "[x for x in r if x['path']=='$P/invocation/$1/error'][0]$2"; }

is "$(resp ok-1 '["statusCode"]')" 200 "GET /datasets answers 200"
is "$(resp ok-1 '["headers"]')" "{'content-type': 'application/json'}" "the response has content-type application/json"
is "$(resp ok-1 '["isBase64Encoded"]')" False "the response is not base64"
is "$(q "[d['name'] for d in j([j(x['body']) for x in r if x['path']=='$P/invocation/ok-1/response'][0]['body'])['datasets']]")" \
	"['trips', 'stations', 'readings']" "the body is JSON: the datasets the caller's groups may read"
like "$stderr" 'ok-1 GET /datasets 200 .* trace=Root=1-5f84c7a9-0123456789abcdef01234567;Sampled=1' \
	"_X_AMZN_TRACE_ID is set from Lambda-Runtime-Trace-Id during the invocation"
like "$stderr" 'ok-2 GET /datasets/trips 200 .* trace=-$' "_X_AMZN_TRACE_ID is unset when no trace id came"

is "$(err_req bad-json '["headers"]["lambda-runtime-function-error-type"]')" "Owlet.InvalidEvent" \
	"an event that is not JSON gets an error with Lambda-Runtime-Function-Error-Type"
is "$(q 'sorted(j([x for x in r if x["path"].endswith("/bad-json/error")][0]["body"]))')" \
	"['errorMessage', 'errorType', 'stackTrace']" "the error body has errorMessage, errorType and stackTrace"
is "$(q 'j([x for x in r if x["path"].endswith("/bad-json/error")][0]["body"])["stackTrace"]')" "[]" "stackTrace is an empty list"
like "$(q 'j([x for x in r if x["path"].endswith("/bad-json/error")][0]["body"])["errorMessage"]')" "not a JSON object" \
	"errorMessage says what was wrong"
is "$(err_req odd-event '["headers"]["lambda-runtime-function-error-type"]')" "Owlet.InvalidEvent" \
	"an event that is neither HTTP nor S3 gets an error too"
is "$(err_req nul-event '["headers"]["lambda-runtime-function-error-type"]')" "Owlet.InvalidEvent" \
	"an event with a NUL byte inside gets an error"
is "$(resp late-1 '["statusCode"]')" 504 "an HTTP event with no time left before its deadline is answered 504"
is "$(err_req late-s3 '["headers"]["lambda-runtime-function-error-type"]')" "Owlet.DeadlineExceeded" \
	"an S3 event with no time left gets a DeadlineExceeded error"
is "$(resp nf-1 '["statusCode"]')" 404 "an unknown route is answered 404"
is "$(resp s3-1 '["ok"]')" True "an S3 event is answered OK"
like "$stderr" 's3 event for s3://b/raw/trips/x.csv ignored' "an S3 event without a data bucket is logged and ignored"
is "$(resp ok-2 '["statusCode"]')" 200 "the loop goes on after bad events"
is "$(q 'any(x["path"].endswith("/init/error") for x in r)')" False "no init error when init succeeds"

# init errors: posted to /runtime/init/error, then exit, no /next
init_case() { # NAME WANT_MESSAGE_REGEX [OWLET_MODEL=...]
	local name=$1 want=$2
	shift 2
	run_plan "init-$name" '[]' "$@"
	is "$rc" 1 "init error ($name): the program exits 1"
	is "$(q '[x["path"] for x in r]')" "['$P/init/error']" "init error ($name): one POST to $P/init/error and no next"
	is "$(q 'r[0]["headers"]["lambda-runtime-function-error-type"] + " " + j(r[0]["body"])["errorType"] + " " + str(j(r[0]["body"])["stackTrace"])')" \
		"Runtime.InitError Runtime.InitError []" "init error ($name): error type header and body agree"
	like "$(q 'j(r[0]["body"])["errorMessage"]')" "$want" "init error ($name): the message says why"
}
init_case bad-json "^OWLET_MODEL:1:[0-9]+: " OWLET_MODEL='{not json'
init_case bad-shape "^OWLET_MODEL: invalid model JSON: " OWLET_MODEL='{"x": 1}'
init_case unset "neither OWLET_MODEL nor OWLET_MODEL_KEY is set"
init_case no-credentials "no AWS credentials" OWLET_MODEL="$MODEL" OWLET_DATA_BUCKET=data

# no Runtime API at all
env -i PATH=/usr/bin:/bin OWLET_MODEL="$MODEL" "$BOOTSTRAP" 2>"$t/noapi"
is "$?" 1 "without AWS_LAMBDA_RUNTIME_API the program exits 1"
like "$(cat "$t/noapi")" "AWS_LAMBDA_RUNTIME_API is not set" "and says why"
done_testing
