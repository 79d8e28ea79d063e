#!/usr/bin/env bash
# The command table: help, version, unknown commands and options, exit codes.
. "$(dirname "$0")/lib.sh"

run_owlet --version
is "$rc" 0 "--version exits 0"
like "$out" '^owlet [0-9]+\.[0-9]+\.[0-9]+$' "--version prints the version"

run_owlet --help
is "$rc" 0 "--help exits 0"
for c in init validate render build check plan up down status stats user token serve; do
	like "$out" "^   $c " "help lists '$c'"
done

run_owlet help validate
is "$rc" 0 "help <cmd> exits 0"
like "$out" '^usage: owlet validate' "help <cmd> prints the command's usage"

run_owlet frobnicate
is "$rc" 2 "an unknown command exits 2"
like "$err" "error: unknown command 'frobnicate'" "an unknown command is named"
like "$err" "^usage: owlet" "an unknown command prints usage"

run_owlet validate --no-such-option
is "$rc" 2 "an unknown option exits 2"
like "$err" "unknown option '--no-such-option' for 'owlet validate'" "an unknown option is named"
like "$err" "usage: owlet validate" "an unknown option prints the command's usage"

run_owlet
is "$rc" 2 "no command exits 2"

for c in init validate render build check plan up down status stats user token serve; do
	run_owlet "$c" --help
	is "$rc:$(printf '%s' "$out" | head -1 | cut -d' ' -f1-3)" "0:usage: owlet $c" "'owlet $c --help' prints its usage"
done
done_testing
