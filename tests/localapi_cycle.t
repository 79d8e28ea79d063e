#!/usr/bin/env bash
# The local cycle as a newcomer runs it: owlet up (emulator, terraform, the
# local API in the background), owlet user add, owlet token, POST records,
# GET /datasets, owlet down; everything on 127.0.0.1.
. "$(dirname "$0")/lib.sh"

command -v moto_server >/dev/null || skip_all "moto_server is not installed"
command -v terraform >/dev/null || skip_all "terraform is not installed"
command -v curl >/dev/null || skip_all "curl is not installed"
[ -x "$OWLET_BUILD/lambda/bootstrap" ] || skip_all "no build/lambda/bootstrap"
run_owlet up --help
[ "$rc" = 0 ] || skip_all "owlet up is not built"

# not tmpdir: at exit, down must run (emulator, API) before the directory goes
t=$(mktemp -d "${TMPDIR:-/tmp}/owlet-test.XXXXXX")
at_exit "(cd '$t' && '$OWLET' down --env local --yes >/dev/null 2>&1); rm -rf '$t'"
cd "$t" || exit 1
cp "$OWLET_SRC/data_model.yml" .
mkdir environments
cp "$OWLET_SRC/environments/local.yml" environments/

run_owlet up
[ "$rc" = 0 ] || diag "$err"
if printf '%s' "$err" | grep -q "is not built yet"; then skip_all "owlet up is not built yet"; fi
is "$rc" 0 "owlet up brings the local environment up"
url=$(python3 -c 'import json; print(json.load(open("state/local/localapi.json"))["url"])' 2>/dev/null)
like "$url" '^http://127\.0\.0\.1:[0-9]+$' "and the local API runs (localapi.json)"
like "$out" "$url" "up prints the API's URL"
pid=$(python3 -c 'import json; print(json.load(open("state/local/localapi.json"))["pid"])' 2>/dev/null)

run_owlet user add alice@example.com --group editors
is "$rc" 0 "owlet user add" || diag "$err"
run_owlet token alice@example.com
is "$rc" 0 "owlet token"
token=$(printf '%s\n' "$out" | tail -1)

req() { # METHOD PATH [BODY] -> $status $body
	local resp
	resp=$(curl -s -w '\n%{http_code}' -X "$1" -H "Authorization: Bearer $token" \
		${3:+-H 'Content-Type: application/json' --data-binary "$3"} "$url$2")
	status=${resp##*$'\n'}
	body=${resp%$'\n'*}
}
req POST /datasets/stations/records '[{"station_id": "S1", "name": "Harbour", "active": true}, {"station_id": "S2", "name": "Hill", "active": false}]'
is "$status" 201 "POST two records: 201"
like "$body" '"key": ?"raw/stations/[0-9]{8}T' "stored under raw/stations/ (no partition_by: no dt=)"
req POST /datasets/stations/records '{"station_id": "S1", "name": "Harbour again", "active": true}'
is "$status" 409 "the same station_id again: 409 (its key marker, through the deployed IAM policy)"
req GET /openapi.json
is "$status" 200 "GET /openapi.json: 200 (a route of api.routes, the model read from _owlet/model.json)"
like "$body" '"/datasets/stations/records"' "the document has the routes"
req GET /datasets
is "$status" 200 "GET /datasets: 200"
like "$body" '"stations"' "lists the datasets"
req GET /datasets/nosuch
is "$status" 404 "a dataset the model does not have: 404"

run_owlet down --env local --yes
is "$rc" 0 "owlet down"
ok "$([ ! -e state/local/localapi.json ]; echo $?)" "removes localapi.json"
ok "$(kill -0 "$pid" 2>/dev/null && echo 1 || echo 0)" "and stops the local API"
ok "$(curl -s -o /dev/null "$url/datasets" && echo 1 || echo 0)" "nothing answers on its port any more"
done_testing
