#!/usr/bin/env bash
# Static analysis: cppcheck finds nothing in the C sources (make lint).
. "$(dirname "$0")/lib.sh"
command -v cppcheck >/dev/null || skip_all "cppcheck is not installed"
cd "$OWLET_SRC" || exit 1
report=$(make -s lint 2>&1)
ok $? "cppcheck reports no warning"
[ -z "$report" ] || diag "$report"
done_testing
