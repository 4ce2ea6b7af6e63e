# 0605-damaged-reingest: ingest never trusts a blob it did not just verify.
# A stored blob damaged in place (right size, wrong bytes): ingesting the
# same content under a new name puts the good bytes back (old fmctl pointed
# the new row at the damaged blob and discarded the good copy). fmctl cat
# and the tools reading archived files (usage supplements) refuse rotten
# bytes instead of passing them on.
source "$FMFS_TOP/tests/lib.sh"
source "$FMFS_TOP/tests/lib-safety.sh"

S=$T/store org=rot.example
fmctl init "$S" >/dev/null
export FMFS_STORE=$S
mkdir src
random_file src/a.pdf 5000
fmctl ingest --org $org --kind invoice --direction incoming --period 2026-01 src/a.pdf >/dev/null
sha=$(sha256sum <src/a.pdf | cut -c1-64)
blob=$S/objects/${sha:0:2}/${sha:2}
chmod u+w "$blob"
printf 'X' | dd of="$blob" bs=1 seek=100 conv=notrunc status=none
chmod 0444 "$blob"
cmp -s "$blob" src/a.pdf && fail "the blob did not change"

# fmctl cat refuses the rotten bytes
expect_fail "damaged" fmctl cat /$org/Invoices/Incoming/2026-01/a.pdf
# the same content under a new name: the good copy replaces the damaged blob
cp src/a.pdf src/a-again.pdf
fmctl ingest --org $org --kind invoice --direction incoming --period 2026-01 src/a-again.pdf >/dev/null
cmp -s "$blob" src/a.pdf || fail "the damaged blob was kept: the new row points at rotten bytes"
check_rows "$S"
fmctl cat /$org/Invoices/Incoming/2026-01/a.pdf | cmp -s - src/a.pdf || fail "cat after the heal"
fmctl verify >/dev/null || fail "verify after the heal"

# usage: an archived usage file (here one ingested by hand) is read back to
# index its records; rotten bytes are refused, not indexed
source "$FMFS_TOP/tests/usage-lib.sh"
export FMFS_NOW=2026-12-15T00:00:00Z
O=acme.example
export_csv hand.csv "$CALL_HDR" "$(call a 2026-10-03T00:00:00Z 60)"
fmctl ingest --org $O --kind usage --period 2026-10 hand.csv >/dev/null
f=$(sql "$S" "SELECT sha256 FROM nodes WHERE name='hand.csv'")
b=$S/objects/${f:0:2}/${f:2}
chmod u+w "$b"; printf 'Z' | dd of="$b" bs=1 seek=3 conv=notrunc status=none; chmod 0444 "$b"
export_csv x2.csv "$CALL_HDR" "$(call b 2026-10-01T00:00:00Z 60)"
expect_fail "damaged" fmctl usage --org $O x2.csv
echo "damaged blobs are never trusted"
