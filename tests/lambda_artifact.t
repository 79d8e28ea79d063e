#!/usr/bin/env bash
# owlet build: the Lambda zip is reproducible, has bootstrap at its root,
# carries every non-glibc library the program needs, needs no glibc symbol
# above 2.34, and the unzipped program runs with its bundled libraries.
. "$(dirname "$0")/lib.sh"

command -v unzip >/dev/null || skip_all "unzip is not installed"
command -v objdump >/dev/null && command -v objcopy >/dev/null || skip_all "objdump/objcopy is not installed"
[ -x "$OWLET_BUILD/lambda/bootstrap" ] || skip_all "no build/lambda/bootstrap"

t=$(tmpdir)
cd "$t" || exit 1

run_owlet build --env local
is "$rc" 0 "owlet build --env local succeeds"
like "$out" '^built state/local/artifacts/lambda.zip \(x86_64, [0-9]+ files, [0-9]+ bytes, sha256 [A-Za-z0-9+/]{43}=\)$' \
	"build says what it built"
ok "$([ -f state/local/artifacts/lambda.zip ] && [ -f state/local/artifacts/lambda.json ]; echo $?)" \
	"the zip and lambda.json are in state/local/artifacts/"

json_field() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }
sha_of() { python3 -c 'import hashlib,base64,sys; print(base64.b64encode(hashlib.sha256(open(sys.argv[1],"rb").read()).digest()).decode())' "$1"; }

zip1=state/local/artifacts/lambda.zip
is "$(json_field state/local/artifacts/lambda.json sha256_base64)" "$(sha_of $zip1)" \
	"lambda.json's sha256_base64 is the zip's base64 SHA-256"
is "$(json_field state/local/artifacts/lambda.json size)" "$(stat -c %s $zip1)" "lambda.json's size is the zip's"
is "$(json_field state/local/artifacts/lambda.json architecture)" "x86_64" "lambda.json names the architecture"
is "$(json_field state/local/artifacts/lambda.json path)" "$t/$zip1" "lambda.json's path is the zip's absolute path"

# unchanged inputs: no rebuild (same bytes, same mtime); a changed bootstrap or a changed zip: a rebuild
like "$(json_field state/local/artifacts/lambda.json inputs_sha256)" '^[0-9a-f]{64}$' "lambda.json keeps the inputs' hash"
mtime1=$(stat -c %y $zip1)
sha1=$(sha_of $zip1)
sleep 1
run_owlet build --env local
is "$rc" 0 "a second build succeeds"
like "$out" '^up to date: state/local/artifacts/lambda.zip \(x86_64, [0-9]+ files, [0-9]+ bytes, sha256 ' \
	"with unchanged inputs, build says the zip is up to date"
is "$(stat -c %y $zip1)" "$mtime1" "and does not rewrite it (same mtime)"
is "$(sha_of $zip1)" "$sha1" "(same hash)"
# a changed program: one more section, which strip keeps (trailing bytes it would drop)
echo changed >section && objcopy --add-section .owlettest=section "$OWLET_BUILD/lambda/bootstrap" changed-bootstrap
OWLET_BOOTSTRAP=$t/changed-bootstrap run_owlet build --env local
like "$out" '^built state/local/artifacts/lambda.zip ' "a changed bootstrap is built again"
ok "$([ "$(sha_of $zip1)" != "$sha1" ]; echo $?)" "into a different zip"
ok "$([ "$(stat -c %y $zip1)" != "$mtime1" ]; echo $?)" "written anew"
is "$(json_field state/local/artifacts/lambda.json sha256_base64)" "$(sha_of $zip1)" "lambda.json follows the new zip"
run_owlet build --env local
like "$out" '^built state/local/artifacts/lambda.zip ' "back to the original bootstrap: built again"
is "$(sha_of $zip1)" "$sha1" "the same bytes as the first build"
printf 'junk' >>$zip1
run_owlet build --env local
like "$out" '^built state/local/artifacts/lambda.zip ' "a zip changed since it was built is built again"
is "$(sha_of $zip1)" "$sha1" "back to the bytes lambda.json describes"

sleep 1 # a second build a second later: timestamps must not leak into the zip
run_owlet build --out "$t/again"
is "$rc" 0 "owlet build --out DIR succeeds"
is "$(sha_of again/lambda.zip)" "$(sha_of $zip1)" "two builds give the same sha256"

names=$(unzip -Z1 $zip1)
is "$(printf '%s\n' "$names" | head -1)" "bootstrap" "bootstrap is the first entry, at the root"
like "$(unzip -Zl $zip1 | grep ' bootstrap$')" '^-rwxr-xr-x ' "bootstrap is executable (0755)"
unlike "$names" '^lib/(libc|libm|libpthread|libdl|librt|libresolv)\.so|ld-linux' "no part of glibc is bundled"
if readelf -d "$OWLET_BUILD/lambda/bootstrap" | grep -q 'Shared library: \[libcurl'; then
	like "$names" '^lib/libcurl\.so\.4$' "Debian's libcurl is bundled under lib/"
	ok 0 "# SKIP bootstrap links Debian's shared libcurl (no HTTPS-only libcurl: make lambda-deps)"
	syscurl=1
else
	is "$names" "bootstrap" "the HTTPS-only libcurl is linked in: the zip is bootstrap alone"
	size=$(stat -c %s $zip1)
	ok "$([ "$size" -le 2000000 ]; echo $?)" "the zip is at most 2 MB ($size bytes)"
	syscurl=
fi
like "$(unzip -Zv $zip1 | grep -m1 'file last modified')" '1980 Jan 1 00:00:00' "timestamps are fixed"

mkdir u && (cd u && unzip -q "../$zip1")
max=$(for f in u/bootstrap $(ls -d u/lib/* 2>/dev/null); do objdump -T "$f" | grep -o 'GLIBC_[0-9.]*'; done | sort -Vu | tail -1)
newest=$(printf '%s\n' "$max" GLIBC_2.34 | sort -V | tail -1)
if objdump -t u/bootstrap 2>/dev/null | grep -q __asan_init || objdump -T u/bootstrap | grep -q __asan_init; then
	ok 0 "# SKIP the sanitizer runtime of an instrumented build needs newer glibc; shipped builds are checked"
else
	is "$newest" "GLIBC_2.34" "nothing in the zip needs a glibc symbol above 2.34 (newest: $max)"
fi
like "$(readelf -d u/bootstrap)" 'RPATH.*\[\$ORIGIN/lib\]' "bootstrap has DT_RPATH \$ORIGIN/lib"

deps=$(ldd u/bootstrap)
unresolved=$(printf '%s\n' "$deps" | grep '=>' | grep -Ev "=> $t/u/(\./)?lib/|/libc\.so|/libm\.so|/libresolv\.so|/libpthread\.so|/libdl\.so|/librt\.so")
is "$unresolved" "" "every library the unzipped bootstrap loads comes from the zip (or glibc)"
if [ -n "$syscurl" ]; then
	like "$(printf '%s\n' "$deps" | grep 'libnghttp2')" "$t/u/(\./)?lib/" "transitive dependencies come from the zip too"
fi

# the unzipped artifact runs and answers under a Runtime API
cat >plan.json <<'EOF'
[{"id": "art-1", "event": {"version": "2.0", "rawPath": "/datasets/readings",
  "requestContext": {"http": {"method": "GET"}, "authorizer": {"jwt": {"claims": {"sub": "u1"}}}}}}]
EOF
python3 "$OWLET_SRC/tests/lambda_runtime_api.py" plan.json log.json port & srv=$!
at_exit "kill $srv 2>/dev/null"
for _ in $(seq 50); do [ -s port ] && break; sleep 0.1; done
env -i PATH=/usr/bin:/bin AWS_LAMBDA_RUNTIME_API="127.0.0.1:$(cat port)" \
	OWLET_MODEL="$(cat "$OWLET_SRC/tests/fixtures/lambda/model.json")" u/bootstrap 2>/dev/null
status=$(python3 -c 'import json; l=json.load(open("log.json")); r=[x for x in l["requests"] if x["path"].endswith("/art-1/response")]; print(json.loads(r[0]["body"])["statusCode"] if r else "none")')
is "$status" "200" "the unzipped bootstrap answers an invocation"

run_owlet build --arch arm64 --out "$t/arm"
if command -v aarch64-linux-gnu-gcc >/dev/null; then
	is "$rc" 1 "arm64 is refused (only x86_64 programs are packaged)"
else
	is "$rc" 1 "arm64 is refused without a cross compiler"
	like "$err" "error: cannot build the Lambda for arm64: no aarch64 cross compiler" "the refusal says why"
fi
mkdir -p environments
printf 'target: local\nfunction:\n  architecture: arm64\n' >environments/armed.yml
printf 'target: local\nfunction:\n  architecture: sparc\n' >environments/odd.yml
run_owlet build --env armed
is "$rc" 1 "the environment's function.architecture is used (arm64 refused here)"
like "$err" "arm64" "and the refusal names it"
run_owlet build --env odd
is "$rc" 1 "a bad environment file fails the build"
like "$err" "environments/odd.yml:3:[0-9]+: error: unknown function.architecture 'sparc'" "with a located message"
run_owlet build --env ../escape
is "$rc" 2 "a bad environment name is a usage error"
OWLET_BOOTSTRAP=/nonexistent run_owlet build --out "$t/none"
like "$err" "OWLET_BOOTSTRAP: no file '/nonexistent'" "a missing program is named"
done_testing
