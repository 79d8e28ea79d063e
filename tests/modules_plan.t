#!/usr/bin/env bash
# modules_plan.t: the root template with every module plans against the
# local emulator for the hand-written tfvars of tests/modules/ (local, dev and
# prod, per docs/contracts.md), and the plans hold what a user would check:
# one Glue table and the routes per dataset, partition projection, the
# Lambda's settings and least-privilege policy, the outputs of outputs.json,
# the emulator work-arounds for local only, and the prod hardening (KMS
# everywhere, TLS-only buckets, DLQ, no force_destroy).
# dev and prod render for AWS: a provider override (as tflocal does) sends
# their plan to the emulator, so nothing leaves 127.0.0.1.
. "$(dirname "$0")/lib.sh"

command -v terraform >/dev/null || skip_all "terraform is not installed"
command -v moto_server >/dev/null || skip_all "moto_server is not installed"
command -v jq >/dev/null || skip_all "jq is not installed"
command -v zip >/dev/null || skip_all "zip is not installed"
plugin_dir=${OWLET_TF_PLUGIN_DIR:-/opt/tf-plugins}
init_args=(-input=false)
[ -d "$plugin_dir" ] && init_args+=("-plugin-dir=$plugin_dir")
export TF_IN_AUTOMATION=1 TF_CLI_CONFIG_FILE=/dev/null CHECKPOINT_DISABLE=1 AWS_EC2_METADATA_DISABLED=true
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test

work=$(tmpdir)
port=$(free_port)
endpoint="http://127.0.0.1:$port"
moto_server -H 127.0.0.1 -p "$port" >"$work/moto.log" 2>&1 &
moto_pid=$!
at_exit "kill $moto_pid 2>/dev/null; wait $moto_pid 2>/dev/null"
for _ in $(seq 50); do curl -s -o /dev/null "$endpoint/" && break; sleep 0.1; done

# A minimal bootstrap zip: plans only need the file and its hash.
mkdir -p "$work/zip"
printf '#!/bin/sh\nexit 0\n' >"$work/zip/bootstrap"
chmod +x "$work/zip/bootstrap"
(cd "$work/zip" && zip -q -X lambda.zip bootstrap)
zip_sha=$(openssl dgst -sha256 -binary "$work/zip/lambda.zip" | openssl base64 -A)

services="apigateway apigatewayv2 athena cloudwatch cognitoidp dynamodb ec2 events glue iam kms lambda logs s3 scheduler sqs sts xray"

# plan_env ENV: render state-like dir for ENV, plan it, leave the plan JSON in $work/ENV.json
plan_env() {
	local env=$1 dir="$work/$1" log
	mkdir -p "$dir/artifacts"
	cp "$OWLET_SRC"/templates/root/*.tf "$dir/"
	cp -R "$OWLET_SRC/modules" "$dir/modules"
	cp "$work/zip/lambda.zip" "$dir/artifacts/lambda.zip"
	local vars="$OWLET_SRC/tests/modules/$env.tfvars.json"
	[ -f "$vars" ] || vars="$work/$env.tfvars.json"
	sed -e "s|ZIP_SHA256|$zip_sha|" -e "s|EMULATOR_ENDPOINT|$endpoint|" "$vars" >"$dir/owlet.auto.tfvars.json"
	{
		echo 'terraform {'
		echo '  backend "local" {}'
		echo '}'
		if [ "$env" = dev ] || [ "$env" = prod ]; then
			echo 'provider "aws" {'
			echo '  access_key                  = "test"'
			echo '  secret_key                  = "test"'
			echo '  skip_credentials_validation = true'
			echo '  skip_metadata_api_check     = true'
			echo '  skip_region_validation      = true'
			echo '  s3_use_path_style           = true'
			echo '  endpoints {'
			for s in $services; do echo "    $s = \"$endpoint\""; done
			echo '  }'
			echo '}'
		fi
	} >"$dir/test_override.tf"
	(cd "$dir" && terraform init "${init_args[@]}" -no-color &&
		terraform plan -input=false -no-color -lock=false -out=plan.tfplan &&
		terraform show -json plan.tfplan >"$work/$env.json") >"$work/$env.log" 2>&1
}

# q ENV JQ: run a jq filter on ENV's plan JSON; $tfvars is its tfvars.
q() {
	if [ -s "$work/$1.json" ]; then
		jq -r --slurpfile tfvars "$work/$1/owlet.auto.tfvars.json" "$2" "$work/$1.json"
	else
		echo "no plan for $1"
	fi
}
# t ENV JQ: what the tfvars of ENV say (the expected side of a comparison).
t() { jq -r "$2" "$work/$1/owlet.auto.tfvars.json"; }
after='def after(a): .resource_changes[] | select(.address == a) | .change.after;
       def typed(t): [.resource_changes[] | select(.type == t and .change.actions == ["create"])];'

# A model far larger than Lambda's 4 KB of environment variables: a copy of
# local with a 200,000-byte model_json plans, since the model is an object of
# the data bucket (read at init), not an environment variable.
mkdir -p "$work/big"
head -c 200000 /dev/zero | tr '\0' m >"$work/big.model"
# It is also planned as a developer's sandbox 'ada' (as render writes one for
# up --sandbox --name ada), to check its tags and names at no extra plan.
jq --rawfile m "$work/big.model" '.function.model_json = $m | .sandbox = "ada" | .sandbox_expires = "2030-01-01"
	| .name_prefix = "owlet-demo-local-ada"' \
	"$OWLET_SRC/tests/modules/local.tfvars.json" >"$work/big.tfvars.json"

# The plans run side by side (they are independent); then report each.
pids=()
for env in local dev prod big; do plan_env "$env" & pids+=($!); done
i=0
for env in local dev prod; do
	wait "${pids[$i]}"
	ok $? "terraform plan of the root module for $env" || diag "$(cat "$work/$env.log")"
	i=$((i + 1))
done
wait "${pids[$i]}"
ok $? "a model of 200,000 bytes (50 times Lambda's 4 KB of environment) plans" || diag "$(cat "$work/big.log")"
# the sandbox: every resource that takes tags carries owlet:sandbox and
# owlet:expires (so sandbox list and down find it), and its cloud names
# start with the sandbox's prefix
is "$(q big '[.resource_changes[] | select(.change.after | type == "object" and has("tags_all"))] | length > 20')" "true" \
	"sandbox: the plan has taggable resources"
is "$(q big '[.resource_changes[] | select(.change.after | type == "object" and has("tags_all")) | select(.change.after.tags_all["owlet:sandbox"] != "ada" or .change.after.tags_all["owlet:expires"] != "2030-01-01") | .address] | join(",")')" \
	"" "sandbox: every taggable resource is tagged owlet:sandbox=ada and owlet:expires"
is "$(q big '[.resource_changes[] | .change.after | objects | (.name? // .function_name? // .bucket? // empty) | strings | select(test("^(/aws/[a-z]+/)?owlet-demo-local") and (test("owlet-demo-local-ada") | not))] | join(",")')" \
	"" "sandbox: no cloud name of the stack's own prefix without the sandbox's name"

# --- what every environment has ----------------------------------------------------
for env in local dev prod; do
	is "$(q $env "$after"'[typed("aws_glue_catalog_table")[].change.after.name] | sort | join(",")')" \
		"$(t $env '[.datasets | keys[] | ., "\(.)_curated"] | sort | join(",")')" "$env: one Glue table per dataset, and its _curated one"

	is "$(q $env "$after"'[typed("aws_apigatewayv2_route")[].change.after.route_key] | sort | join(",")')" \
		"$(t $env '.api.routes | sort | join(",")')" \
		"$env: one route per route key of api.routes (owlet's list, which also makes the OpenAPI paths)"

	is "$(q $env "$after"'[typed("aws_apigatewayv2_route")[].change.after.authorization_type] | unique | join(",")')" \
		"JWT" "$env: every route is behind the JWT authorizer"

	is "$(q $env '[.planned_values.outputs | keys[]] | map(select(IN("api_url","api_id","user_pool_id","user_pool_client_id","issuer","data_bucket","logs_bucket","function_name","glue_database","athena_workgroup","vpc_id"))) | length')" \
		"11" "$env: the root module has the eleven outputs of outputs.json"
done

# --- Glue tables: columns, serdes, partition projection -------------------------------------
is "$(q local "$after"'after("module.catalog.aws_glue_catalog_table.this[\"trips\"]") | [.storage_descriptor[0].columns[] | "\(.name):\(.type)"] | join(",")')" \
	"$(t local '.datasets.trips.columns | map("\(.name):\(.glue_type)") | join(",")')" \
	"the trips table has the model's columns and Glue types, in order"
is "$(q local "$after"'after("module.catalog.aws_glue_catalog_table.this[\"trips\"]") | [.partition_keys[0].name, .partition_keys[0].type, .parameters["projection.enabled"], .parameters["projection.dt.type"], .parameters["storage.location.template"]] | join(" ")')" \
	"dt date true date s3://owlet-demo-local-data-123456789012/raw/trips/dt=\${dt}/" \
	"a partitioned dataset gets a dt partition of type date with partition projection"
is "$(q local "$after"'after("module.catalog.aws_glue_catalog_table.this[\"stations\"]") | [(.partition_keys | length), .storage_descriptor[0].location, .storage_descriptor[0].ser_de_info[0].serialization_library] | join(" ")')" \
	"0 s3://owlet-demo-local-data-123456789012/raw/stations/ org.apache.hive.hcatalog.data.JsonSerDe" \
	"a jsonl dataset without partition_by: no partition, the Hive JSON serde, its raw/ prefix"
is "$(q local "$after"'after("module.catalog.aws_glue_catalog_table.this[\"trips\"]") | [.storage_descriptor[0].ser_de_info[0].serialization_library, .parameters.classification, .parameters["skip.header.line.count"] // "no-header-skip", .parameters["owlet.upload_format"]] | join(" ")')" \
	"org.apache.hive.hcatalog.data.JsonSerDe json no-header-skip csv" \
	"a csv dataset is stored as canonical JSON Lines too (docs/contracts.md): the Hive JSON SerDe, no header to skip"

is "$(q local "$after"'after("module.catalog.aws_glue_catalog_table.curated[\"trips\"]") | [.name, .storage_descriptor[0].location, .storage_descriptor[0].ser_de_info[0].serialization_library, .parameters["storage.location.template"], .partition_keys[0].name, .partition_keys[0].type] | join(" ")')" \
	"trips_curated s3://owlet-demo-local-data-123456789012/curated/trips/ org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe s3://owlet-demo-local-data-123456789012/curated/trips/dt=\${dt}/ dt date" \
	"the curated table: Parquet under curated/, the same dt partitions"
is "$(q local "$after"'after("module.catalog.aws_glue_catalog_table.curated[\"trips\"]") | [.storage_descriptor[0].columns[] | "\(.name):\(.type)"] | join(",")')" \
	"$(t local '.datasets.trips.columns | map("\(.name):\(.glue_type)") | join(",")')" \
	"and the same columns"

# --- The Lambda ------------------------------------------------------------------------------
fn='module.function.aws_lambda_function.this'
is "$(q local "$after"'after("'$fn'") | [.runtime, .handler, .source_code_hash, .environment[0].variables.OWLET_DATA_BUCKET, .environment[0].variables.OWLET_ENV, .environment[0].variables.OWLET_MODEL_KEY, (.environment[0].variables | has("OWLET_MODEL") | not), (.filename | endswith("artifacts/lambda.zip"))] | join(" ")')" \
	"provided.al2023 bootstrap $zip_sha owlet-demo-local-data-123456789012 local _owlet/model.json true true" \
	"the function: provided.al2023, bootstrap, the zip and its hash, OWLET_DATA_BUCKET, OWLET_ENV, the model's key (not the model)"
is "$(q local "$after"'after("module.function.aws_s3_object.model") | [.bucket, .key, (.content == $tfvars[0].function.model_json)] | join(" ")')" \
	"owlet-demo-local-data-123456789012 _owlet/model.json true" "the model is an object of the data bucket, read at init"
for env in dev prod; do
	is "$(q $env "$after"'after("'$fn'") | [.tracing_config[0].mode, .reserved_concurrent_executions == $tfvars[0].function.reserved_concurrency, (.dead_letter_config | length), (.vpc_config | length), .logging_config[0].log_group] | join(" ")')" \
		"Active true 1 1 /aws/lambda/owlet-demo-$env" "$env: X-Ray, reserved concurrency, a DLQ, the VPC and its log group"
done

# The daily compaction: an EventBridge Scheduler schedule on AWS targets only
# (moto's scheduler never fires), invoking the function with the event
# lib/lambda's handler takes, through a role that may invoke that function only.
sched='module.function.aws_scheduler_schedule.compact[0]'
is "$(q local "$after"'typed("aws_scheduler_schedule") | length')" "0" "local: no compaction schedule (run owlet compact)"
for env in dev prod; do
	is "$(q $env "$after"'after("'$sched'") | [.schedule_expression, .schedule_expression_timezone, .target[0].input, .target[0].retry_policy[0].maximum_retry_attempts] | join(" ")')" \
		'cron(15 3 * * ? *) UTC {"owlet":"compact"} 2' "$env: a daily schedule invokes the function with {\"owlet\":\"compact\"}"
	is "$(q $env '.configuration.root_module.module_calls.function.module.resources[] | select(.address == "aws_scheduler_schedule.compact") | .expressions.target[0].arn.references | index("aws_lambda_function.this.arn") != null')" \
		"true" "$env: its target is the function"
	is "$(q $env "$after"'after("module.function.aws_iam_role_policy.schedule[0]").policy | fromjson | .Statement | map(select(.Sid == "InvokeTheFunction") | .Action) | flatten | join(",")')" \
		"lambda:InvokeFunction" "$env: its role may invoke, and only invoke"
	is "$(q $env "$after"'after("module.function.aws_iam_role.schedule[0]").assume_role_policy | fromjson | .Statement[0].Principal.Service')" \
		"scheduler.amazonaws.com" "$env: the role is EventBridge Scheduler's"
done
is "$(q prod '.resource_changes[] | select(.address == "'$sched'") | .change.after_unknown.kms_key_arn')" "true" \
	"prod: the schedule is encrypted with the data key (CKV_AWS_297)"
is "$(q dev "$after"'after("'$sched'") | .kms_key_arn')" "null" "dev: with EventBridge's own key (skipped with its reason)"
is "$(q prod "$after"'after("module.function.aws_iam_role_policy.schedule[0]").policy | fromjson | .Statement | map(.Sid) | join(",")')" \
	"InvokeTheFunction,DecryptScheduleWithDataKey" "prod: and its role may decrypt it"
is "$(q prod "$after"'after("module.function.aws_iam_role_policy.this").policy | fromjson | .Statement | map(select(.Sid == "CompactToCurated") | .Resource[]) | map(capture(":::[^/]+/(?<p>.*)$").p) | join(",")')" \
	"$(t prod '.datasets | keys | map("curated/\(.)/*") | join(",")')" "prod: the function may write curated/ of each dataset (UNLOAD), nothing more"

# The execution role's policy: no wildcard action, "*" resources only for the
# actions that support no resource-level permissions, writes to raw/ only for
# writable datasets.
policy='after("module.function.aws_iam_role_policy.this").policy | fromjson | .Statement'
for env in local prod; do
	is "$(q $env "$after$policy"' | [.[] | .Action | if type == "array" then .[] else . end | select(test("^\\*$|:\\*$"))] | length')" \
		"0" "$env: the function's policy has no wildcard action"
	is "$(q $env "$after$policy"' | [.[] | select(.Resource == "*" or (.Resource | type == "array" and index("*"))) | .Action[]] | unique | join(",")')" \
		"ec2:DescribeNetworkInterfaces,ec2:DescribeSubnets,xray:PutTelemetryRecords,xray:PutTraceSegments" \
		"$env: \"*\" resources only for X-Ray and the EC2 Describe calls"
done
is "$(q local "$after$policy"' | [.[] | select(.Action | index("s3:PutObject")) | .Resource | if type == "array" then .[] else . end | select(test(":::[^/]+/raw/")) | capture(":::[^/]+/raw/(?<d>[^/]+)/").d] | sort | join(",")')" \
	"$(t local '.datasets | [to_entries[] | select(.value.write_groups | length > 0) | .key] | sort | join(",")')" \
	"the function may write raw/ files of the writable datasets only"
is "$(q local "$after$policy"' | [.[] | select(.Action | index("s3:GetObject")) | .Resource | if type == "array" then .[] else . end | select(test("/(raw|stats)/")) | capture("/(?<p>raw|stats)/(?<d>[^/]+)/").d] | unique | join(",")')" \
	"$(t local '.datasets | keys | sort | join(",")')" \
	"the function reads raw/ and stats/ of each dataset by its own prefix"

# --- Emulator work-arounds: local only ------------------------------------------------------
is "$(q local "$after"'typed("aws_sqs_queue") + [typed("aws_s3_bucket_policy")[] | select(.address | test("data"))] | length')" \
	"0" "local: no DLQ and no data bucket policy (moto drift and moto's conditional-deny bug)"
unlike "$(q local "$after"'after("module.storage.aws_s3_bucket_policy.logs").policy')" "SecureTransport" \
	"local: the logs bucket policy has no TLS-only Deny"
# The provider's fixed waits: inline lifecycle rules (no 55 s waiter) and no
# DNS hostnames (no 10 s wait) locally; the same rules as AWS's resource.
is "$(q local "$after"'typed("aws_s3_bucket_lifecycle_configuration") | length')" "0" \
	"local: no aws_s3_bucket_lifecycle_configuration (its 55 s waiter)"
is "$(q local "$after"'[after("module.storage.aws_s3_bucket.data", "module.storage.aws_s3_bucket.logs") | [.lifecycle_rule[] | "\(.id):\(.enabled):\(.prefix // ""):\(.abort_incomplete_multipart_upload_days // "-"):\(.expiration[0].days // "-"):\(.noncurrent_version_expiration[0].days)"] | join(" ")] | join(" | ")')" \
	"abort-incomplete-uploads-and-expire-old-versions:true::7:-:$(t local .storage.noncurrent_days) expire-idempotency-records:true:_idempotency/:-:1:1 expire-uploaded-originals:true:incoming/:-:7:1 | abort-incomplete-uploads-and-expire-old-versions:true::7:$(t local .storage.log_retention_days):$(t local .storage.noncurrent_days)" \
	"local: the buckets carry the lifecycle rules inline"
is "$(q local "$after"'after("module.network[0].aws_vpc.this").enable_dns_hostnames')" "false" \
	"local: the VPC has no DNS hostnames (the provider's 10 s wait)"
mkdir -p "$work/check-local"
"$OWLET" check --no-checkov --output json --plan-json "$work/local.json" --root "$work/local" \
	>"$work/check-local.json" 2>"$work/check-local.err"
is "$(jq -r '[.results.passed_checks[] | select(.check_id == "CKV2_AWS_61" or .check_id == "CKV_AWS_300") | "\(.check_id) \(.resource)"] | sort | join(",")' "$work/check-local.json" 2>&1)" \
	"CKV2_AWS_61 module.storage.aws_s3_bucket.data,CKV2_AWS_61 module.storage.aws_s3_bucket.logs,CKV_AWS_300 module.storage.aws_s3_bucket.data,CKV_AWS_300 module.storage.aws_s3_bucket.logs" \
	"local: the checks see the inline lifecycle rules (CKV2_AWS_61, CKV_AWS_300 pass on both buckets)"
for env in dev prod; do
	is "$(q $env "$after"'([typed("aws_s3_bucket_lifecycle_configuration")[].change.after.rule | length] | join(",")) + " " + ([typed("aws_s3_bucket")[].change.after.lifecycle_rule | length] | unique | join(","))')" \
		"3,1 0" "$env: the lifecycle rules are aws_s3_bucket_lifecycle_configuration, none inline"
	is "$(q $env "$after"'after("module.network[0].aws_vpc.this").enable_dns_hostnames')" "true" "$env: the VPC has DNS hostnames"
done
for env in dev prod; do
	is "$(q $env "$after"'[.resource_changes[] | select(.type == "aws_s3_bucket_policy") | .change.after.policy | fromjson | .Statement[] | select(.Effect == "Deny" and .Condition.Bool["aws:SecureTransport"] == "false") | .Sid] | length')" \
		"2" "$env: both buckets deny every request without TLS"
	is "$(q $env "$after"'[typed("aws_sqs_queue")[].change.after.name] | join(",")')" \
		"owlet-demo-$env-dlq" "$env: the function has a dead-letter queue"
done

# --- bulk uploads' originals expire; the dataset metadata table -------------------------------
is "$(q dev "$after"'after("module.storage.aws_s3_bucket_lifecycle_configuration.this[\"data\"]").rule[] | select(.id == "expire-uploaded-originals") | "\(.filter[0].prefix) \(.expiration[0].days) \(.noncurrent_version_expiration[0].noncurrent_days)"')" \
	"incoming/ 7 1" "dev: uploaded originals under incoming/ expire after 7 days (the default)"
is "$(q prod "$after"'after("module.storage.aws_s3_bucket_lifecycle_configuration.this[\"data\"]").rule[] | select(.id == "expire-uploaded-originals") | "\(.filter[0].prefix) \(.expiration[0].days)"')" \
	"incoming/ $(t prod .storage.incoming_days)" "prod: after storage.incoming_days"
for env in local dev prod; do
	is "$(q $env "$after"'after("module.storage.aws_dynamodb_table.meta") | "\(.name) \(.billing_mode) \(.hash_key) \(.range_key) \(.point_in_time_recovery[0].enabled) \(.server_side_encryption[0].enabled) \(.deletion_protection_enabled)"')" \
		"owlet-demo-$env-meta PAY_PER_REQUEST dataset item true $(t $env .storage.kms) $(t $env '.storage.force_destroy | not')" \
		"$env: one metadata table, billed per request, PITR, CMK as storage.kms says, protected unless force_destroy"
	is "$(q $env "$after"'after("module.function.aws_lambda_function.this").environment[0].variables.OWLET_META_TABLE')" \
		"owlet-demo-$env-meta" "$env: the function is told the table's name"
	is "$(q $env "$after"'after("module.function.aws_iam_role_policy.this").policy | fromjson | [.Statement[] | select([.Action] | flatten | any(startswith("dynamodb:"))) | "\(.Action | join(",")) \(.Resource)"] | join(" | ")')" \
		"dynamodb:GetItem,dynamodb:BatchGetItem,dynamodb:UpdateItem,dynamodb:PutItem,dynamodb:Query arn:aws:dynamodb:$(t $env .region):123456789012:table/owlet-demo-$env-meta" \
		"$env: the function may read and update that table only, with no other DynamoDB action"
done
is "$(q prod '.resource_changes[] | select(.address == "module.storage.aws_dynamodb_table.meta") | .change.after_unknown.server_side_encryption[0].kms_key_arn')" \
	"true" "prod: the table is encrypted with the stack's KMS key"

# --- dev: cheap; prod: hardened ---------------------------------------------------------------
is "$(q dev "$after"'typed("aws_kms_key") | length')" "0" "dev: no customer-managed KMS key (cost)"
is "$(q dev "$after"'[typed("aws_s3_bucket")[].change.after.force_destroy] | unique | join(",")')" "true" \
	"dev: buckets are force-destroyed (not protected)"
is "$(q prod "$after"'[typed("aws_s3_bucket")[].change.after.force_destroy] | unique | join(",")')" "false" \
	"prod: buckets are never force-destroyed"
is "$(q prod "$after"'[typed("aws_kms_key")[].change.after | .enable_key_rotation, .deletion_window_in_days] | join(" ")')" \
	"true 30" "prod: one KMS key, rotated, 30-day deletion window"
is "$(q prod "$after"'[after("module.storage.aws_s3_bucket_server_side_encryption_configuration.this[\"data\"]", "module.storage.aws_s3_bucket_server_side_encryption_configuration.this[\"logs\"]") | .rule[0].apply_server_side_encryption_by_default[0].sse_algorithm] | join(",")')" \
	"aws:kms,AES256" "prod: the data bucket is SSE-KMS, the logs bucket SSE-S3 (access-log delivery)"
is "$(q prod '[.resource_changes[] | select(.type == "aws_cloudwatch_log_group") | "\(.change.after.retention_in_days):\(.change.after_unknown.kms_key_id)"] | unique | join(",")')" \
	"365:true" "prod: every log group keeps a year and is encrypted with the key"
is "$(q prod "$after"'typed("aws_glue_security_configuration") | length')" "1" "prod: a Glue security configuration"
is "$(q prod "$after"'after("module.query.aws_athena_workgroup.this").configuration[0] | [.enforce_workgroup_configuration, .result_configuration[0].encryption_configuration[0].encryption_option] | join(" ")')" \
	"true SSE_KMS" "prod: the Athena workgroup enforces KMS-encrypted results"
is "$(q prod "$after"'[after("module.auth.aws_cognito_user_pool.this").deletion_protection, ([typed("aws_vpc_endpoint")[] | select(.change.after.vpc_endpoint_type == "Interface")] | length > 0)] | join(" ")')" \
	"ACTIVE true" "prod: user pool deletion protection, interface endpoints"
is "$(q prod "$after"'[typed("aws_default_security_group")[].change.after | (.ingress | length), (.egress | length)] | join(" ")')" \
	"0 0" "the default security group allows nothing"

done_testing
