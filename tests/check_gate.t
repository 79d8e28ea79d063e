#!/usr/bin/env bash
# The security checks as a gate: `owlet up` stops before apply when a rule
# fails, and `--no-check` is refused for a protected environment.  A passing
# result is reused for the same plan, and only for it.
. "$(dirname "$0")/lib.sh"
command -v terraform >/dev/null || skip_all "terraform is not installed"
command -v moto_server >/dev/null || skip_all "moto_server is not installed"

p=$(tmpdir)
cp "$OWLET_SRC/data_model.yml" "$p/" && cp -r "$OWLET_SRC/environments" "$p/"
cd "$p" || exit 1

run_owlet up --env prod --no-check
is "$rc" 2 "up --no-check on a protected environment exits 2"
like "$err" "'--no-check' is refused for the protected environment 'prod'" "and says why"
ok "$([ ! -e state/prod/plan.tfplan ]; echo $?)" "nothing was planned for prod"

at_exit "[ -f '$p/state/local/emulator.json' ] && kill \$(python3 -c 'import json;print(json.load(open(\"$p/state/local/emulator.json\"))[\"pid\"])') 2>/dev/null"

# A passing gate's result is kept for its plan (check/recall.h): the same
# plan again reuses it and says so; a changed plan runs the rules again.
run_owlet -v plan --env local
is "$rc" 0 "plan on local passes the checks"
like "$out" "^passed: [1-9]" "the rules ran"
like "$out" "^  \\$ terraform plan -input=false .*-out=plan\.tfplan" "-v before the command: each terraform command as it is run"
like "$out" "^  terraform plan: exit 2 after [0-9]+\.[0-9] s$" "and its exit status and time after it"
like "$out" "^\\[1/[0-9]+\\] " "with the step lines as usual"
unlike "$out" "checks: reused" "nothing to reuse the first time"
ok "$([ -s state/local/check-result.json ]; echo $?)" "the passing result is kept"
run_owlet plan --env local
is "$rc" 0 "the same plan again passes"
like "$out" "^  checks: reused: the plan, the rendered modules and the skips are those the checks passed at [0-9T:-]+Z \(sha256 [0-9a-f]{12}\)" \
	"by reusing the kept result, and says so"
like "$out" "^passed: [1-9]" "whose report is printed again"
sed -i 's/^  flow_logs: true/  flow_logs: false/' environments/local.yml
run_owlet plan --env local -q
is "$rc" 1 "a changed plan (no VPC flow log) is checked again, and fails"
unlike "$out" "^\\[[0-9]+/[0-9]+\\] |terraform\\||^saved plan:|^  \\$ " "-q after the command: no step, terraform or saved-plan lines"
like "$out" "^plan: [0-9]+ to add" "-q keeps the result: the plan's summary"
unlike "$out" "checks: reused" "it reuses nothing"
like "$out" "^CKV2_AWS_11 module\.network\[0\]\.aws_vpc\.this" "the new failure is named"
ok "$([ ! -e state/local/check-result.json ]; echo $?)" "and no result is kept"
sed -i 's/^  flow_logs: false/  flow_logs: true/' environments/local.yml

# local without its own skips: its cost choices (SSE-S3, 7-day logs) fail
# rules; the emulator's are skipped by owlet itself.  The plan is the one
# that passed above, but the skips changed: the rules run again.
sed -i '/^checks:/,$d' environments/local.yml
run_owlet up --env local
is "$rc" 1 "up exits 1 when a security check fails"
like "$out" "^CKV_AWS_338 module\.function\.aws_cloudwatch_log_group\.this" "the failing rule and resource are named"
like "$out" "^skipped: CKV_AWS_116 module\.function\.aws_lambda_function\.this .*\[owlet: emulator\]$" "the emulator's rules are skipped by owlet, listed with the rest"
unlike "$out" "^CKV_AWS_116 " "and do not fail"
like "$err" "security checks failed" "the error says the checks failed"
unlike "$out" "checks: reused" "other skips: nothing is reused"
unlike "$out" "terraform apply" "nothing is applied"
ok "$([ ! -e state/local/outputs.json ]; echo $?)" "no outputs were written"
like "$out" '^cost: \$[0-9]+\.[0-9]{2} / month estimated \(idle \$0\.00, usage .*; no earlier deploy with an estimate$' \
	"up prints the estimate after the plan"

# The budget: an estimate above budget.monthly_usd is refused before the checks
# and the apply; --over-budget goes on (here to the failing checks, so that
# nothing is applied).  A record of an earlier deploy gives the change.
printf 'budget: { monthly_usd: 0.01, email: ops@example.com }\n' >>environments/local.yml
printf '{"time":"2026-01-01T00:00:00Z","environment":"local","result":"applied","cost":{"total":0.1}}\n' >state/local/deploys.jsonl
run_owlet up --env local
is "$rc" 1 "up refuses a plan whose estimate is over the budget"
like "$err" 'the estimate \$[0-9.]+ / month is over the budget of \$0\.01 / month in environments/local\.yml; raise budget\.monthly_usd or give --over-budget' \
	"and says by how much and what to do"
like "$out" '; \+0\.[0-9]{2} against the last deploy \(2026-01-01T00:00:00Z, \$0\.10\)' "the change against the last deploy"
unlike "$out" '\] checks' "refused before the checks"
is "$(python3 -c 'import json; print(json.load(open("state/local/owlet.auto.tfvars.json"))["budget"]["enabled"])')" False \
	"no budget is rendered for the local target (moto never finishes creating one)"
# as in a pipeline: the step summary carries the plan and the estimate
GITHUB_ACTIONS=true GITHUB_STEP_SUMMARY="$p/summary.md" run_owlet up --env local --over-budget
like "$out" 'over the budget of \$0\.01 / month: going on \(--over-budget\)' "--over-budget goes on"
like "$(cat "$p/summary.md" 2>&1)" '\*\*Estimated cost:\*\* \$[0-9]+\.[0-9]{2} / month \(idle \$0\.00, usage \$[0-9.]+\); \+' \
	"the step summary of a pipeline shows the estimate and its change"
like "$err" "security checks failed" "to the checks, which stop it here"
unlike "$out" "terraform apply" "nothing is applied"
done_testing
