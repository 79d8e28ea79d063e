#!/usr/bin/env bash
# SQL on the local default, without `owlet up` (the stack of
# tests/localapi_stack.sh on a real moto_server): the local Athena that
# `owlet serve` runs (DuckDB through dlopen) over objects in the emulator's
# S3, `owlet query` in its three formats, and the Lambda's query routes
# (GET /datasets/NAME/rows, /aggregate, /queries/ID) through the real
# artifact: every filter, injection attempts in every value position, 403,
# 400 naming an unknown column, aggregates against the stats.
. "$(dirname "$0")/lib.sh"

command -v moto_server >/dev/null || skip_all "moto_server is not installed"
command -v aws >/dev/null || skip_all "the aws CLI is not installed"
[ -x "$OWLET_BUILD/lambda/bootstrap" ] || skip_all "no build/lambda/bootstrap"
duck=${OWLET_DUCKDB:-$HOME/.cache/owlet/duckdb/libduckdb.so}
[ -r "$duck" ] || skip_all "no libduckdb ('make duckdb' fetches it)"

t=$(tmpdir)
cd "$t" || exit 1
. "$OWLET_SRC/tests/localapi_stack.sh"
localapi_stack

run_owlet build --env local
is "$rc" 0 "owlet build"

# --- without DuckDB: the API serves, SQL answers 501 saying how to get it
OWLET_DUCKDB=/nonexistent/libduckdb.so "$OWLET" serve --env local --detach >serve.out 2>serve.err
is "$?" 0 "serve without DuckDB still serves the API"
like "$(cat serve.err state/local/localapi.log 2>/dev/null)" "SQL on the local Athena will answer 501" "and says SQL will not"
run_owlet query "SELECT 1"
is "$rc" 1 "owlet query without DuckDB fails"
like "$err" "make duckdb" "saying how to get DuckDB"
athena=$(python3 -c 'import json; print(json.load(open("state/local/localapi.json"))["athena_url"])')
code=$(curl -s -o body -w '%{http_code}' -X POST -H 'X-Amz-Target: AmazonAthena.StartQueryExecution' \
	-H 'Content-Type: application/x-amz-json-1.1' -d '{"QueryString":"SELECT 1"}' "$athena/")
is "$code" 501 "the local Athena answers 501 without DuckDB"
like "$(cat body)" '"NotImplemented".*OWLET_DUCKDB' "naming OWLET_DUCKDB"
pid=$(python3 -c 'import json; print(json.load(open("state/local/localapi.json"))["pid"])')
kill "$pid"; for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done

# --- data: a bulk CSV (with a dt= partition) and JSON Lines as the Lambda writes them
cat >trips.csv <<'CSV'
trip_id,pickup_at,dropoff_at,pickup_day,vendor,passengers,distance_km,fare,paid_card,note
1,2024-05-01T08:00:00Z,2024-05-01T08:20:00Z,2024-05-01,CMT,1,3.5,12.5,true,plain
2,2024-05-01T09:00:00Z,2024-05-01T09:30:00Z,2024-05-01,VTS,2,10.0,30.0,false,"comma, inside"
3,2024-05-02T10:00:00Z,,2024-05-02,CMT,,1.25,7.0,true,it's quoted
CSV
awsl s3 cp trips.csv "s3://$bucket/raw/trips/dt=2024-05-01/bulk.csv" >/dev/null
printf '%s\n' '{"trip_id":4,"pickup_at":"2024-05-02T11:00:00Z","vendor":"DDS","fare":55.5,"distance_km":20,"note":"back\\slash \u2019 quote"}' \
	'{"trip_id":5,"pickup_at":"2024-05-03T12:00:00Z","vendor":"CMT","fare":9.5,"note":"'"' OR 1=1 --"'"}' >trips.jsonl
awsl s3 cp trips.jsonl "s3://$bucket/raw/trips/dt=2024-05-02/x-r2.jsonl" >/dev/null

run_owlet serve --env local --detach
is "$rc" 0 "serve with DuckDB"
pid=$(python3 -c 'import json; print(json.load(open("state/local/localapi.json"))["pid"])')
at_exit "kill $pid 2>/dev/null"

# --- owlet query
run_owlet query "SELECT trip_id, vendor, fare, dt FROM trips ORDER BY trip_id" --output csv
is "$rc" 0 "owlet query --output csv"
is "$out" "trip_id,vendor,fare,dt
1,CMT,12.5,2024-05-01
2,VTS,30.0,2024-05-01
3,CMT,7.0,2024-05-01
4,DDS,55.5,2024-05-02
5,CMT,9.5,2024-05-02" "CSV and JSON Lines objects, typed, with their dt= partitions"
like "$err" "5 rows, [0-9]+ bytes scanned" "rows and bytes scanned on stderr"
run_owlet query "SELECT note FROM trips WHERE trip_id IN (2, 3, 4) ORDER BY trip_id" --output csv
is "$out" 'note
"comma, inside"
it'"'"'s quoted
back\slash ’ quote' "CSV quoting both ways, backslashes and unicode kept"
run_owlet query "SELECT vendor, count(*) AS n, sum(fare) AS total FROM trips GROUP BY vendor ORDER BY vendor" --output table
is "$rc" 0 "owlet query --output table"
is "$out" "vendor  n  total
------  -  -----
CMT     3   29.0
DDS     1   55.5
VTS     1   30.0" "an aligned table, numbers to the right"
run_owlet query "SELECT trip_id, paid_card, pickup_at FROM trips WHERE trip_id < 3 ORDER BY trip_id" --output json
is "$rc" 0 "owlet query --output json"
is "$(printf '%s' "$out" | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin), sort_keys=True))')" \
	'[{"paid_card": true, "pickup_at": "2024-05-01 08:00:00", "trip_id": 1}, {"paid_card": false, "pickup_at": "2024-05-01 09:00:00", "trip_id": 2}]' \
	"JSON typed by the columns"
run_owlet query "SELECT nosuch FROM trips"
is "$rc" 1 "a bad query fails"
like "$err" "the query failed: .*nosuch" "with the engine's message"
run_owlet query "SELECT * FROM read_csv('/etc/passwd')"
is "$rc" 1 "a query cannot read files outside the cache"
like "$err" "Permission Error|disabled" "DuckDB refuses it"
