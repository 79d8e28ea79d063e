#!/usr/bin/env bash
# bench/query.sh: the latency of SQL on the local default, on 1M rows of
# bench/gen.c's taxi-trips CSV, against DuckDB itself.
#
#   bench/query.sh            # ROWS=1000000 RUNS=21
#
# owlet: `owlet query` end to end (a new process, Athena's JSON API over
# HTTP to the local Athena of `owlet serve`, the S3 listing of the table,
# DuckDB through dlopen, the result over HTTP), the object in the emulator's
# S3 (moto_server) and copied into the cache by the first run, which is
# reported apart.  Peer: DuckDB through node (@duckdb/node-api, the same
# libduckdb version), the same SQL on the same file, timed inside one
# process (no process start, no HTTP).  Prints p50 and p90 of each, in ms.
set -euo pipefail
cd "$(dirname "$0")"
root=$(cd .. && pwd)
ROWS=${ROWS:-1000000}
RUNS=${RUNS:-21}
SQL=${SQL:-"SELECT vendor, count(*) AS n, sum(fare) AS fare, avg(distance_km) AS km FROM trips GROUP BY vendor ORDER BY vendor"}
mkdir -p data
make -s -C "$root" build/owlet >/dev/null
cc -O2 -o data/gen gen.c
[ -d node_modules/@duckdb/node-api ] || npm install --no-audit --no-fund >/dev/null
f=data/query-$ROWS.csv
[ -s "$f" ] || ./data/gen 1000000000 | head -n $((ROWS + 1)) >"$f"
file=$(cd data && pwd)/$(basename "$f")

. "$root/tests/lib.sh" >/dev/null
w=$(tmpdir)
cd "$w"
port=$(free_port)
moto_server -H 127.0.0.1 -p "$port" >moto.log 2>&1 &
moto=$!
at_exit "kill $moto 2>/dev/null"
endpoint=http://127.0.0.1:$port
for _ in $(seq 100); do curl -sf "$endpoint/moto-api/" >/dev/null && break; sleep 0.1; done
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1
cp "$root/bench/model.yml" data_model.yml
mkdir -p environments state/local/artifacts
cp "$root/environments/local.yml" environments/
aws --endpoint-url "$endpoint" s3api create-bucket --bucket bench-data >/dev/null
aws --endpoint-url "$endpoint" s3 cp "$file" s3://bench-data/raw/trips/bulk.csv >/dev/null
echo "{\"endpoint\": \"$endpoint\", \"pid\": $moto, \"port\": $port}" >state/local/emulator.json
echo '{"data_bucket": "bench-data", "region": "us-east-1", "api_id": "bench", "function_name": "bench"}' >state/local/outputs.json
OWLET_HOME=$root "$root/build/owlet" build --env local >/dev/null
OWLET_HOME=$root "$root/build/owlet" serve --env local --detach >/dev/null 2>&1
pid=$(python3 -c 'import json; print(json.load(open("state/local/localapi.json"))["pid"])')
at_exit "kill $pid 2>/dev/null"

ms() { python3 -c 'import sys,time; print(int(time.monotonic_ns() // 1000000))'; }
stats() { sort -n | awk '{ v[NR] = $1 } END { printf "p50 %.0f ms, p90 %.0f ms (%d runs)", v[int((NR + 1) / 2)], v[int(NR * 0.9 + 0.5)], NR }'; }
t0=$(date +%s%N)
"$root/build/owlet" query "$SQL" --output csv >first.out 2>/dev/null
t1=$(date +%s%N)
echo "rows: $ROWS ($(du -m "$file" | cut -f1) MB CSV)"
echo "query: $SQL"
echo "owlet query, first run (copies the object from S3): $(( (t1 - t0) / 1000000 )) ms"
for _ in $(seq "$RUNS"); do
	t0=$(date +%s%N)
	"$root/build/owlet" query "$SQL" --output csv >out 2>/dev/null
	t1=$(date +%s%N)
	echo $(( (t1 - t0) / 1000000 ))
done | stats | sed 's/^/owlet query (end to end): /'
echo
node "$root/bench/query_duckdb.mjs" "$file" "$RUNS" "$SQL" | stats | sed 's/^/DuckDB in node (in process): /'
echo
cmp -s first.out out && echo "owlet's answers: the same every run" || { echo "owlet's answers differ between runs (float sums in parallel):"; diff first.out out || true; }
