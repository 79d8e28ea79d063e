#!/usr/bin/env bash
# bench/query.sh: the latency of SQL on the local default, on 1M rows of
# bench/gen.c's taxi trips (as the stored JSON Lines of docs/contracts.md,
# bench/csv2jsonl.py), against DuckDB itself.
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
# Then `owlet compact` (the compaction ratio), the same SQL on
# trips_curated (the Parquet), the same SQL on trips again (the view over
# raw and curated: now the Parquet) and the bytes scanned by the query on the
# raw JSON Lines against the Parquet (the local Athena's
# DataScannedInBytes: whole objects for JSON Lines, the column chunks the
# query names for Parquet), with their ratio.
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
f=data/query-$ROWS.jsonl
[ -s "$f" ] || { ./data/gen 1000000000 || true; } | head -n $((ROWS + 1)) | python3 csv2jsonl.py >"$f"
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
aws --endpoint-url "$endpoint" s3 cp "$file" "s3://bench-data/raw/trips/bulk-r$ROWS.jsonl" >/dev/null
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
echo "rows: $ROWS ($(du -m "$file" | cut -f1) MB JSON Lines)"
echo "query: $SQL"
echo "owlet query, first run (copies the object from S3): $(( (t1 - t0) / 1000000 )) ms"
runs() { # SQL: the ms of RUNS runs of owlet query, one a line (the last answer in ./out)
	for _ in $(seq "$RUNS"); do
		t0=$(date +%s%N)
		"$root/build/owlet" query "$1" --output csv >out 2>/dev/null
		t1=$(date +%s%N)
		echo $(( (t1 - t0) / 1000000 ))
	done
}
runs "$SQL" | stats | sed 's/^/owlet query (end to end): /'
echo
node "$root/bench/query_duckdb.mjs" "$file" "$RUNS" "$SQL" | stats | sed 's/^/DuckDB in node (in process): /'
echo
cmp -s first.out out && echo "owlet's answers: the same every run" || { echo "owlet's answers differ between runs (float sums in parallel):"; diff first.out out || true; }

# --- Parquet: owlet compact, then the same query on trips_curated
t0=$(date +%s%N)
"$root/build/owlet" compact --env local >compact.out 2>compact.err
t1=$(date +%s%N)
echo "owlet compact: $(( (t1 - t0) / 1000000 )) ms: $(tail -1 compact.err)"
curated_sql=$(printf '%s' "$SQL" | sed 's/\btrips\b/trips_curated/g')
scanned() { sed -n 's/.* \([0-9]*\) bytes scanned.*/\1/p' "$1"; }
"$root/build/owlet" query --raw "$SQL" --output csv >raw.out 2>raw.err
"$root/build/owlet" query "$curated_sql" --output csv >curated.out 2>curated.err
"$root/build/owlet" query "$SQL" --output csv >view.out 2>view.err
runs "$curated_sql" | stats | sed 's/^/owlet query on the Parquet (end to end): /'
echo
runs "$SQL" | stats | sed 's/^/owlet query on trips, the view over raw and curated, after compaction (end to end): /'
echo
raw=$(scanned raw.err) cur=$(scanned curated.err) view=$(scanned view.err)
echo "bytes scanned: JSON Lines $raw, Parquet $cur: $(python3 -c "print(f'{$raw / max($cur, 1):.1f}x fewer')"); the view after compaction $view"
round() { python3 -c 'import sys,csv; [print(",".join(c if not c.replace(".","",1).replace("-","",1).isdigit() else f"{float(c):.6g}" for c in r)) for r in csv.reader(sys.stdin)]'; }
cmp -s <(round <raw.out) <(round <curated.out) && echo "the same answer from both (to 6 digits)" ||
	{ echo "the answers differ:"; diff raw.out curated.out || true; }
cmp -s <(round <raw.out) <(round <view.out) && echo "the view after compaction gives the same answer (to 6 digits)" ||
	{ echo "the view's answer differs:"; diff raw.out view.out || true; }
