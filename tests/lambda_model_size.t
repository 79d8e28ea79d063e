#!/usr/bin/env bash
# No model size limit (issue 15): a project of 50 datasets of 30 fields each
# validates, renders and passes terraform validate, with the model stored as
# s3://<data bucket>/_owlet/model.json (not in the 4 KB of Lambda environment);
# the real bootstrap reads it at init from S3 (moto on 127.0.0.1), checks its
# SHA-256 and answers with it; a model that differs from OWLET_MODEL_SHA256
# fails init.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lambda_lib.sh"

proj=$(tmpdir)
at_exit "rm -rf '$proj'"
cp -r "$OWLET_SRC/environments" "$proj/"
python3 - "$proj/data_model.yml" <<'PY'
import sys
types = ["int", "float", "string", "bool", "date", "timestamp"]
out = ["project: big-project", "groups: [analysts, editors]", "datasets:"]
for d in range(50):
    out += ["  dataset_%02d:" % d, "    description: generated dataset %d of 50" % d, "    format: csv",
            "    key: id", "    partition_by: at", "    fields:",
            "      id: { type: int, required: true, min: 1 }", "      at: { type: timestamp, required: true }"]
    for f in range(28):
        out.append("      field_%02d: { type: %s }" % (f, types[f % len(types)]))
    out.append("    access: { read: [analysts, editors], write: [editors] }")
open(sys.argv[1], "w").write("\n".join(out) + "\n")
PY
cd "$proj" || exit 1
run_owlet validate
is "$rc" 0 "a model of 50 datasets x 30 fields validates"
run_owlet render --env local
is "$rc" 0 "and renders"
tf=state/local/owlet.auto.tfvars.json
model_json=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["function"]["model_json"])' "$tf")
ok "$([ ${#model_json} -gt 40000 ]; echo $?)" "its model JSON is ${#model_json} bytes, far beyond Lambda's 4 KB of environment"
like "$(cat state/local/modules/function/main.tf)" 'OWLET_MODEL_KEY += aws_s3_object.model.key' \
	"the function gets the model's key in the data bucket, not the model"
unlike "$(cat state/local/modules/function/main.tf)" 'OWLET_MODEL +=' "and no OWLET_MODEL variable"
if command -v terraform >/dev/null; then
	plugins=${OWLET_TF_PLUGIN_DIR-/opt/tf-plugins}
	args=(-input=false -no-color -backend=false)
	[ -n "$plugins" ] && [ -d "$plugins" ] && args+=(-plugin-dir="$plugins")
	o=$(TF_IN_AUTOMATION=1 TF_CLI_CONFIG_FILE=/dev/null terraform -chdir=state/local init "${args[@]}" 2>&1)
	ok $? "terraform init -backend=false" || diag "$o"
	o=$(terraform -chdir=state/local validate -no-color 2>&1)
	ok $? "terraform validate passes on the rendered root of the 50-dataset model" || diag "$o"
else
	diag "terraform is not installed: validate not run"
fi

# the function reads that model from S3 at init
moto_s3
printf '%s' "$model_json" | s3curl -X PUT -H 'Content-Type: application/json' --data-binary @- "$S3/owlet-data/_owlet/model.json" >/dev/null
sha=$(printf '%s' "$model_json" | sha256sum | cut -c1-64)
ev=$(python3 - "$OWLET_SRC/tests/fixtures/lambda/events/get_datasets_analyst.json" <<'PY'
import json, sys
e = json.load(open(sys.argv[1]))
e["requestContext"]["authorizer"]["jwt"]["claims"]["cognito:groups"] = "[analysts]"
print(json.dumps([{"id": "g1", "event": e}]))
PY
)
S3ENV=(AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1 AWS_ENDPOINT_URL="$S3"
	OWLET_DATA_BUCKET=owlet-data OWLET_MODEL_KEY=_owlet/model.json)
run_plan big "$ev" "${S3ENV[@]}" OWLET_MODEL_SHA256="$sha"
is "$(resp g1 "['statusCode']")" 200 "GET /datasets with the model read from s3://owlet-data/_owlet/model.json: 200"
is "$(body g1 "['datasets'].__len__()") $(body g1 "['datasets'][49]['fields'].__len__()")" "50 30" \
	"it lists the 50 datasets, 30 fields each"
run_plan badsha "$ev" "${S3ENV[@]}" OWLET_MODEL_SHA256="$(printf x | sha256sum | cut -c1-64)"
is "$rc" 1 "a model whose SHA-256 is not OWLET_MODEL_SHA256: init fails"
like "$stderr" "init: s3://owlet-data/_owlet/model.json has SHA-256 $sha, not OWLET_MODEL_SHA256" "and says why"
done_testing
