# tests/lib-safety.sh - helpers of the safety tests (tests/t/05NN-*.sh),
# sourced after tests/lib.sh: counts that grow under `make stress`
# (FMFS_STRESS=1), and an independent check of a store (sqlite3 +
# sha256sum, not fmctl).

# by_mode SHORT LONG: the count for make test, or for make stress.
by_mode() { if [ "${FMFS_STRESS:-0}" = 1 ]; then echo "$2"; else echo "$1"; fi; }

# random_file PATH BYTES: fresh random content.
random_file() { head -c "$2" /dev/urandom >"$1"; }

sql() { sqlite3 -batch "file:$1/catalog.db?mode=ro" "$2"; }

# check_catalog STORE: PRAGMA integrity_check says ok.
check_catalog() {
	local r
	r=$(sqlite3 -batch "$1/catalog.db" 'PRAGMA integrity_check')
	[ "$r" = ok ] || fail "$1/catalog.db: integrity_check: $r"
}

# check_rows STORE [AFTER_ID]: every file row (id > AFTER_ID) has its blob,
# of the recorded size, hashing to its name, and chunk sums recorded.
check_rows() {
	local s=$1 after=${2:-0} sha size f got n=0
	while IFS='|' read -r sha size; do
		f=$s/objects/${sha:0:2}/${sha:2}
		[ -f "$f" ] || fail "row's blob $sha is missing"
		[ "$(stat -c %s "$f")" = "$size" ] || fail "blob $sha: size differs from the row"
		got=$(sha256sum "$f" | cut -c1-64)
		[ "$got" = "$sha" ] || fail "blob $sha hashes to $got"
		n=$((n + 1))
	done < <(sql "$s" "SELECT sha256, size FROM nodes WHERE type='f' AND id > $after")
	got=$(sql "$s" "SELECT count(*) FROM nodes n WHERE type='f' AND NOT EXISTS (SELECT 1 FROM chunks c WHERE c.sha256 = n.sha256)")
	[ "$got" = 0 ] || fail "$got file rows without chunk sums"
	CHECKED_ROWS=$n
}

# leftovers STORE: how many temp files and orphan blobs objects/ holds.
leftovers() {
	local s=$1 n=0 f sha used
	n=$(find "$s/objects" -name 'tmp-*' | wc -l)
	while read -r f; do
		sha=$(basename "$(dirname "$f")")$(basename "$f")
		used=$(sql "$s" "SELECT count(*) FROM nodes WHERE sha256='$sha'")
		[ "$used" != 0 ] || n=$((n + 1))
	done < <(find "$s/objects" -mindepth 2 -type f ! -name 'tmp-*')
	echo "$n"
}

# wait_for PATH: until it exists (the watcher shows new files within 100 ms).
wait_for() {
	for _ in $(seq 50); do [ -e "$1" ] && return 0; sleep 0.05; done
	fail "$1 did not appear"
}
