#!/usr/bin/env bash
# An upload left `processing` by a function that died is taken over (issue
# 15), through the real Lambda (build/lambda/bootstrap) against a real
# moto_server: the function is killed (SIGKILL) while it checks a keyed
# file, after some of its key markers; a redelivered event within the
# claim's lease is skipped; once the lease (the invocation's deadline + 5 s)
# has run out, the next delivery
# takes the upload over and ends it, every row stored once and counted once
# in the dataset metadata table.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lambda_lib.sh"
moto_s3
meta_table owlet-meta >/dev/null
AWS+=(OWLET_META_TABLE=owlet-meta)

rows=120
python3 - "$rows" >"$t/t.csv" <<'PY'
import sys
print("trip_id,pickup_at,vendor")
for i in range(1, int(sys.argv[1]) + 1):
    print("%d,2026-11-%02dT08:00:00Z,CMT" % (i, 1 + i % 28))
PY
run_plan up "$(evplan u "$(ev POST /datasets/trips/uploads '{"filename":"t.csv"}' '[editors]')")" "${AWS[@]}"
id=$(body u "['id']")
s3curl -X PUT -H "Content-Type: text/csv" --data-binary @"$t/t.csv" "$S3/owlet-data/incoming/trips/$id.csv" >/dev/null
record() { s3curl "$S3/owlet-data/_uploads/trips/$id.json"; }
field() { record | python3 -c 'import json,sys; r=json.load(sys.stdin); print(" ".join(str(r.get(k, "-")) for k in sys.argv[1:]))' "$@"; }

# the function is killed (SIGKILL) once it has written its first key
# markers (a keyed row costs a conditional PUT), before its batch's data
d=$t/crash
mkdir -p "$d"
printf '[{"id":"s","deadline_in_ms":90000,"event":%s}]\n' "$(s3ev "incoming/trips/$id.csv")" >"$d/plan.json"
python3 "$OWLET_SRC/tests/lambda_runtime_api.py" "$d/plan.json" "$d/log.json" "$d/port" &
srv=$!
for _ in $(seq 100); do [ -s "$d/port" ] && break; sleep 0.05; done
t0=$(date +%s)
env -i PATH=/usr/bin:/bin AWS_LAMBDA_RUNTIME_API="127.0.0.1:$(cat "$d/port")" "${AWS[@]}" "$BOOTSTRAP" 2>"$d/stderr" &
fn=$!
for _ in $(seq 600); do [ -n "$(s3keys _keys/trips/)" ] && break; sleep 0.1; done
kill -KILL "$fn"
wait "$fn" 2>/dev/null
kill "$srv" 2>/dev/null
wait "$srv" 2>/dev/null
markers=$(s3keys _keys/trips/ | wc -l) stored=$(s3keys "raw/trips/" | grep -c -- "$id")
ok $([ "$markers" -ge 1 ] && [ "$markers" -lt "$rows" ] && [ "$stored" = 0 ]; echo $?) \
	"the function died after $markers of $rows key markers, before any data"
lease=$(field lease_until)
is "$(field status)" processing "the killed function left the upload 'processing'"
ok $([ "$lease" -ge $((t0 + 95)) ] && [ "$lease" -le $((t0 + 110)) ]; echo $?) \
	"its claim holds a lease until the invocation's deadline and 5 s ($lease, started $t0)"

# (a loaded machine takes seconds to start a function: the lease is long)
run_plan early "$(evplan e "$(s3ev "incoming/trips/$id.csv")")" "${AWS[@]}"
diag "the early delivery ended $(($(date +%s) - t0)) s after the first function started"
is "$(resp e "['skipped']") $(field status)" "1 processing" "a delivery within the lease is skipped: the first function may still run"

while [ "$(date +%s)" -le "$lease" ]; do sleep 1; done
LAMBDA_TIMEOUT_S=120 run_plan late "$(evplan l "$(s3ev "incoming/trips/$id.csv")" | sed 's/"deadline_in_ms":15000/"deadline_in_ms":100000/')" "${AWS[@]}"
like "$stderr" "upload $id: taking over from a function whose lease ran out" "after the lease a delivery takes the upload over"
is "$(field status accepted rejected attempts lease_until)" "done $rows 0 1 -" \
	"and ends it: every row accepted, none taken for a duplicate of itself, the lease gone"
total=$(for k in $(s3keys "raw/trips/"); do s3curl "$S3/owlet-data/$k"; done | grep -c trip_id)
is "$total" "$rows" "each row is stored once, its key marker (written by the dead function) taken as its own"
is "$(summary owlet-meta trips row_count)" "$rows" "the metadata table counts each row once"
done_testing
