# 0540-disk-full: ingest onto a small tmpfs until it fills. The ingest that
# does not fit exits 1 saying "no space left", the catalog and the blobs are
# exactly as before (no temp files, no half-linked blobs), a batch that
# fills the disk half-way leaves nothing, and everything ingested before
# still reads back.
source "$FMFS_TOP/tests/lib.sh"
source "$FMFS_TOP/tests/lib-safety.sh"

mkdir small
mount -t tmpfs -o size=4m,mode=0700 fmfs-test-full small 2>/dev/null || skip "cannot mount a tmpfs (not root?)"
trap 'rc=$?; umount -l "$T/small" 2>/dev/null; (exit $rc); _cleanup' EXIT
S=$T/small/store M=$T/mnt org=full.example
fmctl init "$S" >/dev/null
# room held back, given back at the end ("freeing space"): what is left
# when the disk fills depends on the catalog's size, not on this test
head -c $((256 * 1024)) /dev/zero >"$T/small/ballast"
export FMFS_STORE=$S
mkdir src
n=0
while :; do
	n=$((n + 1))
	[ $n -lt 60 ] || fail "a 4 MiB tmpfs never filled"
	random_file src/f$n.pdf $((300 * 1024 + n))
	before=$(store_state "$S")
	rc=0
	out=$(fmctl ingest --org $org --kind invoice --direction incoming --period 2026-07 src/f$n.pdf 2>&1) || rc=$?
	[ $rc = 0 ] && continue
	break
done
note "ingest $n did not fit: $out"
assert_eq "$rc" 1 "exit status of the ingest that did not fit"
grep -qi "no space left" <<<"$out" || fail "the error does not say 'no space left': $out"
[ "$(wc -l <<<"$out")" = 1 ] || fail "not one line: $out"
assert_eq "$(store_state "$S")" "$before" "the failed ingest changed the store"
[ -z "$(find "$S/objects" -name 'tmp-*')" ] || fail "temp files left behind"

# a batch of small files where the last does not fit: all or nothing
for j in 1 2 3; do random_file src/b$j.pdf 2000; done
random_file src/bbig.pdf $((2 * 1048576))
printf 'b1.pdf\t%s\tsoa\tincoming\t2026-07\t-\t-\nb2.pdf\t%s\tsoa\tincoming\t2026-07\t-\t-\nb3.pdf\t%s\tsoa\tincoming\t2026-07\t-\t-\nbbig.pdf\t%s\tsoa\tincoming\t2026-07\t-\t-\n' $org $org $org $org >src/batch.tsv
before=$(store_state "$S")
expect_fail "o space left" fmctl ingest --manifest src/batch.tsv
assert_eq "$LAST_RC" 1
assert_eq "$(store_state "$S")" "$before" "the failed batch changed the store"

# what was ingested before reads back, through fmctl and the mount
check_catalog "$S"
check_rows "$S"
assert_eq "$CHECKED_ROWS" $((n - 1)) "rows archived before the disk filled"
fmctl verify >/dev/null || fail "store does not verify after the disk filled"
fmfs_mount "$S" "$M"
for i in $(seq $((n - 1))); do
	cmp -s src/f$i.pdf "$M/$org/Invoices/Incoming/2026-07/f$i.pdf" || fail "f$i.pdf does not read back"
done
fmfs_umount "$M"
# freeing space makes the same ingest work
rm -f src/bbig.pdf "$T/small/ballast" && sed -i '/bbig/d' src/batch.tsv
fmctl ingest --manifest src/batch.tsv >/dev/null || fail "a batch that fits was refused"
