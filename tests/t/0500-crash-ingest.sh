# 0500-crash-ingest: SIGKILL fmctl ingest at random moments (single files and
# manifests, small and big) while the store is mounted. After each kill the
# catalog passes integrity_check, every row's blob exists and hashes to its
# name, the mount shows each file whole or not at all, and re-running the
# same ingest completes. fmctl verify --repair then removes every leftover.
source "$FMFS_TOP/tests/lib.sh"
source "$FMFS_TOP/tests/lib-safety.sh"

kills=$(by_mode 20 200)
big=$(by_mode $((4 << 20)) $((100 << 20)))
S=$T/store M=$T/mnt
fmctl init "$S" >/dev/null
export FMFS_STORE=$S
org=crash.example
mkdir src
random_file src/seed.pdf 1000
fmctl ingest --org $org --kind invoice --direction incoming --period 2026-01 src/seed.pdf >/dev/null
fmfs_mount "$S" "$M"

# one scenario: prints how long its ingest takes at most (µs) and the
# ingest command's arguments; files in src/$i/
scenario() {
	local i=$1 kind=$((RANDOM % 4)) d=src/$i
	mkdir -p "$d"
	case $kind in
	0) random_file "$d/small-$i.pdf" $((RANDOM % 20000 + 1))
	   echo "$short --org $org --kind invoice --direction incoming --period 2026-02 $d/small-$i.pdf" ;;
	1) random_file "$d/big-$i.csv" "$big"
	   echo "$long --org $org --kind usage --period 2026-03 $d/big-$i.csv" ;;
	*) for j in 1 2 3 4 5; do
		random_file "$d/m$j-$i.pdf" $((RANDOM % 50000 + 1))
		printf '%s\t%s\tsoa\toutgoing\t2026-04\t-\t-\n' "m$j-$i.pdf" $org
	   done >"$d/list.tsv"
	   if [ $kind = 3 ]; then
		random_file "$d/mbig-$i.pdf" "$big"
		printf '%s\t%s\tsoa\toutgoing\t2026-04\t-\t-\n' "mbig-$i.pdf" $org >>"$d/list.tsv"
	   fi
	   echo "$([ $kind = 3 ] && echo "$long" || echo "$short") --manifest $d/list.tsv" ;;
	esac
}

# Where each source file of iteration i lands in the mount.
targets() {
	local i=$1 f
	for f in src/$i/*; do
		case $(basename "$f") in
		small-*) echo "$f $M/$org/Invoices/Incoming/2026-02/$(basename "$f")" ;;
		big-*) echo "$f $M/$org/Usage/2026-03/$(basename "$f")" ;;
		m*.pdf) echo "$f $M/$org/SOA/Outgoing/2026-04/$(basename "$f")" ;;
		esac
	done
}

# The mount shows a file whole or not at all, exactly when the catalog has it.
check_mount() {
	local i=$1 src dst rel n
	while read -r src dst; do
		rel=${dst#"$M"/}
		n=$(sql "$S" "SELECT count(*) FROM nodes f JOIN nodes p ON f.parent = p.id WHERE f.name = '$(basename "$rel")' AND p.name = '$(basename "$(dirname "$rel")")'")
		if [ "$n" = 1 ]; then
			wait_for "$dst"
			cmp -s "$src" "$dst" || fail "iteration $i: $rel is visible but differs from its source"
		fi
	done < <(targets "$i")
}

# kill within the time an ingest takes (measured here: startup + copy)
t0=$(date +%s%N)
fmctl ingest --org $org --kind usage --period 2026-01 src/seed.pdf >/dev/null
short=$((($(date +%s%N) - t0) / 1000))
random_file src/probe.csv "$big"
t0=$(date +%s%N)
fmctl ingest --org $org --kind usage --period 2026-01 src/probe.csv >/dev/null
long=$((($(date +%s%N) - t0) / 1000))
note "kill window: ${short} µs (small), ${long} µs (big)"

killed=0 finished=0 last=0 i=0
while [ $killed -lt "$kills" ] && [ $i -lt $((kills * 3)) ]; do
	i=$((i + 1))
	read -r window args < <(scenario "$i")
	# shellcheck disable=SC2086
	"$BIN/fmctl" ingest $args >/dev/null 2>&1 &
	pid=$!
	us=$(((RANDOM * 32768 + RANDOM) % window))
	sleep "$((us / 1000000)).$(printf '%06d' $((us % 1000000)))"
	if kill -9 $pid 2>/dev/null; then killed=$((killed + 1)); else finished=$((finished + 1)); fi
	wait $pid 2>/dev/null || true
	check_catalog "$S"
	check_rows "$S" "$last"
	check_mount "$i"
	# re-running the same ingest completes
	# shellcheck disable=SC2086
	out=$(fmctl ingest $args 2>&1) || fail "iteration $i: re-running 'fmctl ingest $args' failed: $out"
	check_mount "$i"
	last=$(sql "$S" "SELECT max(id) FROM nodes")
	if [ $((i % 10)) = 0 ]; then
		fmctl verify >verify.out 2>&1 || { cat verify.out; fail "fmctl verify failed after iteration $i"; }
	fi
done
check_rows "$S" 0
note "rows checked: $CHECKED_ROWS"
before=$(leftovers "$S")
fmctl verify --repair >repair.out 2>&1 || { cat repair.out; fail "fmctl verify --repair failed"; }
after=$(leftovers "$S")
[ "$after" = 0 ] || fail "$after leftovers after verify --repair"
fmctl verify >verify.out 2>&1 || { cat verify.out; fail "fmctl verify failed after repair"; }
grep -q ' 0 orphan(s), 0 temp file(s)' verify.out || fail "verify still reports leftovers: $(cat verify.out)"
check_rows "$S" 0
# every archived file still reads back through the mount
while read -r path sha; do
	got=$(sha256sum "$M/$path" | cut -c1-64)
	[ "$got" = "$sha" ] || fail "$path reads back as $got"
done < <(find "$M" -type f -printf '%P\n' | while read -r p; do echo "$p $(getfattr --absolute-names --only-values -n user.fmfs.sha256 "$M/$p")"; done)
note "kills: $killed killed mid-ingest, $finished finished before the kill; $before leftover(s) removed by verify --repair"
[ $killed -ge "$kills" ] || fail "only $killed kills landed mid-ingest in $i attempts"
