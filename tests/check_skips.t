#!/usr/bin/env bash
# Skips: inline #checkov:skip=ID:reason in the resource's block is honoured
# and listed; an inline skip without a reason is an error naming file:line.
# Environment skips from environments/E.yml (checks: skip:) apply to every
# resource, are listed with the file they come from, and need a reason
# (the engine's side of that: tests/check_skips_test.c).
. "$(dirname "$0")/lib.sh"
fx=$OWLET_SRC/tests/fixtures/check
t=$(tmpdir)

run_owlet check --plan-json "$fx/rules.plan.json" --root "$fx/rules" --no-checkov
like "$out" '^skipped: CKV_AWS_18 aws_s3_bucket\.skipped \(s3\.tf:[0-9]+\): this bucket is itself an access-log target \[inline\]' \
	"inline skip listed with its reason and origin"
unlike "$out" '^CKV_AWS_18 aws_s3_bucket\.skipped' "the skipped check is not a failure"
like "$out" '^CKV_AWS_21 aws_s3_bucket\.skipped' "other rules still run on the skipped resource"

# the same tree with the reason taken away
cp -R "$fx/rules" "$fx/modules" "$t/"
sed -i 's/#checkov:skip=CKV_AWS_18:this bucket is itself an access-log target/#checkov:skip=CKV_AWS_18/' "$t/rules/s3.tf"
line=$(grep -n 'checkov:skip=CKV_AWS_18' "$t/rules/s3.tf" | cut -d: -f1)
run_owlet check --plan-json "$fx/rules.plan.json" --root "$t/rules" --no-checkov
is "$rc" 1 "a skip without a reason: exit 1"
like "$err" "^error: s3\.tf:$line: skip of 'CKV_AWS_18' for 'aws_s3_bucket\.skipped' has no reason" \
	"the error names the file and line of the skip"
is "$out" "" "no report printed"

# an empty reason is no reason
sed -i 's/#checkov:skip=CKV_AWS_18$/#checkov:skip=CKV_AWS_18:   /' "$t/rules/s3.tf"
run_owlet check --plan-json "$fx/rules.plan.json" --root "$t/rules" --no-checkov
like "$err" "skip of 'CKV_AWS_18' .* has no reason" "a blank reason is no reason"

# a skip comment outside the block does not count; bridgecrew:skip does
sed -i "${line}d" "$t/rules/s3.tf"
sed -i 's/^resource "aws_s3_bucket" "bare" {/#checkov:skip=CKV_AWS_21:outside the block\n&\n  # bridgecrew:skip=CKV_AWS_145: SSE-S3 is enough here/' "$t/rules/s3.tf"
run_owlet check --plan-json "$fx/rules.plan.json" --root "$t/rules" --no-checkov
like "$out" '^CKV_AWS_21 aws_s3_bucket\.bare ' "a skip before the block is not the block's"
like "$out" '^skipped: CKV_AWS_145 aws_s3_bucket\.bare .*: SSE-S3 is enough here \[inline\]' "bridgecrew:skip= is read too"

# environment skips, through the environment file
mkdir -p "$t/proj/environments"
cp "$OWLET_SRC/data_model.yml" "$t/proj/"
printf 'target: aws\nregion: eu-west-1\nbackend:\n  bucket: x-state\nchecks:\n  skip:\n    - { id: CKV_AWS_117, reason: "no VPC in a $1/month sandbox" }\n' \
	>"$t/proj/environments/sandbox.yml"
printf 'target: aws\nbackend:\n  bucket: x-state\nchecks:\n  skip:\n    - { id: CKV_AWS_117 }\n' >"$t/proj/environments/bad.yml"
cd "$t/proj" || exit 1
run_owlet check --env sandbox --plan-json "$fx/rules.plan.json" --root "$fx/rules" --no-checkov
n_fn=$(python3 -c 'import json,sys; print(sum(r["type"] == "aws_lambda_function" for r in json.load(open(sys.argv[1]))["resource_changes"]))' "$fx/rules.plan.json")
is "$(printf '%s\n' "$out" | grep -c '^skipped: CKV_AWS_117 .*: no VPC in a \$1/month sandbox \[environments/sandbox.yml\]$')" "$n_fn" \
	"an environment skip covers every Lambda function, listed with its file"
unlike "$out" '^CKV_AWS_117 ' "no CKV_AWS_117 failure left"
# no environments/local.yml: owlet's default is the scaffold's, with its
# skips (named as owlet's default), and the emulator's skips
mkdir -p "$t/nolocal" && cp "$OWLET_SRC/data_model.yml" "$t/nolocal/"
(cd "$t/nolocal" && "$OWLET" check --env local --plan-json "$fx/rules.plan.json" --root "$fx/rules" --no-checkov >"$t/nolocal.out" 2>&1)
like "$(cat "$t/nolocal.out")" "^skipped: CKV_AWS_145 aws_s3_bucket\.bare .*: local data is throwaway: SSE-S3, no customer-managed KMS key \[owlet's default environments/local\.yml\]$" \
	"without environments/local.yml, the scaffold's local.yml is the default, its skips named as owlet's"
like "$(cat "$t/nolocal.out")" "^skipped: CKV_AWS_116 .*\[owlet: emulator\]$" "and the emulator's rules are owlet's skips"
unlike "$(cat "$t/nolocal.out")" "^CKV_AWS_(145|158|338|116) " "none of them fails"
run_owlet check --env bad --plan-json "$fx/rules.plan.json" --root "$fx/rules" --no-checkov
is "$rc" 1 "an environment skip without a reason: exit 1"
like "$err" "environments/bad.yml:6:7: error: .*'CKV_AWS_117'.*reason" "named at its file:line:col"
done_testing
