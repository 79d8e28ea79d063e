#!/usr/bin/env bash
# Checkov's own test cases for owlet's rules (tests/fixtures/check/checkov,
# brought in by tools/checkov-cases.py and planned against moto by
# regen.sh checkov): each case's verdict is checkov's, except where
# checkov.expect records why the plan legitimately knows less (docs/check.md).
# Prints, per rule, the cases agreed of those planned.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/check_lib.sh"
fx=$OWLET_SRC/tests/fixtures/check
t=$(tmpdir)

run_owlet check --plan-json "$fx/checkov.plan.json" --output json --no-checkov
is "$rc" 1 "exit status 1: checkov's failing cases fail"
printf '%s' "$out" >"$t/report.json"
python3 - "$t/report.json" "$fx/checkov.expect" "$fx/checkov.plan.json" <<'PY' >"$t/py.out"
import json, re, sys
report = json.load(open(sys.argv[1]))
plan = json.load(open(sys.argv[3]))
got = {}
for key, verdict in (("passed_checks", "PASSED"), ("failed_checks", "FAILED")):
    for r in report["results"][key]:
        got.setdefault((r["check_id"], re.sub(r"\[[^\]]*\]$", "", r["resource"])), set()).add(verdict)
planned = set()
def walk(m):
    for r in m.get("resources", []):
        planned.add(re.sub(r"\[[^\]]*\]$", "", r["address"]))
    for c in m.get("child_modules", []):
        walk(c)
walk(plan["planned_values"]["root_module"])
walk((plan.get("prior_state") or {}).get("values", {}).get("root_module", {}))
per_rule = {}
for line in open(sys.argv[2]):
    if line.startswith("#") or not line.strip():
        continue
    f = line.split(None, 4)
    cid, res, checkov = f[0], f[1], f[2]
    owlet_says = f[3] if len(f) > 3 and f[3] in ("PASSED", "FAILED", "UNKNOWN") else checkov
    agreed, total = per_rule.get(cid, (0, 0))
    if res not in planned:
        print("#\t%s %s: not in the plan" % (cid, res))
        continue
    g = got.get((cid, res), {"UNKNOWN"})
    g = "FAILED" if "FAILED" in g else g.pop()
    per_rule[cid] = (agreed + (g == checkov), total + 1)
    print("%s\t%s %s %s%s" % ("PASS" if g == owlet_says else "FAIL", cid, res, owlet_says,
          "" if g == owlet_says else " (got " + g + ")"))
ta = tt = 0
for cid in sorted(per_rule):
    a, n = per_rule[cid]
    ta += a
    tt += n
    print("#\tagreement %s %d/%d" % (cid, a, n))
print("#\tagreement all %d/%d" % (ta, tt))
PY
tap_lines <"$t/py.out"
done_testing
