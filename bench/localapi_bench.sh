#!/usr/bin/env bash
# bench/localapi_bench.sh: the local API under load, with wrk, on this machine.
#
# Sets up what tests/localapi_serve.t sets up (moto_server, a user pool, the
# real Lambda artifact from `owlet build`), starts `owlet serve --detach`
# and measures, per request kind, latency p50/p99 and requests/s:
#   unauthorized   GET /datasets without a token: routing + the 401, no Lambda
#   schema         GET /datasets/trips: JWT check, payload 2.0 event, the
#                  Runtime API round trip, the Lambda's handler (no S3)
#   list           GET /datasets: the same plus the Lambda's S3 calls to moto
# then the RSS of the server and of each Lambda process, the zip's size and
# the Lambda init time (exec to the first /next, as owlet's Runtime API sees it).
# Needs: wrk (apt-get install wrk), moto_server, the aws CLI, a built tree.
# Not run by make test.  DURATION=10 CONNS=8 THREADS=2 WORKERS=2 by default.
set -u
OWLET_SRC=$(cd "$(dirname "$0")/.." && pwd)
OWLET_BUILD=${OWLET_BUILD:-$OWLET_SRC/build}
OWLET=${OWLET:-$OWLET_BUILD/owlet}
. "$OWLET_SRC/tests/lib.sh"
. "$OWLET_SRC/tests/localapi_stack.sh"
DURATION=${DURATION:-10} CONNS=${CONNS:-8} THREADS=${THREADS:-2} WORKERS=${WORKERS:-2}
for p in wrk moto_server aws curl; do command -v $p >/dev/null || { echo "bench: needs $p" >&2; exit 1; }; done

t=$(tmpdir)
cd "$t" || exit 1
localapi_stack
"$OWLET" build --env local >/dev/null || exit 1
"$OWLET" user add alice@example.com --group editors >/dev/null || exit 1
token=$("$OWLET" token alice@example.com | tail -1)
url=$("$OWLET" serve --env local --detach --workers "$WORKERS" | tail -1)
pid=$(python3 -c 'import json; print(json.load(open("state/local/localapi.json"))["pid"])')
at_exit "kill $pid 2>/dev/null"
curl -sf -H "Authorization: Bearer $token" "$url/datasets" >/dev/null || { echo "bench: the API does not answer" >&2; exit 1; }

echo "# owlet local API on $(nproc) cores: wrk -t$THREADS -c$CONNS -d${DURATION}s, $WORKERS Lambda workers"
printf '%-14s %10s %10s %12s\n' case p50 p99 requests/s
run() { # NAME PATH [TOKEN]
	local out
	out=$(wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --latency ${3:+-H "Authorization: Bearer $3"} "$url$2")
	printf '%-14s %10s %10s %12s\n' "$1" \
		"$(printf '%s\n' "$out" | awk '$1 == "50%" {print $2}')" \
		"$(printf '%s\n' "$out" | awk '$1 == "99%" {print $2}')" \
		"$(printf '%s\n' "$out" | awk '/^Requests\/sec/ {print $2}')"
	local non2xx
	non2xx=$(printf '%s\n' "$out" | awk '/Non-2xx/ {print $NF}')
	[ -n "$non2xx" ] && [ "$1" != unauthorized ] && echo "#   $1: $non2xx non-2xx answers"
}
run unauthorized /datasets
run schema /datasets/trips "$token"
run list /datasets "$token"

echo "# memory (RSS)"
printf '%-14s %8s kB\n' "owlet serve" "$(ps -o rss= -p "$pid" | tr -d ' ')"
for p in $(pgrep -f "$t/state/local/lambda/bootstrap"); do
	printf '%-14s %8s kB\n' "lambda $p" "$(ps -o rss= -p "$p" | tr -d ' ')"
done
echo "# artifact: state/local/artifacts/lambda.zip $(stat -c %s state/local/artifacts/lambda.zip) bytes"
kill -TERM "$pid"
for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
echo "# $(grep -o 'after [0-9]* invocations.*' state/local/localapi.log | tail -1)"
echo "# cold-start anchors on AWS (maxday/lambda-perf): Rust 15 ms, C++ 17 ms, Go 49 ms, Python 85 ms"
