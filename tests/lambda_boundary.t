#!/usr/bin/env bash
# The Lambda's boundary: bootstrap is linked from build/liblambda.a (lib/base,
# model, aws, lambda, agg) and LDLIBS_LAMBDA only.  It must hold nothing of
# libyaml, libgit2, libmicrohttpd or libzip: not as a library it needs, not as
# a symbol it imports, not as code linked in from owlet's own deploy, check or
# local-stack folders.
. "$(dirname "$0")/lib.sh"

command -v nm >/dev/null || skip_all "nm is not installed"
command -v readelf >/dev/null || skip_all "readelf is not installed"
bin=$OWLET_BUILD/lambda/bootstrap
[ -x "$bin" ] || skip_all "no $bin"

needed=$(readelf -d "$bin" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p')
defined=$(nm --defined-only "$bin" | awk '{print $NF}')
unlike "$needed" 'libyaml|libgit2|libmicrohttpd|libzip' "bootstrap needs no libyaml, libgit2, libmicrohttpd or libzip"
if printf '%s\n' "$needed" | grep -q '^libcurl'; then
	# Debian's shared libcurl: make lambda-deps could not build the HTTPS-only one
	imports=$(nm -D --undefined-only "$bin" | awk '{print $NF}')
	like "$imports" '^curl_easy_perform' "bootstrap imports curl_easy_perform (the check reads the real imports)"
	ok 0 "# SKIP bootstrap links Debian's shared libcurl (no HTTPS-only libcurl: make lambda-deps)"
else
	# the HTTPS-only libcurl (tools/lambda-curl.sh), linked statically over mbedTLS
	like "$defined" '^curl_easy_perform$' "bootstrap holds libcurl (the check reads the real symbols)"
	is "$(printf '%s\n' "$needed" | grep -Ev '^(libc|libm|libpthread|libdl|librt|libresolv)\.so\.|^ld-linux')" "" \
		"bootstrap needs no shared library but glibc's ($(echo $needed))"
	like "$defined" '^Curl_handler_https$' "its libcurl speaks HTTPS"
	like "$defined" '^mbedtls_x509_crt_verify' "over mbedTLS, which verifies certificates"
	unlike "$defined" '^Curl_handler_(ftp|ftps|file|ldap|ldaps|rtsp|dict|telnet|tftp|pop3|imap|smb|smtp|gopher|mqtt|scp|sftp|rtmp|ws)s?$' \
		"and no other protocol (no FTP, FILE, LDAP, RTMP, SSH, SMB, mail, ...)"
	unlike "$defined" '^(ldap_|ber_|gss_|krb5_|RTMP_|libssh2_|ssh_|gnutls_|nghttp2_|idn2_|psl_|SSL_|BIO_|EVP_)' \
		"and none of LDAP, Kerberos, RTMP, SSH, gnutls, nghttp2, idn2, psl or OpenSSL"
fi

like "$defined" '^owlet_s3_' "bootstrap holds owlet's S3 client"
unlike "$(printf '%s\n' "$defined" "$(nm -D --undefined-only "$bin" | awk '{print $NF}')")" '^(yaml_|git_|MHD_|zip_)' \
	"bootstrap holds or imports no yaml_, git_, MHD_ or zip_ symbol"
unlike "$defined" '^owlet_(localapi|http|runtime_start|check|render|terraform|emulator|deploy|servectl|zip)_' \
	"bootstrap holds none of owlet's local stack, check engine or deploy code"

done_testing
