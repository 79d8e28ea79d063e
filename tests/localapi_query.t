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
# many requests in a row: lift the stage throttle of the copied local.yml
sed -i 's/throttle_rate: .*/throttle_rate: 5000/; s/throttle_burst: .*/throttle_burst: 5000/' environments/local.yml

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

# --- data: JSON Lines in the stored layout (docs/contracts.md), two dt= partitions
cat >trips-a.jsonl <<'JSONL'
{"trip_id":1,"pickup_at":"2024-05-01 08:00:00","dropoff_at":"2024-05-01 08:20:00","pickup_day":"2024-05-01","vendor":"CMT","passengers":1,"distance_km":3.5,"fare":12.5,"paid_card":true,"note":"plain"}
{"trip_id":2,"pickup_at":"2024-05-01 09:00:00","dropoff_at":"2024-05-01 09:30:00","pickup_day":"2024-05-01","vendor":"VTS","passengers":2,"distance_km":10.0,"fare":30.0,"paid_card":false,"note":"comma, inside"}
{"trip_id":3,"pickup_at":"2024-05-02 10:00:00","pickup_day":"2024-05-02","vendor":"CMT","distance_km":1.25,"fare":7.0,"paid_card":true,"note":"it's quoted"}
JSONL
awsl s3 cp trips-a.jsonl "s3://$bucket/raw/trips/dt=2024-05-01/bulk-r3.jsonl" >/dev/null
# objects not named *.jsonl are not part of the layout: never read
printf 'trip_id,pickup_at\n99,2024-05-01T08:00:00Z\n' >stray.csv
awsl s3 cp stray.csv "s3://$bucket/raw/trips/dt=2024-05-01/stray.csv" >/dev/null
printf '{"trip_id":98,"pickup_at":"2024-05-01 08:00:00"}\n' >stray.json
awsl s3 cp stray.json "s3://$bucket/raw/trips/dt=2024-05-01/stray.json" >/dev/null
printf '%s\n' '{"trip_id":4,"pickup_at":"2024-05-02T11:00:00Z","vendor":"DDS","fare":55.5,"distance_km":20,"note":"back\\slash \u2019 quote"}' \
	'{"trip_id":5,"pickup_at":"2024-05-03T12:00:00Z","vendor":"CMT","fare":9.5,"note":"'"' OR 1=1 --"'"}' >trips.jsonl
awsl s3 cp trips.jsonl "s3://$bucket/raw/trips/dt=2024-05-02/x-r2.jsonl" >/dev/null

printf 'Known-passw0rd!\n' | "$OWLET" user add alice@example.com --group editors --password-stdin >/dev/null
printf 'Known-passw0rd!\n' | "$OWLET" user add dan@example.com --group drivers --password-stdin >/dev/null
run_owlet token alice@example.com
token=$(printf '%s\n' "$out" | tail -1)
run_owlet token dan@example.com
driver=$(printf '%s\n' "$out" | tail -1)

run_owlet serve --env local --detach
is "$rc" 0 "serve with DuckDB"
url=$(printf '%s\n' "$out" | tail -1)
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
5,CMT,9.5,2024-05-02" "the *.jsonl objects (not .csv, not .json), typed, with their dt= partitions"
# (the stray .csv and .json stay until the stats are compared with SQL: neither reads them)
like "$err" "5 rows, [0-9]+ bytes scanned" "rows and bytes scanned on stderr"
run_owlet query "SELECT count(*) AS n FROM owlet_demo_local.trips" --output csv
is "$rc:$out" "0:n
5" "db.table names the table, as in Athena"
run_owlet query 'SELECT count(*) AS n FROM awsdatacatalog."owlet_demo_local".trips WHERE note <> '"'owlet_demo_local.trips'"'' --output csv
is "$rc:$out" "0:n
5" "awsdatacatalog.db.table too, and a string that looks like one is left alone"
run_owlet query "SELECT count(*) AS n FROM otherdb.trips" --output csv
like "$rc:$err" "^1:.*otherdb" "another database is not this one"
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

# --- the query routes of the real Lambda, through the local API
get() { # PATH [TOKEN] -> $status $body (query strings encoded by curl)
	local path=$1 tok=${2:-$token} resp
	shift 2 2>/dev/null || shift
	resp=$(curl -s -G -w '\n%{http_code}' -H "Authorization: Bearer $tok" "$@" "$url$path")
	status=${resp##*$'\n'}
	body=${resp%$'\n'*}
}
ids() { printf '%s' "$body" | python3 -c 'import json,sys; print(",".join(str(r["trip_id"]) for r in json.load(sys.stdin)["rows"]))'; }
field() { printf '%s' "$body" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(json.dumps(eval("d"+sys.argv[1])))' "$1"; }

get /datasets/trips/rows "$token" --data-urlencode order_by=trip_id
is "$status" 200 "GET rows: 200"
is "$(ids)" "1,2,3,4,5" "every row"
is "$(field "['rows'][0]['pickup_at']")" '"2024-05-01T08:00:00Z"' "timestamps as ISO 8601"
is "$(field "['rows'][0]['fare']")" '12.5' "floats as numbers"
is "$(field "['rows'][0]['paid_card']")" 'true' "bools as JSON bools"
is "$(field "['rows'][0]['dt']")" '"2024-05-01"' "the partition column"
is "$(field "['rows'][2]['passengers']")" 'null' "an empty cell is null"
get /datasets/trips/rows "$token" --data-urlencode vendor=CMT --data-urlencode order_by=-fare
is "$(ids)" "1,5,3" "field=value, order_by descending"
get /datasets/trips/rows "$token" --data-urlencode fare_gt=9.5 --data-urlencode fare_lt=55.5 --data-urlencode order_by=trip_id
is "$(ids)" "1,2" "_gt and _lt are strict"
get /datasets/trips/rows "$token" --data-urlencode fare_from=9.5 --data-urlencode fare_to=30 --data-urlencode order_by=trip_id
is "$(ids)" "1,2,5" "_from and _to include their ends"
get /datasets/trips/rows "$token" --data-urlencode pickup_at_from=2024-05-01T09:00:00Z --data-urlencode pickup_at_to=2024-05-02T11:00:00Z --data-urlencode order_by=trip_id
is "$(ids)" "2,3,4" "timestamp ranges"
get /datasets/trips/rows "$token" --data-urlencode dt=2024-05-02 --data-urlencode order_by=trip_id
is "$(ids)" "4,5" "the dt= partition as a filter"
get /datasets/trips/rows "$token" --data-urlencode pickup_day_from=2024-05-02 --data-urlencode order_by=trip_id
is "$(ids)" "3" "date ranges"
get /datasets/trips/rows "$token" --data-urlencode paid_card=false
is "$(ids)" "2" "bool equality"
get /datasets/trips/rows "$token" --data-urlencode trip_id=4 --data-urlencode columns=trip_id,note
is "$(field "['rows']")" '[{"trip_id": 4, "note": "back\\slash \u2019 quote"}]' "columns, and a value with a backslash and a unicode quote"
get /datasets/trips/rows "$token" --data-urlencode order_by=trip_id --data-urlencode limit=2
is "$(ids)" "1,2" "limit"
is "$(field "['limit']")" 2 "the answer says the limit"
get /datasets/trips/rows "$token" --data-urlencode limit=1001
is "$status" 400 "a limit over 1000: 400"

# injection attempts in every value position: only matching rows, or 400
for v in "' OR 1=1 --" "x'; DROP TABLE trips; --" "CMT' --" "\\' OR 1=1 --" "CMT\\" "’ OR 1=1 --" "CMTʼ OR ʼ1ʼ=ʼ1"; do
	v=$(printf "$v")
	want=; [ "$v" = "' OR 1=1 --" ] && want=5 # the one note that holds this text
	get /datasets/trips/rows "$token" --data-urlencode "note=$v"
	is "$status:$(ids)" "200:$want" "string equality with [$v]: only the row that holds it"
	get /datasets/trips/rows "$token" --data-urlencode "vendor_gt=$v" --data-urlencode order_by=trip_id
	[ "$status" = 200 ] && ok 0 "string range with [$v]: compared as a string" || is "$status" 200 "string range with [$v]"
	for f in trip_id_gt fare_lt paid_card pickup_at_from pickup_day dt; do
		get /datasets/trips/rows "$token" --data-urlencode "$f=$v"
		is "$status" 400 "$f=[$v]: 400"
	done
done
get /datasets/trips/rows "$token" --data-urlencode "note=' OR 1=1 --"
is "$(ids)" "5" "a note that holds ' OR 1=1 -- matches only itself"
run_owlet query "SELECT count(*) AS n FROM trips" --output csv
is "$out" "n
5" "the table is still there"

# --- errors and access
get /datasets/trips/rows "$token" --data-urlencode nosuch=1
is "$status" 400 "an unknown column: 400"
like "$body" "unknown column 'nosuch'" "naming it"
get /datasets/trips/rows "$token" --data-urlencode nosuch_gt=1
like "$status $body" "400 .*unknown column 'nosuch'" "an unknown column with a suffix names the column"
get /datasets/trips/rows "$token" --data-urlencode 'columns=trip_id,"x"'
like "$status $body" "400 .*unknown column '[^']*x[^']*' \(in columns\)" "an unknown column in columns"
get /datasets/trips/rows "$token" --data-urlencode 'order_by=trip_id;DROP TABLE trips'
like "$status $body" "400 .*unknown column" "an unknown column in order_by"
get /datasets/trips/rows "$token" --data-urlencode paid_card_gt=true
is "$status" 400 "an ordering filter on a bool: 400"
get /datasets/trips/rows "$driver"
is "$status" 403 "a caller without read access: 403"
get /datasets/trips/aggregate "$driver" --data-urlencode count=*
is "$status" 403 "also for aggregate"

# --- aggregate
get /datasets/trips/aggregate "$token" --data-urlencode group_by=vendor --data-urlencode count=* --data-urlencode sum=fare \
	--data-urlencode avg=distance_km --data-urlencode min=pickup_at --data-urlencode max=fare
is "$status" 200 "aggregate: 200"
is "$(printf '%s' "$body" | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["rows"], sort_keys=True))')" \
	'[{"avg_distance_km": 2.375, "count": 3, "max_fare": 12.5, "min_pickup_at": "2024-05-01T08:00:00Z", "sum_fare": 29.0, "vendor": "CMT"}, {"avg_distance_km": 20.0, "count": 1, "max_fare": 55.5, "min_pickup_at": "2024-05-02T11:00:00Z", "sum_fare": 55.5, "vendor": "DDS"}, {"avg_distance_km": 10.0, "count": 1, "max_fare": 30.0, "min_pickup_at": "2024-05-01T09:00:00Z", "sum_fare": 30.0, "vendor": "VTS"}]' \
	"group_by, count, sum, avg, min, max"
get /datasets/trips/aggregate "$token" --data-urlencode count=* --data-urlencode vendor=CMT --data-urlencode fare_gt=8
is "$(field "['rows']")" '[{"count": 2}]' "aggregate with filters"
get /datasets/trips/aggregate "$token" --data-urlencode sum=note
is "$status" 400 "sum of a string: 400"
get /datasets/trips/aggregate "$token"
is "$status" 400 "no aggregate: 400"

# --- agreement with the stats on the same data
get /datasets/trips/aggregate "$token" --data-urlencode count=* --data-urlencode sum=fare,trip_id --data-urlencode min=fare,trip_id --data-urlencode max=fare,trip_id
agg=$body
get /datasets/trips/stats "$token"
stats=$body
is "$(python3 - "$agg" "$stats" <<'PY'
import json, sys
a = json.loads(sys.argv[1])["rows"][0]; s = json.loads(sys.argv[2])
cols = s["columns"] if isinstance(s.get("columns"), dict) else {c["name"]: c for c in s["columns"]}
out = [a["count"] == s["rows"]]
for f in ("fare", "trip_id"):
    c = cols[f]
    out += [abs(float(a["sum_" + f]) - float(c["sum"])) < 1e-9, float(a["min_" + f]) == float(c["min"]),
            float(a["max_" + f]) == float(c["max"])]
print(all(out), out)
PY
)" "True [True, True, True, True, True, True, True]" "aggregate agrees with the stats on count, sum, min and max"
get /datasets/trips/aggregate "$token" --data-urlencode group_by=vendor --data-urlencode count=*
is "$(python3 - "$body" "$stats" <<'PY'
import json, sys
a = json.loads(sys.argv[1])["rows"]; s = json.loads(sys.argv[2])
cols = s["columns"] if isinstance(s.get("columns"), dict) else {c["name"]: c for c in s["columns"]}
sql = sorted((r["vendor"], r["count"]) for r in a if r["vendor"] is not None)
top = sorted((t["value"], t["count"]) for t in cols["vendor"]["top"])
print(sql == top and not any("error" in t for t in cols["vendor"]["top"]), sql, top)
PY
)" "True [('CMT', 3), ('DDS', 1), ('VTS', 1)] [('CMT', 3), ('DDS', 1), ('VTS', 1)]" "the stats' top values are SQL's GROUP BY counts, exact"

awsl s3 rm "s3://$bucket/raw/trips/dt=2024-05-01/stray.csv" >/dev/null
awsl s3 rm "s3://$bucket/raw/trips/dt=2024-05-01/stray.json" >/dev/null

# --- compaction: raw JSON Lines -> Parquet under curated/, read as trips_curated
cols="trip_id, pickup_at, dropoff_at, pickup_day, vendor, passengers, distance_km, fare, paid_card, note, dt"
summary="SELECT count(*) AS n, sum(fare) AS fare, sum(trip_id) AS ids, sum(passengers) AS p, min(pickup_at) AS first, max(distance_km) AS d, count(DISTINCT dt) AS days"
same_as_raw() { # DESCRIPTION: curated, and the view trips over raw and curated, give what raw gives
	local raw_rows raw_sums
	run_owlet query --raw "SELECT $cols FROM trips ORDER BY trip_id" --output csv; raw_rows=$out
	run_owlet query "SELECT $cols FROM trips_curated ORDER BY trip_id" --output csv
	is "$rc:$out" "0:$raw_rows" "$1: curated rows equal raw"
	run_owlet query "SELECT $cols FROM trips ORDER BY trip_id" --output csv
	is "$rc:$out" "0:$raw_rows" "$1: the view's rows equal raw"
	run_owlet query --raw "$summary FROM trips" --output csv; raw_sums=$out
	run_owlet query "$summary FROM owlet_demo_local.trips_curated" --output csv
	is "$rc:$out" "0:$raw_sums" "$1: curated count and sums equal raw"
	run_owlet query "WITH x AS (SELECT 1 AS one) $summary FROM trips, x" --output csv
	is "$rc:$out" "0:$raw_sums" "$1: the view's count and sums equal raw (in a query with its own WITH)"
	get /datasets/trips/aggregate "$token" --data-urlencode count=* --data-urlencode sum=fare,trip_id
	is "$status:$(field "['rows'][0]['count']"),$(field "['rows'][0]['sum_trip_id']")" \
		"200:$(printf '%s' "$raw_sums" | tail -1 | cut -d, -f1,3)" "$1: GET /aggregate over the view: the same count and sums"
}
marker_key() { curated_keys | grep "dt=$1/_owlet_compacted-[0-9a-f]\{64\}\.json$"; }
scanned_of() { printf '%s' "$err" | sed -n 's/.* \([0-9]*\) bytes scanned.*/\1/p'; }

# before compaction: the answers to keep, and what they scan
run_owlet query "$summary FROM trips" --output csv; before_sums=$out
is "$rc" 0 "the view before compaction (raw alone)"
get /datasets/trips/aggregate "$token" --data-urlencode count=* --data-urlencode sum=fare --data-urlencode group_by=dt
before_agg=$(field "['rows']"); before_route_scanned=$(field "['bytes_scanned']")
run_owlet query "SELECT sum(fare) AS s FROM trips" --output csv; before_scanned=$(scanned_of)
curated_keys() { awsl s3api list-objects-v2 --bucket "$bucket" --prefix curated/trips/ --query 'Contents[].Key' --output text | tr '\t' '\n' | sort; }
run_owlet query "SELECT count(*) AS n FROM trips_curated" --output csv
is "$rc:$out" "0:n
0" "before compaction the curated table is empty"
run_owlet compact --env local --dataset trips
is "$rc" 0 "owlet compact"
like "$out" "trips dt=2024-05-01: compacted, 3 rows, 1 objects" "a partition compacted, its rows counted"
like "$out" "trips dt=2024-05-02: compacted, 2 rows" "each partition"
like "$err" "2 partitions compacted, 0 unchanged, 0 removed; 5 rows; JSON Lines [0-9]+ bytes -> Parquet [0-9]+ bytes" "the totals"
keys=$(curated_keys)
like "$keys" "curated/trips/dt=2024-05-01/[^/]*\.parquet" "Parquet objects under curated/trips/dt=.../"
like "$keys" "curated/trips/dt=2024-05-02/_owlet_compacted-[0-9a-f]{64}\.json" "and the marker of each partition, named by its fingerprint"
same_as_raw "after compaction"
run_owlet query "$summary FROM trips" --output csv
is "$rc:$out" "0:$before_sums" "the view: the same answer as before compaction"
like "$err" "trips: 2 of 2 partitions read from trips_curated" "read from the Parquet"
run_owlet query "SELECT sum(fare) AS s FROM trips" --output csv; after_scanned=$(scanned_of)
ok "$(( after_scanned > 0 && after_scanned * 4 < before_scanned ? 0 : 1 ))" "bytes scanned drop after compaction ($before_scanned -> $after_scanned)"
get /datasets/trips/aggregate "$token" --data-urlencode count=* --data-urlencode sum=fare --data-urlencode group_by=dt
is "$status:$(field "['rows']")" "200:$before_agg" "GET /aggregate: the same answer as before compaction"
ok "$(( $(field "['bytes_scanned']") < before_route_scanned ? 0 : 1 ))" "and it scans less ($before_route_scanned -> $(field "['bytes_scanned']"))"
awsl s3 cp "s3://$bucket/$(printf '%s\n' "$keys" | grep 'dt=2024-05-01/.*parquet$' | head -1)" one.parquet >/dev/null
is "$(head -c 4 one.parquet)" "PAR1" "the objects are Parquet"

run_owlet compact --env local
is "$rc" 0 "compact again"
like "$out" "trips dt=2024-05-01: unchanged, 3 rows" "an unchanged partition is left alone"
is "$(curated_keys)" "$keys" "and its objects are the same"
same_as_raw "after a second run"

# an interrupted run: Parquet written, the marker not (and a second copy of the rows)
first=$(printf '%s\n' "$keys" | grep 'dt=2024-05-01/.*parquet$' | head -1)
awsl s3 cp "s3://$bucket/$first" "s3://$bucket/curated/trips/dt=2024-05-01/leftover.parquet" >/dev/null
awsl s3 rm "s3://$bucket/$(marker_key 2024-05-01)" >/dev/null
run_owlet query "SELECT count(*) AS n FROM trips_curated" --output csv
is "$out" "n
8" "an interrupted compaction can leave rows twice"
run_owlet query "$summary FROM trips" --output csv
is "$rc:$out" "0:$before_sums" "but the view reads that partition raw: the same answer"
like "$err" "trips: 1 of 2 partitions read from trips_curated" "the partition without its marker is read raw"
run_owlet compact --env local
like "$out" "trips dt=2024-05-01: compacted, 3 rows" "run again, the partition without a marker is done again"
like "$out" "trips dt=2024-05-02: unchanged" "the others are not"
same_as_raw "after an interrupted run, run again"

# new raw objects: their partition only; raw objects gone: their partition goes
printf '%s\n' '{"trip_id":6,"pickup_at":"2024-05-02 13:00:00","vendor":"VTS","fare":1.5}' >more.jsonl
awsl s3 cp more.jsonl "s3://$bucket/raw/trips/dt=2024-05-02/more-r1.jsonl" >/dev/null
printf '%s\n' '{"trip_id":7,"pickup_at":"2024-05-09 13:00:00","vendor":"VTS","fare":2.5}' >later.jsonl
awsl s3 cp later.jsonl "s3://$bucket/raw/trips/dt=2024-05-09/later-r1.jsonl" >/dev/null
run_owlet query "SELECT count(*) AS n, sum(trip_id) AS ids FROM trips" --output csv
is "$out" "n,ids
7,28" "before compacting them, the view counts new raw objects once (their partitions are read raw)"
like "$err" "trips: 1 of 3 partitions read from trips_curated" "a partition changed since it was compacted is read raw"
run_owlet compact --env local
like "$out" "trips dt=2024-05-02: compacted, 3 rows, 2 objects" "a partition with a new object is done again"
like "$out" "trips dt=2024-05-09: compacted, 1 rows" "a new partition is done"
like "$out" "trips dt=2024-05-01: unchanged" "the others are not"
same_as_raw "after new objects"
awsl s3 rm "s3://$bucket/raw/trips/dt=2024-05-09/later-r1.jsonl" >/dev/null
awsl s3 rm "s3://$bucket/raw/trips/dt=2024-05-02/more-r1.jsonl" >/dev/null
run_owlet compact --env local
like "$out" "trips dt=2024-05-09: removed" "a partition whose raw objects are gone is removed"
is "$(curated_keys | grep -c 'dt=2024-05-09')" 0 "with all its objects"
same_as_raw "after raw objects were deleted"
run_owlet compact --env local --dataset nosuch
like "$rc:$err" "^1:.*no dataset 'nosuch'" "an unknown dataset"

# bytes scanned: Parquet reads the columns named, JSON Lines whole objects
run_owlet query --raw "SELECT sum(fare) AS s FROM trips" --output csv
raw_scanned=$(printf '%s' "$err" | sed -n 's/.* \([0-9]*\) bytes scanned.*/\1/p')
run_owlet query "SELECT sum(fare) AS s FROM trips_curated" --output csv
cur_scanned=$(printf '%s' "$err" | sed -n 's/.* \([0-9]*\) bytes scanned.*/\1/p')
is "$raw_scanned" "$(( $(wc -c <trips-a.jsonl) + $(wc -c <trips.jsonl) ))" "raw: the bytes of the *.jsonl objects read"
ok "$(( cur_scanned > 0 && cur_scanned * 4 < raw_scanned ? 0 : 1 ))" "curated: the fare column chunks only ($cur_scanned < $raw_scanned / 4)"
run_owlet query "SELECT * FROM trips_curated" --output csv
all_scanned=$(printf '%s' "$err" | sed -n 's/.* \([0-9]*\) bytes scanned.*/\1/p')
ok "$(( all_scanned > cur_scanned ? 0 : 1 ))" "SELECT * reads every column ($all_scanned > $cur_scanned)"

# partition pruning: a filter on dt reads only its partitions, as Athena prunes
run_owlet query --raw "SELECT count(*) AS n FROM trips WHERE dt = DATE '2024-05-02'" --output csv
is "$out:$(scanned_of)" "n
2:$(wc -c <trips.jsonl)" "a dt filter reads that partition's objects alone"
run_owlet query --raw "SELECT count(*) AS n FROM trips WHERE dt >= DATE '2024-05-02' OR trip_id = 1" --output csv
is "$out:$(scanned_of)" "n
3:$raw_scanned" "a dt filter inside OR prunes nothing"
run_owlet query --raw "SELECT count(*) AS n FROM trips WHERE dt BETWEEN DATE '2024-06-01' AND DATE '2024-06-30'" --output csv
is "$out:$(scanned_of)" "n
0:0" "a range of days with no partition reads nothing"
run_owlet query --raw "SELECT count(*) AS n FROM trips WHERE dt IN (SELECT max(dt) FROM trips)" --output csv
is "$out:$(scanned_of)" "n
2:$raw_scanned" "a filter known only when the query runs reads every partition"
# a dataset without partition_by: read whole, or not at all when the plan drops its scan
printf '%s\n' '{"station_id":"s1","name":"North"}' '{"station_id":"s2","name":"South"}' >stations.jsonl
awsl s3 cp stations.jsonl "s3://$bucket/raw/stations/s-r2.jsonl" >/dev/null
run_owlet query --raw "SELECT count(*) AS n FROM stations" --output csv
is "$out:$(scanned_of)" "n
2:$(wc -c <stations.jsonl)" "a table without partitions is read whole"
run_owlet query --raw "SELECT count(*) AS n FROM stations WHERE false" --output csv
is "$out:$(scanned_of)" "n
0:0" "and not at all when the plan drops its scan (as the view over a compacted one does)"
get /datasets/trips/rows "$token" --data-urlencode dt_from=2024-05-02 --data-urlencode columns=trip_id
is "$status:$(field "['count']")" "200:2" "GET /rows with a dt filter (an execution parameter)"
route_scanned=$(field "['bytes_scanned']")
run_owlet query "SELECT trip_id FROM trips_curated WHERE dt = DATE '2024-05-02'" --output csv
is "$route_scanned" "$(scanned_of)" "it reads the trip_id column of that day's Parquet alone: no raw object, no other day"
run_owlet query "SELECT * FROM trips_curated WHERE dt = DATE '2024-05-02'" --output csv
ok "$(( route_scanned > 0 && route_scanned < $(scanned_of) ? 0 : 1 ))" "less than all its columns ($route_scanned < $(scanned_of))"

# UNLOAD in the local Athena: only to an empty location of the data bucket
run_owlet query "UNLOAD (SELECT 1 AS x) TO 's3://$bucket/curated/trips/dt=2024-05-01/' WITH (format = 'PARQUET')"
like "$rc:$err" "^1:.*HIVE_PATH_ALREADY_EXISTS" "UNLOAD to a location with objects fails, as Athena's"
run_owlet query "UNLOAD (SELECT 1 AS x) TO 's3://another-bucket/x/' WITH (format = 'PARQUET')"
like "$rc:$err" "^1:.*only to the data bucket" "UNLOAD to another bucket fails"
run_owlet query "UNLOAD (SELECT 1 AS x) TO 's3://$bucket/x/' WITH (format = 'JSON')"
like "$rc:$err" "^1:.*format = 'PARQUET' only" "UNLOAD in another format fails"

# --- 202 and GET /queries/ID: a query that outlives the Lambda's time
qid=$(printf '%s' "$body" >/dev/null; printf '%s' "$agg" | python3 -c 'import json,sys; print(json.load(sys.stdin)["query_id"])')
get "/queries/$qid" "$token"
is "$status" 200 "GET /queries/ID of a finished query: its rows"
is "$(field "['rows'][0]['count']")" 5 "the same answer"
get "/queries/$qid" "$driver"
is "$status" 404 "GET /queries/ID by a caller who may not read the dataset: 404"
get "/queries/00000000-0000-0000-0000-000000000000" "$token"
is "$status" 404 "an unknown query id: 404"

# a Lambda of 1 s keeps 1 s for the results: any query still running at
# its first poll is answered 202, and GET /queries/ID gives it later
kill "$pid"; for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
sed -i 's/timeout_s: .*/timeout_s: 1/' environments/local.yml
run_owlet serve --env local --detach
url=$(printf '%s\n' "$out" | tail -1)
pid=$(python3 -c 'import json; print(json.load(open("state/local/localapi.json"))["pid"])')
at_exit "kill $pid 2>/dev/null"
get /datasets/trips/rows "$token" --data-urlencode vendor=CMT --data-urlencode order_by=trip_id
is "$status" 202 "a query that outlives the Lambda's time: 202"
qid=$(field "['query_id']" | tr -d '"')
is "$(field "['location']")" "\"/queries/$qid\"" "with the query id and where to ask"
for _ in $(seq 50); do get "/queries/$qid" "$token"; [ "$status" = 202 ] || break; sleep 0.1; done
is "$status" 200 "GET /queries/ID: 200 once it ended"
is "$(ids)" "1,3,5" "with the rows"

# --- the daily compaction's event {"owlet":"compact"} (modules/function
# schedule.tf), handled by the real artifact against moto and this Athena
printf '%s\n' '{"trip_id":8,"pickup_at":"2024-05-20 07:00:00","vendor":"CMT","fare":4.0}' >day20.jsonl
awsl s3 cp day20.jsonl "s3://$bucket/raw/trips/dt=2024-05-20/day20-r1.jsonl" >/dev/null
here=$PWD
. "$OWLET_SRC/tests/lambda_lib.sh"
cd "$here" || exit 1
model_json=$(python3 -c 'import json; print(json.load(open("state/local/owlet.auto.tfvars.json"))["function"]["model_json"])')
athena=$(python3 -c 'import json; print(json.load(open("state/local/localapi.json"))["athena_url"])')
lambda_env=(AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1 AWS_ENDPOINT_URL="$endpoint"
	AWS_ENDPOINT_URL_ATHENA="$athena" OWLET_DATA_BUCKET="$bucket" OWLET_MODEL="$model_json"
	OWLET_GLUE_DATABASE=owlet_demo_local OWLET_ATHENA_WORKGROUP=primary)
LAMBDA_TIMEOUT_S=60 run_plan compact '[{"id": "1-compact", "event": {"owlet": "compact"}, "deadline_in_ms": 30000},
	{"id": "2-compact", "event": {"owlet": "compact"}, "deadline_in_ms": 30000}]' "${lambda_env[@]}"
is "$(q 'len([x for x in r if x["path"].endswith("-compact/response")])'):$(resp 1-compact "['ok']")" "2:True" \
	"the function answers the compaction events"
is "$(resp 1-compact "['compacted']"),$(resp 1-compact "['unchanged']"),$(resp 1-compact "['rows']")" "2,2,8" \
	"it compacts the new partitions (trips dt=2024-05-20, stations) and leaves the others (rows: all the partitions')"
is "$(resp 2-compact "['compacted']"),$(resp 2-compact "['unchanged']")" "0,4" "run again: nothing to do"
like "$stderr" "compact trips dt=2024-05-20: compacted, 1 rows" "its log names each partition"
run_owlet query "SELECT count(*) AS n, sum(trip_id) AS ids FROM trips" --output csv
is "$out" "n,ids
6,23" "the view reads the Lambda's Parquet: the same rows"
like "$err" "trips: 3 of 3 partitions read from trips_curated" "every partition from curated"
LAMBDA_TIMEOUT_S=20 run_plan badevent '[{"id": "1-bad", "event": {"owlet": "dance"}}]' "${lambda_env[@]}"
like "$(q 'j([x for x in r if x["path"].endswith("/1-bad/error")][0]["body"])["errorType"]')" "Owlet.InvalidEvent" \
	"any other owlet event is refused"
done_testing
