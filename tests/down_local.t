#!/usr/bin/env bash
# `owlet down` on the local target: the emulator stopped without a terraform
# destroy (#20); with --keep-emulator a destroy that fails (issue 21, item
# 16) still stops the local API, says what was left, exits 1, and a second
# `down` converges.  users.json (the
# passwords `owlet user add` kept) does not outlive the stack (item 15).
# No apply: a real moto_server recorded as the emulator, a process recorded as
# the local API, and a terraform on PATH whose destroy fails as the one of
# the issue did.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/spine_lib.sh"

command -v moto_server >/dev/null || skip_all "moto_server is not installed"
command -v curl >/dev/null || skip_all "curl is not installed"

proj=$(tmpdir)
spine_project "$proj"
spine_cleanup "$proj"
cd "$proj" || exit 1
st=$proj/state/local
mkdir -p "$st" "$proj/bin"

# terraform: init and the rest succeed, destroy fails
# (every call records its GOGC: owlet's default, or the user's own)
cat >"$proj/bin/terraform" <<EOF
#!/bin/sh
echo "\$1 GOGC=\${GOGC-unset}" >>"$proj/tf-calls"
EOF
cat >>"$proj/bin/terraform" <<'EOF'
case "$1" in
version) echo "Terraform v1.9.0" ;;
init) mkdir -p .terraform ;;
show|state) echo "$*" >>"${TF_CALLS:-/dev/null}" ;;
destroy)
	echo "Error: waiting for Lambda Permission (AllowDataBucketNotifications) delete: found resource" >&2
	exit 1 ;;
esac
exit 0
EOF
chmod 755 "$proj/bin/terraform"
export PATH=$proj/bin:$PATH
unset GOGC

# start_stack: a moto_server as the emulator and a stand-in local API, recorded
# in state/local as `owlet up` records them; users.json as `owlet user add` keeps it.
start_stack() {
	port=$(free_port)
	(cd "$st" && exec moto_server -H 127.0.0.1 -p "$port" >"$st/emulator.log" 2>&1) &
	moto=$!
	at_exit "kill $moto 2>/dev/null"
	for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/" >/dev/null && break; sleep 0.1; done
	printf '{"endpoint": "http://127.0.0.1:%d", "pid": %d, "port": %d}\n' "$port" "$moto" "$port" >"$st/emulator.json"
	# the local API's stand-in: "serve" among its arguments, and its start
	# token recorded, as `owlet serve` records its own
	python3 -c 'import time; time.sleep(300)' serve &
	api=$!
	at_exit "kill $api 2>/dev/null"
	printf '{"pid": %d, "url": "http://127.0.0.1:1", "start": "%s"}\n' "$api" "$(proc_start_token "$api")" \
		>"$st/localapi.json"
	printf '{"alice": {"password": "Secret-Pass-1"}}\n' >"$st/users.json"
	chmod 600 "$st/users.json"
}

start_stack

# status for local reads the terraform state from the emulator's S3 (no
# terraform), in under a second, and says what runs and how to stop it
export TF_CALLS=$proj/tf_calls
mkdir -p "$st/.terraform"
emu="http://127.0.0.1:$port"
awsq() { AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true \
	aws --endpoint-url "$emu" "$@"; }
command -v aws >/dev/null || skip_all "the aws CLI is not installed"
awsq s3api create-bucket --bucket owlet-demo-tfstate >/dev/null
cat >"$proj/tfstate.json" <<'STATE'
{"version": 4, "terraform_version": "1.9.0", "serial": 3, "lineage": "x", "outputs": {},
 "resources": [
  {"module": "module.storage", "mode": "managed", "type": "aws_s3_bucket", "name": "this", "provider": "p",
   "instances": [{"index_key": "data", "attributes": {}}, {"index_key": "logs", "attributes": {}}]},
  {"module": "module.network", "mode": "managed", "type": "aws_subnet", "name": "private", "provider": "p",
   "instances": [{"index_key": 0, "attributes": {}}]},
  {"mode": "managed", "type": "random_id", "name": "suffix", "provider": "p", "instances": [{"attributes": {}}]},
  {"mode": "data", "type": "aws_caller_identity", "name": "me", "provider": "p", "instances": [{"attributes": {}}]}
 ]}
STATE
awsq s3api put-object --bucket owlet-demo-tfstate --key owlet-demo/local/terraform.tfstate --body "$proj/tfstate.json" >/dev/null
t0=$(date +%s%N)
run_owlet status
t1=$(date +%s%N)
is "$rc" 0 "status on a local stack" || diag "$err"
ok "$(( (t1 - t0) < 2000000000 ? 0 : 1 ))" "answers at once: $(( (t1 - t0) / 1000000 )) ms (bound 2 s for a loaded machine; well under 1 s on an idle one)"
ok "$([ ! -s "$TF_CALLS" ]; echo $?)" "without running terraform"
is "$(printf '%s\n' "$out" | sed -n '/^deployed:/,/^[^ d]/p' | grep '^  ' | tr -d ' ' | tr '\n' ' ')" \
	'module.storage.aws_s3_bucket.this["data"] module.storage.aws_s3_bucket.this["logs"] module.network.aws_subnet.private[0] random_id.suffix ' \
	"the managed resources of the state, as terraform names them"
like "$out" "emulator: running at $emu \(pid $moto\)" "it says the emulator runs"
like "$out" "local API: running at http://127\.0\.0\.1:1 \(pid $api\)" "and the local API"
like "$out" "stop them: owlet down " "and how to stop them"
unset TF_CALLS

# the whole local environment goes: the emulator is stopped, and the
# resources and the state in it with it; no terraform destroy (#20)
: >"$proj/tf-calls"
run_owlet down --yes
is "$rc" 0 "a local down: exit 0" || diag "$out" "$err"
ok "$(grep -q '^destroy ' "$proj/tf-calls"; [ $? = 1 ]; echo $?)" "without a terraform destroy"
like "$out" "emulator: stopped \\(pid $moto\\); the 4 resources of the terraform state, and the state, went with it" \
	"it says what went with the emulator (the state's 4 managed resources)"
like "$out" "no terraform destroy locally \\('owlet down --keep-emulator' runs one\\)" "and how to get a destroy"
kill -0 "$api" 2>/dev/null
is "$?" 1 "the local API was stopped"
sleep 0.2
kill -0 "$moto" 2>/dev/null
is "$?" 1 "the emulator was stopped"
ok "$([ ! -e "$st/emulator.json" ] && [ ! -e "$st/localapi.json" ] && [ ! -e "$st/users.json" ]; echo $?)" \
	"their records and users.json are gone"

# --keep-emulator: a terraform destroy, here one that fails
start_stack
run_owlet down --yes --keep-emulator
is "$rc" 1 "a failed local destroy: exit 1"
like "$err" "error: the local destroy failed: .*destroy" "the error says the destroy failed"
is "$(printf '%s\n' "$err" | grep -A1 'terraform destroy failed (status 1)$' | tail -1)" \
	"  terraform: Error: waiting for Lambda Permission (AllowDataBucketNotifications) delete: found resource" \
	"and repeats terraform's Error: line after it"
kill -0 "$api" 2>/dev/null
is "$?" 1 "the local API was stopped"
kill -0 "$moto" 2>/dev/null
is "$?" 0 "the emulator is left running, as asked"
like "$out" "left running \\(--keep-emulator\\): the emulator on http://127\\.0\\.0\\.1:$port \\(pid $moto\\)" \
	"down says so"

run_owlet down --yes
is "$rc" 0 "a second down stops the emulator: exit 0" || diag "$out" "$err"
sleep 0.2
kill -0 "$moto" 2>/dev/null
is "$?" 1 "the emulator was stopped"
run_owlet down --yes --json
is "$rc" 0 "a third down converges: exit 0"
like "$err" "nothing to destroy" "it finds nothing left to destroy (with --json, said on stderr)"
is "$(printf '%s' "$out" | jq -c '[.ok, .environment, .result, .nothing_to_destroy, .stale_local_api_pid, (.seconds.total | type)]')" \
	'[true,"local","destroyed",true,null,"number"]' "--json: stdout is one JSON object saying so (parsed by jq)"
ok "$([ ! -e "$st/users.json" ]; echo $?)" "users.json (plaintext passwords) is removed by down"

# terraform's Go runtime: GOGC=400 unless the user set GOGC
like "$(grep '^destroy ' "$proj/tf-calls" | head -1)" '^destroy GOGC=400$' "terraform runs with GOGC=400 by default"
start_stack
GOGC=25 run_owlet down --yes --keep-emulator
is "$(grep '^destroy ' "$proj/tf-calls" | tail -1)" "destroy GOGC=25" "a GOGC of the user's own is kept"
run_owlet down --yes

# a record whose pid now names another process (the same arguments, another
# start time): it is not signalled; down says so and drops the record
start_stack
printf '{"pid": %d, "url": "http://127.0.0.1:1", "start": "%s"}\n' "$api" "$(proc_start_token $$)" >"$st/localapi.json"
run_owlet status
like "$out" "local API: not running" "status: a pid whose start token differs is not the local API"
run_owlet down --yes --keep-emulator --json
like "$err" "not stopped: pid $api of state/local/localapi.json is no longer this local API" \
	"down does not signal a pid that is no longer the recorded server, and says so"
is "$rc:$(printf '%s' "$out" | jq -c '[.ok, .environment, (.error | test("the local destroy failed"))]')" \
	'1:[false,"local",true]' "--json of a failed down: {ok: false, error} on stdout, exit 1"
kill -0 "$api" 2>/dev/null
is "$?" 0 "that process is left running"
ok "$([ ! -e "$st/localapi.json" ]; echo $?)" "and the stale record is removed"
kill "$api"
run_owlet down --yes

# the emulator already gone: down clears the state, users.json included
start_stack
kill "$moto"
wait "$moto" 2>/dev/null
run_owlet down --yes
is "$rc" 0 "down with the emulator gone: exit 0"
ok "$([ ! -e "$st/users.json" ]; echo $?)" "and users.json is removed"
done_testing
