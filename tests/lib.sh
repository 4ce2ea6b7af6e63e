# tests/lib.sh - helpers for integration tests: source it first. Each test
# runs in its own temp folder ($TEST_TMP, the cwd); every mount made with
# fmfs_mount is unmounted by the EXIT trap, even when the test fails.
set -eu -o pipefail
BIN=${FMFS_BIN:?run through tests/run.sh}
TOP=${FMFS_TOP:?run through tests/run.sh}
T=${TEST_TMP:-$PWD}
_mounts=() _pids=() _exit_hooks=()

fmctl() { "$BIN/fmctl" "$@"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "$*"; exit 77; }
note() { echo "# $*"; }

_cleanup() {
	local rc=$?
	for m in "${_mounts[@]}"; do
		mountpoint -q "$m" 2>/dev/null && { fusermount3 -u "$m" 2>/dev/null || fusermount3 -uz "$m" 2>/dev/null || umount -l "$m" 2>/dev/null; }
	done
	for p in "${_pids[@]}"; do
		for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	for h in "${_exit_hooks[@]}"; do eval "$h" || true; done
	exit $rc
}
trap _cleanup EXIT

# on_exit 'COMMAND ARGS': run it from the EXIT trap after the mounts are gone
# (servers a test started: tests/lib-remote.sh).
on_exit() { _exit_hooks+=("$1"); }

# fmfs_mount STORE MNT [fmfs options...]: mount in the foreground mode (in
# the background of this shell), wait until the kernel shows the mount.
fmfs_mount() {
	local store=$1 mnt=$2
	shift 2
	mkdir -p "$mnt"
	"$BIN/fmfs" "$store" "$mnt" -f "$@" &
	local pid=$!
	_pids+=("$pid") _mounts+=("$mnt")
	for _ in $(seq 100); do
		grep -q " $(realpath "$mnt") fuse.fmfs " /proc/mounts && return 0
		kill -0 "$pid" 2>/dev/null || fail "fmfs exited before mounting $mnt"
		sleep 0.05
	done
	fail "fmfs did not mount $mnt within 5 s"
}

# fmfs_umount MNT: unmount, and wait until the daemon that mounted MNT has
# exited too (it may hold a cache or a lock a remount needs).
fmfs_umount() {
	local i pid=
	fusermount3 -u "$1"
	for _ in $(seq 100); do
		grep -q " $(realpath "$1") fuse.fmfs " /proc/mounts || break
		sleep 0.05
	done
	grep -q " $(realpath "$1") fuse.fmfs " /proc/mounts && fail "$1 still mounted"
	for i in "${!_mounts[@]}"; do [ "${_mounts[$i]}" = "$1" ] && pid=${_pids[$i]:-}; done
	[ -n "$pid" ] || return 0
	for _ in $(seq 200); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.05; done
	fail "fmfs of $1 did not exit within 10 s of the unmount"
}

# expect_fail "message part" command...: the command must fail, saying that.
expect_fail() {
	local want=$1 out rc=0
	shift
	out=$("$@" 2>&1) || rc=$?
	[ $rc -ne 0 ] || fail "expected failure ($want) from: $* - it succeeded: $out"
	grep -qF -- "$want" <<<"$out" || fail "expected '$want' from: $* - got (exit $rc): $out"
	LAST_RC=$rc
	LAST_OUT=$out
}

assert_eq() { [ "$1" = "$2" ] || fail "${3:-values differ}: '$1' != '$2'"; }

# store_state STORE: a fingerprint of everything an ingest may change
# (the blob files with sizes, folders without their size, which a file
# system may change on its own, the catalog's row counts, stray temp files).
store_state() {
	local s=$1
	(cd "$s" && find . -name 'catalog.db*' -prune -o -type d -printf '%p/ %m\n' -o -printf '%p %s %m\n' | sort)
	sqlite3 "file:$s/catalog.db?mode=ro" \
		"SELECT 'nodes', count(*) FROM nodes; SELECT 'documents', count(*) FROM documents; SELECT 'audit', count(*) FROM audit; SELECT 'maxid', max(id) FROM nodes; SELECT 'chunks', count(*) FROM chunks;"
}

# make_demo STORE: the sample partner archive (tools/demo.sh's data).
make_demo() { "$TOP/tools/demo.sh" --store-only "$BIN" "$1" >/dev/null; }
