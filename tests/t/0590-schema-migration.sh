# 0590-schema-migration: a version-1 catalog (no chunk checksums) moves
# forward to the current version (2: chunk sums, 3: chunk SHA-256 and
# remote_state, 4: the usage record index, filled by fmctl usage on first
# use). fmfs refuses to serve it until migrated (it opens
# read-only), saying how; blobs stored under version 1 are still checked
# (whole SHA-256 at open) until fmctl verify --repair records their sums.
source "$FMFS_TOP/tests/lib.sh"
source "$FMFS_TOP/tests/lib-safety.sh"

S=$T/store M=$T/mnt org=old.example
mkdir -p "$M"
fmctl init "$S" >/dev/null
export FMFS_STORE=$S
mkdir src
random_file src/a.pdf 100000
random_file src/b.csv $((2 * 1048576 + 5))
fmctl ingest --org $org --kind usage --period 2025-12 src/a.pdf src/b.csv >/dev/null
# make it what version 1 wrote: the same tables, none of the later ones
V=$(sql "$S" 'PRAGMA user_version')
sqlite3 "$S/catalog.db" "DROP TABLE chunks; DROP TABLE chunk_sha256; DROP TABLE remote_state;
	DROP TABLE usage_records; DROP TABLE usage_legs; DROP TABLE usage_files; PRAGMA user_version=1;"
assert_eq "$(sql "$S" 'PRAGMA user_version')" 1

expect_fail "schema version 1 is older than $V: run 'fmctl verify --repair' once to migrate it" \
	"$BIN/fmfs" "$S" "$M" -f
expect_fail "older than $V" fmctl ls /
# a writing command migrates; the old blobs have no sums yet
random_file src/c.pdf 3000
fmctl ingest --org $org --kind usage --period 2025-12 src/c.pdf >/dev/null
assert_eq "$(sql "$S" 'PRAGMA user_version')" "$V" "not migrated"
assert_eq "$(sql "$S" 'SELECT count(*) FROM chunk_sha256')" 0 "chunk SHA-256 table (v3)"
assert_eq "$(sql "$S" 'SELECT count(*) FROM usage_records')" 0 "the record index (v4) starts empty"
assert_eq "$(sql "$S" 'SELECT count(*) FROM chunks')" 1 "only the new blob has sums"
check_catalog "$S"
fmctl ls /$org/Usage/2025-12 | grep -q b.csv || fail "rows lost in the migration"

# served, checked whole at open; a damaged old blob is refused
a=$(sha256sum src/a.pdf | cut -c1-64)
fmfs_mount "$S" "$M" 2>fmfs.log
cmp -s "$M/$org/Usage/2025-12/b.csv" src/b.csv || fail "old blob does not read back"
fmfs_umount "$M"
printf 'Z' | dd of="$S/objects/${a:0:2}/${a:2}" bs=1 seek=99 conv=notrunc status=none
fmfs_mount "$S" "$M" 2>>fmfs.log
expect_fail "Input/output error" cat "$M/$org/Usage/2025-12/a.pdf"
fmfs_umount "$M"
grep -q "${a:2}.*does not match its SHA-256" fmfs.log || fail "no log line for the old damaged blob"

# verify --repair records the sums of the good old blobs, not the bad one
expect_fail "damaged blob" fmctl verify --repair
grep -q "repaired sums: .*${a:2}" <<<"$LAST_OUT" && fail "sums recorded for a damaged blob"
assert_eq "$(sql "$S" 'SELECT count(*) FROM chunks')" 2 "sums of the good old blob"
fmctl ingest --org $org --kind usage --period 2025-12 src/a.pdf >/dev/null # heals it
assert_eq "$(sql "$S" 'SELECT count(*) FROM chunks')" 3 "the healed blob has its sums"
fmctl verify >/dev/null || fail "the migrated store does not verify"
# running fmctl again does not migrate again
sum=$(sql "$S" 'SELECT count(*) FROM nodes')
fmctl verify --repair >/dev/null
assert_eq "$(sql "$S" 'SELECT count(*) FROM nodes')" "$sum"
