# 0608-shared-mount-leaks: a shared mount (-o allow_other,gid=G) tells a
# user outside G nothing, whatever members did before: no stat of a path a
# member looked up (old fmfs: the kernel answered from its cache, size, date
# and inode), no listing, no statfs totals. An org's mount shows that org's
# totals in df, not the whole archive's. access(X_OK) answers as the modes
# say: no file is executable (old fmfs: yes for every 0444 file).
source "$FMFS_TOP/tests/lib.sh"
source "$FMFS_TOP/tests/lib-safety.sh"
command -v setpriv >/dev/null || skip "setpriv is not installed"
[ "$(id -u)" = 0 ] || skip "needs root to act as other users"

U=65534 G=4242
chmod 0755 "$T"
S=$T/store M=$T/mnt
fmctl init "$S" >/dev/null
export FMFS_STORE=$S
mkdir src
random_file src/mine.pdf 3000
for i in 1 2 3; do random_file src/theirs$i.pdf 4000; done
fmctl ingest --org a.example --kind invoice --direction incoming --period 2026-10 src/mine.pdf >/dev/null
fmctl ingest --org b.example --kind invoice --direction incoming --period 2026-10 src/theirs*.pdf >/dev/null
fmfs_mount "$S" "$M" -o org=a.example,allow_other,gid=$G
F=$M/Invoices/Incoming/2026-10/mine.pdf
member=(setpriv --reuid=$U --regid=$U --groups=$G --)
outsider=(setpriv --reuid=$U --regid=$U --clear-groups --)

# a member looks everything up: the kernel caches entries and attributes
"${member[@]}" stat "$F" >/dev/null || fail "a member cannot stat"
"${member[@]}" ls -lR "$M" >/dev/null || fail "a member cannot list"
"${member[@]}" cmp -s "$F" src/mine.pdf || fail "a member cannot read"
# the outsider learns nothing of it
expect_fail "Permission denied" "${outsider[@]}" stat "$F"
expect_fail "Permission denied" "${outsider[@]}" stat "$M/Invoices"
expect_fail "Permission denied" "${outsider[@]}" ls "$M"
expect_fail "Permission denied" "${outsider[@]}" cat "$F"
expect_fail "Permission denied" "${outsider[@]}" stat -f "$M"
expect_fail "Permission denied" "${outsider[@]}" python3 -c "import os, sys; os.stat(sys.argv[1])" "$F"

# df on the org's mount: the org's totals (its folders and its one file)
want=$(sql "$S" "SELECT count(*) FROM nodes WHERE org=(SELECT id FROM nodes WHERE name='a.example' AND parent=1) OR (name='a.example' AND parent=1)")
all=$(sql "$S" "SELECT nodes FROM stats")
got=$("${member[@]}" stat -f -c %c "$M")
assert_eq "$got" "$want" "statfs files of a.example's mount (the archive has $all)"
blocks=$("${member[@]}" stat -f -c %b "$M")
[ "$blocks" -le 3 ] || fail "statfs blocks of a.example's mount: $blocks (its one file is 3000 bytes)"

# X_OK as the modes say, on a shared and on an owner-only mount
"${member[@]}" test -x "$F" && fail "test -x: a file of a shared mount is executable"
"${member[@]}" test -x "$M/Invoices" || fail "test -x: a folder is not searchable"
fmfs_mount "$S" "$T/own"
test -x "$T/own/a.example/Invoices/Incoming/2026-10/mine.pdf" && fail "test -x: an owner-only mount's file is executable"
[ -z "$(find "$T/own" -type f -executable)" ] || fail "find -executable lists files: $(find "$T/own" -type f -executable | head -3)"
test -x "$T/own/a.example/Invoices" || fail "test -x: a folder of an owner-only mount is not searchable"
echo "a shared mount leaks nothing to outsiders"
