#!/usr/bin/env bash
# The command table: help, version, unknown commands and options, exit codes.
. "$(dirname "$0")/lib.sh"

run_owlet --version
is "$rc" 0 "--version exits 0"
like "$out" '^owlet [0-9]+\.[0-9]+\.[0-9]+$' "--version prints the version"

run_owlet --help
is "$rc" 0 "--help exits 0"
for c in init validate render build check plan up down status stats user token serve; do
	like "$out" "^   $c " "help lists '$c'"
done

run_owlet help validate
is "$rc" 0 "help <cmd> exits 0"
like "$out" '^usage: owlet validate' "help <cmd> prints the command's usage"

run_owlet frobnicate
is "$rc" 2 "an unknown command exits 2"
like "$err" "error: unknown command 'frobnicate'" "an unknown command is named"
like "$err" "^usage: owlet" "an unknown command prints usage"

run_owlet validate --no-such-option
is "$rc" 2 "an unknown option exits 2"
like "$err" "unknown option '--no-such-option' for 'owlet validate'" "an unknown option is named"
like "$err" "usage: owlet validate" "an unknown option prints the command's usage"

run_owlet
is "$rc" 2 "no command exits 2"

for c in init validate render build check plan up down status stats user token serve; do
	run_owlet "$c" --help
	is "$rc:$(printf '%s' "$out" | head -1 | cut -d' ' -f1-3)" "0:usage: owlet $c" "'owlet $c --help' prints its usage"
done
# $OWLET_ENV is the default of --env; the command line wins; a bad name is refused
p=$(tmpdir)
cp "$OWLET_SRC/data_model.yml" "$p/" && cp -r "$OWLET_SRC/environments" "$p/"
(cd "$p" && OWLET_ENV=dev "$OWLET" render >/dev/null 2>&1)
ok "$([ -f "$p/state/dev/owlet.auto.tfvars.json" ] && [ ! -e "$p/state/local" ]; echo $?)" "OWLET_ENV=dev: render writes state/dev/"
(cd "$p" && OWLET_ENV=dev "$OWLET" render --env prod >/dev/null 2>&1)
ok "$([ -f "$p/state/prod/owlet.auto.tfvars.json" ]; echo $?)" "--env prod wins over OWLET_ENV"
o=$(cd "$p" && OWLET_ENV=../x "$OWLET" render 2>&1); r=$?
is "$r" 2 "a bad OWLET_ENV is a usage error"
like "$o" "OWLET_ENV='\.\./x' is not an environment name" "and names the variable"
ok "$([ ! -e "$p/x" ] && [ ! -e "$p/state/x" ]; echo $?)" "and writes nothing"

# the global options -q and -v, before or after the command's name
run_owlet --help
like "$out" "^   -q, --quiet +print only errors" "help lists -q"
like "$out" "^   -v, --verbose +also print each terraform command" "and -v"
run_owlet -q up --help
like "$out" "^   -q, --quiet " "a command's help lists them too"
run_owlet -q -v validate
is "$rc" 2 "-q with -v is a usage error"
like "$err" "^error: -q and -v: choose one" "saying so"
(cd "$p" && "$OWLET" --verbose render >/dev/null 2>&1)
is "$?" 0 "--verbose before the command's name is taken"
run_owlet -x render
is "$rc" 2 "another option before the command's name is a usage error"

# bash completion from the command table
run_owlet completion bash
is "$rc" 0 "completion bash exits 0"
bcomp=$out
comp() { (cd "$p" && source <(printf '%s\n' "$out") && COMP_WORDS=("$@") COMP_CWORD=$(($# - 1)) && _owlet && printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' '); }
is "$(comp owlet st)" "stats status " "commands complete"
is "$(comp owlet up --ov)" "--over-budget " "a command's options complete"
is "$(comp owlet -q st)" "stats status " "commands complete after a global option"
is "$(comp owlet -q up --qu)" "--quiet " "and the global options complete after the command"
is "$(comp owlet up --env "")" "dev local prod " "--env completes the project's environments"
run_owlet completion fish
is "$rc" 2 "another shell is a usage error"

# zsh completion from the same table
run_owlet completion zsh
is "$rc" 0 "completion zsh exits 0"
zcomp=$out
bash_cmds=$(source <(printf '%s\n' "$bcomp") && COMP_WORDS=(owlet '') COMP_CWORD=1 && _owlet && printf '%s\n' "${COMPREPLY[@]}" | grep -v -e '^-' -e '^help$' | sort | tr '\n' ' ')
zsh_cmds=$(printf '%s\n' "$zcomp" | sed -n '/^\t\tcmds=(/,/^\t\t)/p' | sed -n "s/^\t\t\t'\([a-z]*\):.*/\1/p" | grep -v '^help$' | sort | tr '\n' ' ')
is "$zsh_cmds" "$bash_cmds" "zsh offers the same commands as bash, each with its summary"
like "$(printf '%s\n' "$zcomp" | sed -n '/^\t\tup)/,/;;/p')" "'--over-budget\\[" "a command's options are in its _arguments"
like "$(printf '%s\n' "$zcomp" | sed -n '/^\t\tup)/,/;;/p')" "'--env=\\[.*\\]:ENV:_owlet_envs'" "--env completes the project's environments"
if command -v zsh >/dev/null; then
	zf=$(tmpdir)/_owlet
	printf '%s\n' "$zcomp" >"$zf"
	ok "$(zsh -n "$zf"; echo $?)" "zsh reads the script (zsh -n)"
	is "$(cd "$p" && HOME=$(tmpdir) zsh -f -c "autoload -U compinit && compinit -u -D && source '$zf' && print -r -- \${_comps[owlet]}")" "_owlet" \
		"sourced after compinit, it is owlet's completion"
else
	ok 1 "# SKIP zsh is not installed"
	ok 1 "# SKIP zsh is not installed"
fi

# the manual page from the same table: every command, no roff warning
run_owlet help --man
for c in init up down query completion; do
	like "$out" "^\.B owlet $c" "the manual page has 'owlet $c'"
done
like "$out" "^\.SH GLOBAL OPTIONS" "and the global options"
like "$out" "^\.B \\\\-q, \\\\-\\\\-quiet" "-q among them"
if command -v groff >/dev/null; then
	is "$(printf '%s\n' "$out" | groff -man -Tutf8 -ww -z 2>&1)" "" "groff renders it without a warning"
fi

# the libraries' flags come from pkg-config; a library without a .pc gets its plain -lNAME
d=$(tmpdir)
cat >"$d/pkg-config" <<'PC'
#!/bin/sh
case "$1 $2" in
"--cflags libgit2") echo "-I/opt/git2/include" ;;
"--libs libgit2") echo "-L/opt/git2/lib -lgit2 -lhttp_parser" ;;
*) exit 1 ;;
esac
PC
chmod 755 "$d/pkg-config"
dry() { make -n -B -C "$OWLET_SRC" B="$d/b" "$@" "$d/b/owlet" 2>&1; }
n=$(dry PKG_CONFIG="$d/pkg-config")
like "$(printf '%s\n' "$n" | grep 'cmd/owlet/main.c')" " -I/opt/git2/include " "the compiler gets the --cflags of a .pc"
is "$(printf '%s\n' "$n" | grep -- "-o $d/b/owlet " | sed 's/.*libowlet\.a //' | tr -s ' ')" \
	"-lyaml -ljansson -L/opt/git2/lib -lgit2 -lhttp_parser -lcurl -lssl -lcrypto -lmicrohttpd -lzip -lm -lpthread" \
	"the linker its --libs, and -lNAME for the libraries without one"
n=$(dry PKG_CONFIG=false)
is "$(printf '%s\n' "$n" | grep -- "-o $d/b/owlet " | sed 's/.*libowlet\.a //' | tr -s ' ')" \
	"-lyaml -ljansson -lgit2 -lcurl -lssl -lcrypto -lmicrohttpd -lzip -lm -lpthread" "without pkg-config, the plain flags"
if command -v pkg-config >/dev/null && [ -n "$(pkg-config --cflags libmicrohttpd 2>/dev/null)" ]; then
	like "$(dry | grep 'cmd/owlet/main.c')" " $(pkg-config --cflags libmicrohttpd | tr -s ' ' | sed 's/ *$//') " \
		"with Debian's pkg-config, libmicrohttpd's own --cflags"
fi

# make install writes the binary, the manual page and the completion; make uninstall removes them all
d=$(tmpdir)
make -s -C "$OWLET_SRC" B="$OWLET_BUILD" DESTDIR="$d" PREFIX=/usr install >/dev/null 2>&1
ok "$([ -x "$d/usr/bin/owlet" ] && [ -s "$d/usr/share/man/man1/owlet.1" ] && [ -s "$d/usr/share/bash-completion/completions/owlet" ] && [ -s "$d/usr/share/zsh/vendor-completions/_owlet" ]; echo $?)" \
	"make install writes owlet, owlet.1 and its bash and zsh completion"
make -s -C "$OWLET_SRC" B="$OWLET_BUILD" DESTDIR="$d" PREFIX=/usr uninstall >/dev/null 2>&1
is "$(find "$d" -type f | wc -l)" 0 "make uninstall leaves no file"
done_testing
