# tests/lib.sh: TAP helpers for owlet's shell tests (sourced; bash).
#   plan N | ok COND_STATUS NAME | is GOT WANT NAME | like GOT REGEX NAME
#   diag LINES...       -> "# " lines on stderr (prove shows them; is/like
#                          print got/expected this way when they fail)
#   run_owlet ARGS...   -> sets $out (stdout), $err (stderr), $rc
#   free_port           -> prints a free TCP port on 127.0.0.1
#   tmpdir              -> a temporary directory removed at exit
#   proc_start_token PID -> the "start" token owlet records for a process
#                          (owlet_proc_start_token, lib/base/proc.h)
#   done_testing
# Binaries: $OWLET (the CLI), $OWLET_BUILD (build dir), $OWLET_SRC (checkout).
set -u
OWLET_SRC=${OWLET_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
OWLET_BUILD=${OWLET_BUILD:-$OWLET_SRC/build}
OWLET=${OWLET:-$OWLET_BUILD/owlet}
# owlet's tests see what a user sees outside CI, also when they run in GitHub
# Actions (tests/ci_github.t sets these for the steps it runs)
unset GITHUB_ACTIONS GITHUB_STEP_SUMMARY
_tap_n=0
_tap_fail=0
_tap_cleanup=()

plan() { echo "1..$1"; }
diag() { printf '%s\n' "$@" | sed 's/^/# /' >&2; }
_tap_result() { # status name
	_tap_n=$((_tap_n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $_tap_n - $2"; else echo "not ok $_tap_n - $2"; _tap_fail=$((_tap_fail + 1)); fi
	return "$1"
}
ok() { _tap_result "$1" "$2"; }
is() {
	if [ "$1" = "$2" ]; then _tap_result 0 "$3"; else _tap_result 1 "$3"; diag "  got: '$1'" "  expected: '$2'"; return 1; fi
}
like() {
	if printf '%s' "$1" | grep -Eq -- "$2"; then _tap_result 0 "$3"; else _tap_result 1 "$3"; diag "  got: '$1'" "  expected to match: '$2'"; return 1; fi
}
unlike() {
	if printf '%s' "$1" | grep -Eq -- "$2"; then _tap_result 1 "$3"; diag "  got: '$1'" "  expected not to match: '$2'"; return 1; else _tap_result 0 "$3"; fi
}
skip_all() { echo "1..0 # SKIP $*"; exit 0; }
done_testing() { echo "1..$_tap_n"; }

run_owlet() {
	local o e
	o=$(mktemp) e=$(mktemp)
	"$OWLET" "$@" >"$o" 2>"$e"
	rc=$?
	out=$(cat "$o") err=$(cat "$e")
	rm -f "$o" "$e"
}

proc_start_token() {
	local s
	s=$(cat "/proc/$1/stat") || return 1
	s=${s##*) }
	set -- $s # field 3 of /proc/PID/stat is $1: the start time (field 22) is $20
	echo "$(cat /proc/sys/kernel/random/boot_id):${20}"
}

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

_tap_on_exit() { # last registered, first run (a server stops before its directory goes)
	local i
	for ((i = ${#_tap_cleanup[@]} - 1; i >= 0; i--)); do eval "${_tap_cleanup[i]}"; done
}
trap _tap_on_exit EXIT
at_exit() { _tap_cleanup+=("$1"); }

# Every temporary directory of a test lives under one root, removed at exit
# (tmpdir runs in $(...), a subshell, so it cannot register cleanups itself).
_tap_root=$(mktemp -d "${TMPDIR:-/tmp}/owlet-test.XXXXXX")
at_exit "rm -rf '$_tap_root'"
tmpdir() {
	mktemp -d "$_tap_root/t.XXXXXX"
}
