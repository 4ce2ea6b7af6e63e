# 0840-man-pages.sh - the manual pages (docs/man): groff -ww and mandoc
# -Tlint find nothing to warn about, man -l renders each without a warning,
# fmctl(1) documents every command `fmctl --help` lists and fmfs(8) every
# fmfs option `fmfs --help` lists.
source "$FMFS_TOP/tests/lib.sh"
command -v groff >/dev/null || skip "groff not installed"
pages=("$TOP"/docs/man/fmctl.1 "$TOP"/docs/man/fmfs.8 "$TOP"/docs/man/fmfs-formats.5)

for p in "${pages[@]}"; do
	note "$(basename "$p")"
	out=$(groff -ww -man -z "$p" 2>&1) || fail "groff failed on $p: $out"
	[ -z "$out" ] || fail "groff -ww warns on $p: $out"
	if command -v mandoc >/dev/null; then
		out=$(mandoc -Tlint -W warning "$p" 2>&1) || fail "mandoc -Tlint on $p: $out"
	fi
	out=$(MANWIDTH=80 man -l "$p" 2>&1 >"$T/rendered") || fail "man -l $p: $out"
	[ -z "$out" ] || fail "man -l warns on $p: $out"
	[ "$(wc -l <"$T/rendered")" -gt 40 ] || fail "$p renders to almost nothing"
done

note "fmctl(1) has every command of fmctl --help"
for c in $(fmctl --help | awk '$1 == "fmctl" { print $2 }' | sort -u); do
	grep -qE "^\.(SS \"|B )fmctl $c( |\"|$)" "$TOP/docs/man/fmctl.1" || fail "fmctl.1 does not document 'fmctl $c'"
done
for o in --progress --quiet --json --repair --manifest; do
	grep -q -- "${o//-/\\\\-}" "$TOP/docs/man/fmctl.1" || fail "fmctl.1 does not mention $o"
done

note "fmfs(8) has every fmfs option of fmfs --help"
n=0
for o in $("$BIN/fmfs" --help 2>&1 | sed -n '/^fmfs options:/,/^$/s/^    -o \([a-z_]*\).*/\1/p'); do
	grep -qE "^\.(B|BI|BR|TP) .*\b$o\b" "$TOP/docs/man/fmfs.8" || fail "fmfs.8 does not document -o $o"
	n=$((n + 1))
done
[ $n -ge 5 ] || fail "only $n fmfs options found in fmfs --help"

