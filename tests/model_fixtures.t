#!/usr/bin/env bash
# Negative fixtures, one per class of problem: `owlet validate` must report
# exactly the problems each fixture lists in its trailing "# expect: L:C: MSG"
# comments, as FILE:L:C: error: MSG, in reading order, exit 1 and end with
# "error: N problem(s) in FILE".  Environment fixtures (envs/environments/)
# are checked the same way through --env; those without expectations must pass.
. "$(dirname "$0")/lib.sh"

dir=$OWLET_SRC/tests/fixtures/model

# check_fixture FILE [validate args...]: compares the error lines with the
# fixture's expectations.
check_fixture() {
	local file=$1 name want got n
	shift
	name=${file#"$OWLET_SRC"/}
	want=$(sed -n 's/^# expect: \([0-9]*:[0-9]*\): /\1: error: /p' "$file" | sed "s|^|$file:|")
	n=$(printf '%s\n' "$want" | grep -c .)
	run_owlet validate "$@"
	got=$(printf '%s\n' "$err" | grep -E "^$file:[0-9]+:[0-9]+: error: " || true)
	is "$got" "$want" "$name: exactly the expected problems, located"
	local noun=problems
	[ "$n" = 1 ] && noun=problem
	is "$rc" 1 "$name: exit status 1"
	like "$(printf '%s\n' "$err" | tail -1)" "^error: $n $noun in ($file)?" "$name: summary counts $n $noun"
}

for f in "$dir"/*.yml; do
	check_fixture "$f" --model "$f"
done

envdir=$dir/envs
for f in "$envdir"/environments/*.yml; do
	env=$(basename "$f" .yml)
	if grep -q '^# expect: ' "$f"; then
		check_fixture "$f" --model "$envdir/data_model.yml" --env "$env"
	else
		run_owlet validate --model "$envdir/data_model.yml" --env "$env"
		is "$rc" 0 "environments/$env.yml (no expectations) validates"
		like "$out" "^$f: environment '$env', target (aws|local), region [a-z0-9-]+: ok$" "environments/$env.yml: the ok line"
	fi
done

# Without --env, every environment next to the model is checked, and the
# summary names each file that has problems.
run_owlet validate --model "$envdir/data_model.yml"
is "$rc" 1 "all environments: exit 1"
summary=$(printf '%s\n' "$err" | tail -1)
for bad in bad-values no-bucket skips unknown-keys; do
	like "$summary" "[0-9]+ in $envdir/environments/$bad.yml|problems? in $envdir/environments/$bad.yml" "all environments: summary names $bad.yml"
done
like "$out" "^$envdir/data_model.yml: project 'env-fixtures', 1 dataset, 1 field: ok" "all environments: the good model is still reported ok"

# A missing environment and a bad environment name.
run_owlet validate --model "$envdir/data_model.yml" --env nowhere
is "$rc" 1 "--env of a missing environment exits 1"
like "$err" "error: no environment 'nowhere': '$envdir/environments/nowhere.yml' does not exist" "--env of a missing environment says which file"
run_owlet validate --model "$envdir/data_model.yml" --env ../etc
is "$rc" 2 "--env with a path in it is refused as usage"

# A billion laughs: refused at the first anchor and alias, at once.
bomb=$(tmpdir)/bomb.yml
{
	echo 'project: lol'
	echo 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'
	prev=a
	for l in b c d e f g h i; do
		echo "$l: &$l [*$prev,*$prev,*$prev,*$prev,*$prev,*$prev,*$prev,*$prev,*$prev]"
		prev=$l
	done
	echo 'datasets: { trips: { fields: *i } }'
} >"$bomb"
run_owlet validate --model "$bomb"
is "$rc" 1 "billion laughs: refused"
like "$err" "^$bomb:2:4: error: anchor '&a' refused" "billion laughs: the first anchor is located"
like "$err" "^$bomb:3:8: error: alias '\*a' refused" "billion laughs: the first alias is located"

# A missing model file.
run_owlet validate --model "$dir/no-such-model.yml"
is "$rc" 1 "a missing model exits 1"
like "$err" "^error: cannot open '$dir/no-such-model.yml': No such file or directory" "a missing model is named"
# A model that is not a readable regular file of at most 4 MiB: the reason is
# printed with the file's name (not "0 problems in ..."), and nothing hangs.
t=$(tmpdir)
head -c $((9 * 1024 * 1024)) /dev/zero | tr '\0' '#' >"$t/big.yml"
run_owlet validate --model "$t/big.yml"
is "$rc" 1 "a model over the size limit exits 1"
like "$err" "^error: '$t/big.yml' is too large \\(9437184 bytes, at most 4194304\\)$" "a model over the size limit says so"
unlike "$err" "problems? in" "a model over the size limit is not summed up as problems"
run_owlet validate --model /dev/zero
is "$rc" 1 "/dev/zero as the model exits 1"
like "$err" "^error: cannot read '/dev/zero': it is not a regular file$" "/dev/zero is refused by name"
mkfifo "$t/fifo.yml"
o=$(timeout 10 "$OWLET" validate --model "$t/fifo.yml" 2>&1)
is "$?" 1 "a FIFO as the model exits 1 at once"
like "$o" "^error: cannot read '$t/fifo.yml': it is not a regular file$" "a FIFO is refused by name"
run_owlet validate --model "$t"
is "$rc" 1 "a directory as the model exits 1"
like "$err" "^error: cannot read '$t': it is a directory$" "a directory is refused by name"
done_testing
