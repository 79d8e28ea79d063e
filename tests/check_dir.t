#!/usr/bin/env bash
# owlet check --dir: any Terraform root, planned offline with the real
# terraform and AWS provider against a moto_server owlet starts itself on
# 127.0.0.1; the root's own S3 backend is never contacted; the directory is
# left as it was.
. "$(dirname "$0")/lib.sh"
command -v terraform >/dev/null || skip_all "terraform is not installed"
command -v moto_server >/dev/null || skip_all "moto_server is not installed"
[ -d /opt/tf-plugins ] || skip_all "no provider mirror in /opt/tf-plugins"
t=$(tmpdir)
cp -R "$OWLET_SRC/tests/fixtures/check/dir" "$t/root"
before=$(cd "$t/root" && ls -A | sort)
# lib/terraform's own run files may go, the user's may not
echo 'user data' >"$t/root/terraform.log"

run_owlet check --dir "$t/root" --no-checkov
is "$rc" 1 "exit 1: rules fail"
like "$out" '^CKV_AWS_21 aws_s3_bucket\.plain \(main\.tf:19\): S3 bucket has no versioning$' "a failure, with file and line"
like "$out" '^CKV2_AWS_6 aws_s3_bucket\.plain ' "a graph rule on the planned bucket"
unlike "$out" 'CKV_AWS_7 aws_kms_key\.rotated' "the rotated key passes CKV_AWS_7"
like "$out" '^skipped: CKV_AWS_158 aws_cloudwatch_log_group\.app \(main\.tf:[0-9]+\): the fixture.s logs hold nothing secret \[inline\]$' \
	"inline skip read from the directory's source"
like "$out" 'passed: [0-9]+, failed: [0-9]+, skipped: 1 \(resources: 3\)' "three resources planned"
is "$(cd "$t/root" && ls -A | sort)" "$(printf '%s\nterraform.log' "$before" | sort)" "the directory holds what it held"
is "$(cat "$t/root/terraform.log")" "user data" "a file that was there is kept as it was"

echo '# not ours' >"$t/root/owlet_override.tf"
run_owlet check --dir "$t/root" --no-checkov
like "$err" "owlet_override.tf' exists and is not owlet's" "someone else's override file is not overwritten"
is "$(cat "$t/root/owlet_override.tf")" "# not ours" "and it is left alone"
rm "$t/root/owlet_override.tf"

mkdir "$t/empty"
run_owlet check --dir "$t/empty" --no-checkov
like "$err" "holds no \.tf files" "a directory without .tf files is refused"
run_owlet check --dir "$t/nowhere" --no-checkov
like "$err" "is not a directory" "a missing directory is refused"
done_testing
