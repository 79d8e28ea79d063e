#!/usr/bin/env bash
# owlet openapi: the OpenAPI 3.1 document of the API, made from the model.
# Its paths are the route keys render gives the api module (one source:
# owlet_model_routes), the per-dataset record schemas follow the fields'
# types and constraints, the JWT security scheme names the deployed issuer,
# the errors have one shape; the real Lambda serves the same paths at
# GET /openapi.json; `@redocly/cli lint` passes when redocly is installed
# (redocly on PATH, or $OWLET_REDOCLY).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lambda_lib.sh"

proj=$(tmpdir)
at_exit "rm -rf '$proj'"
cp -r "$OWLET_SRC/data_model.yml" "$OWLET_SRC/environments" "$proj/"
cd "$proj" || exit 1
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }

run_owlet openapi
is "$rc" 0 "owlet openapi succeeds before anything is deployed"
printf '%s\n' "$out" >openapi.json
is "$(json openapi.json 'd["openapi"]')" "3.1.0" "an OpenAPI 3.1 document"
run_owlet render --env local
is "$rc" 0 "render --env local"
is "$(json openapi.json 'sorted("%s %s" % (m.upper(), p) for p, ops in d["paths"].items() for m in ops)')" \
	"$(json state/local/owlet.auto.tfvars.json 'sorted(d["api"]["routes"])')" \
	"its paths are exactly the routes render gives the api module"
like "$(json state/local/owlet.auto.tfvars.json 'd["api"]["routes"]')" "'GET /openapi.json'" "GET /openapi.json is one of them"
is "$(json openapi.json 'd["components"]["schemas"]["trips_record"]["properties"]["trip_id"]')" \
	"{'type': 'integer', 'format': 'int64', 'minimum': 1}" "trips' record schema: trip_id an int64 of at least 1, required"
is "$(json openapi.json 'd["components"]["schemas"]["trips_record"]["properties"]["vendor"]')" \
	"{'type': ['string', 'null'], 'enum': ['CMT', 'VTS', 'DDS', None]}" "an optional enum field may be null"
is "$(json openapi.json 'd["components"]["schemas"]["trips_record"]["required"], d["components"]["schemas"]["trips_record"]["additionalProperties"]')" \
	"(['trip_id', 'pickup_at'], False)" "required fields, no others"
is "$(json openapi.json 'd["components"]["schemas"]["trips_record"]["properties"]["note"]["maxLength"], d["components"]["schemas"]["trips_record"]["properties"]["pickup_at"]["format"]')" \
	"(200, 'date-time')" "max_length and timestamps"
is "$(json openapi.json 'sorted(d["paths"]["/datasets/trips/records"]["post"]["responses"])')" \
	"['201', '400', '401', '403', '404', '409', '413', '429']" "POST records lists its answers, 409 for a taken key"
is "$(json openapi.json 'd["components"]["responses"]["Conflict"]["content"]["application/json"]["schema"]')" \
	"{'\$ref': '#/components/schemas/Error'}" "every error has the one Error shape"
is "$(json openapi.json 'd["components"]["securitySchemes"]["cognito"]["scheme"], d["security"]')" \
	"('bearer', [{'cognito': []}])" "the JWT bearer scheme applies to every route"
unlike "$(json openapi.json 'd["paths"]')" "stations/records'.*readings/records" "no POST route for a dataset nobody may write"

# with a deployed stack's outputs: its API URL and issuer
mkdir -p state/local
printf '{"api_url":"http://127.0.0.1:4567","issuer":"https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Test","user_pool_id":"us-east-1_Test","user_pool_client_id":"c","data_bucket":"b"}\n' >state/local/outputs.json
run_owlet openapi --env local
printf '%s\n' "$out" >deployed.json
is "$(json deployed.json 'd["servers"]')" "[{'url': 'http://127.0.0.1:4567'}]" "the server is the stack's API URL"
like "$(json deployed.json 'd["components"]["securitySchemes"]["cognito"]["description"]')" \
	"issued by https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Test" "the security scheme names the user pool's issuer"

redocly=${OWLET_REDOCLY:-$(command -v redocly)}
if [ -n "$redocly" ] && [ -x "$redocly" ]; then
	o=$(REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true NO_UPDATE_NOTIFIER=1 timeout 120 "$redocly" lint openapi.json 2>&1)
	ok $? "@redocly/cli lint passes (recommended rules)" || diag "$o"
	unlike "$o" "[0-9]+ warnings?" "with no warning"
else
	diag "redocly is not installed (npm install @redocly/cli): lint not run"
fi

# the real Lambda serves the same document at GET /openapi.json
MODEL=$("$OWLET" validate --json 2>/dev/null)
ev=$(python3 - "$OWLET_SRC/tests/fixtures/lambda/events/get_datasets_analyst.json" <<'PY'
import json, sys
e = json.load(open(sys.argv[1]))
e["rawPath"] = e["requestContext"]["http"]["path"] = "/openapi.json"
e["routeKey"] = e["requestContext"]["routeKey"] = "GET /openapi.json"
print(json.dumps([{"id": "o1", "event": e}]))
PY
)
run_plan openapi "$ev" OWLET_MODEL="$MODEL"
is "$(resp o1 "['statusCode']")" 200 "GET /openapi.json on the Lambda: 200"
is "$(body o1 "['paths'] == j(open('$proj/openapi.json').read())['paths']")" True "with the paths and operations of owlet openapi"
like "$(body o1 "['components']['securitySchemes']['cognito']['description']")" "issued by https://cognito-idp" \
	"naming the issuer of the caller's token"
done_testing
