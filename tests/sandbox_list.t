#!/usr/bin/env bash
# owlet sandbox list / down and down --sandbox, without an apply: what a
# sandbox leaves is made in a real moto_server with boto3 (tagged as owlet
# tags, and the untagged things AWS makes by itself), then owlet lists the
# sandboxes, tears one down (real terraform destroy of its own state key)
# and counts what is left through AWS's APIs.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/spine_lib.sh"
spine_skip_unless_tools
python3 -c 'import boto3' 2>/dev/null || skip_all "python3 boto3 is not installed"

proj=$(tmpdir)
spine_project "$proj"
spine_cleanup "$proj"
cd "$proj" || exit 1
export HOME=$proj/home GIT_CONFIG_NOSYSTEM=1
mkdir -p "$HOME" state/local
git init -q . && git config user.email "Ada.L@example.org"

# a real moto_server, recorded as the local emulator
port=$(free_port)
moto_server -H 127.0.0.1 -p "$port" >"$proj/moto.log" 2>&1 &
moto=$!
at_exit "kill $moto 2>/dev/null"
printf '{"endpoint":"http://127.0.0.1:%s","pid":%s,"port":%s}\n' "$port" "$moto" "$port" > state/local/emulator.json
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done

cat > make.py <<'PY'
import sys, boto3, datetime
ep, what = sys.argv[1], sys.argv[2]
kw = dict(endpoint_url=ep, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test")
s3, logs, idp, api, sqs = (boto3.client(n, **kw) for n in ("s3", "logs", "cognito-idp", "apigatewayv2", "sqs"))
soon = (datetime.date.today() + datetime.timedelta(days=7)).isoformat()
def tags(sb, expires, project="owlet-demo"):
    return [{"Key": "owlet:project", "Value": project}, {"Key": "owlet:env", "Value": "local"},
            {"Key": "owlet:sandbox", "Value": sb}, {"Key": "owlet:expires", "Value": expires}]
if what == "make":
    # ada: a tagged bucket and queue (what a stack of hers holds while it runs)
    s3.create_bucket(Bucket="owlet-demo-local-ada-data-1")
    s3.put_bucket_tagging(Bucket="owlet-demo-local-ada-data-1", Tagging={"TagSet": tags("ada", soon)})
    sqs.create_queue(QueueName="owlet-demo-local-ada-dlq", tags={t["Key"]: t["Value"] for t in tags("ada", soon)})
    # old: expired; a tagged bucket, and what carries no tag or is not in the tagging API
    s3.create_bucket(Bucket="owlet-demo-local-old-data-1")
    s3.put_bucket_tagging(Bucket="owlet-demo-local-old-data-1", Tagging={"TagSet": tags("old", "2020-01-01")})
    logs.create_log_group(logGroupName="/aws/lambda/owlet-demo-local-old")
    idp.create_user_pool(PoolName="owlet-demo-local-old-users")
    api.create_api(Name="owlet-demo-local-old-api", ProtocolType="HTTP")
    # moto's tagging API keeps a deleted Glue database's tags, and matches a
    # Glue database on the tag key alone (measured): neither may count
    glue = boto3.client("glue", **kw)
    acct = "arn:aws:glue:us-east-1:123456789012:database/"
    glue.create_database(DatabaseInput={"Name": "owlet_demo_local_old_gone"}, Tags={t["Key"]: t["Value"] for t in tags("old", "2020-01-01")})
    glue.delete_database(Name="owlet_demo_local_old_gone")
    glue.create_database(DatabaseInput={"Name": "owlet_demo_local_old2"}, Tags={t["Key"]: t["Value"] for t in tags("old2", soon)})
    # not old's: another sandbox whose name starts the same, another project
    idp.create_user_pool(PoolName="owlet-demo-local-old2-users")
    logs.create_log_group(logGroupName="/aws/lambda/owlet-demo-local-old2")
    s3.create_bucket(Bucket="other-local-x-data")
    s3.put_bucket_tagging(Bucket="other-local-x-data", Tagging={"TagSet": tags("x", soon, "other")})
elif what == "ada-gone":
    s3.delete_bucket(Bucket="owlet-demo-local-ada-data-1")
    sqs.delete_queue(QueueUrl=sqs.get_queue_url(QueueName="owlet-demo-local-ada-dlq")["QueueUrl"])
PY
py=$(python3 make.py "http://127.0.0.1:$port" make 2>&1)
ok $? "boto3 made two sandboxes' resources in the emulator" || diag "$py"

run_owlet sandbox list
is "$rc" 0 "sandbox list" || diag "$out" "$err"
like "$out" "sandboxes of 'owlet-demo' in 'local': 3" "three sandboxes of this project (not the other project's)"
like "$out" "old2 +1 " "old2: its Glue database"
soon=$(date -u -d '+7 days' +%F)
like "$out" "ada +2 +$(date -u +%F) +$soon\$" "ada: 2 tagged resources, last up today, expires in 7 days, not expired" || diag "$out"
like "$out" "old +1 .*2020-01-01  expired" "old is expired" || diag "$out"

run_owlet up --name ada
is "$rc" 2 "--name without --sandbox is a usage error"
run_owlet down --sandbox --name Ada_L --yes
is "$rc" 2 "a sandbox name must be valid" || diag "$err"

# ada's stack went (as a destroy removes it): down finds nothing left
python3 make.py "http://127.0.0.1:$port" ada-gone
run_owlet down --sandbox --name ada --yes
is "$rc" 0 "down --sandbox --name ada" || diag "$out" "$err"
like "$out" "left of sandbox 'ada': nothing" "and nothing is left of it"
like "$out" "emulator: still running .*for the other sandboxes" "the emulator stays for the others"
kill -0 "$moto" 2>/dev/null
ok $? "the emulator runs"
is "$(sed -n 's/^key *= *"\(.*\)"$/\1/p' state/local/backend.hcl)" "owlet-demo/local/ada/terraform.tfstate" \
	"the sandbox has its own state key"
is "$(python3 -c 'import json; d=json.load(open("state/local/owlet.auto.tfvars.json")); print(d["sandbox"], d["name_prefix"])')" \
	"ada owlet-demo-local-ada" "its own name prefix and owlet:sandbox tag"

run_owlet sandbox down --expired --yes
is "$rc" 1 "sandbox down --expired: fails, since something is left" || diag "$out" "$err"
like "$out" "expired sandboxes in 'local': 1" "one sandbox is expired"
like "$out" "== sandbox 'old' \\(expired\\)" "it is old"
unlike "$out" "== sandbox 'ada'" "ada is not taken down again"
like "$out" "removed log group /aws/lambda/owlet-demo-local-old: its Lambda's, left after the destroy" \
	"the log group old's Lambda made for itself, untagged, is removed"
like "$out" "left of sandbox 'old': 3 resources" "three things of old are counted"
like "$out" "arn:aws:s3:::owlet-demo-local-old-data-1" "its tagged bucket"
like "$out" "user pool owlet-demo-local-old-users " "its user pool, which the tagging API does not return"
like "$out" "API owlet-demo-local-old-api " "its API, likewise"
unlike "$out" "^  log group /aws/lambda/owlet-demo-local-old\$" "not the log group, which is gone"
unlike "$out" "old2|old_gone" "nothing of sandbox old2, nor the deleted database whose tags moto keeps"
like "$err" "3 resources of sandbox 'old' left after its destroy" "the error says so"
is "$(python3 -c 'import sys, boto3; l = boto3.client("logs", endpoint_url=sys.argv[1], region_name="us-east-1", aws_access_key_id="t", aws_secret_access_key="t"); print(sorted(g["logGroupName"] for g in l.describe_log_groups()["logGroups"]))' "http://127.0.0.1:$port")" \
	"['/aws/lambda/owlet-demo-local-old2']" "old2's log group is left alone"
done_testing
