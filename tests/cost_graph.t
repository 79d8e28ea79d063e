#!/usr/bin/env bash
# owlet graph: the stack as an SVG drawn by Graphviz's dot from the plan
# (planned offline, so local needs no credentials): the SVG parses as XML
# and names every module of the environment; prod's has the alerts module,
# local's does not (no alerts: in environments/local.yml).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/spine_lib.sh"
spine_skip_unless_tools
[ -d /opt/tf-plugins ] || skip_all "no provider mirror in /opt/tf-plugins"
command -v dot >/dev/null || skip_all "Graphviz's dot is not installed (make deps)"
t=$(tmpdir)

for env in local prod; do
	mkdir -p "$t/$env"
	spine_project "$t/$env"
	(cd "$t/$env" && "$OWLET" graph --env "$env" --output "$t/$env.svg" >"$t/$env.out" 2>"$t/$env.err"; echo $? >"$t/$env.rc") &
done
wait

modules_of() { # the modules the rendered root declares and the environment enables
	sed -n 's/^module "\([a-z_]*\)".*/\1/p' "$t/$1/state/$1/main.tf" | sort | tr '\n' ' '
}
svg_modules() {
	python3 - "$1" <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()   # raises on anything that is not XML
texts = [e.text or "" for e in root.iter() if e.tag.endswith("text")]
print(" ".join(sorted({t[len("module."):] for t in texts if t.startswith("module.")})) + " ")
PY
}
for env in local prod; do
	is "$(cat "$t/$env.rc")" 0 "$env: owlet graph ran" || diag "$(cat "$t/$env.err")"
	like "$(cat "$t/$env.out")" "^wrote $t/$env\\.svg \\(and $t/$env\\.dot\\)$" "$env: says what it wrote"
	got=$(svg_modules "$t/$env.svg")
	ok $? "$env: the SVG parses as XML"
	want=$(modules_of "$env")
	[ "$env" = local ] && want=$(printf '%s' "$want" | sed 's/alerts //')
	is "$got" "$want" "$env: the SVG names every module of the environment"
	like "$(cat "$t/$env.dot")" 'browser -> n[0-9]+ \[label="HTTPS \+ JWT"' "$env: the data's path starts at the browser"
	like "$(cat "$t/$env.dot")" 'label="invoke"' "$env: API -> Lambda"
	like "$(cat "$t/$env.dot")" 'label="S3 trigger raw/"' "$env: the S3 trigger"
done
like "$(cat "$t/prod.dot")" 'label="failed events"' "prod: the dead-letter queue on the path"
like "$(cat "$t/prod.dot")" 'label="alarm"' "prod: alarms -> topic"
unlike "$(cat "$t/local.dot")" 'failed events' "local: no DLQ on the emulator"

cd "$t/local" && run_owlet graph --output graph.png
is "$rc" 2 "--output must be an .svg"
done_testing
