#!/usr/bin/env bash
# bench/loop.sh: the data engineer's loop on the local default, timed, against
# a build of an older commit, and the ratios (issue 20's targets).
#
# Per repetition and per build, in its own temporary copy of the example
# project (data_model.yml, environments/):
#   clean    `owlet up` from nothing (emulator started, whole stack applied)
#   field    `owlet up` after adding one field to a dataset
#   nochange `owlet up` again, nothing changed
#   down     `owlet down --yes`
# Interleaved: each run is timed for the base build, then for this one (the
# order swaps every repetition), so both see the same machine load.  Each
# `up` must succeed, the no-change `up` must apply nothing, and the outputs
# every `up` writes (state/local/outputs.json) must be those of the first.
#
#   BASE=REF          the commit to compare with (default HEAD~1), built in a
#                     temporary git worktree with `make build/owlet build/lambda/bootstrap`
#   BASE_BUILD=DIR    a build directory of the base instead (skips the build)
#   REPS=N            repetitions (default 1); medians are printed
#   NEW_ONLY=1        time this build only (no base: no ratios)
#   RUNS="clean nochange"  a subset of the runs, in order (default all four;
#                     a run may repeat: "clean nochange nochange" times a
#                     second no-change up, whose plan JSON is the first's);
#                     a stack not taken down is stopped (emulator killed) at the end
# Besides wall seconds it prints CPU seconds (owlet, terraform and the
# provider; not the emulator), which a shared machine's load hardly moves.
# Costs 8 full deploys per repetition (4 with NEW_ONLY=1): minutes of CPU.
# Not run by make test.  Needs terraform, moto_server, python3, a built tree.
set -u
OWLET_SRC=$(cd "$(dirname "$0")/.." && pwd)
NEW_BUILD=${OWLET_BUILD:-$OWLET_SRC/build}
REPS=${REPS:-1}
NEW_ONLY=${NEW_ONLY:-}
BASE=${BASE:-HEAD~1}
for p in terraform moto_server python3 git; do command -v $p >/dev/null || { echo "loop: needs $p" >&2; exit 1; }; done
[ -x "$NEW_BUILD/owlet" ] && [ -x "$NEW_BUILD/lambda/bootstrap" ] || { echo "loop: build this tree first (make)" >&2; exit 1; }

work=$(mktemp -d /tmp/owlet-loop.XXXXXX)
# A stack left by an interrupted loop, or by RUNS without down: its local API
# and its emulator (which holds the whole stack in memory) are stopped by the
# pids their records name.
stop_stack() {
	local f pid
	for f in localapi.json emulator.json; do
		[ -f "$1/state/local/$f" ] || continue
		pid=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["pid"])' "$1/state/local/$f" 2>/dev/null)
		[ -n "$pid" ] && kill "$pid" 2>/dev/null
	done
}
cleanup() {
	for d in "$work"/proj-*; do
		[ -d "$d" ] && [ -n "${owlet_of[$d]:-}" ] && stop_stack "$d"
	done
	[ -n "${base_tree:-}" ] && git -C "$OWLET_SRC" worktree remove --force "$base_tree" >/dev/null 2>&1
	rm -rf "$work"
}
declare -A owlet_of
trap cleanup EXIT
trap 'exit 130' INT TERM

builds=(new)
if [ -z "$NEW_ONLY" ]; then
	if [ -n "${BASE_BUILD:-}" ]; then
		base_build=$BASE_BUILD
	else
		base_tree=$work/base-tree
		git -C "$OWLET_SRC" worktree add --detach "$base_tree" "$BASE" >/dev/null 2>&1 ||
			{ echo "loop: cannot check out $BASE" >&2; exit 1; }
		echo "# building $BASE ($(git -C "$base_tree" log -1 --format='%h %s' | cut -c1-60))" >&2
		make -C "$base_tree" -j2 build/owlet build/lambda/bootstrap >"$work/base-build.log" 2>&1 ||
			{ echo "loop: the base does not build (see $work/base-build.log)" >&2; tail -5 "$work/base-build.log" >&2; exit 1; }
		base_build=$base_tree/build
	fi
	builds=(base new)
fi
declare -A build_dir=([new]=$NEW_BUILD)
[ -n "${base_build:-}" ] && build_dir[base]=$base_build
read -r -a runs <<<"${RUNS:-clean field nochange down}"
[ "${runs[0]}" = clean ] || { echo "loop: RUNS starts with clean" >&2; exit 1; }

# run BUILD REP RUN: one timed run; its seconds go to $work/times
run() {
	local b=$1 rep=$2 what=$3 proj=$work/proj-$1-$2 owlet=${build_dir[$1]}/owlet t0 t1 rc log
	log=$work/$b-$rep-$what.log
	case $what in
	clean)
		mkdir -p "$proj"
		cp -r "$OWLET_SRC/data_model.yml" "$OWLET_SRC/environments" "$proj/"
		owlet_of[$proj]=$owlet ;;
	field)
		sed -i '/^      note: /a\      tip_bench:    { type: float, min: 0 }' "$proj/data_model.yml" ;;
	esac
	# CPU: owlet and the children it waits for (terraform, the provider),
	# from /usr/bin/time; the emulator and the local API run detached and
	# are not counted.  Unlike wall time it hardly depends on the load.
	t0=$(date +%s.%N)
	case $what in
	down) (cd "$proj" && OWLET_BUILD=${build_dir[$b]} "${cpu_time[@]}" "$owlet" down --yes) >"$log" 2>&1 ;;
	*) (cd "$proj" && unset OWLET_LAMBDA_ZIP && "${cpu_time[@]}" "$owlet" up) >"$log" 2>&1 ;;
	esac
	rc=$?
	t1=$(date +%s.%N)
	if [ "$rc" != 0 ]; then
		echo "loop: $b $what failed (exit $rc); the end of its output:" >&2
		tail -15 "$log" >&2
		exit 1
	fi
	case $what in
	clean) cp "$proj/state/local/outputs.json" "$work/$b-$rep-outputs.json" ;;
	field | nochange)
		cmp -s "$proj/state/local/outputs.json" "$work/$b-$rep-outputs.json" ||
			{ echo "loop: $b $what: outputs.json differs from the first up's" >&2; exit 1; } ;;
	esac
	if [ "$what" = nochange ] && ! grep -q '^no changes: nothing to apply' "$log"; then
		echo "loop: $b nochange: the up found something to apply (drift?):" >&2
		grep -E '^plan:|will be|must be' "$log" | head -20 >&2
		exit 1
	fi
	[ "$what" = down ] && unset "owlet_of[$proj]"
	# owlet's own share: total minus terraform, from the line every up and down ends with
	local own
	own=$(sed -n 's/.*(terraform [0-9.]* s.*; owlet \([0-9.]*\) s)$/\1/p' "$log" | tail -1)
	local cpu=-
	[ -s "$work/cpu" ] && cpu=$(tail -1 "$work/cpu" | awk '{print $1 + $2}')
	rm -f "$work/cpu"
	echo "$b $what $rep $(python3 -c "print(round($t1 - $t0, 1))") ${own:--} $cpu" >>"$work/times"
	# how the run went: refresh skipped or not, the gate reused or not, the
	# time line with terraform's phases
	{
		echo "$b $what $rep:"
		grep -E '^  refresh:|^  checks: reused|^(deployed|up to date|destroyed) ' "$log" | cut -c1-200 | sed 's/^ */  /'
	} >>"$work/notes"
}

cpu_time=()
[ -x /usr/bin/time ] && cpu_time=(/usr/bin/time -f "%U %S" -o "$work/cpu")
echo "# owlet's loop on the local default, $(nproc) cores, $REPS repetition(s)$([ -z "$NEW_ONLY" ] && echo ", base $BASE")"
echo "# load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
for ((rep = 1; rep <= REPS; rep++)); do
	order=("${builds[@]}")
	[ $((rep % 2)) = 0 ] && [ ${#builds[@]} = 2 ] && order=(new base)
	for what in "${runs[@]}"; do
		for b in "${order[@]}"; do
			run "$b" "$rep" "$what"
		done
	done
done

echo "# load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
cat "$work/notes"
echo "# each run: build run repetition wall-s owlet's-own-s cpu-s"
sed 's/^/#   /' "$work/times"
python3 - "$work/times" "$NEW_ONLY" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
t = {}
own = {}
cpu = {}
for b, what, rep, secs, o, c in rows:
    t.setdefault((b, what), []).append(float(secs))
    if o != "-":
        own.setdefault((b, what), []).append(float(o))
    if c != "-":
        cpu.setdefault((b, what), []).append(float(c))
target = {"clean": 40, "field": 15, "nochange": 8, "down": 15}
med = lambda k: statistics.median(t[k]) if k in t else None
mc = lambda k: statistics.median(cpu[k]) if k in cpu else None
print("%-9s %8s %8s %7s %8s %12s %9s %9s %7s" % ("run", "base s", "new s", "ratio", "target", "owlet's own",
      "base cpu", "new cpu", "ratio"))
for what in ("clean", "field", "nochange", "down"):
    b, n = med(("base", what)), med(("new", what))
    if n is None:
        continue
    o = own.get(("new", what))
    share = "%.1f s %2.0f%%" % (statistics.median(o), 100 * statistics.median(o) / n) if o and n else "-"
    bc, nc = mc(("base", what)), mc(("new", what))
    print("%-9s %8s %8.1f %7s %6d s %12s %9s %9s %7s" % (what, "%.1f" % b if b else "-", n,
          "%.2f" % (n / b) if b else "-", target[what], share, "%.1f" % bc if bc else "-",
          "%.1f" % nc if nc else "-", "%.2f" % (nc / bc) if bc and nc else "-"))
PY
