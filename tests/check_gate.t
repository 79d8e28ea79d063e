#!/usr/bin/env bash
# The security checks as a gate: `owlet up` stops before apply when a rule
# fails, and `--no-check` is refused for a protected environment.
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

# local without its own skips: its cost choices (SSE-S3, 7-day logs) fail
# rules; the emulator's are skipped by owlet itself
sed -i '/^checks:/,$d' environments/local.yml
at_exit "[ -f '$p/state/local/emulator.json' ] && kill \$(python3 -c 'import json;print(json.load(open(\"$p/state/local/emulator.json\"))[\"pid\"])') 2>/dev/null"
run_owlet up --env local
is "$rc" 1 "up exits 1 when a security check fails"
like "$out" "^CKV_AWS_338 module\.function\.aws_cloudwatch_log_group\.this" "the failing rule and resource are named"
like "$out" "^skipped: CKV_AWS_116 module\.function\.aws_lambda_function\.this .*\[owlet: emulator\]$" "the emulator's rules are skipped by owlet, listed with the rest"
unlike "$out" "^CKV_AWS_116 " "and do not fail"
like "$err" "security checks failed" "the error says the checks failed"
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
