#!/usr/bin/env python3
# bench/csv2jsonl.py: bench/gen.c's CSV as the stored layout of
# docs/contracts.md (canonical JSON Lines, typed by bench/model.yml):
# fields in model order, an empty cell left out, timestamps
# "YYYY-MM-DD HH:MM:SS" in UTC, floats with a '.', bools true/false.
#   python3 csv2jsonl.py < trips.csv > trips.jsonl
import csv, json, sys

ints = {"trip_id", "passengers"}
floats = {"distance_km", "fare", "tip"}
bools = {"paid_card"}
stamps = {"pickup_at", "dropoff_at"}
out = sys.stdout
for row in csv.DictReader(sys.stdin):
    rec = {}
    for k, v in row.items():
        if v == "":
            continue
        if k in ints:
            rec[k] = int(v)
        elif k in floats:
            rec[k] = float(v)
        elif k in bools:
            rec[k] = v == "true"
        elif k in stamps:
            rec[k] = v.replace("T", " ").rstrip("Z")
        else:
            rec[k] = v
    out.write(json.dumps(rec, separators=(",", ":"), ensure_ascii=False) + "\n")
