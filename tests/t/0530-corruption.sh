# 0530-corruption: damaged blobs are never served. A changed byte makes the
# read of its chunk fail with EIO (the chunks before it still read right),
# a truncated or missing blob fails at open, the daemon logs which blob, and
# fmctl verify names blob and archive path and exits 1. A catalog that is
# not SQLite or truncated is refused by fmfs and fmctl; one that fails
# quick_check is reported by fmctl verify and never "repaired".
source "$FMFS_TOP/tests/lib.sh"
source "$FMFS_TOP/tests/lib-safety.sh"

S=$T/store M=$T/mnt org=rot.example
fmctl init "$S" >/dev/null
export FMFS_STORE=$S
mkdir src
random_file src/big.csv $((3 * 1048576 + 12345))
random_file src/short.pdf 50000
random_file src/gone.pdf 40000
random_file src/fine.pdf 30000
fmctl ingest --org $org --kind usage --period 2026-06 src/big.csv >/dev/null
fmctl ingest --org $org --kind invoice --direction incoming --period 2026-06 \
	src/short.pdf src/gone.pdf src/fine.pdf >/dev/null
blob() { local sha; sha=$(sha256sum "$1" | cut -c1-64); echo "$S/objects/${sha:0:2}/${sha:2}"; }
big=$(blob src/big.csv) short=$(blob src/short.pdf) gone=$(blob src/gone.pdf)
fmctl verify >/dev/null || fail "a fresh store does not verify"

# rot: one byte of chunk 2 (bytes 2 MiB..3 MiB), a truncation, a loss
printf 'X' | dd of="$big" bs=1 seek=$((2 * 1048576 + 777)) conv=notrunc status=none
cmp -s "$big" src/big.csv && fail "the byte did not change"
truncate -s 20000 "$short"
rm -f "$gone"

fmfs_mount "$S" "$M" 2>fmfs.log
D=$M/$org
dd if="$D/Usage/2026-06/big.csv" of=head.bin bs=1M count=2 status=none || fail "the good chunks do not read"
cmp -s head.bin <(head -c $((2 * 1048576)) src/big.csv) || fail "the good chunks read wrong bytes"
expect_fail "Input/output error" dd if="$D/Usage/2026-06/big.csv" of=tail.bin bs=1M skip=2 status=none
[ ! -s tail.bin ] || fail "damaged chunk served $(stat -c %s tail.bin) bytes"
readall() { cat "$1" >/dev/null; }
expect_fail "Input/output error" readall "$D/Usage/2026-06/big.csv"
expect_fail "Input/output error" readall "$D/Invoices/Incoming/2026-06/short.pdf"
expect_fail "Input/output error" readall "$D/Invoices/Incoming/2026-06/gone.pdf"
cmp -s "$D/Invoices/Incoming/2026-06/fine.pdf" src/fine.pdf || fail "the healthy file does not read"
# still refused when asked again (no "verified" state for a bad chunk)
expect_fail "Input/output error" dd if="$D/Usage/2026-06/big.csv" of=/dev/null bs=4k skip=600 count=1 status=none
fmfs_umount "$M"
grep -q "$(basename "$big").*chunk 2 .*does not match its checksum" fmfs.log || fail "no log line names the damaged blob: $(cat fmfs.log)"
grep -q "$(basename "$short").*size 20000, the catalog says 50000" fmfs.log || fail "no log line for the truncated blob"
grep -q "$(basename "$gone").*cannot open the blob" fmfs.log || fail "no log line for the missing blob"

expect_fail "damaged blob" fmctl verify
[ "$LAST_RC" = 1 ] || fail "verify exit $LAST_RC"
grep -q "$big: damaged blob: chunk 2 .*used by /$org/Usage/2026-06/big.csv" <<<"$LAST_OUT" || fail "verify does not name the damaged blob and path: $LAST_OUT"
grep -q "$short: damaged blob: size 20000, the catalog says 50000; used by /$org/Invoices/Incoming/2026-06/short.pdf" <<<"$LAST_OUT" || fail "verify misses the truncated blob: $LAST_OUT"
grep -q "$gone: missing blob .*used by /$org/Invoices/Incoming/2026-06/gone.pdf" <<<"$LAST_OUT" || fail "verify misses the missing blob: $LAST_OUT"
grep -q "1 missing" <<<"$LAST_OUT" || fail "summary: $LAST_OUT"
# --repair never removes or replaces what a row references
before=$(store_state "$S")
expect_fail "damaged blob" fmctl verify --repair
assert_eq "$(store_state "$S")" "$before" "verify --repair changed a damaged store"
# re-ingesting the true bytes heals (same name, same content: no new row)
fmctl ingest --org $org --kind invoice --direction incoming --period 2026-06 src/short.pdf src/gone.pdf >/dev/null
fmctl ingest --org $org --kind usage --period 2026-06 src/big.csv >/dev/null
cmp -s "$short" src/short.pdf || fail "re-ingest did not restore the truncated blob"
cmp -s "$gone" src/gone.pdf || fail "re-ingest did not restore the missing blob"
cmp -s "$big" src/big.csv || fail "re-ingest did not restore the rotten blob"
assert_eq "$(sql "$S" "SELECT count(*) FROM nodes WHERE type='f'")" 4 "healing added rows"
fmctl verify >/dev/null || fail "the healed store does not verify"
fmfs_mount "$S" "$M"
cmp -s "$D/Usage/2026-06/big.csv" src/big.csv || fail "the healed file does not read back"
fmfs_umount "$M"

# ---- the catalog itself -----------------------------------------------------
cp -a "$S" good
check() { # what-to-say store
	local want=$1 s=$2
	expect_fail "$want" "$BIN/fmctl" -s "$s" ls /
	[ "$LAST_RC" = 1 ] || fail "fmctl exit $LAST_RC"
	[ "$(wc -l <<<"$LAST_OUT")" = 1 ] || fail "not one line: $LAST_OUT"
	mkdir -p m2
	expect_fail "$want" "$BIN/fmfs" "$s" m2 -f
	mountpoint -q m2 && fail "fmfs mounted a damaged catalog"
	return 0
}
cp -a good notsql && echo "this is not a database" >notsql/catalog.db
check "not an fmfs catalog" notsql
cp -a good empty && : >empty/catalog.db
check "not an fmfs catalog" empty
cp -a good trunc && truncate -s $(($(stat -c %s good/catalog.db) / 2)) trunc/catalog.db
check "damaged catalog: truncated" trunc
# a damaged page in the middle: the cheap open checks cannot see it (they
# are O(1) so that fmfs mounts 1M files in milliseconds); fmctl verify runs
# quick_check, says so and changes nothing
cp -a good rot
# a page of the nodes table (not the schema, which the open reads)
page=$(sqlite3 rot/catalog.db "SELECT max(pageno) FROM dbstat WHERE name='nodes'")
dd if=/dev/urandom of=rot/catalog.db bs=4096 seek=$((page - 1)) count=1 conv=notrunc status=none
sum=$(sha256sum rot/catalog.db)
expect_fail "catalog.db is damaged: restore it from a backup" "$BIN/fmctl" -s rot verify --repair
grep -q "quick_check" <<<"$LAST_OUT" || fail "verify does not say quick_check: $LAST_OUT"
assert_eq "$(sha256sum rot/catalog.db)" "$sum" "verify --repair touched a damaged catalog"
# the intact copy still verifies
"$BIN/fmctl" -s good verify >/dev/null || fail "the intact copy does not verify"
