# tests/localapi_stack.sh: the stack the local API needs, without `owlet up`
# (sourced after lib.sh by tests/localapi_*.t and bench/localapi_*).
# In a fresh project directory (the current one): starts moto_server on a
# free port of 127.0.0.1 (stopped at exit), makes the data bucket, the user
# pool, its client and the model's groups with the aws CLI, and writes
# state/local/outputs.json and emulator.json as docs/contracts.md says `up`
# does, and stores the model as s3://<bucket>/_owlet/model.json as apply does.  The pool signs users in by email, as modules/auth's does.
# Sets: endpoint, moto_pid, bucket, pool, client; awsl runs the aws CLI
# against the emulator.
localapi_stack() {
	cp "$OWLET_SRC/data_model.yml" .
	mkdir -p environments state/local
	cp "$OWLET_SRC/environments/local.yml" environments/
	local port
	port=$(free_port)
	moto_server -H 127.0.0.1 -p "$port" >moto.log 2>&1 &
	moto_pid=$!
	at_exit "kill $moto_pid 2>/dev/null; wait $moto_pid 2>/dev/null"
	endpoint="http://127.0.0.1:$port"
	for _ in $(seq 100); do curl -sf "$endpoint/moto-api/" >/dev/null && break; sleep 0.1; done
	export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
	bucket=owlet-demo-local-data
	awsl s3api create-bucket --bucket "$bucket" >/dev/null
	pool=$(awsl cognito-idp create-user-pool --pool-name owlet-demo-local --username-attributes email \
		--query UserPool.Id --output text)
	client=$(awsl cognito-idp create-user-pool-client --user-pool-id "$pool" --client-name api \
		--explicit-auth-flows ALLOW_USER_PASSWORD_AUTH ALLOW_REFRESH_TOKEN_AUTH \
		--query UserPoolClient.ClientId --output text)
	local g
	for g in analysts editors drivers; do
		awsl cognito-idp create-group --user-pool-id "$pool" --group-name "$g" >/dev/null
	done
	cat >state/local/emulator.json <<JSON
{"endpoint": "$endpoint", "pid": $moto_pid, "port": $port}
JSON
	# the model object apply writes (modules/function), which the function reads at init
	"$OWLET" render --env local >/dev/null 2>&1 &&
		python3 -c 'import json; print(json.load(open("state/local/owlet.auto.tfvars.json"))["function"]["model_json"], end="")' |
		awsl s3 cp - "s3://$bucket/_owlet/model.json" >/dev/null || echo "localapi_stack: cannot store the model" >&2
	cat >state/local/outputs.json <<JSON
{"api_url": "", "api_id": "localapi", "user_pool_id": "$pool", "user_pool_client_id": "$client",
 "issuer": "https://cognito-idp.us-east-1.amazonaws.com/$pool", "data_bucket": "$bucket",
 "function_name": "owlet-demo-local-api", "region": "us-east-1",
 "routes": ["GET /datasets", "GET /openapi.json", "GET /datasets/readings", "GET /datasets/readings/stats", "GET /datasets/stations",
            "GET /datasets/stations/stats", "GET /datasets/trips", "GET /datasets/trips/stats",
            "POST /datasets/stations/records", "POST /datasets/trips/records",
            "GET /datasets/readings/rows", "GET /datasets/readings/aggregate", "GET /datasets/stations/rows",
            "GET /datasets/stations/aggregate", "GET /datasets/trips/rows", "GET /datasets/trips/aggregate",
            "POST /datasets/{name}/uploads", "GET /datasets/{name}/uploads", "GET /datasets/{name}/uploads/{id}",
            "GET /queries/{id}"]}
JSON
}
awsl() { aws --endpoint-url "$endpoint" "$@"; }
