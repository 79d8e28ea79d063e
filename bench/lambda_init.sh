#!/usr/bin/env bash
# bench/lambda_init.sh: builds the Lambda artifact and measures its local
# init time (exec -> first /next), peak RSS and handler latency against a
# Python runtime loop (bench/lambda_init.py has the method).
#   bench/lambda_init.sh [RUNS [PEER_ZIP...]]   (RUNS default 20)
# PEER_ZIP: other artifacts to run in the same interleaved runs, e.g. a zip
# built with Debian's shared libcurl:
#   make LAMBDA_CURL_DIR= B=build-syscurl build-syscurl/lambda/bootstrap &&
#   OWLET_BOOTSTRAP=$PWD/build-syscurl/lambda/bootstrap build/owlet build --out /tmp/sys
set -euo pipefail
cd "$(dirname "$0")/.."
make -s all >/dev/null
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
build/owlet build --out "$out" >/dev/null
python3 bench/lambda_init.py "$out/lambda.zip" tests/fixtures/lambda/model.json "${1:-20}" "${@:2}"
