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
like "$needed" 'libcurl' "bootstrap needs libcurl (the check reads the real list)"
unlike "$needed" 'libyaml|libgit2|libmicrohttpd|libzip' "bootstrap needs no libyaml, libgit2, libmicrohttpd or libzip"

imports=$(nm -D --undefined-only "$bin" | awk '{print $NF}')
like "$imports" '^curl_easy_perform' "bootstrap imports curl_easy_perform (the check reads the real imports)"
unlike "$imports" '^(yaml_|git_|MHD_|zip_)' "bootstrap imports no yaml_, git_, MHD_ or zip_ symbol"

defined=$(nm --defined-only "$bin" | awk '{print $NF}')
like "$defined" '^owlet_s3_' "bootstrap holds owlet's S3 client"
unlike "$defined" '^owlet_(localapi|http|runtime_start|check|render|terraform|emulator|deploy|servectl|zip)_' \
	"bootstrap holds none of owlet's local stack, check engine or deploy code"

done_testing
