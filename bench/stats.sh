#!/usr/bin/env bash
# bench/stats.sh: owlet stats against DuckDB and Python's csv module, in one
# run, on bench/gen.c's taxi-trips CSV (12 columns) at 100 MB and 1 GB.
#
#   bench/stats.sh            # both sizes; Python on 100 MB only
#   SIZES="100M" bench/stats.sh
#
# Each tool runs REPEAT times (default 3; Python once) per size, one after
# the other, under /usr/bin/time, with the file read into the page cache
# just before each run; the table keeps each tool's run with the least CPU
# time: wall seconds, CPU seconds (user + sys); and the peak RSS of all.  MB/s is the file
# size over wall time; "MB/s per CPU s" over CPU time, which is the fairer
# figure on a shared machine (the load average is printed before and
# after).  On these VMs the same run's CPU time varies by 10 % or more from
# minute to minute: compare the tools within one run.
# The same statistics everywhere: count, nulls, min, max, mean, stddev,
# approximate distinct and p50/p90/p99 of every column (DuckDB: count,
# count(*) - count, min, max, avg, stddev_samp, approx_count_distinct,
# approx_quantile; see duckdb.mjs); owlet also computes the top values.
# Data goes to bench/data/ (git-ignored); DuckDB comes from npm
# (@duckdb/node-api, installed here by `npm install`).
set -euo pipefail
cd "$(dirname "$0")"
root=$(cd .. && pwd)
SIZES=${SIZES:-100M 1G}
REPEAT=${REPEAT:-3}
mkdir -p data
make -s -C "$root" build/owlet >/dev/null
cc -O2 -o data/gen gen.c
[ -d node_modules/@duckdb/node-api ] || npm install --no-audit --no-fund >/dev/null
command -v /usr/bin/time >/dev/null || { echo "bench: /usr/bin/time is needed" >&2; exit 1; }

bytes() { case $1 in *G) echo $((${1%G} * 1000000000)) ;; *M) echo $((${1%M} * 1000000)) ;; esac; }

# measure NAME THREADS FILE CMD...: one line of the table, the best of
# $REPEAT runs (by CPU time)
measure() {
	local name=$1 threads=$2 file=$3; shift 3
	local t wall user sys rss cpu n=$REPEAT
	local bwall= bcpu= brss=
	[ "$name" = python-csv ] && n=1
	t=$(mktemp)
	for _ in $(seq "$n"); do
		cat "$file" >/dev/null # into the page cache, again: the VM reclaims idle pages
		/usr/bin/time -f "%e %U %S %M" -o "$t" "$@" >/dev/null
		read -r wall user sys rss <"$t"
		cpu=$(echo "$user + $sys" | bc -l)
		if [ -z "$bcpu" ] || [ "$(echo "$cpu < $bcpu" | bc -l)" = 1 ]; then
			bwall=$wall bcpu=$cpu
		fi
		[ -n "$brss" ] && [ "$brss" -ge "$rss" ] || brss=$rss # the peak of all runs
	done
	rm -f "$t"
	wall=$bwall cpu=$bcpu rss=$brss
	local size
	size=$(stat -c %s "$file")
	printf '| %s | %s | %s | %.2f | %.2f | %.0f | %.0f | %.1f |\n' "$(basename "$file")" "$name" "$threads" \
		"$wall" "$cpu" "$(echo "$size / 1000000 / $wall" | bc -l)" "$(echo "$size / 1000000 / $cpu" | bc -l)" \
		"$(echo "$rss / 1024" | bc -l)"
	echo "$name $threads $wall $cpu" >>"$results"
}

results=$(mktemp)
echo "load before: $(uptime)"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo
echo "| file | tool | threads | wall s | CPU s | MB/s | MB/s per CPU s | peak RSS MiB |"
echo "|---|---|---|---|---|---|---|---|"
for s in $SIZES; do
	f=data/trips-$s.csv
	[ -s "$f" ] || ./data/gen "$(bytes "$s")" >"$f"
	cat "$f" >/dev/null # into the page cache
	: >"$results"
	measure owlet 1 "$f" "$root/build/owlet" stats --model model.yml --dataset trips --threads 1 "$f"
	measure owlet 2 "$f" "$root/build/owlet" stats --model model.yml --dataset trips --threads 2 "$f"
	measure duckdb 1 "$f" node duckdb.mjs "$f" 1
	measure duckdb 2 "$f" node duckdb.mjs "$f" 2
	if [ "$s" = 100M ]; then
		measure python-csv 1 "$f" python3 py_stats.py "$f"
	fi
	awk -v f="$(basename "$f")" '
		{ wall[$1 $2] = $3; cpu[$1 $2] = $4 }
		END {
			printf "\n%s: owlet/1 vs duckdb/1: %.1fx (wall), %.1fx (CPU); owlet/2 vs duckdb/2: %.1fx (wall), %.1fx (CPU)", f,
				wall["duckdb1"] / wall["owlet1"], cpu["duckdb1"] / cpu["owlet1"], wall["duckdb2"] / wall["owlet2"], cpu["duckdb2"] / cpu["owlet2"]
			if (cpu["python-csv1"]) printf "; owlet/1 vs python: %.1fx (wall), %.1fx (CPU)", wall["python-csv1"] / wall["owlet1"], cpu["python-csv1"] / cpu["owlet1"]
			printf "; owlet 2 threads vs 1: %.2fx (wall)\n\n", wall["owlet1"] / wall["owlet2"]
		}' "$results"
done
rm -f "$results"
echo "load after: $(uptime)"
