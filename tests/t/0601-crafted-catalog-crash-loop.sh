# 0601-crafted-catalog-crash-loop: a crafted catalog gives errors, never a
# crash or a loop. A size of INT64_MAX (old fmfs overflowed in fill_stat), a
# chunk size other than the one constant, and a recursive view standing in
# for the nodes table (old fmfs looped in every lookup, and unmount did not
# stop it) - each with a bounded wait.
source "$FMFS_TOP/tests/lib.sh"
source "$FMFS_TOP/tests/lib-safety.sh"

S=$T/store M=$T/mnt org=crafted.example
fmctl init "$S" >/dev/null
export FMFS_STORE=$S
mkdir src
random_file src/a.pdf 3000
random_file src/b.pdf 3000
fmctl ingest --org $org --kind invoice --direction incoming --period 2026-01 src/a.pdf src/b.pdf >/dev/null
dir=$(sql "$S" "SELECT parent FROM nodes WHERE name='a.pdf'")
orgid=$(sql "$S" "SELECT org FROM nodes WHERE name='a.pdf'")
b=$(sha256sum <src/b.pdf | cut -c1-64)
sqlite3 "$S/catalog.db" "INSERT INTO nodes(parent, org, type, name, size, mtime, ctime, sha256)
	VALUES ($dir, $orgid, 'f', 'huge.pdf', 9223372036854775807, 0, 0, '$(sha256sum <src/a.pdf | cut -c1-64)');
	DROP TRIGGER chunks_no_update; UPDATE chunks SET chunk_size = 1 WHERE sha256 = '$b';"

fmfs_mount "$S" "$M" 2>fmfs.log
pid=${_pids[-1]}
D=$M/$org/Invoices/Incoming/2026-01
expect_fail "Input/output error" timeout 10 stat "$D/huge.pdf"
expect_fail "Input/output error" timeout 10 cat "$D/b.pdf"
timeout 10 cmp -s "$D/a.pdf" src/a.pdf || fail "the good file does not read"
kill -0 "$pid" || fail "fmfs died"
grep -q "out of range" fmfs.log || fail "no log line for the crafted rows: $(cat fmfs.log)"
fmfs_umount "$M"

# a recursive view named nodes: refused at open, by fmfs and by fmctl
sqlite3 "$S/catalog.db" "ALTER TABLE nodes RENAME TO real_nodes;
	CREATE VIEW nodes AS WITH RECURSIVE r AS (SELECT * FROM real_nodes UNION ALL SELECT * FROM r) SELECT * FROM r;"
mkdir -p "$T/mnt2"
expect_fail "view 'nodes' does not belong" timeout 10 "$BIN/fmfs" "$S" "$T/mnt2" -f
expect_fail "view 'nodes' does not belong" timeout 10 "$BIN/fmctl" ls /
echo "crafted catalogs give errors, in bounded time"
