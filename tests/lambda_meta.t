#!/usr/bin/env bash
# The dataset metadata table (issue 15) through the real Lambda
# (build/lambda/bootstrap) against a real moto_server (S3 and DynamoDB):
# POSTed records and bulk uploads add their rows and bytes to the dataset's
# summary item with DynamoDB's atomic ADD; GET /datasets reads the row
# counts from the table, not from the S3 listing; an upload's history item
# says who, when, which file and the outcome.  The table is made here as
# the storage module renders it (dataset + item keys, PAY_PER_REQUEST).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lambda_lib.sh"
moto_s3

meta_table owlet-meta >/dev/null
like "$(ddb DescribeTable '{"TableName":"owlet-meta"}')" '"TableStatus": ?"ACTIVE"' "the table owlet-meta is made on moto"
META=("${AWS[@]}" OWLET_META_TABLE=owlet-meta)

run_plan posts "$(evplan \
	p1 "$(ev POST /datasets/trips/records '[{"trip_id":1,"pickup_at":"2026-10-31T08:00:00Z"},{"trip_id":2,"pickup_at":"2026-11-01T08:00:00Z"}]' '[editors]')" \
	p2 "$(ev POST /datasets/stations/records '[{"station_id":"S1","name":"One","active":true},{"station_id":"S2","name":"Two","active":true},{"station_id":"S3","name":"Three","active":false}]' '[editors]')" \
	dup "$(ev POST /datasets/trips/records '{"trip_id":2,"pickup_at":"2026-11-05T08:00:00Z"}' '[editors]')" \
	bad "$(ev POST /datasets/trips/records '{"trip_id":0,"pickup_at":"2026-11-05T08:00:00Z"}' '[editors]')" \
	list "$(ev GET /datasets '' '[analysts]')")" "${META[@]}"
is "$(resp p1 "['statusCode']") $(resp p2 "['statusCode']") $(resp dup "['statusCode']") $(resp bad "['statusCode']")" \
	"201 201 409 400" "two POSTs stored; a taken key (409) and a bad record (400) store nothing"
is "$(summary owlet-meta trips row_count) $(summary owlet-meta stations row_count) $(summary owlet-meta readings row_count)" "2 3 -" \
	"the summary items count the stored rows only; a dataset without writes has no item"
s3bytes() { s3curl "$S3/owlet-data?list-type=2&prefix=raw/$1/" | grep -o '<Size>[0-9]*</Size>' | sed 's/<[^>]*>//g' | paste -sd+ | bc; }
is "$(summary owlet-meta trips bytes) $(summary owlet-meta stations bytes)" "$(s3bytes trips) $(s3bytes stations)" \
	"bytes are the sizes of the objects stored under raw/NAME/"
is "$(body list "['datasets'][0]['row_count']") $(body list "['datasets'][1]['row_count']") $(body list "['datasets'][2]['row_count']")" \
	"2 3 0" "GET /datasets answers the row counts of the table (0 for a dataset without an item)"
like "$(body list "['datasets'][0]['last_update']")" '^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$' "with the last update"
is "$(body list "['datasets'][0]['bytes']")" "$(s3bytes trips)" "and the bytes"

# GET /datasets reads the table, not S3: an object copied into raw/ by hand
# is not counted, a count changed in the table is what is answered
s3curl -X PUT --data-binary '{"trip_id":9,"pickup_at":"2026-11-09T08:00:00Z"}' "$S3/owlet-data/raw/trips/dt=2026-11-09/by-hand-r1.jsonl" >/dev/null
ddb UpdateItem '{"TableName":"owlet-meta","Key":{"dataset":{"S":"stations"},"item":{"S":"summary"}},"UpdateExpression":"SET row_count = :n","ExpressionAttributeValues":{":n":{"N":"1000"}}}' >/dev/null
run_plan list2 "$(evplan l "$(ev GET /datasets '' '[analysts]')")" "${META[@]}"
is "$(body l "['datasets'][0]['row_count']") $(body l "['datasets'][1]['row_count']")" "2 1000" \
	"GET /datasets reads the counts from the table, not from the S3 listing"
run_plan nometa "$(evplan l "$(ev GET /datasets '' '[analysts]')")" "${AWS[@]}"
is "$(body l "['datasets'][0]['row_count']")" "3" "without OWLET_META_TABLE the function still counts the S3 listing"

# concurrent writers: two functions POST 15 records each into stations at once
many() { # ID-PREFIX FIRST: 15 single-record POSTs
	local out=() i
	for i in $(seq "$2" $(($2 + 14))); do
		out+=("$1$i" "$(ev POST /datasets/stations/records "{\"station_id\":\"C$i\",\"name\":\"c\",\"active\":true}" '[editors]')")
	done
	evplan "${out[@]}"
}
ddb UpdateItem '{"TableName":"owlet-meta","Key":{"dataset":{"S":"stations"},"item":{"S":"summary"}},"UpdateExpression":"SET row_count = :n","ExpressionAttributeValues":{":n":{"N":"3"}}}' >/dev/null
plan_a=$(many a 1) plan_b=$(many b 100)
(run_plan ca "$plan_a" "${META[@]}") &
pa=$!
(run_plan cb "$plan_b" "${META[@]}") &
wait "$pa" $!
is "$(summary owlet-meta stations row_count)" 33 "two functions writing at once: 3 + 15 + 15 rows counted, none lost (ADD)"

# a bulk upload: its rows are counted, its history item says who, when, what and how it ended
printf 'trip_id,pickup_at,vendor\n3,2026-11-03T08:00:00Z,CMT\n4,2026-11-03T09:00:00Z,XYZ\n5,2026-11-04T09:00:00Z,VTS\n' >"$t/t.csv"
run_plan up "$(evplan u "$(ev POST /datasets/trips/uploads '{"filename":"t.csv"}' '[editors]')")" "${META[@]}"
id=$(body u "['id']")
s3curl -X PUT -H "Content-Type: text/csv" --data-binary @"$t/t.csv" "$S3/owlet-data/incoming/trips/$id.csv" >/dev/null
hist() {
	ddb GetItem "{\"TableName\":\"owlet-meta\",\"Key\":{\"dataset\":{\"S\":\"trips\"},\"item\":{\"S\":\"upload#$id\"}}}" |
		python3 -c 'import json,sys; i=json.load(sys.stdin)["Item"]; print(" ".join("%s=%s" % (k, list(i[k].values())[0]) for k in sys.argv[1:] if k in i))' "$@"
}
is "$(hist who filename status)" "who=alice filename=t.csv status=pending" "the upload asked for is in the history: who, which file, pending"
run_plan trig "$(evplan s "$(s3ev "incoming/trips/$id.csv")")" "${META[@]}"
is "$(hist status accepted rejected)" "status=partly_rejected accepted=2 rejected=1" "when it ends, the history item has its outcome" || diag "$(hist message)" "$stderr"
like "$(hist created finished)" '^created=20[0-9-]{8}T[0-9:]{8}Z finished=20[0-9-]{8}T[0-9:]{8}Z$' "and when it was asked for and ended"
is "$(summary owlet-meta trips row_count)" 4 "the upload's accepted rows are added to the summary (2 + 2)"
run_plan again "$(evplan s "$(s3ev "incoming/trips/$id.csv")")" "${META[@]}"
is "$(summary owlet-meta trips row_count)" 4 "the event delivered again counts nothing twice"
done_testing
