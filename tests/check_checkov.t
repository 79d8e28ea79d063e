#!/usr/bin/env bash
# checkov on PATH: owlet runs it and merges its findings, dropping those
# that duplicate its own (same check id, same resource).  The checkov here
# is a stand-in script that prints checkov-shaped JSON and records how it
# was called; absent, owlet says so once.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/check_lib.sh"
fx=$OWLET_SRC/tests/fixtures/check
t=$(tmpdir)
mkdir "$t/bin"
cat >"$t/bin/checkov" <<SH
#!/bin/sh
printf '%s\n' "\$@" >"$t/args"
cat "$t/checkov.json"
exit 1
SH
chmod +x "$t/bin/checkov"
# one duplicate of ours (CKV_AWS_18 on the bare bucket, named as checkov
# names it in a plan), one check owlet does not have, one duplicate inside
# checkov's own two framework reports, one skip
cat >"$t/checkov.json" <<'JSON'
[{"check_type": "terraform_plan",
  "results": {
   "failed_checks": [
    {"check_id": "CKV_AWS_18", "check_name": "Ensure the S3 bucket has access logging enabled",
     "check_result": {"result": "FAILED"}, "resource": "aws_s3_bucket.bare", "file_path": "/rules.plan.json",
     "file_line_range": [0, 0], "guideline": "https://docs.prismacloud.io/x"},
    {"check_id": "CKV_AWS_91", "check_name": "Ensure the ELBv2 (Application/Network) has access logging enabled",
     "check_result": {"result": "FAILED"}, "resource": "aws_s3_bucket.bare", "resource_address": "aws_s3_bucket.bare",
     "file_path": "/s3.tf", "file_line_range": [107, 109], "guideline": "https://docs.prismacloud.io/y"}],
   "passed_checks": [
    {"check_id": "CKV_AWS_19", "check_name": "Ensure all data stored in the S3 bucket is securely encrypted at rest",
     "check_result": {"result": "PASSED"}, "resource": "module.buckets.aws_s3_bucket.this", "file_path": "/x.tf",
     "file_line_range": [1, 2], "guideline": ""}],
   "skipped_checks": [
    {"check_id": "CKV_AWS_999", "check_name": "A check of checkov's", "check_result": {"result": "SKIPPED",
     "suppress_comment": "not for us"}, "resource": "aws_s3_bucket.good", "file_path": "/s3.tf",
     "file_line_range": [1, 3], "guideline": ""}]},
  "summary": {"passed": 1, "failed": 2, "skipped": 1}},
 {"check_type": "terraform",
  "results": {"failed_checks": [
    {"check_id": "CKV_AWS_91", "check_name": "Ensure the ELBv2 (Application/Network) has access logging enabled",
     "check_result": {"result": "FAILED"}, "resource": "aws_s3_bucket.bare", "file_path": "/s3.tf",
     "file_line_range": [107, 109], "guideline": "https://docs.prismacloud.io/y"}],
   "passed_checks": [], "skipped_checks": []},
  "summary": {"passed": 0, "failed": 1, "skipped": 0}}]
JSON

run_owlet check --plan-json "$fx/rules.plan.json" --root "$fx/rules" --output json --no-checkov
printf '%s' "$out" >"$t/ours.json"
PATH="$t/bin:$PATH" run_owlet check --plan-json "$fx/rules.plan.json" --root "$fx/rules" --output json
printf '%s' "$out" >"$t/merged.json"
is "$rc" 1 "exit 1 (rules fail)"
is "$(cat "$t/args" | tr '\n' ' ')" "-f $fx/rules.plan.json --framework terraform_plan -o json --quiet " \
	"checkov ran on the plan's JSON"
python3 - "$t/ours.json" "$t/merged.json" <<'PY' >"$t/py.out"
import json, sys
ours, merged = (json.load(open(p)) for p in sys.argv[1:3])
def recs(d):
    return [r for k in ("passed_checks", "failed_checks", "skipped_checks") for r in d["results"][k]]
def out(c, name):
    print("%s\t%s" % ("PASS" if c else "FAIL", name))
o, m = recs(ours), recs(merged)
new = [r for r in m if r.get("origin") == "checkov"]
out(len(m) == len(o) + 2, "two records added (%d -> %d)" % (len(o), len(m)))
out(sorted((r["check_id"], r["resource"]) for r in new) == [("CKV_AWS_91", "aws_s3_bucket.bare"), ("CKV_AWS_999", "aws_s3_bucket.good")],
    "checkov's own check and its skip added, once each")
dup = [r for r in m if r["check_id"] == "CKV_AWS_18" and r["resource"] == "aws_s3_bucket.bare"]
out(len(dup) == 1 and dup[0]["origin"] == "owlet", "the duplicate CKV_AWS_18 kept once, owlet's")
c19 = [r for r in m if r["check_id"] == "CKV_AWS_19" and "buckets" in r["resource"]]
out(all(r["origin"] == "owlet" for r in c19), "a module resource named without its key is a duplicate")
out(merged["summary"]["failed"] == ours["summary"]["failed"] + 1, "summary counts the added failure")
out(any("checkov ran: 2 findings" in n for n in merged["notes"]), "a note says checkov ran")
PY
tap_lines <"$t/py.out"

PATH="$t/bin:$PATH" run_owlet check --plan-json "$fx/rules.plan.json" --root "$fx/rules"
like "$out" '^CKV_AWS_91 aws_s3_bucket\.bare \(s3\.tf:107\): Ensure the ELBv2 \(Application/Network\) has access logging enabled \[checkov\]$' \
	"text: checkov's finding marked as checkov's"

# absent: said once
mkdir "$t/nobin"
out=$(PATH="$t/nobin" "$OWLET" check --plan-json "$fx/rules.plan.json" --root "$fx/rules" 2>&1)
is "$(printf '%s\n' "$out" | grep -c 'checkov')" 1 "checkov's absence said once"
like "$out" '^note: checkov is not on PATH' "as a note"

# a checkov that prints no JSON: a note, not a failure of owlet
echo 'not json' >"$t/checkov.json"
PATH="$t/bin:$PATH" run_owlet check --plan-json "$fx/rules.plan.json" --root "$fx/rules"
like "$out" '^note: checkov exited with 1 and printed no JSON report' "checkov's garbage is a note"
is "$rc" 1 "and the verdict is owlet's"
done_testing
