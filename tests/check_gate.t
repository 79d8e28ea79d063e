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
done_testing
