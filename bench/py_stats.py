"""py_stats.py: the Python peer of bench/stats.sh (the csv module).

    python3 py_stats.py FILE

Typed as bench/model.yml (int, float, ISO timestamp, bool, string); per
column: count, nulls, invalid, min, max, mean and sample stddev (Welford),
exact distinct (a set).  No quantiles or top values: this is the plain
loop a data engineer would write first.  Prints the time in seconds.
"""
import csv
import datetime
import math
import sys
import time

TYPES = {"trip_id": "int", "vendor": "str", "pickup_at": "ts", "dropoff_at": "ts",
         "passengers": "int", "distance_km": "float", "fare": "float", "tip": "float",
         "payment": "str", "paid_card": "bool", "zone": "str", "note": "str"}


def parse(kind, text):
    if kind == "int":
        return int(text)
    if kind == "float":
        return float(text)
    if kind == "ts":
        return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    if kind == "bool":
        if text.lower() in ("true", "1"):
            return 1
        if text.lower() in ("false", "0"):
            return 0
        raise ValueError(text)
    return text


def main():
    t0 = time.perf_counter()
    with open(sys.argv[1], newline="") as f:
        r = csv.reader(f)
        header = next(r)
        kinds = [TYPES.get(h, "str") for h in header]
        st = [{"n": 0, "nulls": 0, "bad": 0, "min": None, "max": None, "mean": 0.0, "m2": 0.0,
               "set": set()} for _ in header]
        for row in r:
            if len(row) != len(header):
                continue
            for i, text in enumerate(row):
                s = st[i]
                if text == "":
                    s["nulls"] += 1
                    continue
                try:
                    v = parse(kinds[i], text)
                except ValueError:
                    s["bad"] += 1
                    continue
                s["n"] += 1
                s["set"].add(v)
                if s["min"] is None or v < s["min"]:
                    s["min"] = v
                if s["max"] is None or v > s["max"]:
                    s["max"] = v
                if kinds[i] != "str":
                    d = v - s["mean"]
                    s["mean"] += d / s["n"]
                    s["m2"] += d * (v - s["mean"])
    for s in st:
        s["distinct"] = len(s.pop("set"))
        s["stddev"] = math.sqrt(s["m2"] / (s["n"] - 1)) if s["n"] > 1 else None
    print("%.3f" % (time.perf_counter() - t0))


main()
