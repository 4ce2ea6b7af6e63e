# 0610-privilege-drop: fmfs started as root holds root only to mount. Then it
# runs as the store's owner (or -o user=), with no supplementary group, no
# capability, an empty bounding set, no_new_privs and a seccomp filter; it
# still reads the store, and SIGTERM still unmounts. Old fmfs kept every
# capability for its whole life.
source "$FMFS_TOP/tests/lib.sh"
source "$FMFS_TOP/tests/lib-safety.sh"
[ "$(id -u)" = 0 ] || skip "needs root"

S=$T/store M=$T/mnt org=drop.example
fmctl init "$S" >/dev/null
export FMFS_STORE=$S
mkdir src
random_file src/a.pdf 5000
fmctl ingest --org $org --kind invoice --direction incoming --period 2026-01 src/a.pdf >/dev/null
chown -R 65534:65534 "$S"
chmod 0755 "$T"

status() { awk -v k="$2:" '$1 == k { $1 = ""; sub(/^ /, ""); print }' "/proc/$1/status"; }
check_dropped() { # PID UID
	assert_eq "$(status "$1" Uid)" "$2 $2 $2 $2" "uids of the daemon"
	assert_eq "$(status "$1" Groups)" "" "supplementary groups of the daemon"
	assert_eq "$(status "$1" CapEff)" 0000000000000000 "effective capabilities"
	assert_eq "$(status "$1" CapPrm)" 0000000000000000 "permitted capabilities"
	assert_eq "$(status "$1" CapBnd)" 0000000000000000 "bounding set"
	assert_eq "$(status "$1" NoNewPrivs)" 1 "no_new_privs"
	assert_eq "$(status "$1" Seccomp)" 2 "seccomp mode"
}

fmfs_mount "$S" "$M"
pid=${_pids[-1]}
cmp -s "$M/$org/Invoices/Incoming/2026-01/a.pdf" src/a.pdf || fail "the dropped daemon cannot read the store"
check_dropped "$pid" 65534
getfattr -n user.fmfs.sha256 "$M/$org/Invoices/Incoming/2026-01/a.pdf" >/dev/null || fail "xattr after the drop"
kill -TERM "$pid"
for _ in $(seq 100); do grep -q " $(realpath "$M") fuse.fmfs " /proc/mounts || break; sleep 0.05; done
grep -q " $(realpath "$M") fuse.fmfs " /proc/mounts && fail "SIGTERM did not unmount"

# -o user=: another account (it must be able to read the store)
chown -R 65533:65533 "$S" 2>/dev/null || skip "no uid 65533"
fmfs_mount "$S" "$M" -o user=65533
pid=${_pids[-1]}
cmp -s "$M/$org/Invoices/Incoming/2026-01/a.pdf" src/a.pdf || fail "-o user=65533 cannot read the store"
check_dropped "$pid" 65533
mkdir -p "$T/mnt2"
expect_fail "no such user" "$BIN/fmfs" "$S" "$T/mnt2" -f -o user=no-such-user-here
echo "fmfs holds root only to mount"
