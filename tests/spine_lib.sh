# tests/spine_lib.sh: what the spine's terraform tests share (sourced after lib.sh).
#   spine_setup               all of the below for a test file: $proj, a temporary
#                             project (cwd), stopped at exit, with OWLET_LAMBDA_ZIP
#   spine_skip_unless_tools   skip the file without terraform or moto_server
#   spine_project DIR         copy the example model and environments into DIR
#   spine_min_zip FILE        a minimal Lambda zip (bootstrap at the root)
#   spine_cleanup DIR         at exit: stop what DIR's state records (emulator, API, terraform)
#   wait_for FILE REGEX SECS  until FILE has a line matching REGEX (1 on timeout)
#   procs_in DIR              pids of live processes whose cwd is under DIR
[ -n "${TF_CLI_CONFIG_FILE:-}" ] && [ ! -f "$TF_CLI_CONFIG_FILE" ] && unset TF_CLI_CONFIG_FILE

spine_skip_unless_tools() {
	command -v terraform >/dev/null || skip_all "terraform is not installed"
	command -v moto_server >/dev/null || skip_all "moto_server is not installed"
}

spine_project() {
	cp -r "$OWLET_SRC/data_model.yml" "$OWLET_SRC/environments" "$1/"
}

spine_min_zip() {
	local d
	d=$(mktemp -d)
	printf '#!/bin/sh\nexit 0\n' > "$d/bootstrap"
	chmod 755 "$d/bootstrap"
	(cd "$d" && zip -q -X "$1" bootstrap)
	rm -rf "$d"
}

_json_pid() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["pid"])' "$1" 2>/dev/null; }

spine_stop_recorded() {
	local dir=$1 f pid
	for f in localapi.json terraform.json emulator.json; do
		[ -f "$dir/state/local/$f" ] || continue
		pid=$(_json_pid "$dir/state/local/$f")
		[ -n "$pid" ] && kill "$pid" 2>/dev/null
	done
	return 0
}

spine_cleanup() {
	at_exit "spine_stop_recorded '$1'"
}

wait_for() {
	local file=$1 re=$2 secs=$3 i
	for ((i = 0; i < secs * 10; i++)); do
		grep -Eq -- "$re" "$file" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

procs_in() {
	local d=$1 p cwd
	for p in /proc/[0-9]*; do
		cwd=$(readlink "$p/cwd" 2>/dev/null) || continue
		case "$cwd" in "$d"|"$d"/*) echo "${p#/proc/}" ;; esac
	done
}

spine_setup() {
	spine_skip_unless_tools
	proj=$(tmpdir)
	spine_project "$proj"
	spine_cleanup "$proj"
	at_exit "rm -rf '$proj'" # tmpdir's own at_exit runs in its $(...) subshell and is lost
	cd "$proj" || exit 1
	spine_min_zip "$proj/lambda.zip"
	export OWLET_LAMBDA_ZIP=$proj/lambda.zip
}
