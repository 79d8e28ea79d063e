#!/usr/bin/env bash
# owlet cost: the estimate of each shipped environment, planned offline
# against moto as a user runs it, equals the table below (price x quantity
# per line, worked out here from the list prices and the usage defaults);
# switching storage.kms on adds exactly the key's price; a third AZ with
# interface endpoints adds its share; prod's alarms are priced and checked.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/spine_lib.sh"
spine_skip_unless_tools
[ -d /opt/tf-plugins ] || skip_all "no provider mirror in /opt/tf-plugins"
t=$(tmpdir)

# One project per variant, so that the offline plans run side by side.
variant() { # NAME ENV SED-SCRIPT [text]
	mkdir -p "$t/$1"
	spine_project "$t/$1"
	[ -n "$3" ] && sed -i "$3" "$t/$1/environments/$2.yml"
	local json=--json
	[ "${4:-}" = text ] && json=
	(cd "$t/$1" && "$OWLET" cost --env "$2" $json >"$t/$1.json" 2>"$t/$1.err"; echo $? >"$t/$1.rc")
}
variant local local "" &
variant dev dev "" &
variant prod prod "" &
wait
variant dev-kms dev 's/^  kms: false.*/  kms: true/' &
variant dev-ep2 dev 's/^  interface_endpoints: false.*/  interface_endpoints: true/' &
variant dev-ep3 dev 's/^  interface_endpoints: false.*/  interface_endpoints: true\n  az_count: 3/' &
variant dev-text dev "" text &
wait
for v in local dev prod dev-kms dev-ep2 dev-ep3 dev-text; do
	is "$(cat "$t/$v.rc")" 0 "$v: owlet cost --json ran" || diag "$(cat "$t/$v.err")"
done

# The test's own table: list prices (USD) as templates/prices/aws.json has them.
cat >"$t/expect.py" <<'PY'
import json, sys
P = {
    "us-east-1": dict(kms_key=1.00, interface_endpoint=0.01, alarm=0.10, budget=0.0, api_request=1.00,
                      lambda_request=0.20, lambda_gbs_x86_64=0.0000166667, s3_standard=0.023, transfer_in=0.0,
                      athena_scan=5.00, logs_ingest=0.50, logs_storage=0.03, dynamodb_pitr=0.20),
    "eu-west-1": dict(kms_key=1.00, interface_endpoint=0.011, alarm=0.10, budget=0.0, api_request=1.11,
                      lambda_request=0.20, lambda_gbs_x86_64=0.0000166667, s3_standard=0.023, transfer_in=0.0,
                      athena_scan=5.00, logs_ingest=0.57, logs_storage=0.03, dynamodb_pitr=0.22),
}
PER = dict(api_request=1e6, lambda_request=1e6)
# usage defaults: 100000 requests of 100 ms, 1 GB stored and uploaded, 100 queries
# scanning 1 GB, 0.5 GB of logs
def usage(memory_mb, retention_days):
    return dict(api_request=100000, lambda_request=100000, lambda_gbs_x86_64=100000 * 0.1 * memory_mb / 1024,
                s3_standard=1, transfer_in=1, athena_scan=1 / 1024, logs_ingest=0.5,
                logs_storage=0.5 * retention_days / 30)
TABLE = {
    # local: 256 MB, longest log retention 30 days (API access logs); no budget, no alarms
    "local": ("us-east-1", usage(256, 30)),
    # dev: 256 MB, 30 days; a budget (free); point-in-time recovery of the metadata table (10 MB assumed)
    "dev": ("eu-west-1", dict(usage(256, 30), budget=1, dynamodb_pitr=0.01)),
    # prod: 512 MB, 365 days; a KMS key, four alarms (Lambda errors, throttles, API 5xx, DLQ), a budget,
    # point-in-time recovery of the metadata table (10 MB assumed)
    "prod": ("eu-west-1", dict(usage(512, 365), kms_key=1, alarm=4, budget=1, dynamodb_pitr=0.01)),
}
name = sys.argv[1]
region, qty = TABLE[name]
got = json.load(open(sys.argv[2]))
lines = {}
for l in got["lines"]:
    q, m = lines.get(l["price"], (0, 0))
    lines[l["price"]] = (q + l["quantity"], m + l["monthly"])
print("prices|%s|%s" % (" ".join(sorted(lines)), " ".join(sorted(qty))))
want_total = 0
for p in sorted(qty):
    want = P[region][p] * qty[p] / PER.get(p, 1)
    want_total += want
    q, m = lines.get(p, (None, None))
    print("quantity %s|%s|%.9g" % (p, None if q is None else "%.9g" % q, qty[p]))
    print("monthly %s|%s|%.9g" % (p, None if m is None else "%.9g" % m, want))
print("total|%.2f|%.2f" % (got["total"], round(want_total + 1e-12, 2)))
print("price region|%s|%s" % (got["price_region"], region))
PY
for v in local dev prod; do
	while IFS='|' read -r what got want; do
		is "$got" "$want" "$v: $what"
	done < <(python3 "$t/expect.py" "$v" "$t/$v.json")
done

total() { python3 -c 'import json,sys; print("%.9f" % sum(l["monthly"] for l in json.load(open(sys.argv[1]))["lines"]))' "$1"; }
idle() { python3 -c 'import json,sys; print("%.2f" % json.load(open(sys.argv[1]))["fixed"])' "$1"; }
diff_of() { python3 -c 'import sys; print("%.6f" % (float(sys.argv[1]) - float(sys.argv[2])))' "$@"; }

ok "$(python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) <= 1.00 else 1)' "$(idle "$t/dev.json")"; echo $?)" \
	"dev costs at most \$1.00 a month idle (\$$(idle "$t/dev.json"))"
is "$(diff_of "$(total "$t/dev-kms.json")" "$(total "$t/dev.json")")" "1.000000" \
	"storage.kms: true adds exactly the key's price (\$1.00 in eu-west-1)"
# two interface endpoints (athena, xray), 730 hours at \$0.011 per endpoint-AZ-hour in eu-west-1
is "$(diff_of "$(total "$t/dev-ep2.json")" "$(total "$t/dev.json")")" "$(diff_of 32.12 0)" \
	"interface endpoints in two AZs add 2 x 2 x 730 h x \$0.011"
is "$(diff_of "$(total "$t/dev-ep3.json")" "$(total "$t/dev-ep2.json")")" "$(diff_of 16.06 0)" \
	"a third AZ adds its share: 2 endpoints x 730 h x \$0.011"
like "$(cat "$t/dev-ep3.json")" '"setting": "network.interface_endpoints: true \(network.az_count: 3\)"' \
	"the endpoints' line names the settings that cause it"
like "$(cat "$t/dev-kms.json")" '"setting": "storage.kms: true"' "the key's line names storage.kms"

# The text form: a line per resource with its price, quantity and setting, the free tier apart.
text=$(cat "$t/dev-text.json")
like "$text" '^  Lambda compute \(x86_64\) +\$0\.04 = \$0\.0000166667 per GB-seconds x 2500$' "text: price x quantity = monthly"
like "$text" 'because function\.memory_mb: 256, usage\.lambda_ms: 100 \(module\.function\)' "text: the settings that cause a line"
like "$text" '^idle: +\$0\.00 / month$' "text: dev idle"
like "$text" '^free tier \(not taken off the total' "text: the free tier on its own lines"
like "$text" 'as of 2025, recorded 2026-12-07' "text: the prices' date"
like "$text" 'budget: \$1\.00 / month \(the estimate is within it\)' "text: dev's budget"

# prod's alarms: rendered, four of them, and every rule passes (CKV_AWS_26: the topic is encrypted)
cd "$t/prod" && run_owlet check --env prod --no-checkov -o json
is "$rc" 0 "prod with alarms passes owlet check"
like "$out" '"check_id": "CKV_AWS_26"' "the alerts topic is checked for encryption (CKV_AWS_26)"
is "$(printf '%s' "$out" | python3 -c 'import json,sys
d=json.load(sys.stdin)["results"]
print(sorted({c["resource"] for c in d["passed_checks"] if c["check_id"]=="CKV_AWS_26"}))')" \
	"['module.alerts[0].aws_sns_topic.encrypted[0]']" "prod's topic is encrypted with the stack's key"
is "$(python3 -c 'import json,sys; print(sorted(l["resource"] for l in json.load(open(sys.argv[1]))["lines"] if l["price"]=="alarm"))' "$t/prod.json")" \
	"['several resources']" "the alarms are one line"
done_testing
