#!/usr/bin/env bash
# Good models parse: the repository's data_model.yml and environments, the
# normalised JSON of --json (defaults filled in), and models written in flow
# style, with quoted keys, comments and CRLF line ends.
. "$(dirname "$0")/lib.sh"

cd "$OWLET_SRC" || exit 1
run_owlet validate
is "$rc" 0 "the repository's data_model.yml and environments validate"
like "$out" "^data_model.yml: project 'owlet-demo', [0-9]+ datasets, [0-9]+ fields: ok" "the model's summary line"
for e in environments/*.yml; do
	like "$out" "^$e: environment '$(basename "$e" .yml)', target (aws|local), region [a-z0-9-]+: ok" "$e validates"
done
is "$err" "" "nothing on stderr"

run_owlet validate --env local
is "$rc" 0 "--env local validates"
is "$(printf '%s\n' "$out" | grep -c 'environments/')" 1 "--env local checks only that environment"

# --json: the normalised model, checked by a JSON parser that is not ours.
run_owlet validate --json
is "$rc" 0 "--json exits 0"
check=$(printf '%s' "$out" | python3 -c '
import json, sys
m = json.load(sys.stdin)
problems = []
def want(cond, what):
    if not cond: problems.append(what)
want(m["project"] == "owlet-demo", "project")
want(set(m) == {"project", "groups", "datasets"}, "top-level keys")
types = set()
for name, ds in m["datasets"].items():
    want(set(ds) == {"description", "format", "key", "partition_by", "fields", "access"}, name + ": dataset keys")
    want(ds["format"] in ("csv", "jsonl"), name + ": format")
    want(set(ds["access"]) == {"read", "write"}, name + ": access keys")
    for g in ds["access"]["read"] + ds["access"]["write"]:
        want(g == "*" or g in m["groups"], name + ": group " + g)
    for fname, f in ds["fields"].items():
        want(set(f) == {"type", "required", "enum", "min", "max", "max_length"}, fname + ": field keys")
        want(isinstance(f["required"], bool), fname + ": required is a bool")
        types.add(f["type"])
want(types == {"int", "float", "string", "bool", "date", "timestamp"}, "every type is used: %s" % sorted(types))
r = m["datasets"]["readings"]
want(r["access"] == {"read": ["*"], "write": []}, "no access: any signed-in user reads, no one writes")
want(r["key"] is None and r["description"] is not None, "absent key is null")
t = m["datasets"]["trips"]
want(list(t["fields"])[:2] == ["trip_id", "pickup_at"], "fields keep file order")
want(t["fields"]["trip_id"]["min"] == 1 and isinstance(t["fields"]["trip_id"]["min"], int), "int min is a JSON integer")
want(t["fields"]["vendor"]["enum"] == ["CMT", "VTS", "DDS"], "enum values")
want(t["fields"]["note"]["max_length"] == 200, "max_length")
want(t["fields"]["paid_card"]["enum"] is None and t["fields"]["paid_card"]["min"] is None, "absent values are null")
print("\n".join(problems) or "ok")
' 2>&1)
is "$check" "ok" "--json: the normalised model has every key, default and type"

# Other spellings of a good model.
d=$(tmpdir)
cat >"$d/flow.yml" <<'YAML'
# flow style, quoted keys and values, comments, an explicit version
{ "project": "flow-demo", version: 1, groups: ['a-team', b_team],
  datasets: { d: { format: jsonl, key: 'k', partition_by: t,
    fields: { k: { type: string, max_length: 0x10, enum: ["x", 'y'] },   # hex
              t: { type: date, required: True },
              n: { type: float, min: -1.5e3, max: 1e3 },
              i: { type: int, min: 0o7, max: +9 } },
    access: { read: ["*"], write: [b_team] } } } }
YAML
run_owlet validate --model "$d/flow.yml" --json
is "$rc" 0 "a flow-style model validates"
like "$out" '"max_length": 16' "0x10 is 16"
like "$out" '"min": 7' "0o7 is 7"
like "$out" '"min": -1500\.0' "-1.5e3 is a float"
printf 'project: crlf-demo\r\ndatasets:\r\n  d:\r\n    fields:\r\n      a: { type: bool }\r\n' >"$d/crlf.yml"
run_owlet validate --model "$d/crlf.yml"
is "$rc" 0 "a model with CRLF line ends validates"
printf '\xef\xbb\xbfproject: bom-demo\ndatasets:\n  d:\n    description: "caf\xc3\xa9 \xe2\x98\x95"\n    fields:\n      a: { type: bool }\n' >"$d/bom.yml"
run_owlet validate --model "$d/bom.yml" --json
is "$rc" 0 "a model with a UTF-8 BOM and non-ASCII text validates"
like "$out" '"description": "caf' "non-ASCII descriptions are kept"
done_testing
