#!/usr/bin/env bash
# Interrupting owlet up mid-apply, with the real terraform and moto_server, on
# a small root (tests/spine/share: a bucket, and TF_VAR_slow=N KMS keys, each
# followed by a 20 s sleep, so that every creation can be interrupted):
#   SIGKILL of owlet: terraform gets SIGINT (parent-death signal) and stops
#     cleanly; the next up runs;
#   SIGINT: passed on to terraform, which stops and releases its lock;
#   owlet and terraform both killed while the plan holds the S3 lock: the
#     next up releases the stale lock, says so, and converges.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/spine_lib.sh"
spine_setup
# the small root is not built to pass the security checks: up and plan run with --no-check
export OWLET_HOME=$OWLET_SRC/tests/spine/share

count() { # how many resources of a type the state holds
	"$OWLET" status --json | python3 -c 'import json,sys; print(sum(1 for r in json.load(sys.stdin)["resources"] if "."+sys.argv[1]+"[" in r))' "$1"
}
tf_pid() { python3 -c 'import json; print(json.load(open("state/local/terraform.json"))["pid"])' 2>/dev/null; }
no_terraform_left() {
	local p i
	for i in $(seq 50); do
		p=$(for q in $(procs_in "$proj"); do grep -l terraform /proc/$q/cmdline 2>/dev/null; done)
		[ -z "$p" ] && return 0
		sleep 0.2
	done
	diag "left: $p"
	return 1
}

# 1. SIGKILL of owlet mid-apply
TF_VAR_slow=1 "$OWLET" up --no-check >kill.out 2>&1 &
pid=$!
if wait_for kill.out 'aws_kms_key.slow\[0\]: Creating' 600; then
	kill -KILL "$pid"
	wait "$pid"
	is "$?" 137 "owlet up is killed (SIGKILL) mid-apply"
else
	ok 1 "the first up reaches the slow resource"; diag "$(tail -20 kill.out)"
	kill "$pid"
fi
ok "$(no_terraform_left; echo $?)" "terraform stops after owlet is killed"
like "$(cat kill.out)" "cost: no estimate: owlet's 'templates/prices/aws.json' is missing" \
	"a share directory without a price table gives no estimate, and up goes on"
like "$(cat state/local/terraform.log)" '(Interrupt received|Stopping operation)' \
	"it got an interrupt when owlet died, and stopped cleanly"

# 2. SIGINT mid-apply (of the next up, which gets that far)
# terraform.log is appended to by every run: look only at what this up adds
log_from=$(($(stat -c %s state/local/terraform.log 2>/dev/null || echo 0) + 1))
TF_VAR_slow=2 "$OWLET" up --no-check >int.out 2>int.err &
pid=$!
if wait_for int.out 'aws_kms_key.slow\[1\]: Creating' 600; then
	ok 0 "the next up gets to apply after the SIGKILL"
	kill -INT "$pid"
	wait "$pid"
	is "$?" 1 "owlet up stops on SIGINT mid-apply, exit 1"
	like "$(cat int.err)" "^error: interrupted" "and says it was interrupted"
	# terraform's own log (state/local/terraform.log) holds every line it wrote,
	# also those owlet had not yet echoed when it exited
	like "$(cat int.out; tail -c "+$log_from" state/local/terraform.log | sed 's/^/  terraform| /')" 'terraform\| .*(Interrupt received|Stopping operation)' \
	"terraform got the interrupt and stopped cleanly" ||
		diag "owlet's stderr:" "$(cat int.err)"
else
	ok 1 "the next up gets to apply after the SIGKILL"; diag "$(tail -20 int.out int.err)"
	kill "$pid"
fi
ok "$(no_terraform_left; echo $?)" "no terraform is left running"
ok "$([ ! -e state/local/terraform.json ]; echo $?)" "and its pid record is gone"

# 3. owlet and its terraform both killed while the plan holds the state lock
TF_VAR_slow=2 "$OWLET" plan --no-check >plan.out 2>&1 &
pid=$!
if wait_for plan.out 'Refreshing state' 600; then
	ok 0 "a plan after the SIGINT runs (no lock left behind)"
	t=$(tf_pid)
	kill -KILL "$pid"
	[ -n "$t" ] && kill -KILL -- "-$t"
	wait "$pid"
	TF_VAR_slow=2 run_owlet up --no-check
	is "$rc" 0 "an up after a killed terraform succeeds"
	like "$out" "^note: released the stale state lock '[^']+': its holder, terraform pid $t" \
		"after releasing the stale lock, and says so"
	like "$out" "^(deployed|up to date) 'local'" "and converges"
	[ "$rc" = 0 ] || diag "$(printf '%s\n%s' "$out" "$err" | grep -v 'terraform|' | tail)"
else
	ok 1 "a plan after the SIGINT runs (no lock left behind)"; diag "$(tail -20 plan.out)"
	kill "$pid"
fi
is "$(count aws_kms_key.slow)" 2 "the state holds what the configuration asks for"

TF_VAR_slow=2 run_owlet down --yes
is "$rc" 0 "down"
cd / || exit 1
sleep 0.5
is "$(procs_in "$proj" | tr '\n' ' ')" "" "no process of the project is left running"
done_testing
