# 0607-temp-folders: the temp folders of killed fmctl runs are found and
# removed by the next run and by verify --repair, never those of a live run
# (each run holds its folder's lock while it lives). Old fmctl left one per
# killed run for ever (3.1 GiB after 8 killed usage runs).
source "$FMFS_TOP/tests/lib.sh"
source "$FMFS_TOP/tests/usage-lib.sh"

S=$T/store O=acme.example
export TMPDIR=$T/tmp FMFS_NOW=2026-12-15T00:00:00Z FMFS_STORE=$S
mkdir -p "$TMPDIR"
fmctl init "$S" >/dev/null
# a big export (fast to make: one row, new ids), so a run lasts a while
row=$(call r0 2026-10-03T00:00:00Z 60)
{ printf '%s\r\n' "$CALL_HDR"; awk -v row="$row" 'BEGIN { sub(/^r0,/, "", row); for (i = 1; i <= 300000; i++) print "r" i "," row }'; } >big.csv

# kill_run: start fmctl usage, SIGKILL it once its own temp folder exists
kill_run() {
	local before pid now
	before=$(ls "$TMPDIR")
	"$BIN/fmctl" usage --org $O big.csv >/dev/null 2>&1 &
	pid=$!
	for _ in $(seq 400); do
		now=$(ls "$TMPDIR")
		[ -n "$(comm -13 <(echo "$before") <(echo "$now"))" ] && break
		sleep 0.01
	done
	kill -9 $pid 2>/dev/null || true
	wait $pid 2>/dev/null || true
}
kill_run
kill_run  # removes the first one's folder as it starts: they never pile up
left=$(find "$TMPDIR" -maxdepth 1 -name 'fmctl-usage.*' | wc -l)
[ "$left" -ge 1 ] || skip "the runs finished before they could be killed"
[ "$left" = 1 ] || fail "the temp folders of killed runs pile up: $left"
note "$left temp folder left by killed runs"

# a live run's folder: a process of ours holding its lock
mkdir "$TMPDIR/fmctl-usage.LIVE123"
touch "$TMPDIR/fmctl-usage.LIVE123/.lock"
python3 -c 'import fcntl, sys, time; f = open(sys.argv[1], "w"); fcntl.flock(f, fcntl.LOCK_EX); time.sleep(30)' "$TMPDIR/fmctl-usage.LIVE123/.lock" &
holder=$!
_pids+=("$holder")
for _ in $(seq 200); do flock -n -x "$TMPDIR/fmctl-usage.LIVE123/.lock" true || break; sleep 0.05; done

# the next run removes the dead ones, says so, and leaves the live one
export_csv small.csv "$CALL_HDR" "$(call s1 2026-11-03T00:00:00Z 60)"
fmctl usage --org $O small.csv >out 2>err || fail "the next run failed: $(cat err)"
grep -q "removed $left temp folder(s) of killed runs" err || fail "the next run does not say what it removed: $(cat err)"
assert_eq "$(find "$TMPDIR" -maxdepth 1 -name 'fmctl-usage.*' | wc -l)" 1 "temp folders after the next run"
[ -d "$TMPDIR/fmctl-usage.LIVE123" ] || fail "a live run's folder was removed"

# verify --repair does the same once the holder is gone
kill $holder; wait $holder 2>/dev/null || true
fmctl verify --repair >/dev/null 2>err || fail "verify --repair: $(cat err)"
assert_eq "$(find "$TMPDIR" -maxdepth 1 -name 'fmctl-*' | wc -l)" 0 "temp folders after verify --repair"
echo "killed runs' temp folders are removed"
