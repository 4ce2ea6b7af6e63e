# 0820-progress.sh - progress of long fmctl runs on stderr: redrawn in place
# when stderr is a terminal (a pty here), nothing when it is not, none with
# --quiet, plain lines with --progress into a pipe; stdout never changes.
# Ingest (a big file, a manifest of many), verify, usage and revenue.
source "$FMFS_TOP/tests/lib.sh"
source "$FMFS_TOP/tests/usage-lib.sh"
S=$T/store
fmctl init "$S" >/dev/null
export FMFS_STORE=$S
truncate -s 128M "$T/big.bin"
for i in $(seq 1 200); do
	printf 'x%s\n' "$i" >"$T/m$i.csv"
	printf 'm%s.csv\tacme.example\treport\t\t2026-10\t\t\n' "$i"
done >"$T/batch.tsv"

# pty OUT ERR ARGS...: run fmctl with stderr on a pseudo terminal (80
# columns), stdout into OUT; what the terminal got into ERR; exit status.
pty() {
	python3 - "$@" <<'PY'
import os, pty, sys, fcntl, termios, struct, subprocess
out, err, args = sys.argv[1], sys.argv[2], sys.argv[3:]
m, s = pty.openpty()
fcntl.ioctl(s, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
with open(out, "wb") as o:
    p = subprocess.Popen([os.environ["BIN"] + "/fmctl"] + args, stdout=o, stderr=s, stdin=subprocess.DEVNULL)
os.close(s)
got = b""
while True:
    try:
        b = os.read(m, 65536)
    except OSError:
        break
    if not b:
        break
    got += b
open(err, "wb").write(got)
sys.exit(p.wait())
PY
}
export BIN

note "ingest of a big file on a terminal: redrawn in place, then cleared"
pty out err ingest --org acme.example --kind report --period 2026-10 "$T/big.bin"
grep -q '^ingested 1 file(s)$' out || fail "stdout: $(cat out)"
grep -aqE $'\rfmctl ingest: copying 0/1 files, [0-9.]+ [KMG]?i?B/128.0 MiB, .*/s' err || fail "no progress on the pty: $(cat -v err)"
# redrawn at least once after the first (empty) line: a rate and an ETA
if [ "$(tr -cd '\r' <err | wc -c)" -ge 3 ]; then
	grep -aq ', ETA [0-9]*:[0-9][0-9]' err || fail "no ETA: $(cat -v err)"
fi
[[ $(tail -c 4 err) == $'\r\e[K' ]] || fail "the line is not cleared at the end: $(tail -c 40 err | cat -v)"
python3 -c "
import sys
for l in open('err','rb').read().split(b'\r'):
    l = l.replace(b'\x1b[K', b'')
    assert len(l) < 80, l
" || fail "a progress line wider than the terminal"

note "a manifest of many files: counted"
pty out err ingest --manifest "$T/batch.tsv"
grep -q '^ingested 200 file(s)$' out || fail "stdout: $(cat out)"
grep -aqE $'\rfmctl ingest: copying [0-9]+/200 files' err || fail "no file count: $(cat -v err)"

note "not a terminal: nothing on stderr; --quiet: nothing on the terminal"
fmctl ingest --org acme.example --kind report --period 2026-10 --name big2.bin "$T/big.bin" >out 2>err
[ -s err ] && fail "stderr not empty without a terminal: $(cat -v err)"
pty out err --quiet ingest --org acme.example --kind report --period 2026-10 --name big3.bin "$T/big.bin"
[ -s err ] && fail "--quiet still shows progress: $(cat -v err)"
grep -q '^ingested 1 file(s)$' out || fail "stdout with --quiet: $(cat out)"

note "verify on a terminal, and --progress into a pipe"
pty out err verify
grep -aq $'\rfmctl verify: reading blobs, .*/.*/s' err || fail "verify: no progress: $(cat -v err)"
grep -q '^verified ' out || fail "verify stdout: $(cat out)"
fmctl --progress verify >out 2>err
grep -qE '^fmctl verify: reading blobs, .* \(done\)$' err || fail "--progress into a pipe: $(cat -v err)"
grep -q $'\r' err && fail "--progress into a pipe draws with CR"

note "usage and revenue report progress too"
export_csv calls.csv "$CALL_HDR" "$(call c1 2026-10-05T10:00:00Z 30)" "$(call c2 2026-10-06T10:00:00Z 0)"
fmctl --progress usage --org acme.example --now 2026-12-01T00:00:00Z calls.csv >out 2>err
grep -qE '^fmctl usage: .* \(done\)$' err || fail "usage --progress: $(cat err)"
python3 "$TOP/tests/revenue_ledger.py" L --org acme.example --period 2026-11 >/dev/null
fmctl -q ingest --org acme.example --kind usage --period 2026-11 L/usage/*.csv >/dev/null
fmctl --progress revenue --org acme.example --period 2026-11 L >out 2>err
grep -qE '^fmctl revenue: .* \(done\)$' err || fail "revenue --progress: $(cat err)"
grep -q 'revenue.zip' out || fail "revenue stdout: $(cat out)"
