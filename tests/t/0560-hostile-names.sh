# 0560-hostile-names: ingest refuses every invalid name with a clear
# message and changes nothing; names are stored in NFC so two spellings of
# é are one name; lookups through the mount of '..', over-long and unknown
# names get the right errno.
source "$FMFS_TOP/tests/lib.sh"
source "$FMFS_TOP/tests/lib-safety.sh"

S=$T/store M=$T/mnt org=names.example
fmctl init "$S" >/dev/null
export FMFS_STORE=$S
mkdir src
random_file src/a.pdf 1000
fmctl ingest --org $org --kind invoice --direction incoming --period 2026-09 src/a.pdf >/dev/null
before=$(store_state "$S")
long=$(printf 'x%.0s' $(seq 256))
refused=0
refuse() { # what name
	local want=$1 name=$2
	expect_fail "$want" fmctl ingest --org $org --kind invoice --direction incoming \
		--period 2026-09 --name "$name" src/a.pdf
	[ "$LAST_RC" = 1 ] || fail "exit $LAST_RC for name $(printf %q "$name")"
	[ "$(wc -l <<<"$LAST_OUT")" = 1 ] || fail "not one line: $LAST_OUT"
	refused=$((refused + 1))
}
refuse "name is not valid UTF-8" $'bad\xff.pdf'
refuse "name is not valid UTF-8" $'over\xc0\xafong.pdf'  # overlong '/'
refuse "name is not valid UTF-8" $'surrogate\xed\xa0\x80.pdf'
refuse "name contains '/'" "a/b.pdf"
refuse "name contains '/'" "../etc.pdf"
refuse "name contains a control character" $'new\nline.pdf'
refuse "name contains a control character" $'tab\t.pdf'
refuse "name contains a control character" $'bell\a.pdf'
refuse "name contains a control character" $'del\x7f.pdf'
refuse "name contains a control character" $'c1\xc2\x85.pdf'
refuse "name is '.' or '..'" "."
refuse "name is '.' or '..'" ".."
refuse "name is empty" ""
refuse "name is longer than 255 bytes" "$long"
refuse "name is longer than 255 bytes" "$(printf 'é%.0s' $(seq 128))"
# NUL and hostile names in a manifest
printf 'a.pdf\t%s\tsoa\tincoming\t2026-09\t-\tnul\0name.pdf\n' $org >src/nul.tsv
expect_fail "line contains a NUL byte" fmctl ingest --manifest src/nul.tsv
printf 'a.pdf\t%s\tsoa\tincoming\t2026-09\t-\t..\n' $org >src/dots.tsv
expect_fail "name is '.' or '..'" fmctl ingest --manifest src/dots.tsv
printf 'a.pdf\t%s\tsoa\tincoming\t2026-09\t-\tbad\xfe.pdf\n' $org >src/utf.tsv
expect_fail "name is not valid UTF-8" fmctl ingest --manifest src/utf.tsv
cp src/a.pdf $'src/bad\xff.pdf'
expect_fail "name is not valid UTF-8" fmctl ingest --org $org --kind usage --period 2026-09 $'src/bad\xff.pdf'
assert_eq "$(store_state "$S")" "$before" "a refused name changed the store"
note "$refused hostile names refused with --name, 4 in manifests or file names"

# NFC: é as one code point and as e + combining acute are one name
nfc=$'caf\xc3\xa9.pdf' nfd=$'cafe\xcc\x81.pdf'
random_file src/cafe.pdf 2000
fmctl ingest --org $org --kind usage --period 2026-09 --name "$nfd" src/cafe.pdf >/dev/null
out=$(fmctl ingest --org $org --kind usage --period 2026-09 --name "$nfc" src/cafe.pdf)
grep -q "nothing to do" <<<"$out" || fail "the NFC spelling was a new name: $out"
random_file src/other.pdf 2000
expect_fail "already archived with different content" fmctl ingest --org $org --kind usage \
	--period 2026-09 --name "$nfc" src/other.pdf
assert_eq "$(sql "$S" "SELECT hex(name) FROM nodes WHERE name LIKE 'caf%'")" "$(printf %s "$nfc" | od -An -tx1 | tr -d " \n" | tr a-f A-F)" "stored name is not NFC"

fmfs_mount "$S" "$M"
D=$M/$org
cmp -s "$D/Usage/2026-09/$nfc" src/cafe.pdf || fail "the NFC name does not read"
assert_eq "$(ls "$D/Usage/2026-09" | grep -c caf)" 1 "entries for café"
# lookups: '..' stays in the tree, over-long names, unknown names
assert_eq "$(cd "$D/Usage/2026-09/.." && ls)" "2026-09"
assert_eq "$(stat -c %i "$D/Usage/2026-09/../..")" "$(stat -c %i "$D")"
expect_fail "No such file or directory" stat "$D/nowhere/../Usage"
expect_fail "File name too long" stat "$D/Usage/$long"
expect_fail "File name too long" cat "$D/$long/x"
expect_fail "No such file or directory" stat "$D/Usage/$(printf 'y%.0s' $(seq 255))"
expect_fail "No such file or directory" stat "$D/Usage/never-ingested.csv"
expect_fail "No such file or directory" stat "$D/Usage/"$'bad\xff'
expect_fail "No such file or directory" stat "$D/Usage/$nfd"  # lookups are exact: the stored name is NFC
