#!/usr/bin/env bash
# owlet user add, owlet token and owlet serve --detach against a real
# moto_server, with the real Lambda artifact (owlet build) and the real JWT
# path, without `owlet up`: the stack the API needs (data bucket, user pool,
# client, groups) is made with the aws CLI and outputs.json / emulator.json
# are written by hand as docs/contracts.md describes them.
. "$(dirname "$0")/lib.sh"

command -v moto_server >/dev/null || skip_all "moto_server is not installed"
command -v aws >/dev/null || skip_all "the aws CLI is not installed"
command -v curl >/dev/null || skip_all "curl is not installed"
[ -x "$OWLET_BUILD/lambda/bootstrap" ] || skip_all "no build/lambda/bootstrap"

t=$(tmpdir)
cd "$t" || exit 1
. "$OWLET_SRC/tests/localapi_stack.sh"
localapi_stack

run_owlet serve --env local --detach
is "$rc" 1 "serve without an artifact fails"
like "$err" "run 'owlet build --env local'" "and says how to make one"
run_owlet serve --env local --ready-fd 3 3>ready.err
is "$rc:$(cat ready.err)" "1:error no Lambda artifact 'state/local/artifacts/lambda.zip': run 'owlet build --env local'" \
	"--ready-fd: a server that cannot start writes 'error MESSAGE' on the descriptor"
run_owlet serve --env local --ready-fd 7
is "$rc" 2 "--ready-fd of a descriptor that is not open: usage error"
like "$err" "ready-fd 7 is not a file descriptor \(3 or more\) open for writing" "saying so"
run_owlet build --env local
is "$rc" 0 "owlet build makes the real Lambda artifact"

# --- users and tokens
run_owlet user add alice --group editors
is "$rc" 2 "a plain name where the pool signs in by email: usage error"
like "$err" "signs users in by email address" "saying to give an email"
run_owlet user add alice@example.com --group editors
is "$rc" 0 "user add with a generated password"
like "$out" "added user 'alice@example.com' to user pool $pool, groups: editors" "it says what it did"
like "$out" '^password: [^ ]{20} ' "the generated password is printed once"
is "$(stat -c %a state/local/users.json)" 600 "users.json is private (0600)"
run_owlet user add alice@example.com --group editors
is "$rc" 1 "adding the same user again fails"
like "$err" "user 'alice@example.com' already exists" "and says so"
run_owlet user add carol@example.com --group nosuchgroup
is "$rc" 2 "a group the model does not have is a usage error"
like "$err" "unknown group 'nosuchgroup' \(data_model.yml has: analysts, editors, drivers\)" "naming the model's groups"
run_owlet user add bob@example.com --group analysts --password 'Known-passw0rd!'
is "$rc" 2 "a password on the command line is refused (it would stay in the shell's history)"
o=$(printf 'Known-passw0rd!\n' | "$OWLET" user add bob@example.com --group analysts --password-stdin 2>&1)
is "$?" 0 "user add --password-stdin reads the password from standard input"
unlike "$o" "password:|Known-passw0rd" "a given password is not printed"

# --- list, groups, remove
run_owlet user list
is "$rc" 0 "user list"
is "$out" "$(printf 'alice@example.com\teditors\nbob@example.com\tanalysts')" "lists each user by email with its groups"
run_owlet user groups bob@example.com --add editors --remove analysts
is "$rc:$(printf '%s\n' "$out" | head -1)" "0:$(printf 'bob@example.com\teditors')" "user groups --add --remove moves a user and prints the groups"
like "$out" "run 'owlet token bob@example.com' again" "and says an older token keeps the old groups"
run_owlet user groups bob@example.com --add analysts --remove editors
is "$rc:$out" "0:bob@example.com"$'\t'"analysts"$'\n'"a token made before this change still carries the old groups: run 'owlet token bob@example.com' again" "and back"
run_owlet user groups bob@example.com
is "$rc:$out" "0:$(printf 'bob@example.com\tanalysts')" "user groups alone shows the groups"
run_owlet user groups bob@example.com --add nosuch
is "$rc" 2 "user groups with an unknown group: usage error"
run_owlet user groups nobody@example.com --add editors
is "$rc" 1 "user groups of an unknown user fails"
like "$err" "no user 'nobody@example.com'" "and names the user"
run_owlet user add dave@example.com --group drivers
run_owlet user remove dave@example.com
is "$rc:$out" "0:removed user 'dave@example.com' from user pool $pool" "user remove"
ok "$(grep -q dave state/local/users.json; echo $(( ! $? )))" "and its kept password goes from users.json"
run_owlet user list
unlike "$out" dave "the removed user is no longer listed"
run_owlet user remove dave@example.com
is "$rc" 1 "removing an unknown user fails"

run_owlet token alice@example.com
is "$rc" 0 "token for a user added locally needs no password"
token=$(printf '%s\n' "$out" | tail -1)
like "$token" '^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$' "the last line is a JWT"
run_owlet token bob@example.com --password wrong
is "$rc" 1 "a wrong password fails"
like "$err" "wrong user name or password" "and says so"
run_owlet token zed@example.com
is "$rc" 2 "no password known: usage error"
run_owlet token bob@example.com
bob_token=$(printf '%s\n' "$out" | tail -1)

# --- an AWS environment (no emulator.json): nothing is sent without credentials
mkdir -p state/dev
cp state/local/outputs.json state/dev/
o=$(env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY "$OWLET" user add x@example.com --group editors --env dev 2>&1)
is "$?" 2 "user add on AWS without credentials: usage error"
like "$o" "no AWS credentials: set AWS_ACCESS_KEY_ID" "saying which variables"
run_owlet serve --env dev
is "$rc" 2 "serve on an AWS environment is refused"
like "$err" "is for local environments" "saying why"

# --- the server
run_owlet serve --env local --detach
is "$rc" 0 "serve --detach returns once the API listens"
url=$(printf '%s\n' "$out" | tail -1)
like "$url" '^http://127\.0\.0\.1:[0-9]+$' "and prints its URL"
pid=$(python3 -c 'import json; print(json.load(open("state/local/localapi.json"))["pid"])')
at_exit "kill $pid 2>/dev/null"
is "$(python3 -c 'import json; print(json.load(open("state/local/localapi.json"))["url"])')" "$url" \
	"localapi.json has the URL"
ok "$(kill -0 "$pid"; echo $?)" "localapi.json has the server's pid"
is "$(python3 -c 'import json; print(json.load(open("state/local/localapi.json"))["start"])')" "$(proc_start_token "$pid")" \
	"and its start token (boot id and start time), so that a reused pid is never taken for it"
run_owlet serve --env local --detach
is "$rc" 1 "a second serve is refused"
like "$err" "already runs at $url" "naming the running one"

req() { # METHOD PATH [TOKEN] [BODY] -> $status $body
	local resp
	resp=$(curl -s -w '\n%{http_code}' -X "$1" ${3:+-H "Authorization: Bearer $3"} \
		${4:+-H 'Content-Type: application/json' --data-binary "$4"} "$url$2")
	status=${resp##*$'\n'}
	body=${resp%$'\n'*}
}
req GET /datasets
is "$status $body" '401 {"message":"Unauthorized"}' "no token: 401 Unauthorized"
req GET /nowhere "$token"
is "$status $body" '404 {"message":"Not Found"}' "no route: 404 Not Found"
req GET /datasets/nosuchdataset "$token"
is "$status $body" '404 {"message":"Not Found"}' "a dataset without a route (outputs.json 'routes'): 404"
req POST /datasets/readings/records "$token" '{}'
is "$status $body" '404 {"message":"Not Found"}' "POST to a dataset no one may write has no route: 404"
id_token=$(awsl cognito-idp initiate-auth --client-id "$client" --auth-flow USER_PASSWORD_AUTH \
	--auth-parameters "USERNAME=bob@example.com,PASSWORD=Known-passw0rd!" --query AuthenticationResult.IdToken --output text)
req GET /datasets "$id_token"
is "$status" 401 "an id token: 401"

req GET /datasets "$token"
is "$status" 200 "GET /datasets with alice's token reaches the real Lambda"
like "$body" '"name": ?"trips"' "and lists the datasets"
req GET /datasets/trips "$token"
is "$status" 200 "GET /datasets/trips"
like "$body" '"pickup_at"' "gives the schema"

req POST /datasets/trips/records "$token" '[{"trip_id": 1, "pickup_at": "2026-01-02T03:04:05Z", "vendor": "CMT"}, {"trip_id": 2, "pickup_at": "2026-01-02T04:00:00Z"}]'
is "$status" 201 "POST two valid records: 201"
key=$(printf '%s' "$body" | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')
like "$key" "^raw/trips/dt=2026-01-02/" "the answer names the object under raw/trips/dt=<day of pickup_at>/"
obj=$(awsl s3 cp "s3://$bucket/$key" - 2>/dev/null)
is "$(printf '%s\n' "$obj" | wc -l)" 2 "the emulator's S3 holds the records as JSON Lines"
req POST /datasets/trips/records "$token" '{"trip_id": 0, "vendor": "XYZ"}'
is "$status" 400 "an invalid record: 400"
like "$body" 'pickup_at' "listing the missing field"
req POST /datasets/trips/records "$bob_token" '{"trip_id": 3, "pickup_at": "2026-01-02T03:04:05Z"}'
is "$status" 403 "an analyst may not write trips: 403"

like "$(cat state/local/localapi.log)" "POST /datasets/trips/records 201" "requests are logged to localapi.log"

# --- the stage throttle of environments/local.yml (rate 10/s, burst 20), as API Gateway applies it
# 100 requests one after the other: the burst of 20 passes, then about 10 a
# second; the bound is taken from the time they took, so a loaded machine
# (slower requests, more refills) cannot fail it.
sleep 2.2 # the requests above took tokens: start from a full bucket
args=()
for _ in $(seq 100); do args+=(-w ' %{http_code}\n' "$url/nowhere"); done
t0=$(date +%s%N)
codes=$(curl -s "${args[@]}")
t1=$(date +%s%N)
n429=$(grep -c ' 429$' <<<"$codes")
n404=$(grep -c ' 404$' <<<"$codes")
most=$((20 + (t1 - t0) / 100000000 + 1))
ok "$([ "$n404" -ge 20 ] && [ "$n404" -le "$most" ] && [ "$n429" -ge 1 ] && [ $((n404 + n429)) -eq 100 ]; echo $?)" \
	"100 requests in $(((t1 - t0) / 1000000)) ms: the burst and the refill pass ($n404, at most $most), the rest get 429 ($n429)"
like "$codes" '^\{"message":"Too Many Requests"\} 429$' "with API Gateway's body"
sleep 2.2
req GET /nowhere "$token"
is "$status" 404 "the bucket refills at the rate"
kill -TERM "$pid"
for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
ok "$(kill -0 "$pid" 2>/dev/null && echo 1 || echo 0)" "SIGTERM stops the server"
ok "$([ ! -e state/local/localapi.json ]; echo $?)" "and removes localapi.json"
ok "$(pgrep -f "$t/state/local/lambda/bootstrap" >/dev/null && echo 1 || echo 0)" "no Lambda process is left"

# --- a record whose pid is now another program's: not "already runs", and not signalled
sleep 300 &
other=$!
at_exit "kill $other 2>/dev/null"
printf '{"url": "http://127.0.0.1:1", "pid": %d, "port": 1, "start": "%s"}\n' "$other" "$(proc_start_token "$other")" \
	>state/local/localapi.json
run_owlet serve --env local --detach
is "$rc" 0 "a stale localapi.json (its pid now runs another program) does not block serve"
pid=$(python3 -c 'import json; print(json.load(open("state/local/localapi.json"))["pid"])')
at_exit "kill $pid 2>/dev/null"
ok "$(kill -0 "$other"; echo $?)" "and the other program is left alone"
kill -TERM "$pid"
for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done

# --- readiness comes through the pipe: a failure after the fork reaches the caller
mkdir state/local/localapi.json
run_owlet serve --env local --detach
is "$rc" 1 "serve --detach whose server fails after the fork (localapi.json is a directory) fails"
like "$err" "^error: the local API did not start: cannot rename '[^']*' to 'state/local/localapi.json': Is a directory \(log: 'state/local/localapi.log'\)" \
	"with the server's own message, sent on the pipe, not 'see the log'"
rmdir state/local/localapi.json

# --- the URL stays: the port chosen first is kept in state/local/localapi_port.json
stop_server() { kill -TERM "$1"; for _ in $(seq 50); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done; }
port=${url##*:}
is "$(python3 -c 'import json; print(json.load(open("state/local/localapi_port.json"))["port"])' 2>&1)" "$port" \
	"the port chosen is kept in state/local/localapi_port.json"
run_owlet serve --env local --detach
is "$rc:$(printf '%s\n' "$out" | tail -1)" "0:$url" "serve again listens on the same URL"
pid=$(python3 -c 'import json; print(json.load(open("state/local/localapi.json"))["pid"])')
at_exit "kill $pid 2>/dev/null"
stop_server "$pid"
python3 -c 'import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(); time.sleep(60)' "$port" &
squat=$!
at_exit "kill $squat 2>/dev/null"
for _ in $(seq 50); do curl -s -o /dev/null --max-time 0.2 "$url" ; [ $? -ne 7 ] && break; sleep 0.1; done
run_owlet serve --env local --detach
is "$rc" 1 "serve on a kept port another program holds fails"
like "$err" "^error: port $port \(kept in state/local/localapi_port\.json\) is taken by pid $squat \([^)]*python3 -c import socket, sys, time s = " \
	"and says by what: its pid and command line"
kill "$squat"
lport=$(free_port)
sed -i "s/^api:\$/api:\n  local_port: $lport/" environments/local.yml
run_owlet serve --env local --detach
is "$rc:$(printf '%s\n' "$out" | tail -1)" "0:http://127.0.0.1:$lport" "api.local_port in environments/local.yml sets the port"
pid=$(python3 -c 'import json; print(json.load(open("state/local/localapi.json"))["pid"])')
at_exit "kill $pid 2>/dev/null"
stop_server "$pid"
is "$(python3 -c 'import json; print(json.load(open("state/local/localapi_port.json"))["port"])' 2>&1)" "$port" \
	"and leaves the kept port alone"
sed -i "/^  local_port: /d" environments/local.yml

# --- a stack without auth (as spine's test stacks): served, every request 401
mkdir -p state/bare/artifacts
cp state/local/emulator.json state/bare/
cp state/local/artifacts/lambda.zip state/bare/artifacts/
echo '{"data_bucket": "'"$bucket"'"}' >state/bare/outputs.json
run_owlet serve --env bare --detach
is "$rc" 0 "serve starts for a stack without a user pool"
like "$err" "has no user pool: every request will get 401" "and says every request will be refused"
bare_url=$(printf '%s\n' "$out" | tail -1)
bare_pid=$(python3 -c 'import json; print(json.load(open("state/bare/localapi.json"))["pid"])')
at_exit "kill $bare_pid 2>/dev/null"
is "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "$bare_url/datasets")" 401 \
	"a valid token of another pool: 401"
kill -TERM "$bare_pid"
run_owlet token alice@example.com --env bare
is "$rc" 1 "token on a stack without a user pool fails"
like "$err" "environment 'bare' has no user pool" "saying why"

# --- in the foreground, on a given port
fport=$(free_port)
"$OWLET" serve --port "$fport" --ready-fd 3 >fg.out 2>fg.err 3>ready.fg &
fg=$!
at_exit "kill $fg 2>/dev/null"
for _ in $(seq 100); do [ -s ready.fg ] && break; sleep 0.1; done
url="http://127.0.0.1:$fport"
is "$(cat ready.fg)" "ready $url" "--ready-fd: 'ready URL' on the descriptor once it listens"
is "$(head -1 fg.out)" "$url" "serve in the foreground prints its URL, on the --port asked"
req GET /datasets/stations "$token"
is "$status" 200 "and answers"
like "$(cat fg.err)" "GET /datasets/stations 200" "logging each request to stderr"
kill -INT "$fg"
wait "$fg"
is "$?" 0 "SIGINT stops it with status 0"
like "$(cat fg.err)" "stopping the local API after 1 invocations by 1 Lambda processes" "saying what it ran"
ok "$([ ! -e state/local/localapi.json ]; echo $?)" "and removes localapi.json"
done_testing
