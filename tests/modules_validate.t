#!/usr/bin/env bash
# modules_validate.t: the Terraform modules and the root template are
# `terraform fmt` clean and `terraform validate` clean, each module on its own
# (so that each stands alone) and the root module with all of them; every
# variable and output carries a description; every module has the files of
# HashiCorp's module structure.
. "$(dirname "$0")/lib.sh"

command -v terraform >/dev/null || skip_all "terraform is not installed"
plugin_dir=${OWLET_TF_PLUGIN_DIR:-/opt/tf-plugins}
init_args=(-input=false -backend=false)
[ -d "$plugin_dir" ] && init_args+=("-plugin-dir=$plugin_dir")
export TF_IN_AUTOMATION=1 TF_CLI_CONFIG_FILE=/dev/null CHECKPOINT_DISABLE=1
modules=(storage network auth api function catalog query)

out=$(terraform fmt -check -recursive -diff "$OWLET_SRC/modules" "$OWLET_SRC/templates/root" 2>&1)
ok $? "terraform fmt -check: modules/ and templates/root/ are formatted" || diag "$out"

for m in "${modules[@]}"; do
	missing=
	for f in main.tf variables.tf outputs.tf versions.tf README.md; do
		[ -s "$OWLET_SRC/modules/$m/$f" ] || missing="$missing $f"
	done
	is "$missing" "" "modules/$m has main.tf variables.tf outputs.tf versions.tf README.md"
done

# Every variable and output block has a description (a block's first lines).
undocumented=$(awk '
	FNR == 1 { block = "" }
	/^(variable|output) "/ { block = FILENAME ": " $1 " " $2; described = 0; next }
	block != "" && /^  description *= *"[^"]/ { described = 1 }
	block != "" && /^}/ { if (!described) print block; block = "" }
' "$OWLET_SRC"/modules/*/variables.tf "$OWLET_SRC"/modules/*/outputs.tf \
  "$OWLET_SRC"/templates/root/variables.tf "$OWLET_SRC"/templates/root/outputs.tf)
is "$undocumented" "" "every variable and output has a description"

# Every module's README lists each of its variables and outputs.
for m in "${modules[@]}"; do
	names=$(sed -n 's/^\(variable\|output\) "\([^"]*\)".*/\2/p' "$OWLET_SRC/modules/$m/variables.tf" "$OWLET_SRC/modules/$m/outputs.tf")
	absent=
	for n in $names; do grep -q "\`$n\`" "$OWLET_SRC/modules/$m/README.md" || absent="$absent $n"; done
	is "$absent" "" "modules/$m/README.md documents every variable and output"
done

validate() { # dir name
	local log
	log=$(cd "$1" && terraform init "${init_args[@]}" 2>&1 && terraform validate -no-color 2>&1)
	ok $? "terraform validate: $2" || diag "$log"
}

work=$(tmpdir)
for m in "${modules[@]}"; do
	cp -R "$OWLET_SRC/modules/$m" "$work/$m"
	validate "$work/$m" "modules/$m"
done

# The root module as render lays it out: templates/root/* plus modules/.
mkdir -p "$work/root"
cp "$OWLET_SRC"/templates/root/*.tf "$work/root/"
cp -R "$OWLET_SRC/modules" "$work/root/modules"
validate "$work/root" "templates/root with every module"

# The Lambda permissions of one function are ordered (issue 21): moto edits the
# function policy read-modify-write, and two deletes in one second left one
# behind.  In the dependency graph the API's permission waits for the S3
# trigger's: created after it, destroyed before it, never both at once.
cp -R "$work/root" "$work/graph"
printf 'terraform {\n  backend "local" {}\n}\n' >"$work/graph/backend_override.tf"
graph=$(cd "$work/graph" && terraform init "${init_args[@]/-backend=false/-reconfigure}" >/dev/null 2>&1 && terraform graph -no-color 2>&1)
perms=$(printf '%s\n' "$graph" | grep -E '^ *"module\.[a-z]+\.aws_lambda_permission\.[a-z0-9_]+" -> "module\.[a-z]+\.aws_lambda_permission\.' || true)
is "$perms" '  "module.api.aws_lambda_permission.api" -> "module.function.aws_lambda_permission.s3";' \
	"the function's two Lambda permissions are ordered, not parallel" || diag "$graph"

done_testing
