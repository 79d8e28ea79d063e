#!/usr/bin/env bash
# AWS environments explain themselves before terraform runs: `owlet plan
# --env dev` without credentials says which variables to set, at once; with
# credentials (checked by STS GetCallerIdentity, SigV4 over libcurl) but no
# state bucket, it names the bucket and the commands that make it.  Against
# a real moto_server on 127.0.0.1 (AWS_ENDPOINT_URL); no terraform runs.
. "$(dirname "$0")/lib.sh"
command -v moto_server >/dev/null || skip_all "moto_server is not installed"
command -v curl >/dev/null || skip_all "curl is not installed"

t=$(tmpdir)
"$OWLET" init "$t/shop" >/dev/null 2>&1 || { echo "1..0 # SKIP owlet init failed"; exit 0; }
cd "$t/shop" || exit 1

unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE AWS_ENDPOINT_URL AWS_ENDPOINT_URL_S3 AWS_ENDPOINT_URL_STS
t0=$(date +%s%N)
run_owlet plan --env dev
t1=$(date +%s%N)
is "$rc" 2 "plan --env dev without credentials: usage error"
like "$err" "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY" "it names the variables"
like "$err" "aws configure export-credentials --profile NAME" "and how to use a profile"
ok "$([ ! -e state/dev/.terraform ] && [ ! -e state/dev/artifacts ]; echo $?)" "before building or running terraform"
ok "$(( (t1 - t0) < 3000000000 ? 0 : 1 ))" "at once ($(( (t1 - t0) / 1000000 )) ms)"

port=$(free_port)
moto_server -H 127.0.0.1 -p "$port" >"$t/moto.log" 2>&1 &
moto=$!
at_exit "kill $moto 2>/dev/null"
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/moto-api/" >/dev/null && break; sleep 0.1; done
export AWS_ENDPOINT_URL=http://127.0.0.1:$port AWS_ACCESS_KEY_ID=AKIAEXAMPLE AWS_SECRET_ACCESS_KEY=secret
run_owlet plan --env dev --json
is "$rc" 1 "with credentials but no state bucket: exit 1"
is "$(printf '%s' "$out" | jq -c '[.ok, .environment, (.error | test("the state bucket .shop-tfstate-dev. .* does not exist"))]')" \
	'[false,"dev",true]' "plan --json of a failing plan: {ok: false, environment, error} on stdout (parsed by jq)"
like "$err" "the state bucket 'shop-tfstate-dev' \(backend\.bucket of environments/dev\.yml\) does not exist in eu-west-1, account 123456789012 as arn:aws:sts::123456789012:" \
	"it names the bucket, the region and who asked (from STS)"
like "$err" "aws s3api create-bucket --bucket shop-tfstate-dev --region eu-west-1 --create-bucket-configuration LocationConstraint=eu-west-1" \
	"and the command that makes it"
like "$err" "owlet bootstrap --env dev" "or owlet's own, which also makes the pipeline's roles"
ok "$([ ! -e state/dev/.terraform ]; echo $?)" "terraform did not run"

# STS refuses: moto checks nothing, so a server that answers 403 as STS does
sport=$(free_port)
python3 - "$sport" >"$t/sts.log" 2>&1 <<'PY' &
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = (b'<ErrorResponse><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code>'
                b'<Message>The security token included in the request is invalid.</Message></Error></ErrorResponse>')
        self.send_response(403); self.send_header("Content-Length", str(len(body))); self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a): pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PY
sts=$!
at_exit "kill $sts 2>/dev/null"
for _ in $(seq 50); do curl -s -o /dev/null -X POST "http://127.0.0.1:$sport/" && break; sleep 0.1; done
AWS_ENDPOINT_URL_STS=http://127.0.0.1:$sport run_owlet plan --env dev
is "$rc" 1 "credentials STS refuses: exit 1"
like "$err" "AWS refuses the credentials of AWS_ACCESS_KEY_ID \(STS 403 InvalidClientTokenId: The security token included in the request is invalid\.\)" \
	"with AWS's code and message"
done_testing
