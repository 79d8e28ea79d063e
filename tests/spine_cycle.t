#!/usr/bin/env bash
# The full local cycle with the real terraform and moto_server on 127.0.0.1:
# up (and a second up during it fails fast on the lock), status lists the
# stack, a second up applies nothing without a refresh, a tag changed with
# the aws CLI shows in plan and up and is put back, down leaves the
# emulator empty and nothing running.  The "try it" lines up prints work.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/spine_lib.sh"
spine_setup
# the real Lambda (owlet build), so that the API answers as a user would see it
[ -x "$OWLET_BUILD/lambda/bootstrap" ] && unset OWLET_LAMBDA_ZIP

"$OWLET" up >up1.out 2>up1.err &
up_pid=$!
if wait_for up1.out '^\[7/9\] terraform apply' 600; then
	t0=$(date +%s)
	run_owlet up
	is "$rc" 1 "a second up while one applies fails"
	like "$err" "environment 'local' is locked by 'owlet up' \(pid $up_pid" "with a lock message naming the holder's pid"
	ok $(($(date +%s) - t0 > 5)) "and fails fast"
	run_owlet down --yes
	like "$rc:$err" "^1:.*is locked by 'owlet up'" "down during an up is refused the same way"
else
	ok 1 "the first up reaches apply"; diag "$(tail -20 up1.out up1.err)"
fi
wait "$up_pid"
is "$?" 0 "owlet up --env local deploys the stack"
out=$(cat up1.out)
like "$out" '^\[1/9\] emulator' "step lines come before each phase"
like "$out" '^  terraform\| ' "terraform's output is streamed with a prefix"
like "$out" '^plan: [1-9][0-9]* to add, 0 to change, 0 to destroy' "the plan summary is printed"
like "$out" '^  storage +[0-9]+ to add' "by module"
like "$out" '^  user_pool_id +us-east-1_' "the outputs are printed: user pool"
like "$out" '^  user_pool_client_id +[a-z0-9]+' "client id"
like "$out" '^  data_bucket +owlet-demo-local-data' "bucket names"
like "$out" "^deployed 'local' in [0-9.]+ s \(terraform [0-9.]+ s" "and the time it took"
grep '^deployed' up1.out | sed 's/^/# /'
# the "try it" lines up prints for local (a reader, a writer, a POST, a
# GET), pasted as a newcomer would
try=$(sed -n '/^try it:$/,/^[^ ]/p' up1.out | grep '^  ')
is "$(printf '%s\n' "$try" | wc -l)" 4 "up prints four lines to try the API"
answer=$(bash -c "$try" 2>&1 | tail -1)
like "$answer" '"datasets":\[\{"name":"trips"' "and pasted, they list the datasets through the local API"
emu_pid=$(python3 -c 'import json; print(json.load(open("state/local/emulator.json"))["pid"])')
emu_url=$(python3 -c 'import json; print(json.load(open("state/local/emulator.json"))["endpoint"])')
like "$emu_url" '^http://127\.0\.0\.1:[0-9]+$' "the emulator listens on 127.0.0.1 (emulator.json)"
ok "$(python3 -c 'import json; d=json.load(open("state/local/outputs.json")); exit(0 if d["data_bucket"] and d["user_pool_id"] else 1)'; echo $?)" \
	"outputs.json holds the flattened outputs"
like "$out" '^  outputs: read from the terraform state in the emulator' \
	"a first up reads its outputs from the state in the emulator (no terraform output)"
cp state/local/outputs.json outputs1.json

run_owlet status --json
is "$rc" 0 "status --json succeeds"
printf '%s' "$out" > status.json
check() { python3 - "$@" <<'PY'
import json, sys
d = json.load(open("status.json"))
res = d["resources"]
want = sys.argv[1]
if want == "tables":
    tables = sorted(r.split('"')[1] for r in res if ".aws_glue_catalog_table.this[" in r)
    print(",".join(tables))
else:
    print(sum(1 for r in res if "." + want + "." in r or r.startswith(want + ".")))
PY
}
ok "$(( $(check aws_s3_bucket) >= 2 ? 0 : 1 ))" "status lists the S3 buckets"
is "$(check aws_lambda_function)" 1 "the Lambda function"
is "$(check aws_apigatewayv2_api)" 1 "the HTTP API"
is "$(check aws_cognito_user_pool)" 1 "the user pool"
is "$(check tables)" "readings,stations,trips" "one Glue table per dataset"
is "$(check aws_athena_workgroup)" 1 "the Athena workgroup"
is "$(check aws_vpc)" 1 "the VPC"
is "$(python3 -c 'import json; print(json.load(open("status.json"))["last_deploy"]["result"])')" "applied" \
	"and the last deploy record"
run_owlet status
like "$out" '^deployed: [0-9]+ resources' "status in text says how much is deployed"
like "$out" '^last deploy: .* applied' "and when it was last deployed"

awsq() { AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true \
	aws --endpoint-url "$emu_url" --output json "$@"; }

# Since the first up, only owlet changed the emulator (the "try it" lines:
# users, a token, a record): the second up plans without terraform's refresh
# (with --json: one JSON object on stdout, the lines people read on stderr)
run_owlet up --json
is "$rc" 0 "a second up succeeds"
is "$(printf '%s' "$out" | jq -c '[.ok, .environment, .result, (.outputs.data_bucket | startswith("owlet-demo-local-data")), (.api_url | test("^http://127\\.0\\.0\\.1:[0-9]+$")), .plan.add, (.cost.total | type)]')" \
	'[true,"local","no changes",true,true,0,"number"]' \
	"up --json: stdout is one JSON object: the result, the outputs, the local API's URL, the plan, the cost (parsed by jq)"
out=$err
like "$out" '^  refresh: skipped: nothing but owlet has changed the emulator since the last up' \
	"without a refresh: nothing but owlet changed the emulator"
like "$out" '^no changes: nothing to apply' "and applies nothing"
like "$out" '^  outputs: known from the plan' "its outputs are known from the plan"
ok "$(cmp -s outputs1.json state/local/outputs.json; echo $?)" "the same outputs as the first up read from the state"
unlike "$out" 'terraform\| Apply complete' "terraform apply is not run"
printf '%s\n' "$out" | grep -E '^up to date|^  refresh:' | sed 's/^/# /'
is "$(wc -l < state/local/deploys.jsonl)" 2 "each up appends a deploy record"
is "$(tail -1 state/local/deploys.jsonl | python3 -c 'import json,sys; print(json.load(sys.stdin)["result"])')" \
	"no changes" "the last one says nothing changed"
like "$out" '^cost: \$[0-9]+\.[0-9]{2} / month estimated .*; \+0\.00 against the last deploy' \
	"up prints the estimate, unchanged since the first up"
is "$(tail -1 state/local/deploys.jsonl | python3 -c 'import json,sys; c=json.load(sys.stdin)["cost"]; print(c["price_region"], c["total"] == round(c["idle"] + c["usage"], 2))')" \
	"us-east-1 True" "the deploy record keeps the estimate"

unlike "$out" '^  plan JSON: ' "the first no-change up after an apply runs terraform show"

# A second no-change up: the same configuration, variables and state as the
# last no-change plan, so its JSON is that plan's (no terraform show), and
# the gate's result for it is reused
run_owlet up
is "$rc" 0 "a third up succeeds"
like "$out" '^  plan JSON: no changes, and the configuration, variables, provider lock, state and terraform are those of the last such plan \(sha256 [0-9a-f]{12}\): its plan.json, without .terraform show.' \
	"a second no-change up takes its plan's JSON from the last one"
like "$out" '^  checks: reused: ' "the gate's passing result for that plan is reused"
like "$out" '^no changes: nothing to apply' "and applies nothing"
ok "$(cmp -s outputs1.json state/local/outputs.json; echo $?)" "the same outputs"
printf '%s\n' "$out" | grep -E '^up to date' | sed 's/^/# /'

# Drift: someone else changes a tag of the data bucket with the aws CLI.
# plan (always refreshed) shows it and nothing else (so the local rendering
# has no drift of its own); up refreshes, names the request, and puts it back.
# The checks run on these refreshed plans too (owlet skips CKV_AWS_23 for
# local, [owlet: emulator]: moto drops rule descriptions).
if command -v aws >/dev/null; then
	data_bucket=$(python3 -c 'import json; print(json.load(open("state/local/outputs.json"))["data_bucket"])')
	awsq s3api get-bucket-tagging --bucket "$data_bucket" |
		python3 -c 'import json,sys; t=json.load(sys.stdin)["TagSet"]; [x.update(Value="drifted") for x in t if x["Key"]=="Purpose"]; print(json.dumps({"TagSet":t}))' >tags.json
	awsq s3api put-bucket-tagging --bucket "$data_bucket" --tagging file://tags.json
	is "$(awsq s3api get-bucket-tagging --bucket "$data_bucket" --query "TagSet[?Key=='Purpose'].Value" --output text)" \
		drifted "the aws CLI changed the data bucket's Purpose tag"
	run_owlet plan --detailed-exitcode --json
	is "$rc" 2 "plan --detailed-exitcode shows the drift (2)"
	is "$(printf '%s' "$out" | jq -c '[.ok, .environment, .changes, .plan.add, .plan.change, .plan.destroy, .plan.modules.storage.change, .checks, .plan_file]')" \
		'[true,"local",true,0,1,0,1,"passed","state/local/plan.tfplan"]' \
		"plan --json: stdout is one JSON object: what would change, by module, the checks, the plan file (parsed by jq)"
	out=$err # the lines people read
	like "$out" '^plan: 0 to add, 1 to change, 0 to destroy' "one change, and no other drift"
	like "$out" '^  storage +0 to add, +1 to change' "in the storage module"
	like "$out" '"Purpose" += "drifted" -> "data"' "terraform's plan shows the tag going back"
	[ "$rc" = 2 ] || diag "$(printf '%s' "$out" | grep -E 'will be|must be|~|Plan:' | head -20)"
	ok "$([ ! -e state/local/plan-inputs.json ]; echo $?)" "a refreshing plan forgets the kept plan inputs"
	run_owlet up
	is "$rc" 0 "up after the drift succeeds"
	like "$out" "^  refresh: on: 1 request since the last up did not come from owlet, the first: PUT /$data_bucket\\?tagging \\(aws-cli/" \
		"it refreshes, and names the request that was not owlet's"
	like "$out" '^plan: 0 to add, 1 to change, 0 to destroy' "it shows the drift"
	like "$out" 'terraform\| Apply complete! Resources: 0 added, 1 changed, 0 destroyed' "and applies the change"
	printf '%s\n' "$out" | grep -E '^deployed|^  refresh:' | sed 's/^/# /'
	is "$(awsq s3api get-bucket-tagging --bucket "$data_bucket" --query "TagSet[?Key=='Purpose'].Value" --output text)" \
		data "the tag is back"
else
	diag "the aws CLI is not installed: no drift is made"
	run_owlet plan --detailed-exitcode
	is "$rc" 0 "plan --detailed-exitcode finds no drift (0)"
fi

run_owlet down --yes --keep-emulator
is "$rc" 0 "down destroys the stack"
printf '%s\n' "$out" | grep '^destroyed' | sed 's/^/# /'
if command -v aws >/dev/null; then
	is "$(awsq s3api list-buckets --query 'Buckets[].Name' --output text)" "owlet-demo-tfstate" \
		"the emulator holds no bucket but the state's"
	is "$(awsq lambda list-functions --query 'length(Functions)')" 0 "no function"
	is "$(awsq apigatewayv2 get-apis --query 'length(Items)')" 0 "no API"
	is "$(awsq cognito-idp list-user-pools --max-results 10 --query 'length(UserPools)')" 0 "no user pool"
	is "$(awsq glue get-databases --query 'length(DatabaseList)')" 0 "no Glue database (and so no table)"
	is "$(awsq ec2 describe-vpcs --filters Name=tag:Project,Values=owlet-demo --query 'length(Vpcs)')" 0 "no VPC of the project"
else
	diag "the aws CLI is not installed: the emulator's contents are not checked"
fi

run_owlet down --yes
is "$rc" 0 "down again stops the emulator"
sleep 0.5
ok "$( [ ! -d /proc/$emu_pid ] || grep -q '^State:.*Z' /proc/$emu_pid/status; echo $?)" "the emulator is gone"
cd / || exit 1
for _ in 1 2 3 4 5 6 7 8 9 10; do [ -z "$(procs_in "$proj")" ] && break; sleep 0.5; done
left=$(procs_in "$proj")
is "$left" "" "no process of the project is left running"
for p in $left; do diag "left: $p $(tr '\0' ' ' < /proc/$p/cmdline)"; done
cd "$proj" || exit 1
ok "$( [ ! -e state/local/emulator.json ] && [ ! -e state/local/outputs.json ]; echo $?)" \
	"emulator.json and outputs.json are removed"
run_owlet status
like "$out" '^deployed: nothing' "status says nothing is deployed"
done_testing
