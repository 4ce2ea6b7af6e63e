# 0609-fd-limit: fmfs raises its soft open-files limit to the hard one, and
# when descriptors run out anyway a reader gets "Too many open files"
# (EMFILE), never EIO, and the daemon logs what ran out; it serves again as
# soon as files are closed. Old fmfs kept the soft limit and answered EIO.
source "$FMFS_TOP/tests/lib.sh"
source "$FMFS_TOP/tests/lib-safety.sh"
command -v prlimit >/dev/null || skip "prlimit is not installed"

S=$T/store M=$T/mnt org=fds.example
fmctl init "$S" >/dev/null
export FMFS_STORE=$S
mkdir src
for i in $(seq 300); do echo "document $i" >src/f$i.pdf; done
fmctl ingest --org $org --kind invoice --direction incoming --period 2026-10 src/f*.pdf >/dev/null
mkdir -p "$M"
prlimit --nofile=64:200 "$BIN/fmfs" "$S" "$M" -f 2>fmfs.log &
pid=$!
_pids+=("$pid") _mounts+=("$M")
for _ in $(seq 100); do grep -q " $(realpath "$M") fuse.fmfs " /proc/mounts && break; sleep 0.05; done
grep -q " $(realpath "$M") fuse.fmfs " /proc/mounts || fail "fmfs did not mount: $(cat fmfs.log)"
lim=$(awk '/Max open files/ { print $4 "/" $5 }' /proc/$pid/limits)
assert_eq "$lim" "200/200" "fmfs's open-files limit (soft/hard)"

# hold 300 files open at once through the mount
python3 - "$M/$org/Invoices/Incoming/2026-10" >held.out 2>&1 <<'PY' || true
import errno, os, sys
d = sys.argv[1]
held, errors = [], {}
for i in range(1, 301):
    try:
        held.append(os.open(os.path.join(d, "f%d.pdf" % i), os.O_RDONLY))
    except OSError as e:
        errors[errno.errorcode[e.errno]] = errors.get(errno.errorcode[e.errno], 0) + 1
print("held", len(held), "errors", errors)
for fd in held:
    os.close(fd)
# closed: every file opens and reads again
for i in range(1, 301):
    with open(os.path.join(d, "f%d.pdf" % i)) as f:
        assert f.read() == "document %d\n" % i
print("all read back")
PY
note "$(cat held.out)"
grep -q "EIO" held.out && fail "a reader got EIO when descriptors ran out: $(cat held.out)"
grep -q "EMFILE\|ENFILE" held.out || skip "300 open files did not exhaust 200 descriptors here: $(cat held.out)"
grep -q "all read back" held.out || fail "files do not read back after closing: $(cat held.out)"
grep -q "out of file descriptors" fmfs.log || fail "no log line says what ran out: $(cat fmfs.log)"
kill -0 "$pid" || fail "fmfs died"
echo "running out of descriptors is EMFILE and a log line"
