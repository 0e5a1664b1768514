#!/usr/bin/env bash
# Checks what `make install PREFIX=…` put under PREFIX: the command runs and says its version, the man
# page renders and documents every subcommand, and each shell loads its completion script and offers
# pktpath's subcommands. A shell that is not installed is skipped and said so.
set -euo pipefail
prefix=${1:?usage: Tools/check-install.sh PREFIX}
fail() { echo "check-install: $*" >&2; exit 1; }

version=$("$prefix/bin/pktpath" --version) || fail "$prefix/bin/pktpath --version failed"
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || fail "--version printed '$version'"

page=$(MANPAGER=cat MANWIDTH=100 man -l "$prefix/share/man/man1/pktpath.1" 2>/dev/null) || fail "man cannot render the page"
for sub in trace diff stats functions explain graph host; do
  grep -Eq "^ +$sub( |$)" <<<"$page" || fail "the man page lacks the $sub subcommand"
done
grep -q -- "--color" <<<"$page" || fail "the man page lacks --color"

# bash: the completion function, asked for the words after "pktpath tr".
out=$(bash -c 'source "$1"; COMP_WORDS=(pktpath tr); COMP_CWORD=1; COMP_LINE="pktpath tr"; COMP_POINT=${#COMP_LINE}
  fn=$(complete -p pktpath | sed -E "s/.*-F ([^ ]+).*/\1/"); "$fn" pktpath tr pktpath; printf "%s\n" "${COMPREPLY[@]}"' \
  _ "$prefix/share/bash-completion/completions/pktpath") || fail "bash cannot load its completion script"
grep -qx trace <<<"$out" || fail "bash completion of 'pktpath tr' does not offer trace (got: $out)"

if command -v zsh >/dev/null; then
  zsh -n "$prefix/share/zsh/site-functions/_pktpath" || fail "zsh cannot parse its completion script"
  grep -q "trace" "$prefix/share/zsh/site-functions/_pktpath" || fail "zsh completion lacks trace"
else echo "check-install: zsh not installed, its completion script not checked"; fi

if command -v fish >/dev/null; then
  out=$(fish --no-config -c "source $prefix/share/fish/vendor_completions.d/pktpath.fish; complete -C 'pktpath tr'") \
    || fail "fish cannot load its completion script"
  grep -q "^trace" <<<"$out" || fail "fish completion of 'pktpath tr' does not offer trace (got: $out)"
else echo "check-install: fish not installed, its completion script not checked"; fi
echo "check-install: $prefix holds pktpath $version, its man page and bash/zsh/fish completions"
