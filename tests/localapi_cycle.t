#!/usr/bin/env bash
# The first hour as the README tells it, in a temporary directory: owlet
# init, owlet up with no edit (emulator, terraform, the local API in the
# background), the "try it" lines pasted exactly as up printed them (a
# reader and a writer; the writer POSTs a record, the reader's GET shows
# it), users moved between groups, owlet down, nothing left running;
# everything on 127.0.0.1.  The time from init to the first 200 is printed.
. "$(dirname "$0")/lib.sh"

command -v moto_server >/dev/null || skip_all "moto_server is not installed"
command -v terraform >/dev/null || skip_all "terraform is not installed"
command -v curl >/dev/null || skip_all "curl is not installed"
[ -x "$OWLET_BUILD/lambda/bootstrap" ] || skip_all "no build/lambda/bootstrap"
run_owlet up --help
[ "$rc" = 0 ] || skip_all "owlet up is not built"

# not tmpdir: at exit, down must run (emulator, API) before the directory goes
t=$(mktemp -d "${TMPDIR:-/tmp}/owlet-test.XXXXXX")
at_exit "(cd '$t/shop' 2>/dev/null && '$OWLET' down --env local --yes >/dev/null 2>&1); rm -rf '$t'"
t0=$(date +%s.%N)
run_owlet init "$t/shop"
is "$rc" 0 "owlet init makes a new project" || diag "$err"
cd "$t/shop" || exit 1

run_owlet up
[ "$rc" = 0 ] || diag "$(printf '%s\n' "$out" | grep -v '^  terraform|' | tail -30)" "$err"
is "$rc" 0 "owlet up brings the new project up, with no edit"
printf '%s\n' "$out" >up.out
unlike "$out" '^CKV' "no security check fails"
like "$out" '^skipped: CKV_AWS_116 .*\[owlet: emulator\]$' "the emulator's rules are listed as owlet's skips"
url=$(python3 -c 'import json; print(json.load(open("state/local/localapi.json"))["url"])' 2>/dev/null)
like "$url" '^http://127\.0\.0\.1:[0-9]+$' "and the local API runs (localapi.json)"
like "$out" "$url" "up prints the API's URL"
pid=$(python3 -c 'import json; print(json.load(open("state/local/localapi.json"))["pid"])' 2>/dev/null)
emu_pid=$(python3 -c 'import json; print(json.load(open("state/local/emulator.json"))["pid"])' 2>/dev/null)

# the "try it" lines, pasted exactly as printed
try=$(sed -n '/^try it:$/,/^[^ ]/p' up.out | grep '^  ')
printf '%s\n' "$try" | sed 's/^/# /'
is "$(printf '%s\n' "$try" | wc -l | tr -d ' ')" 4 "up prints four lines to try: a reader, a writer, a POST and a GET"
like "$(printf '%s\n' "$try" | sed -n 1p)" 'user add reader@example\.com --group analysts$' "the reader is in a group that may read"
like "$(printf '%s\n' "$try" | sed -n 2p)" 'user add writer@example\.com --group editors$' "the writer in one that may write"
answers=$(bash -c "$try" 2>&1)
t1=$(date +%s.%N)
post=$(printf '%s\n' "$answers" | grep '"records"' | tail -1)
get=$(printf '%s\n' "$answers" | tail -1)
like "$post" '"key": ?"raw/orders/dt=.*"records": ?1' "pasted: the writer's POST stores one record"
like "$get" '"datasets":\[' "pasted: the reader's GET lists the datasets"
is "$(printf '%s' "$get" | python3 -c 'import json,sys; print({d["name"]: d.get("row_count") for d in json.load(sys.stdin)["datasets"]}.get("orders"))' 2>&1)" 1 \
	"and shows the record just written (orders: row_count 1)"
diag "from owlet init to the first 200 (init, up, the try-it lines): $(python3 -c "print(round($t1 - $t0, 1))") s"

token() { "$OWLET" token "$1" | tail -1; }
req() { # TOKEN METHOD PATH [BODY] -> $status $body
	local resp
	resp=$(curl -s -w '\n%{http_code}' -X "$2" -H "Authorization: Bearer $1" \
		${4:+-H 'Content-Type: application/json' --data-binary "$4"} "$url$3")
	status=${resp##*$'\n'}
	body=${resp%$'\n'*}
}
rec='[{"customer_id": "C1", "joined_on": "2026-01-02", "country": "NL"}, {"customer_id": "C2"}]'
req "$(token reader@example.com)" POST /datasets/customers/records "$rec"
is "$status" 403 "the reader may not write: 403"
run_owlet user groups reader@example.com --add editors
is "$rc" 0 "owlet user groups --add editors"
req "$(token reader@example.com)" POST /datasets/customers/records "$rec"
is "$status" 201 "with a new token, the same user may write: 201"
req "$(token writer@example.com)" GET /datasets
is "$(printf '%s' "$body" | python3 -c 'import json,sys; print({d["name"]: d.get("row_count") for d in json.load(sys.stdin)["datasets"]}.get("customers"))' 2>&1)" 2 \
	"a GET shows both records (customers: row_count 2)"
req "$(token writer@example.com)" POST /datasets/customers/records '{"customer_id": "C1"}'
is "$status" 409 "the same customer_id again: 409 (its key marker, through the deployed IAM policy)"
req "$(token reader@example.com)" GET /openapi.json
is "$status" 200 "GET /openapi.json: 200 (a route of api.routes, the model read from _owlet/model.json)"
like "$body" '"/datasets/customers/records"' "the document has the routes"
# a bulk upload through the deployed notification and IAM policy: owlet
# upload, the front for S3, the S3 event, then the rows read back
printf 'order_id,ordered_at,status,amount_eur\n7,2026-03-01T10:00:00Z,paid,12.5\n8,2026-03-02T11:00:00Z,lost,3\n9,2026-03-02T12:00:00Z,open,4\n' >orders.csv
run_owlet upload --user writer@example.com --dataset orders orders.csv
is "$rc" 1 "owlet upload of a CSV with one bad row: exit 1"
like "$out" "orders.csv: 2 rows accepted, 1 rejected \(partly_rejected\)" "it prints the counts" || diag "$out" "$err"
like "$out" "line 3: status: " "and the bad row's line and field"
req "$(token writer@example.com)" GET /datasets
is "$(printf '%s' "$body" | python3 -c 'import json,sys; print({d["name"]: d.get("row_count") for d in json.load(sys.stdin)["datasets"]}.get("orders"))' 2>&1)" 3 \
	"GET /datasets counts the uploaded rows (orders: 1 POSTed + 2 uploaded)"
like "$(printf '%s' "$body" | python3 -c 'import json,sys; d={d["name"]: d for d in json.load(sys.stdin)["datasets"]}["orders"]; print(d.get("bytes"), d.get("last_update"))' 2>&1)" \
	'^[1-9][0-9]* 20[0-9-]{8}T[0-9:]{8}Z$' "the counts come from the metadata table (bytes, last_update)"
is "$(python3 -c 'import json; print(json.load(open("state/local/outputs.json"))["meta_table"])' 2>&1)" "shop-local-meta" \
	"the stack has its metadata table (outputs.json meta_table)"
req "$(token writer@example.com)" GET /datasets/nosuch
is "$status" 404 "a dataset the model does not have: 404"
run_owlet user list
like "$out" "^reader@example\.com"$'\t'"(analysts editors|editors analysts)$" "user list shows the reader in both groups"

# a second up changes nothing, and the API keeps its URL
t2=$(date +%s.%N)
run_owlet up
t3=$(date +%s.%N)
is "$rc" 0 "a second up succeeds"
like "$out" '^no changes: nothing to apply' "and applies nothing"
is "$(python3 -c 'import json; print(json.load(open("state/local/localapi.json"))["url"])' 2>&1)" "$url" \
	"the local API keeps its URL across up (the port kept in state/local/localapi_port.json)"
req "$(token writer@example.com)" GET /datasets
is "$status" 200 "and answers there"
pid=$(python3 -c 'import json; print(json.load(open("state/local/localapi.json"))["pid"])' 2>/dev/null)
t4=$(date +%s.%N)
run_owlet status
t5=$(date +%s.%N)
is "$rc" 0 "owlet status"
diag "a no-change up: $(python3 -c "print(round($t3 - $t2, 1))") s; owlet status: $(python3 -c "print(round($t5 - $t4, 2))") s"

run_owlet down --env local --yes
is "$rc" 0 "owlet down"
ok "$([ ! -e state/local/localapi.json ] && [ ! -e state/local/users.json ]; echo $?)" "removes localapi.json and users.json"
# stopped: gone, or a zombie its parent (init, when detached) has not reaped yet, as for the emulator below
ok "$( [ -n "$pid" ] && { [ ! -d "/proc/$pid" ] || grep -q '^State:.*Z' "/proc/$pid/status"; }; echo $?)" "and stops the local API"
ok "$(curl -s -o /dev/null "$url/datasets" && echo 1 || echo 0)" "nothing answers on its port any more"
sleep 0.5
ok "$( [ -n "$emu_pid" ] && { [ ! -d "/proc/$emu_pid" ] || grep -q '^State:.*Z' "/proc/$emu_pid/status"; }; echo $?)" "the emulator is gone"
cd / || exit 1
left=""
for p in /proc/[0-9]*; do
	cwd=$(readlink "$p/cwd" 2>/dev/null) || continue
	case "$cwd" in "$t"|"$t"/*) left="$left ${p#/proc/}" ;; esac
done
is "$left" "" "no process of the project is left running"
done_testing
