#!/usr/bin/env bash
# Sandboxes (stack_suffix: developer), render only: two git identities give
# two names, two state keys and the owlet:* tags' values; an explicit
# backend.key is suffixed too; the rendered root passes terraform validate.
. "$(dirname "$0")/lib.sh"

proj=$(tmpdir)
at_exit "rm -rf '$proj'"
cp -r "$OWLET_SRC/data_model.yml" "$OWLET_SRC/environments" "$proj/"
cd "$proj" || exit 1
# git identities from this project only: no global or system config
export HOME=$proj/home XDG_CONFIG_HOME=$proj/home/.config GIT_CONFIG_NOSYSTEM=1
mkdir -p "$HOME"
cat > environments/sandbox.yml <<'YML'
target: aws
region: eu-west-1
stack_suffix: developer
backend:
  bucket: owlet-demo-tfstate-dev
YML
git init -q . && git config user.name "Someone Else"
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }
key() { sed -n 's/^key *= *"\(.*\)"$/\1/p' "$1"; }

render_as() { # email dest
	git config user.email "$1"
	run_owlet render --env sandbox
	is "$rc" 0 "render --env sandbox as $1" || diag "$err"
	rm -rf "$2" && cp -r state/sandbox "$2"
}
render_as "Ada.Lovelace+owlet@example.org" ada
render_as "grace_hopper_the_admiral@example.com" grace

is "$(json ada/owlet.auto.tfvars.json 'd["sandbox"]')" "ada-lovelace-owl" \
	"the name is user.email's local part made valid, at most 16 characters"
is "$(json grace/owlet.auto.tfvars.json 'd["sandbox"]')" "grace-hopper-the" "another identity, another name"
is "$(json ada/owlet.auto.tfvars.json 'd["name_prefix"]')" "owlet-demo-sandbox-ada-lovelace-owl" \
	"the name ends every cloud name"
is "$(key ada/backend.hcl)" "owlet-demo/sandbox/ada-lovelace-owl/terraform.tfstate" "each sandbox has its own state key"
is "$(key grace/backend.hcl)" "owlet-demo/sandbox/grace-hopper-the/terraform.tfstate" "and the other its own"
want=$(date -u -d '+7 days' +%F)
is "$(json ada/owlet.auto.tfvars.json 'd["sandbox_expires"]')" "$want" "owlet:expires is 7 days ahead"

git config --unset user.email
run_owlet render --env sandbox
is "$(json state/sandbox/owlet.auto.tfvars.json 'd["sandbox"]')" "someone-else" "without user.email, user.name"

# a configured key gets the name as its last directory
printf 'backend:\n  bucket: b-tfstate\n  key: team/sbx.tfstate\nstack_suffix: developer\n' > environments/sbx.yml
git config user.email "ada@example.org"
run_owlet render --env sbx
is "$(key state/sbx/backend.hcl)" "team/ada/sbx.tfstate" "an explicit backend.key is kept apart per sandbox too"

# other stacks: no sandbox tags, the key as before
run_owlet render --env dev
is "$(json state/dev/owlet.auto.tfvars.json 'd["sandbox"], d["sandbox_expires"]')" "('', '')" "dev is no sandbox"
is "$(key state/dev/backend.hcl)" "owlet-demo/dev/terraform.tfstate" "and keeps its key"

if command -v terraform >/dev/null; then
	plugins=${OWLET_TF_PLUGIN_DIR-/opt/tf-plugins}
	args=(-input=false -no-color -backend=false)
	[ -n "$plugins" ] && [ -d "$plugins" ] && args+=(-plugin-dir="$plugins")
	o=$(TF_IN_AUTOMATION=1 terraform -chdir=ada init "${args[@]}" 2>&1)
	ok $? "terraform init -backend=false on the sandbox root" || diag "$o"
	o=$(terraform -chdir=ada validate -no-color 2>&1)
	ok $? "terraform validate passes" || diag "$o"
	o=$(terraform -chdir=ada fmt -check -recursive 2>&1)
	ok $? "terraform fmt -check is clean" || diag "$o"
	grep -q '"owlet:sandbox" = var.sandbox' ada/providers.tf
	ok $? "the provider's default_tags carry owlet:sandbox"
	grep -q '"owlet:expires" = var.sandbox_expires' ada/providers.tf
	ok $? "and owlet:expires"
else
	diag "terraform is not installed: validate not run"
fi
done_testing
