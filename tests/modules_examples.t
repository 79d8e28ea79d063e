#!/usr/bin/env bash
# modules_examples.t: every module has examples/basic/, a minimal root that
# calls it alone with the provider pointed at an endpoint given by variables
# (docs/modules.md); each one inits from the provider mirror and plans
# against one moto_server on 127.0.0.1, all side by side (plans only read:
# STS and the data sources), no apply.  A copy of the storage example whose
# module call lacks the required name_prefix must fail to plan, and say so.
# render leaves examples/ out of a stack's modules/.
# Each run of the AWS provider costs seconds of CPU, and a plan runs it three
# times: the plans' own -json stream is read, no `terraform show -json`.
. "$(dirname "$0")/lib.sh"

command -v terraform >/dev/null || skip_all "terraform is not installed"
command -v moto_server >/dev/null || skip_all "moto_server is not installed"
command -v jq >/dev/null || skip_all "jq is not installed"
command -v zip >/dev/null || skip_all "zip is not installed"
plugin_dir=${OWLET_TF_PLUGIN_DIR:-/opt/tf-plugins}
init_args=(-input=false -no-color)
[ -d "$plugin_dir" ] && init_args+=("-plugin-dir=$plugin_dir")
# as lib/deploy/terraform.c runs terraform; nothing of the user's AWS setup
export TF_IN_AUTOMATION=1 TF_CLI_CONFIG_FILE=/dev/null CHECKPOINT_DISABLE=1 AWS_EC2_METADATA_DISABLED=true
export GOGC=${GOGC:-400} AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE

work=$(tmpdir)
port=$(free_port)
endpoint="http://127.0.0.1:$port"
# a service an example forgot in its endpoints would also stay on 127.0.0.1
export AWS_ENDPOINT_URL=$endpoint
moto_server -H 127.0.0.1 -p "$port" >"$work/moto.log" 2>&1 &
moto_pid=$!
at_exit "kill $moto_pid 2>/dev/null; wait $moto_pid 2>/dev/null"

modules=()
for d in "$OWLET_SRC"/modules/*/; do modules+=("$(basename "$d")"); done
missing=
for m in "${modules[@]}"; do
	for f in main.tf variables.tf outputs.tf README.md; do
		[ -s "$OWLET_SRC/modules/$m/examples/basic/$f" ] || missing="$missing $m/examples/basic/$f"
	done
done
is "$missing" "" "each of the ${#modules[@]} modules has examples/basic/ (main.tf variables.tf outputs.tf README.md)"

# the function example plans a zip (only its file and hash are read)
mkdir -p "$work/zip"
printf '#!/bin/sh\nexit 0\n' >"$work/zip/bootstrap"
(cd "$work/zip" && zip -q -X lambda.zip bootstrap)

# plan_example NAME DIR [-var ...]: init and plan DIR (an example inside a
# copy of its module); the plan's JSON lines in $work/NAME.json, the rest of
# terraform's output in $work/NAME.log
plan_example() {
	local name=$1 dir=$2
	shift 2
	(cd "$dir" && terraform init "${init_args[@]}" &&
		terraform plan -json -input=false -lock=false \
			-var "endpoint=$endpoint" -var "name_prefix=ex-$name" "$@" >"$work/$name.json") >"$work/$name.log" 2>&1
}
# changes NAME: the planned changes of NAME's plan, "ACTION ADDRESS" a line
changes() { jq -r 'select(.type == "planned_change") | "\(.change.action) \(.change.resource.addr)"' "$work/$1.json" | sort; }
# diagnostics NAME: terraform's errors and warnings in NAME's plan
diagnostics() { jq -r 'select(.type == "diagnostic") | "\(.diagnostic.summary): \(.diagnostic.detail)"' "$work/$1.json" 2>/dev/null; }

for _ in $(seq 100); do curl -s -o /dev/null "$endpoint/" && break; sleep 0.1; done

t0=$(date +%s%N)
pids=()
for m in "${modules[@]}"; do
	cp -R "$OWLET_SRC/modules/$m" "$work/$m"
	extra=()
	[ "$m" = function ] && extra=(-var "zip_path=$work/zip/lambda.zip")
	plan_example "$m" "$work/$m/examples/basic" "${extra[@]}" &
	pids+=($!)
done
# the negative case: the storage module called without its required name_prefix
cp -R "$OWLET_SRC/modules/storage" "$work/broken"
sed -i '/^ *name_prefix *= *var\.name_prefix$/d' "$work/broken/examples/basic/main.tf"
plan_example broken "$work/broken/examples/basic" &
broken_pid=$!

i=0
for m in "${modules[@]}"; do
	wait "${pids[$i]}"
	ok $? "modules/$m/examples/basic: terraform init and plan against moto" ||
		if [ -n "$(diagnostics "$m")" ]; then diag "$(diagnostics "$m")"; else diag "$(tail -n 20 "$work/$m.log")"; fi
	i=$((i + 1))
	# what a user reads in the plan: it creates the module's resources, and
	# only creates (a fresh account)
	all=$(changes "$m")
	ok $([ -n "$all" ]; echo $?) "modules/$m/examples/basic: its plan has changes"
	is "$(printf '%s\n' "$all" | grep -v "^create module\.$m\." | tr '\n' ' ')" "" \
		"modules/$m/examples/basic: every change creates a resource of the module"
done
wait "$broken_pid"
rc=$?
t1=$(date +%s%N)
ok $([ "$rc" -ne 0 ] && [ -z "$(changes broken)" ]; echo $?) "a module call without its required name_prefix does not plan"
like "$(diagnostics broken)" \
	'Missing required argument: The argument "name_prefix" is required' "and terraform says which argument"
diag "$((${#modules[@]} + 1)) examples inited and planned side by side in $(((t1 - t0) / 1000000)) ms"

# The storage example's plan is the module's defaults: AWS's behaviour
# (TLS-only policies on both buckets, the separate lifecycle resource).
is "$(changes storage | grep -E 'aws_s3_bucket_(policy|lifecycle_configuration|notification)\.' | tr '\n' ' ')" \
	"create module.storage.aws_s3_bucket_lifecycle_configuration.this[\"data\"] create module.storage.aws_s3_bucket_lifecycle_configuration.this[\"logs\"] create module.storage.aws_s3_bucket_notification.logs[0] create module.storage.aws_s3_bucket_policy.data[0] create module.storage.aws_s3_bucket_policy.logs " \
	"storage example: the defaults are AWS's (the data bucket's TLS-only policy, the EventBridge notification, the lifecycle resources)"
is "$(changes function | grep -E 'aws_sqs_queue\.' | tr '\n' ' ')" "create module.function.aws_sqs_queue.dlq[0] " \
	"function example: the default creates the dead-letter queue"

# render copies each module but not its examples/ into state/ENV/modules/
if "$OWLET" init "$work/shop" >/dev/null 2>&1 && (cd "$work/shop" && "$OWLET" render --env local >/dev/null 2>&1); then
	is "$(cd "$work/shop/state/local/modules" && find . -name examples | sort | tr '\n' ' ')" "" \
		"render: a stack's modules/ holds no examples/"
	ok $([ -s "$work/shop/state/local/modules/storage/main.tf" ]; echo $?) "render: and still the modules"
else
	ok 1 "owlet init and render --env local"
fi

done_testing
