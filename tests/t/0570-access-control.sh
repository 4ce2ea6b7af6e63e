# 0570-access-control: with -o allow_other,gid=G a local user who is neither
# the mount's owner nor in G gets EACCES listing and reading; a member of G
# (primary or supplementary) reads; root reads. An org's mount never reaches
# another org's files: not by path, '..', xattr or inode number (NFS-style
# handles, which fmfs serves for its own org's inodes). The store itself is closed to others, and fmctl verify checks.
source "$FMFS_TOP/tests/lib.sh"
source "$FMFS_TOP/tests/lib-safety.sh"
command -v setpriv >/dev/null || skip "setpriv is not installed"
[ "$(id -u)" = 0 ] || skip "needs root to act as other users"

U=65534 G=4242 OTHER=4343   # nobody; the partner's group; some other group
chmod 0755 "$T"             # let the other users reach the mount point
S=$T/store M=$T/mnt
fmctl init "$S" >/dev/null
export FMFS_STORE=$S
mkdir src
random_file src/mine.pdf 3000
random_file src/theirs.pdf 4000
fmctl ingest --org a.example --kind invoice --direction incoming --period 2026-10 src/mine.pdf >/dev/null
fmctl ingest --org b.example --kind invoice --direction incoming --period 2026-10 src/theirs.pdf >/dev/null
fmfs_mount "$S" "$M" -o org=a.example,allow_other,gid=$G
F=$M/Invoices/Incoming/2026-10/mine.pdf
as() { local g=$1; shift; setpriv --reuid=$U --regid="$g" "$@"; }

# a stranger: neither owner (root) nor in G
expect_fail "Permission denied" as $U --clear-groups ls "$M"
expect_fail "Permission denied" as $U --clear-groups ls "$M/Invoices"
expect_fail "Permission denied" as $U --clear-groups cat "$F"
expect_fail "Permission denied" as $U --groups=$OTHER cat "$F"
expect_fail "Permission denied" as $U --clear-groups getfattr -n user.fmfs.sha256 "$F"
# a member of G: by primary group and by supplementary group
as $G --clear-groups cmp -s "$F" src/mine.pdf || fail "a member of gid $G (primary) cannot read"
as $U --groups=$OTHER,$G cmp -s "$F" src/mine.pdf || fail "a member of gid $G (supplementary) cannot read"
as $G --clear-groups ls "$M/Invoices/Incoming/2026-10" | grep -q mine.pdf || fail "a member cannot list"
# root
cmp -s "$F" src/mine.pdf || fail "root cannot read"
# members may read, never write (a shared mount: the kernel answers from
# the modes, default_permissions)
expect_fail "Permission denied" as $G --clear-groups touch "$M/Invoices/Incoming/2026-10/new.pdf"

# isolation: the other org is unreachable
ls -a "$M" | grep -q b.example && fail "b.example is listed in a.example's mount"
expect_fail "No such file or directory" stat "$M/b.example"
expect_fail "No such file or directory" stat "$M/../mnt/b.example"
assert_eq "$(stat -c %i "$M/Invoices/..")" "$(stat -c %i "$M")" ".. of a top folder"
[ "$(cd "$M/.." && pwd)" = "$T" ] || fail "'..' of the mount root is not the folder that holds it"
! grep -rq "theirs" <(find "$M" -print) || fail "a path leads to b.example's file"
assert_eq "$(getfattr --absolute-names --only-values -n user.fmfs.org "$F")" a.example
theirs=$(sql "$S" "SELECT id FROM nodes WHERE name='theirs.pdf'")
their_dir=$(sql "$S" "SELECT id FROM nodes WHERE name='b.example'")
their_sub=$(sql "$S" "SELECT max(id) FROM nodes WHERE type='d' AND org=$their_dir")
random_file src/unseen.pdf 5000   # in our org, never looked up through the mount
fmctl ingest --org a.example --kind invoice --direction outgoing --period 2026-10 src/unseen.pdf >/dev/null
unseen=$(sql "$S" "SELECT id FROM nodes WHERE name='unseen.pdf'")
h=$(python3 "$FMFS_TOP/tests/helpers/handle.py" "$F" 2>&1) && rc=0 || rc=$?
if [ $rc = 2 ]; then
	note "the kernel gives no file handles for this FUSE mount ($h): inode-number access is impossible here"
else
	assert_eq "$h" "$(sha256sum <src/mine.pdf | cut -c1-64)" "open by handle of our own file"
	# an inode the kernel does not cache: the handle reaches fmfs (lookup
	# of "."), which serves our own org's file...
	got=$(python3 "$FMFS_TOP/tests/helpers/handle.py" "$F" "$unseen")
	assert_eq "$got" "$(sha256sum <src/unseen.pdf | cut -c1-64)" "open by handle of our uncached file"
	# ...and refuses every inode outside it
	for ino in "$theirs" "$their_dir" "$their_sub" 0 99999; do
		got=$(python3 "$FMFS_TOP/tests/helpers/handle.py" "$F" "$ino")
		[[ $got == errno* ]] || fail "a handle naming inode $ino opened something: $got"
		note "handle for inode $ino: $got"
	done
fi

# the store: partners cannot read it, and fmctl verify checks the modes
expect_fail "Permission denied" as $G --clear-groups cat "$S/catalog.db"
expect_fail "Permission denied" as $G --clear-groups ls "$S/objects"
fmctl verify >/dev/null || fail "a fresh store fails verify"
chmod o+rx "$S" "$S/objects"
chmod o+r "$S/catalog.db"
expect_fail "lets others in" fmctl verify
assert_eq "$LAST_RC" 1
grep -q "$S/catalog.db: mode 0644" <<<"$LAST_OUT" || fail "verify misses catalog.db's mode: $LAST_OUT"
fmctl verify --repair >/dev/null
fmctl verify >/dev/null || fail "verify --repair did not fix the modes"
assert_eq "$(stat -c %a "$S" "$S/objects" "$S/catalog.db" | tr '\n' ' ')" "750 750 640 "
