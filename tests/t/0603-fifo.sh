# 0603-fifo: nothing that is not a regular file can hang fmfs or fmctl. A
# blob replaced by a FIFO is EIO at once (old fmfs blocked a worker in
# open(); a dozen such opens stopped the whole mount). A FIFO, a device, a
# folder or a /proc file given to fmctl ingest, to fmctl ingest --manifest
# or to fmctl usage is refused at once with one line (old fmctl waited for
# ever, holding the store's ingest lock). Every wait is bounded.
source "$FMFS_TOP/tests/lib.sh"
source "$FMFS_TOP/tests/lib-safety.sh"

S=$T/store M=$T/mnt org=fifo.example
fmctl init "$S" >/dev/null
export FMFS_STORE=$S
mkdir src
random_file src/a.pdf 3000
random_file src/b.pdf 4000
fmctl ingest --org $org --kind invoice --direction incoming --period 2026-01 src/a.pdf src/b.pdf >/dev/null
a=$(sha256sum <src/a.pdf | cut -c1-64)
rm -f "$S/objects/${a:0:2}/${a:2}"
mkfifo "$S/objects/${a:0:2}/${a:2}"

fmfs_mount "$S" "$M" 2>fmfs.log
D=$M/$org/Invoices/Incoming/2026-01
# more opens than the daemon has workers, all at once
pids=()
for i in $(seq 16); do timeout -s KILL 10 cat "$D/a.pdf" >/dev/null 2>cat.$i.err & pids+=($!); done
for p in "${pids[@]}"; do
	rc=0; wait "$p" || rc=$?
	[ $rc != 124 ] && [ $rc != 137 ] || fail "a read of the FIFO blob hung"
done
grep -q "Input/output error" cat.1.err || fail "the FIFO blob: $(cat cat.1.err)"
timeout 10 cmp -s "$D/b.pdf" src/b.pdf || fail "the mount stopped answering after the FIFO opens"
grep -q "not a regular file" fmfs.log || fail "no log line for the FIFO blob: $(cat fmfs.log)"
expect_fail "not a regular file" timeout 10 "$BIN/fmctl" cat /$org/Invoices/Incoming/2026-01/a.pdf
expect_fail "not a regular file" timeout 10 "$BIN/fmctl" verify
fmfs_umount "$M"

# inputs that are not regular files
mkfifo src/pipe.pdf
ingest() { timeout 10 "$BIN/fmctl" ingest --org $org --kind invoice --direction incoming --period 2026-02 "$@"; }
before=$(store_state "$S")
expect_fail "not a regular file (a FIFO)" ingest src/pipe.pdf
[ "$LAST_RC" = 1 ] || fail "exit $LAST_RC for a FIFO input"
expect_fail "not a regular file (a device)" ingest /dev/zero
expect_fail "not a regular file (a folder)" ingest src
expect_fail "a file of /proc or /sys" ingest /proc/self/environ
ln -s /proc/self/environ src/env.pdf
expect_fail "a file of /proc or /sys" ingest src/env.pdf
printf 'pipe.pdf\t%s\tinvoice\tincoming\t2026-02\t-\t-\n' $org >src/list.tsv
expect_fail "not a regular file (a FIFO)" timeout 10 "$BIN/fmctl" ingest --manifest src/list.tsv
expect_fail "not a regular file (a FIFO)" timeout 10 "$BIN/fmctl" ingest --manifest src/pipe.pdf
expect_fail "not a regular file (a FIFO)" timeout 10 "$BIN/fmctl" usage --org $org src/pipe.pdf
assert_eq "$(store_state "$S")" "$before" "store after refused inputs"
# the lock is free: a normal ingest goes through at once
random_file src/c.pdf 100
timeout 10 "$BIN/fmctl" ingest --org $org --kind invoice --direction incoming --period 2026-02 src/c.pdf >/dev/null \
	|| fail "ingest after the refused inputs failed"
echo "FIFOs hang nothing"
