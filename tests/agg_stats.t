#!/usr/bin/env bash
# owlet stats: the numbers against awk on generated CSV, stdin, JSON Lines,
# threads == one thread, --partial + --merge == the whole, and the errors.
. "$(dirname "$0")/lib.sh"
d=$(tmpdir)

cat >"$d/model.yml" <<'EOF'
project: stats-test
datasets:
  sales:
    format: csv
    fields:
      id:     { type: int }
      amount: { type: float }
      city:   { type: string }
      paid:   { type: bool }
      day:    { type: date }
EOF

# 6000 rows; about 1 cell in 25 empty; one bad amount; two ragged rows
awk 'BEGIN {
	srand(7); print "id,amount,city,paid,day"
	split("Oslo Lima Pune Kyiv Baku", c, " ")
	for (i = 1; i <= 6000; i++) {
		id = (rand() < 0.04) ? "" : int(rand() * 2000000) - 1000000
		am = (rand() < 0.04) ? "" : sprintf("%.2f", rand() * 1000 - 100)
		ci = (rand() < 0.04) ? "" : c[1 + int(rand() * 5)]
		pa = (rand() < 0.04) ? "" : (rand() < 0.3 ? "true" : "false")
		dy = (rand() < 0.04) ? "" : sprintf("2024-%02d-%02d", 1 + int(rand() * 12), 1 + int(rand() * 28))
		if (i == 100) am = "12,5"
		if (i == 200) am = "n/a"
		print id "," am "," ci "," pa "," dy
	}
}' >"$d/sales.csv"

# the reference, computed by awk over the rows of 5 fields
ref=$(awk -F, 'NR > 1 && NF == 5 {
	rows++
	if ($1 == "") n1++; else { c1++; s1 += $1; if (c1 == 1 || $1 < mn1) mn1 = $1; if (c1 == 1 || $1 > mx1) mx1 = $1 }
	if ($2 == "") n2++; else if ($2 ~ /^-?[0-9]+\.[0-9]+$/) { c2++; s2 += $2; q2 += $2 * $2; if (c2 == 1 || $2 + 0 < mn2) mn2 = $2 + 0; if (c2 == 1 || $2 + 0 > mx2) mx2 = $2 + 0 } else bad2++
	if ($3 == "") n3++; else { c3++; city[$3]++ }
	if ($4 == "true") t4++
	if ($5 != "") { if (mn5 == "" || $5 < mn5) mn5 = $5; if ($5 > mx5) mx5 = $5 }
}
NR > 1 && NF != 5 { ragged++ }
END {
	printf "%d %d %d %d %d %d %d %.2f %.2f %d %d %d %s %s %d %d\n", rows, ragged, c1, n1, mn1, mx1, s1, mn2, mx2, c2, n2, bad2, mn5, mx5, c3, t4
	printf "%.6f\n", s2
	for (k in city) print "city", k, city[k]
}' "$d/sales.csv")
read -r rows ragged c1 n1 mn1 mx1 s1 mn2 mx2 c2 n2 bad2 mn5 mx5 c3 t4 <<<"$(echo "$ref" | head -1)"
s2=$(echo "$ref" | sed -n 2p)

# j FILE EXPR: a value of the JSON report, through python
j() {
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); v=eval(sys.argv[2]); print(json.dumps(v) if isinstance(v,(dict,list)) else v)' "$1" "$2"
}

cd "$d" || exit 1
run_owlet stats --model model.yml --dataset sales --threads 1 sales.csv
is "$rc" 0 "stats exits 0"
printf '%s\n' "$out" >one.json
is "$(j one.json 'd["rows"]') $(j one.json 'd["bad_rows"]["count"]')" "$rows $ragged" "rows and bad rows as awk counts them"
is "$(j one.json 'd["bad_rows"]["examples"][0]["file"]')" "sales.csv" "a bad row names its file"
c=one.json
is "$(j $c 'd["columns"]["id"]["count"]') $(j $c 'd["columns"]["id"]["nulls"]') $(j $c 'd["columns"]["id"]["min"]') $(j $c 'd["columns"]["id"]["max"]') $(j $c 'd["columns"]["id"]["sum"]')" \
	"$c1 $n1 $mn1 $mx1 $s1" "int column: count, nulls, min, max, sum"
is "$(j $c '"%.2f %.2f %d %d %d" % (d["columns"]["amount"]["min"], d["columns"]["amount"]["max"], d["columns"]["amount"]["count"], d["columns"]["amount"]["nulls"], d["columns"]["amount"]["invalid"]["count"])')" \
	"$mn2 $mx2 $c2 $n2 $bad2" "float column: min, max, count, nulls, invalid"
is "$(j $c '"%.6f" % d["columns"]["amount"]["sum"]')" "$s2" "float column: the sum"
line=$(grep -n '^[^,]*,n/a,' sales.csv | cut -d: -f1)
is "$(j $c 'd["columns"]["amount"]["invalid"]["examples"][0]["line"]'):$(j $c 'd["columns"]["amount"]["invalid"]["examples"][0]["value"]')" \
	"$line:n/a" "the invalid value is shown with its line"
want_top=$(echo "$ref" | awk '$1 == "city" { print $2 "=" $3 }' | sort)
got_top=$(j $c '"\n".join("%s=%d" % (e["value"], e["count"]) for e in d["columns"]["city"]["top"])' | sort)
is "$got_top" "$want_top" "string column: the top values and their exact counts"
is "$(j $c 'd["columns"]["city"]["distinct"]') $(j $c 'd["columns"]["city"]["count"]')" "5 $c3" "string column: distinct and count"
is "$(j $c 'd["columns"]["paid"]["sum"]')" "$t4" "bool column: the number of trues"
is "$(j $c 'd["columns"]["day"]["min"]') $(j $c 'd["columns"]["day"]["max"]')" "$mn5 $mx5" "date column: min and max in ISO form"
like "$(j $c 'd["columns"]["id"]["quantiles"]')" '"p50": -?[0-9]+, "p90": -?[0-9]+, "p99": -?[0-9]+' "quantiles p50, p90, p99"

# stdin
run_owlet stats --model model.yml --dataset sales --threads 1 - <sales.csv
printf '%s\n' "$out" >stdin.json
is "$(j stdin.json 'd["columns"]')" "$(j one.json 'd["columns"]' | sed 's/"sales.csv"/"-"/g')" "'-' reads stdin: the same stats"

# threads over chunks of one file (2.4 MB: cut into chunks), and over files
for i in 1 2 3 4 5 6 7 8; do tail -n +2 sales.csv; done | cat <(head -1 sales.csv) - >big.csv
exact='{k: {f: v[f] for f in ("count","nulls","invalid","min","max","sum","top","min_length","max_length")} for k, v in d["columns"].items()}'
run_owlet stats --model model.yml --dataset sales --threads 1 big.csv
printf '%s\n' "$out" >big1.json
run_owlet stats --model model.yml --dataset sales --threads 2 big.csv
printf '%s\n' "$out" >big2.json
is "$(j big2.json "$exact") $(j big2.json 'd["rows"]')" "$(j big1.json "$exact") $(j big1.json 'd["rows"]')" \
	"--threads 2 on chunks of one file: the same exact statistics and examples"
run_owlet stats --model model.yml --dataset sales --threads 2 sales.csv big.csv sales.csv
printf '%s\n' "$out" >files2.json
is "$(j files2.json 'd["rows"]')" "$((rows * 10))" "--threads 2 over three files: every row"

# --partial and --merge
run_owlet stats --model model.yml --dataset sales --partial sales.csv
printf '%s\n' "$out" >p1.json
run_owlet stats --model model.yml --dataset sales --partial big.csv
printf '%s\n' "$out" >p2.json
like "$(head -c 40 p1.json)" '"owlet_stats_partial": ?1' "--partial prints the partial form"
run_owlet stats --model model.yml --dataset sales --merge p1.json p2.json
printf '%s\n' "$out" >merged.json
run_owlet stats --model model.yml --dataset sales --threads 1 sales.csv big.csv
printf '%s\n' "$out" >whole.json
is "$(j merged.json "$exact")" "$(j whole.json "$exact")" "--merge of the partials == the stats of both files"
is "$(j merged.json 'd["columns"]["city"]["distinct"]')" "$(j whole.json 'd["columns"]["city"]["distinct"]')" "--merge: the same distinct count"

# JSON Lines
python3 -c '
import csv, json, sys
for r in csv.DictReader(open(sys.argv[1])):
    if None in r or any(v is None for v in r.values()): continue
    print(json.dumps({k: (None if v == "" else v) for k, v in r.items()}))' sales.csv >sales.jsonl
run_owlet stats --model model.yml --dataset sales --format jsonl sales.jsonl
printf '%s\n' "$out" >jl.json
is "$(j jl.json 'd["rows"]') $(j jl.json 'd["columns"]["id"]["sum"]') $(j jl.json 'd["columns"]["paid"]["sum"]')" "$rows $s1 $t4" \
	"--format jsonl: the same rows, sums and trues"

# errors
run_owlet stats --model model.yml --dataset sales nosuch.csv
is "$rc" 1 "a missing file exits 1"
like "$err" "error: cannot open 'nosuch.csv'" "a missing file is named"
run_owlet stats --model model.yml --dataset nosuch sales.csv
is "$rc:$err" "1:error: no dataset 'nosuch' in 'model.yml'" "an unknown dataset is named"
run_owlet stats --model model.yml --dataset sales --format xml sales.csv
is "$rc" 2 "an unknown format is a usage error"
run_owlet stats --model model.yml --dataset sales
is "$rc" 2 "no input is a usage error"
printf 'project: x\n' >bad.yml
run_owlet stats --model bad.yml --dataset sales sales.csv
is "$rc" 1 "an invalid model exits 1"
like "$err" "bad.yml" "an invalid model is named"
run_owlet stats --model model.yml --dataset sales --merge sales.csv
is "$rc" 1 "--merge of a file that is not a partial exits 1"
# an error about one partial names it once, and keeps the reason whole
python3 -c 'import json, sys; d = json.load(open("p1.json")); d["dataset"] = "other"; json.dump(d, open("other.json", "w"))'
run_owlet stats --model model.yml --dataset sales --merge other.json
is "$rc:$err" "1:error: 'other.json': not a partial of the stats of dataset 'sales'" \
	"--merge of another dataset's partial: the file named once, the reason whole"
# inputs whose numbers would be silently wrong are refused, with why (issue 21)
printf 'id,amount,city\r1,2.5,Oslo\r2,3.5,Lima\r' >cr.csv
run_owlet stats --model model.yml --dataset sales cr.csv
is "$rc" 1 "a CSV with CR-only line ends exits 1"
like "$err" "^error: 'cr.csv': the header holds a carriage return: are the line ends CR alone" "and says why"
printf 'x,y\n1,2\n' >unknown.csv
run_owlet stats --model model.yml --dataset sales unknown.csv
is "$rc" 1 "a CSV whose header names no field exits 1"
like "$err" "^error: 'unknown.csv': the header names no field of dataset 'sales'" "and says why"
printf 'id,city\n1,Oslo\n' | iconv -f UTF-8 -t UTF-16 >utf16.csv
run_owlet stats --model model.yml --dataset sales utf16.csv
is "$rc:$err" "1:error: 'utf16.csv' is UTF-16 (it starts with a UTF-16 byte order mark): CSV files are read as UTF-8" \
	"a UTF-16 CSV exits 1 and says so"
printf '{"id": 1}\n{"id": 2, "city": "Oslo", "id": 3}\n' >dup.jsonl
run_owlet stats --model model.yml --dataset sales --format jsonl dup.jsonl
is "$rc:$err" "1:error: 'dup.jsonl': line 2 gives field 'id' twice" "JSON Lines with a field given twice: exit 1, the line named"
printf '[\n  {"id": 1},\n  {"id": 2}\n]\n' >array.json
run_owlet stats --model model.yml --dataset sales --format jsonl array.json
is "$rc" 1 "a JSON array given as JSON Lines exits 1"
like "$err" "^error: 'array.json' holds a JSON array" "and says why"
done_testing
