#!/usr/bin/env bash
# Skips: inline #checkov:skip=ID:reason in the resource's block is honoured
# and listed; an inline skip without a reason is an error naming file:line.
# (Environment skips: tests/check_skips_test.c.)
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
done_testing
