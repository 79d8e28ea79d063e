#!/usr/bin/env bash
# tools/lambda-curl.sh DIR: builds the Lambda's HTTP(S) client into DIR
# (make lambda-deps runs it; make deps calls that).
#
# The Lambda speaks HTTP to the Runtime API and HTTPS to S3 and Athena, and
# nothing else.  Debian's libcurl carries every protocol and ~30 shared
# libraries (gnutls, Kerberos, LDAP, RTMP, SSH, ...), and its libcurl.a cannot
# be linked statically (no static ldap, rtmp, gssapi, psl or nghttp2).  So this
# builds libcurl.a from Debian's own source package (with Debian's security
# patches), HTTP and HTTPS only, over OpenSSL, to be linked statically with
# Debian's libssl.a and libcrypto.a: the zip then carries bootstrap alone.
#
# DIR gets include/curl/*.h, lib/libcurl.a and a stamp naming the source
# version and the configure flags; a DIR whose stamp matches is left alone.
# Sources come from a private deb-src list (the machine's apt sources are not
# touched).  Any failure leaves DIR without lib/libcurl.a and exits 1: the
# Makefile then links Debian's shared libcurl and owlet build bundles its
# libraries, as before.
set -euo pipefail
dir=${1:?usage: tools/lambda-curl.sh DIR}
say() { echo "owlet: lambda-deps: $*"; }

# Certificates are verified: the default bundle and path are Debian's (as
# Debian's libcurl), and lib/aws finds AL2023's bundle on Lambda (CURLOPT_CAINFO).
FLAGS="--disable-shared --enable-static --with-pic --disable-dependency-tracking
 --with-mbedtls
 --with-ca-bundle=/etc/ssl/certs/ca-certificates.crt --with-ca-path=/etc/ssl/certs
 --enable-http --enable-proxy --enable-threaded-resolver --enable-ipv6
 --disable-ftp --disable-file --disable-ldap --disable-ldaps --disable-rtsp --disable-dict
 --disable-telnet --disable-tftp --disable-pop3 --disable-imap --disable-smb --disable-smtp
 --disable-gopher --disable-mqtt --disable-manual --disable-ntlm --disable-ntlm-wb
 --disable-tls-srp --disable-unix-sockets --disable-cookies --disable-doh --disable-mime
 --disable-netrc --disable-alt-svc --disable-hsts --disable-websockets --disable-libcurl-option
 --disable-headers-api --disable-progress-meter
 --without-zlib --without-brotli --without-zstd --without-libidn2 --without-libpsl
 --without-nghttp2 --without-librtmp --without-libssh2 --without-libssh --without-gssapi
 --without-libgsasl --without-hyper"
FLAGS=$(echo $FLAGS)

# The source version: the one apt's private list names (fetched below).
work=$(mktemp -d "${TMPDIR:-/tmp}/owlet-curl.XXXXXX")
trap 'rm -rf "$work"' EXIT
# apt's index of Debian's sources is kept next to DIR, so that a later run
# fetches it again only when Debian changed it
lists="$dir.debian-src-lists"
mkdir -p "$lists/partial" "$work/cache/archives/partial" "$work/src"
printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: bookworm\nComponents: main\n' >"$work/debian-src.sources"
apt=(apt-get -q -o Dir::Etc::sourcelist=/dev/null -o "Dir::Etc::sourceparts=$work"
	-o "Dir::State::Lists=$lists" -o "Dir::Cache=$work/cache" -o Debug::NoLocking=1)
config="$FLAGS; cc $(cc -dumpfullversion 2>/dev/null || cc -dumpversion)"
have=; [ -r "$dir/lib/libcurl.a" ] && [ "$(sed -n 2p "$dir/stamp" 2>/dev/null)" = "$config" ] && have=$(sed -n 1p "$dir/stamp")
if ! "${apt[@]}" update >"$work/apt.log" 2>&1; then
	[ -n "$have" ] && { say "cannot reach Debian's source index; keeping libcurl $have in $dir"; exit 0; }
	say "cannot read Debian's source index (apt-get update: $(tail -1 "$work/apt.log"))"
	exit 1
fi
version=$(apt-cache -o Dir::Etc::sourcelist=/dev/null -o "Dir::Etc::sourceparts=$work" \
	-o "Dir::State::Lists=$lists" -o "Dir::Cache=$work/cache" showsrc curl 2>/dev/null |
	sed -n 's/^Version: //p' | sort -V | tail -1)
[ -n "$version" ] || { say "Debian's source index has no curl"; exit 1; }
if [ "$have" = "$version" ]; then
	say "the HTTPS-only libcurl $version is in $dir"
	exit 0
fi

say "building libcurl $version (HTTP and HTTPS only, static) into $dir"
start=$(date +%s)
(cd "$work/src" && "${apt[@]}" source --download-only "curl=$version") >>"$work/apt.log" 2>&1 ||
	{ say "cannot fetch curl's source ($(tail -1 "$work/apt.log"))"; exit 1; }
dsc=$(ls "$work"/src/curl_*.dsc)
# apt checked the files against the signed index; dpkg-source applies Debian's patches.
dpkg-source --no-check -x "$dsc" "$work/src/curl" >>"$work/build.log" 2>&1 ||
	{ say "dpkg-source failed ($(tail -1 "$work/build.log"))"; exit 1; }
jobs=$(nproc 2>/dev/null || echo 2)
if ! (cd "$work/src/curl" && ./configure $FLAGS --prefix="$work/out" CFLAGS="-O2 -fPIC" &&
	make -C lib -j"$jobs" && make -C lib install && make -C include install) >>"$work/build.log" 2>&1; then
	say "building libcurl failed; the last lines of its log:"
	tail -15 "$work/build.log" | sed 's/^/  /'
	exit 1
fi
rm -rf "$dir.tmp" && mkdir -p "$dir.tmp/lib"
cp -R "$work/out/include" "$dir.tmp/include"
cp "$work/out/lib/libcurl.a" "$dir.tmp/lib/"
printf '%s\n%s\n' "$version" "$config" >"$dir.tmp/stamp"
rm -rf "$dir" && mv "$dir.tmp" "$dir"
say "built $dir/lib/libcurl.a in $(($(date +%s) - start)) s"
