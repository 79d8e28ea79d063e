#!/usr/bin/env bash
# owlet check's outputs: the text lines, checkov's JSON shape, SARIF 2.1.0
# (as GitHub code scanning reads it), exit statuses, bad input.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/check_lib.sh"
fx=$OWLET_SRC/tests/fixtures/check
t=$(tmpdir)
plan=$fx/rules.plan.json

run_owlet check --plan-json "$plan" --root "$fx/rules" --no-checkov
is "$rc" 1 "text: exit 1 on failures"
like "$out" '^CKV_AWS_19 aws_s3_bucket\.dsse \(s3\.tf:[0-9]+\): S3 bucket is not encrypted at rest$' \
	"text: ID ADDRESS (FILE:LINE): MESSAGE"
line=$(grep -n '^resource "aws_s3_bucket" "dsse"' "$fx/rules/s3.tf" | cut -d: -f1)
like "$out" "CKV_AWS_19 aws_s3_bucket.dsse \(s3.tf:$line\)" "text: the line of the resource block"
like "$out" 'CKV_AWS_21 module\.buckets\.aws_s3_bucket\.this\["b"\] \(\.\./modules/buckets/main\.tf:[0-9]+\)' \
	"text: a child module's resource, with its own file"
like "$out" '^skipped: CKV_AWS_18 aws_s3_bucket\.skipped .*: this bucket is itself an access-log target \[inline\]$' \
	"text: skips listed with their reason"
like "$out" '^passed: [0-9]+, failed: [0-9]+, skipped: 1 \(resources: [0-9]+\)$' "text: summary line"

run_owlet check --plan-json "$plan" --root "$fx/rules" --output json --no-checkov
printf '%s' "$out" >"$t/out.json"
python3 - "$t/out.json" <<'PY' >"$t/py.out"
import json, sys
d = json.load(open(sys.argv[1]))
n = 0
def ok(c, name):
    global n; n += 1
    print("%s\tjson: %s" % ("PASS" if c else "FAIL", name))
ok(set(d["results"]) >= {"passed_checks", "failed_checks", "skipped_checks"}, "results has the three lists")
fields = {"check_id", "check_name", "check_result", "resource", "file_path", "file_line_range", "guideline"}
allrec = [r for k in ("passed_checks", "failed_checks", "skipped_checks") for r in d["results"][k]]
ok(all(fields <= set(r) for r in allrec), "every record has checkov's fields")
ok(all(r["check_result"]["result"] == "FAILED" for r in d["results"]["failed_checks"]), "failed records say FAILED")
ok(all(isinstance(r["file_line_range"], list) and len(r["file_line_range"]) == 2 and
       r["file_line_range"][0] <= r["file_line_range"][1] for r in allrec if r["file_path"]), "line ranges [start, end]")
ok(all(r["file_path"].startswith("/") for r in allrec if r["file_path"]), "file paths rooted as checkov's")
sk = d["results"]["skipped_checks"]
ok(len(sk) == 1 and sk[0]["check_result"]["suppress_comment"] == "this bucket is itself an access-log target",
   "skipped record carries the reason")
s = d["summary"]
ok(set(s) >= {"passed", "failed", "skipped", "parsing_errors", "resource_count", "checkov_version"}, "summary keys")
ok(s["failed"] == len(d["results"]["failed_checks"]) and s["passed"] == len(d["results"]["passed_checks"]),
   "summary counts match the lists")
ok(all(r["guideline"].startswith("https://") for r in allrec), "every record has a guideline URL")
PY
tap_lines <"$t/py.out"
o_json=$out
run_owlet check --plan-json "$plan" --root "$fx/rules" --json --no-checkov
is "$rc" 1 "--json: exit 1 on failures, as text"
is "$(printf '%s' "$out" | jq -S 'del(.summary.checkov_version)')" "$(printf '%s' "$o_json" | jq -S 'del(.summary.checkov_version)')" \
	"--json prints the document of --output json (parsed by jq)"
run_owlet check --plan-json "$plan" --json --output sarif
is "$rc" 2 "--json with another --output: usage error"


run_owlet check --plan-json "$plan" --root "$fx/rules" --output sarif --no-checkov
printf '%s' "$out" >"$t/out.sarif"
python3 - "$t/out.sarif" <<'PY' >"$t/py.out"
import json, sys
d = json.load(open(sys.argv[1]))
n = 0
def ok(c, name):
    global n; n += 1
    print("%s\tsarif: %s" % ("PASS" if c else "FAIL", name))
ok(d.get("version") == "2.1.0" and "sarif-2.1.0" in d.get("$schema", ""), "version 2.1.0 and its schema")
run = d["runs"][0]
rules = run["tool"]["driver"]["rules"]
ok(run["tool"]["driver"]["name"] and all({"id", "shortDescription", "helpUri"} <= set(r) for r in rules),
   "driver rules with id, shortDescription, helpUri")
ids = [r["id"] for r in rules]
ok(len(ids) == len(set(ids)), "each rule once")
res = run["results"]
ok(all(r["ruleId"] == ids[r["ruleIndex"]] for r in res), "ruleIndex points at ruleId")
ok(all(r["level"] in ("error", "warning", "note") and r["message"]["text"] for r in res), "level and message")
phys = [l["physicalLocation"] for r in res for l in r["locations"] if "physicalLocation" in l]
ok(len(phys) == len(res) and all(p["artifactLocation"]["uri"] and p["region"]["startLine"] >= 1 for p in phys),
   "every result located: uri and startLine")
sup = [r for r in res if r.get("suppressions")]
ok(len(sup) == 1 and sup[0]["suppressions"][0]["justification"], "the skip is a suppressed result with its reason")
PY
tap_lines <"$t/py.out"


# a plan where nothing fails: keep only resources that pass every rule
python3 - "$plan" "$t/good.json" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
keep = {"aws_kms_key.good", "aws_cloudwatch_log_group.good", "aws_athena_workgroup.good"}
p["planned_values"]["root_module"]["resources"] = [r for r in p["planned_values"]["root_module"]["resources"] if r["address"] in keep]
p["planned_values"]["root_module"].pop("child_modules", None)
p.pop("prior_state", None)
json.dump(p, open(sys.argv[2], "w"))
PY
run_owlet check --plan-json "$t/good.json" --root "$fx/rules" --no-checkov
is "$rc" 0 "exit 0 when no rule fails"
like "$out" '^passed: [1-9][0-9]*, failed: 0, skipped: 0 \(resources: 3\)$' "summary of a passing plan"

echo '{"planned_values": ' >"$t/broken.json"
run_owlet check --plan-json "$t/broken.json" --no-checkov
is "$rc" 1 "a broken JSON file: exit 1"
like "$err" "^error: .*broken\.json:[0-9]+:[0-9]+: cannot read the plan's JSON" "names file:line:col"
echo '{"resources": []}' >"$t/notplan.json"
run_owlet check --plan-json "$t/notplan.json" --no-checkov
like "$err" "not the JSON of a terraform plan" "JSON that is not a plan is refused"
run_owlet check --plan-json "$plan" --output yaml
is "$rc" 2 "unknown output format: usage error"
run_owlet check --plan-json "$plan" --dir "$t"
is "$rc" 2 "--plan-json with --dir: usage error"
done_testing
