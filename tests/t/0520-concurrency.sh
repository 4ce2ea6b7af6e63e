# 0520-concurrency: 4 ingesting processes, 32 readers through the mount and
# fmctl verify --repair in a loop, for a fixed time. No ingest or read fails, every file read matches its
# sha256 xattr, nothing a reader saw disappears or changes, and the daemon's
# memory stays flat (RSS at the end vs after the warm-up).
source "$FMFS_TOP/tests/lib.sh"
source "$FMFS_TOP/tests/lib-safety.sh"
command -v python3 >/dev/null || skip "python3 is not installed"

secs=${FMFS_CONCURRENCY_SECONDS:-$(by_mode 12 120)}
S=$T/store M=$T/mnt
fmctl init "$S" >/dev/null
export FMFS_STORE=$S
mkdir src
for org in a.example b.example; do
	random_file src/seed-$org.pdf 5000
	fmctl ingest --org $org --kind invoice --direction incoming --period 2026-01 src/seed-$org.pdf >/dev/null
done
# the daemon under ASan: keep its quarantine small, so RSS measures us
ASAN_OPTIONS=${ASAN_OPTIONS:-}:quarantine_size_mb=8 fmfs_mount "$S" "$M"
fmfs_pid=${_pids[-1]}
rss() { awk '/^VmRSS/ { print $2 }' "/proc/$fmfs_pid/status"; }

ingester() { # N: ingest until the time is up; every ingest must succeed
	local n=$1 i=0 end=$((SECONDS + secs)) org kind f
	while [ $SECONDS -lt $end ]; do
		i=$((i + 1))
		org=$([ $((RANDOM % 2)) = 0 ] && echo a.example || echo b.example)
		mkdir -p src/$n
		if [ $((i % 5)) = 0 ]; then
			for j in 1 2 3; do
				random_file src/$n/m$n-$i-$j.pdf $((RANDOM * 8 % 300000 + 1))
				printf '%s\t%s\tsoa\toutgoing\t2026-0%d\t-\t-\n' "m$n-$i-$j.pdf" $org $((i % 9 + 1))
			done >src/$n/list$i.tsv
			fmctl ingest --manifest src/$n/list$i.tsv >/dev/null || { echo "ingester $n: manifest $i failed"; return 1; }
		else
			f=src/$n/f$n-$i.csv
			random_file $f $(((RANDOM * 32 + RANDOM) % 2500000 + 1))
			fmctl ingest --org $org --kind usage --period 2026-0$((i % 9 + 1)) $f >/dev/null \
				|| { echo "ingester $n: ingest $i failed"; return 1; }
		fi
	done
	echo "ingester $n: $i ingests"
}

for r in $(seq 32); do
	python3 "$FMFS_TOP/tests/helpers/reader.py" "$M" "$secs" "$r" >reader.$r.out 2>&1 &
	readers+=($!)
done
for n in 1 2 3 4; do ingester $n >ingester.$n.out 2>&1 & ingesters+=($!); done
# and a scrub with --repair all along: it must never take what an ingest
# is writing or a row uses (checked by the readers and check_rows below)
scrubber() {
	local end=$((SECONDS + secs)) n=0
	while [ $SECONDS -lt $end ]; do
		n=$((n + 1))
		fmctl verify --repair >scrub.out 2>&1 || { cat scrub.out; echo "scrub $n failed"; return 1; }
	done
	echo "scrubber: $n runs of verify --repair"
}
scrubber >scrubber.out 2>&1 & ingesters+=($!)
# RSS and thread count sampled all along ("SECONDS RSS THREADS" per line)
start=$SECONDS
while kill -0 "${readers[0]}" 2>/dev/null; do echo "$SECONDS $(rss) $(ls /proc/$fmfs_pid/task | wc -l)"; sleep 1; done >rss.log &
bad=0
for p in "${readers[@]}" "${ingesters[@]}"; do wait "$p" || bad=$((bad + 1)); done
rss1=$(rss)
# the baseline: after the warm-up (every worker thread exists and its caches
# have filled: each thread's SQLite cache is 1 MiB, its verify buffer 128 KiB),
# i.e. the first sample at 2/3 of the run or after the last new thread,
# whichever is later - on a loaded machine the readers start late
rss0=$(awk -v t=$((start + secs * 2 / 3)) '
	$3 > top { top = $3; grew = $1 }
	{ at[NR] = $1; r[NR] = $2 }
	END { if (grew > t) t = grew; for (i = 1; i <= NR; i++) if (at[i] >= t) { print r[i]; exit } print r[NR] }' rss.log)
[ -n "$rss0" ] || fail "no RSS samples in rss.log"
cat ingester.*.out scrubber.out
note "RSS (kB) and threads over time: $(tr '\n' ';' <rss.log)"
reads=0 bytes=0
for r in $(seq 32); do
	read -r _ n _ b _ <reader.$r.out || true
	grep -q '^reads ' reader.$r.out || { cat reader.$r.out; bad=$((bad + 1)); continue; }
	reads=$((reads + n)) bytes=$((bytes + b))
done
[ $bad = 0 ] || fail "$bad reader(s) or ingester(s) failed"
files=$(sql "$S" "SELECT count(*) FROM nodes WHERE type='f'")
note "$((32 * secs)) reader-seconds: $reads whole-file reads, $bytes bytes, all matching; $files files archived"
note "daemon RSS: ${rss0} kB after the warm-up, ${rss1} kB at the end"
# flat: at most 16 MiB (or 25 %) more than after the warm-up
limit=$((rss0 + (rss0 / 4 > 16384 ? rss0 / 4 : 16384)))
[ "$rss1" -le $limit ] || fail "daemon RSS grew from $rss0 kB to $rss1 kB"
check_catalog "$S"
check_rows "$S"
fmctl verify >/dev/null || fail "store does not verify after the run"
