#!/usr/bin/env bash
# owlet init: a new project in a git repository with one commit that
# validates; a non-empty directory is refused and left untouched; a failure
# half-way leaves nothing behind; the author comes from git config, else a
# stated fallback.
. "$(dirname "$0")/lib.sh"

t=$(tmpdir)
# A controlled git identity: HOME and XDG_CONFIG_HOME point into the test.
mkdir -p "$t/home"
printf '[user]\n\tname = Ada Lovelace\n\temail = ada@example.org\n' >"$t/home/.gitconfig"
export HOME=$t/home XDG_CONFIG_HOME=$t/home/.config GIT_CONFIG_NOSYSTEM=1

run_owlet init "$t/Shop_Data"
is "$rc" 0 "init into a new directory exits 0"
like "$out" "^created project 'shop-data' in $t/Shop_Data: 8 files, first commit [0-9a-f]{7} by Ada Lovelace <ada@example.org>" "init says what it made, named from the directory"
is "$(git -C "$t/Shop_Data" log --oneline | wc -l | tr -d ' ')" 1 "git log shows one commit"
is "$(git -C "$t/Shop_Data" log -1 --format='%an <%ae>')" "Ada Lovelace <ada@example.org>" "the author comes from git config"
like "$(git -C "$t/Shop_Data" log -1 --format=%s)" "^Create the owlet project 'shop-data'$" "the commit message names the project"
is "$(git -C "$t/Shop_Data" status --porcelain)" "" "the work tree is clean: every file is committed"
is "$(git -C "$t/Shop_Data" ls-files | sort | tr '\n' ' ')" ".github/workflows/owlet-deploy.yml .github/workflows/owlet-pr.yml .gitignore README.md data_model.yml environments/dev.yml environments/local.yml environments/prod.yml " "the scaffold's files"
mkdir -p "$t/Shop_Data/state/local" && touch "$t/Shop_Data/state/local/terraform.tfstate"
is "$(git -C "$t/Shop_Data" status --porcelain)" "" ".gitignore ignores state/"
is "$(grep -c '{{project}}' "$t"/Shop_Data/*.yml "$t"/Shop_Data/environments/*.yml "$t/Shop_Data/README.md" | awk -F: '{s+=$2} END {print s}')" 0 "no placeholder is left"
like "$(head -1 "$t/Shop_Data/README.md")" "^# shop-data$" "the README names the project"

(cd "$t/Shop_Data" && "$OWLET" validate >"$t/v.out" 2>"$t/v.err")
is "$?" 0 "owlet validate passes inside the new project"
like "$(cat "$t/v.out")" "^data_model.yml: project 'shop-data', 2 datasets, [0-9]+ fields: ok" "the new model validates"
is "$(grep -c ': ok$' "$t/v.out")" 4 "the model and three environments are ok"
(cd "$t/Shop_Data" && "$OWLET" validate --json | python3 -c 'import json,sys; m=json.load(sys.stdin); t={f["type"] for d in m["datasets"].values() for f in d["fields"].values()}; sys.exit(0 if t=={"int","float","string","bool","date","timestamp"} else 1)')
is "$?" 0 "the scaffold's model uses every type"

# One source: a project named like the repository's example gets exactly the
# repository's environments (so what tests/check_env.t proves of a fresh
# project holds for both).
run_owlet init "$t/demo" --name owlet-demo
for e in local dev prod; do
	is "$(cmp "$t/demo/environments/$e.yml" "$OWLET_SRC/environments/$e.yml" 2>&1; echo $?)" 0 \
		"the scaffold's environments/$e.yml is the repository's, byte for byte"
done
like "$(cat "$t/demo/environments/dev.yml")" 'CKV_AWS_338, reason: "dev keeps logs 14 days' "the scaffold's dev.yml carries the cost skips with reasons"

# --name, and an existing empty directory.
mkdir "$t/empty"
run_owlet init "$t/empty" --name my-project
is "$rc" 0 "init into an empty existing directory with --name"
like "$(grep '^project:' "$t/empty/data_model.yml")" "^project: my-project$" "--name is the project name"
run_owlet init "$t/plain" --no-ci
like "$out" "in $t/plain: 6 files" "--no-ci writes no workflows"
ok "$([ ! -e "$t/plain/.github" ]; echo $?)" "and no .github/"

# A non-empty directory is refused and left exactly as it was.
mkdir -p "$t/full/sub" && echo keep >"$t/full/notes.txt" && echo x >"$t/full/sub/y"
before=$(cd "$t/full" && find . -printf '%p %s %T@\n' | sort)
run_owlet init "$t/full"
is "$rc" 1 "init refuses a non-empty directory"
like "$err" "^error: '$t/full' is not empty" "the refusal names the directory"
is "$(cd "$t/full" && find . -printf '%p %s %T@\n' | sort)" "$before" "the non-empty directory is untouched"
run_owlet init "$t/Shop_Data"
is "$rc" 1 "init refuses an existing project"

# Bad names.
run_owlet init "$t/new" --name Bad_Name
is "$rc" 2 "a bad --name is a usage error"
like "$err" "bad project name 'Bad_Name'" "the bad name is quoted"
ok "$([ ! -e "$t/new" ]; echo $?)" "a bad --name creates nothing"
run_owlet init "$t/x1"
is "$rc" 1 "a directory name that makes no project name is refused"
like "$err" "cannot make a project name from 'x1'.*--name" "it says to use --name"
ok "$([ ! -e "$t/x1" ]; echo $?)" "and creates nothing"
printf 'x' >"$t/afile"
run_owlet init "$t/afile"
is "$rc:$err" "1:error: '$t/afile' exists and is not a directory" "a file is refused"

# No git identity at all: the fallback author, said on stderr.
if git config --system user.name >/dev/null 2>&1; then
	ok 0 "# SKIP the system git config has a user.name"
	ok 0 "# SKIP the system git config has a user.name"
else
	HOME=$t/nohome XDG_CONFIG_HOME=$t/nohome run_owlet init "$t/anon-project"
	is "$(git -C "$t/anon-project" log -1 --format='%an <%ae>')" "owlet <owlet@localhost>" "no identity: the author is owlet <owlet@localhost>"
	like "$err" "^note: no git identity \(user.name, user.email\) is configured" "no identity: init says so"
fi

# A failure half-way (a template entry that cannot be copied) leaves nothing.
mkdir -p "$t/share/templates/project"
echo 'a' >"$t/share/templates/project/a.txt"
mkfifo "$t/share/templates/project/z.fifo"
OWLET_HOME=$t/share run_owlet init "$t/deep/er/half"
is "$rc" 1 "a broken template fails"
like "$err" "is not a file or directory" "the broken template entry is named"
ok "$([ ! -e "$t/deep" ]; echo $?)" "a failed init removes every directory it made"
mkdir "$t/was-empty"
OWLET_HOME=$t/share run_owlet init "$t/was-empty" --name was-empty
is "$(ls -A "$t/was-empty" | wc -l | tr -d ' ')" 0 "a failed init into an empty directory leaves it empty"

# The share directory lookup: the install layout <bindir>/../share/owlet.
mkdir -p "$t/prefix/bin" "$t/prefix/share/owlet"
cp "$OWLET" "$t/prefix/bin/owlet"
cp -R "$OWLET_SRC/templates" "$t/prefix/share/owlet/"
echo '# installed' >>"$t/prefix/share/owlet/templates/project/README.md"
(unset OWLET_HOME; "$t/prefix/bin/owlet" init "$t/installed" >/dev/null 2>&1)
is "$?" 0 "an installed owlet finds its templates under ../share/owlet"
is "$(tail -1 "$t/installed/README.md")" "# installed" "  and uses those, not the checkout's"

OWLET_HOME=$t/nowhere run_owlet init "$t/p2"
is "$rc" 1 "a wrong OWLET_HOME fails"
like "$err" "OWLET_HOME is '$t/nowhere', which has no templates/ directory" "and says why"
done_testing
