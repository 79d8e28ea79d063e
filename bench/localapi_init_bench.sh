#!/usr/bin/env bash
# bench/localapi_init_bench.sh: builds bench/localapi_init_bench.c against
# build/libowlet.a, packages the real Lambda with `owlet build`, unzips it as
# owlet serve does, and reports init / cold / warm invoke times.  N=20 by default.
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
b=${OWLET_BUILD:-$src/build}
t=$(mktemp -d /tmp/owlet-initbench.XXXXXX)
trap 'rm -rf "$t"' EXIT
cc -O2 -Ilib -I"$src/lib" -o "$t/bench" "$src/bench/localapi_init_bench.c" "$b/libowlet.a" \
	-lyaml -ljansson -lgit2 -lcurl -lssl -lcrypto -lmicrohttpd -lzip -lm -lpthread
cd "$t"
cp "$src/data_model.yml" .
"$b/owlet" build --out "$t/art" >/dev/null
"$b/owlet" validate --json >model.json 2>/dev/null || true
mkdir task && (cd task && unzip -q ../art/lambda.zip)
echo "# zip: $(stat -c %s art/lambda.zip) bytes, $(unzip -Z1 art/lambda.zip | wc -l) files; load: $(cut -d' ' -f1-3 /proc/loadavg)"
"$t/bench" "$t/task" model.json "${N:-20}"
