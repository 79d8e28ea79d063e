# tests/check_lib.sh: what the check_*.t tests share (sourced after lib.sh).
# Their Python parts print "PASS<TAB>name" / "FAIL<TAB>name" lines (other
# lines become diagnostics); tap_lines turns them into TAP in this shell,
# so the test count stays one.
tap_lines() {
	local status name
	while IFS=$'\t' read -r status name; do
		case $status in
		PASS) ok 0 "$name" ;;
		FAIL) ok 1 "$name" ;;
		*) diag "$name" ;;
		esac
	done
}
