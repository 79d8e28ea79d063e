#!/usr/bin/env bash
# The shipped modules, per environment: `owlet check --env E` renders
# state/E/ from a project fresh from `owlet init` (whose environments are
# the repository's: tests/init_scaffold.t), plans it offline against moto
# and runs every rule.  local, dev and prod pass every rule, each skip with a
# reason; local's emulator skips are owlet's own ([owlet: emulator]).  The
# verdicts are printed as diagnostics.
. "$(dirname "$0")/lib.sh"
command -v terraform >/dev/null || skip_all "terraform is not installed"
command -v moto_server >/dev/null || skip_all "moto_server is not installed"
[ -d /opt/tf-plugins ] || skip_all "no provider mirror in /opt/tf-plugins"
[ -d "$OWLET_SRC/modules" ] && [ -d "$OWLET_SRC/templates/root" ] || skip_all "no modules/templates yet"
t=$(tmpdir)
"$OWLET" init "$t/shop" >/dev/null 2>"$t/init.err" || { diag "$(cat "$t/init.err")"; }
cd "$t/shop" || exit 1

# all at once: each plans against a moto of its own
for env in local dev prod; do
	"$OWLET" check --env "$env" --no-checkov >"$t/$env.out" 2>"$t/$env.err" &
	eval "pid_$env=\$!"
done
for env in local dev prod; do
	eval "wait \$pid_$env"
	rc=$?
	out=$(cat "$t/$env.out") err=$(cat "$t/$env.err")
	printf '%s\n' "$out" | grep -v '^passed:' | sed "s/^/$env: /" | while IFS= read -r l; do diag "$l"; done
	[ -n "$err" ] && diag "$env stderr: $err"
	ok $([ "$rc" -le 1 ] && printf '%s' "$out" | grep -q '^passed: '; echo $?) "$env: planned offline and checked"
	like "$out" "^passed: [0-9]+, failed: [0-9]+, skipped: [0-9]+ \(resources: [1-9][0-9]*\)$" "$env: a summary line"
	unlike "$out" '^skipped: [^:]*: +\[' "$env: every skip has a reason"
	missing=$(printf '%s\n' "$out" | sed -n 's/^[^(]* (\([^:)]*\):[0-9]*).*/\1/p' | sort -u | while read -r f; do [ -f "$f" ] || echo "$f"; done)
	is "$missing" "" "$env: every file named in the report is there, from the project's directory"
	[ "$env" = prod ] && { unlike "$out" '\[environments/prod\.yml\]$' "prod: no environment skips (only the modules' own, each with its reason)"; }
	ok "$rc" "$env: passes every rule"
	if [ "$env" = local ]; then
		like "$out" '^skipped: CKV_AWS_116 .*dead-letter.* \[owlet: emulator\]$' "local: the emulator's rules are skipped by owlet, with reason and origin"
		is "$(printf '%s\n' "$out" | sed -n 's/^skipped: \([A-Z0-9_]*\) .*\[owlet: emulator\]$/\1/p' | LC_ALL=C sort -u | tr '\n' ' ')" \
			"CKV2_AWS_62 CKV_AWS_116 CKV_AWS_173 CKV_AWS_23 " "local: owlet skips the four rules the emulator makes fail (CKV_AWS_23 fails only on a refreshed plan)"
		unlike "$(cat environments/local.yml)" 'emulator does not' "local: the user's local.yml holds no emulator skip"
	fi
	[ "$env" = dev ] && like "$out" '^skipped: CKV_AWS_338 .*\[environments/dev\.yml\]$' "dev: its cost skips come from environments/dev.yml"
	is "$(ls -A "state/$env" | grep -c -e owlet_override.tf -e '\.tfplan$')" 0 "$env: no override or plan left in state/$env"
done
done_testing
