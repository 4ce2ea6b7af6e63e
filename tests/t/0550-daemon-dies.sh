# 0550-daemon-dies: SIGKILL fmfs while readers are busy. Every reader gets
# an error ("Transport endpoint is not connected"), none hangs; starting
# fmfs again on the same mount point detaches the stale mount and serves
# again (what fmfs@.service's Restart=on-failure does).
source "$FMFS_TOP/tests/lib.sh"
source "$FMFS_TOP/tests/lib-safety.sh"

S=$T/store M=$T/mnt org=dies.example
fmctl init "$S" >/dev/null
export FMFS_STORE=$S
mkdir src
for i in 1 2 3 4; do random_file src/f$i.csv $((3 * 1048576 + i)); done
fmctl ingest --org $org --kind usage --period 2026-08 src/f*.csv >/dev/null
fmfs_mount "$S" "$M"
pid=${_pids[-1]}
D=$M/$org/Usage/2026-08

# 8 readers: cat files, list folders, stat, in a loop until something fails
reader() {
	local i=$1 n=0
	while :; do
		n=$((n + 1))
		case $((n % 3)) in
		0) cat "$D/f$((n % 4 + 1)).csv" >/dev/null ;;
		1) ls -l "$D" >/dev/null ;;
		2) stat "$D/f$((i % 4 + 1)).csv" >/dev/null ;;
		esac || { echo "reader $i: failed after $n operations"; return 0; }
	done
}
readers=()
for i in $(seq 8); do timeout 20 bash -c "$(declare -f reader); D='$D'; reader $i" >reader.$i.out 2>&1 & readers+=($!); done
sleep 1
# fmfs started as root leaves unmounting to fusermount3 (auto_unmount: it
# gives up root once mounted); kill that helper first, so the mount stays
# behind as after a crash of a mount without one
for h in $(ps -o pid= --ppid "$pid"); do kill -9 "$h"; done
kill -9 "$pid"
t0=$SECONDS
hung=0
for r in "${readers[@]}"; do wait "$r" || hung=$((hung + 1)); done
[ $hung = 0 ] || fail "$hung reader(s) hung (killed by timeout) after the daemon died"
note "every reader returned within $((SECONDS - t0)) s after the kill"
for i in $(seq 8); do
	grep -q "failed after" reader.$i.out || fail "reader $i did not see an error: $(cat reader.$i.out)"
	grep -q "Transport endpoint is not connected\|Software caused connection abort" reader.$i.out \
		|| fail "reader $i: unexpected error: $(cat reader.$i.out)"
done
expect_fail "Transport endpoint is not connected" stat "$M"

# restart on the stale mount point: it is detached, the new mount serves
"$BIN/fmfs" "$S" "$M" -f 2>restart.log &
_pids+=($!)
ok=0
for _ in $(seq 100); do
	if cmp -s "$D/f1.csv" src/f1.csv 2>/dev/null; then ok=1; break; fi
	sleep 0.05
done
[ $ok = 1 ] || fail "fmfs did not serve again after a restart: $(cat restart.log)"
grep -q "stale mount of a dead fmfs: unmounting it" restart.log || fail "no log line about the stale mount: $(cat restart.log)"
for i in 2 3 4; do cmp -s "$D/f$i.csv" src/f$i.csv || fail "f$i.csv does not read back after the restart"; done
assert_eq "$(grep -c " $(realpath "$M") fuse.fmfs " /proc/mounts)" 1 "mounts at $M"
fmfs_umount "$M"

if [ "$(cat /proc/1/comm 2>/dev/null)" = systemd ]; then
	note "systemd is PID 1: fmfs@.service restart is covered by 0150 (Restart=on-failure)"
else
	note "fmfs@.service not started: systemd is not PID 1 here; its Restart=on-failure and ExecStartPre=fusermount3 -uz are checked by 0150, and the restart itself is the fmfs run above"
fi
