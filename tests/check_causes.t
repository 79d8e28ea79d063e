#!/usr/bin/env bash
# The causes of verdicts that differed from checkov's (issue 17), one case
# each: tests/fixtures/check/causes, planned against moto (regen.sh causes),
# with checkov's verdicts in causes.expect.  Cause 7 (a skip of a check owlet
# does not carry, without a reason) and case 10 (a dynamic block's link)
# read the fixture's source (--root).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/check_lib.sh"
fx=$OWLET_SRC/tests/fixtures/check
t=$(tmpdir)

run_owlet check --plan-json "$fx/causes.plan.json" --output json --no-checkov
is "$rc" 1 "exit status 1: rules fail in the fixture"
printf '%s' "$out" >"$t/report.json"
python3 - "$t/report.json" "$fx/causes.expect" <<'PY' >"$t/py.out"
import json, sys
report = json.load(open(sys.argv[1]))
got = {}
for key, verdict in (("passed_checks", "PASSED"), ("failed_checks", "FAILED"), ("skipped_checks", "SKIPPED")):
    for r in report["results"][key]:
        got[(r["check_id"], r["resource"])] = verdict
for line in open(sys.argv[2]):
    if line.startswith("#") or not line.strip():
        continue
    cid, res, verdict = line.split()
    g = got.get((cid, res), "not reported")
    print("%s\t%s %s %s%s" % ("PASS" if g == verdict else "FAIL", cid, res, verdict,
          "" if g == verdict else " (got " + g + ")"))
PY
tap_lines <"$t/py.out"

run_owlet check --plan-json "$fx/causes.plan.json" --no-checkov --coverage
like "$out" $'^aws_ssoadmin_permission_set_inline_policy\t2 resources\towlet evaluates 9 of checkov.s 9 rules$' \
	"--coverage: checkov's IAM rules on a permission set's inline policy are all evaluated"

# 7. a foreign skip without a reason is a note; one of owlet's own rules
# still needs a reason
run_owlet check --plan-json "$fx/causes.plan.json" --root "$fx/causes" --no-checkov
is "$rc" 1 "a skip of a check owlet does not carry, without a reason, is not fatal"
like "$out$err" "main\.tf:[0-9]+: skip of 'CKV_SECRET_2' names no built-in rule \(kept for checkov\)" \
	"it is a note naming file and line"
cp -R "$fx/causes" "$t/own"
sed -i 's/# checkov:skip=CKV_SECRET_2 test secret/# checkov:skip=CKV_AWS_158 no reason given/' "$t/own/main.tf"
run_owlet check --plan-json "$fx/causes.plan.json" --root "$t/own" --no-checkov
like "$err" "skip of 'CKV_AWS_158' for 'aws_cloudwatch_log_group.foreign_skip' has no reason" \
	"a skip of owlet's own rule without a reason is still an error"

# 10. a security group attached only inside a dynamic block: with the root,
# linked as checkov links it; from the plan alone (no .tf beside it), not
# linked, and failed rather than passed, with a note saying why
verdict() { printf '%s' "$1" | python3 -c 'import json,sys
r = json.load(sys.stdin)["results"]
print(" ".join(k for k in ("passed_checks", "failed_checks") for x in r[k]
      if x["check_id"] == sys.argv[1] and x["resource"] == sys.argv[2]) or "none")' "$2" "$3"; }
run_owlet check --plan-json "$fx/causes.plan.json" --root "$fx/causes" --no-checkov --output json
is "$(verdict "$out" CKV2_AWS_5 aws_security_group.dynamic_attached)" passed_checks \
	"with --root: a group attached in a dynamic block passes CKV2_AWS_5, as checkov"
unlike "$out" 'no .tf source' "with --root: no note of a missing source"
cp "$fx/causes.plan.json" "$t/alone.json"
run_owlet check --plan-json "$t/alone.json" --no-checkov --output json
is "$(verdict "$out" CKV2_AWS_5 aws_security_group.dynamic_attached)" failed_checks \
	"the plan alone: the dynamic block's link is unknown, and the group fails rather than passes"
run_owlet check --plan-json "$t/alone.json" --no-checkov
like "$out" "^note: no \.tf source in '$t' for [0-9]+ of the plan's resources \(give the root module with --root\): what their dynamic blocks reference links nothing" \
	"the plan alone: a note says the source is missing and what that changes"
done_testing
