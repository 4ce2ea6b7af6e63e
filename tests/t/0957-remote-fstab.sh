# 0957-remote-fstab.sh - the fstab line of a remote share works: mount.fuse3
# (what mount -a runs for type fuse.fmfs) mounts a URL source in the
# background (the daemon forks after its first requests), with the access
# rules of a local mount (allow_other,gid=: members read, strangers get
# EACCES, nobody writes); umount stops it.
source "$FMFS_TOP/tests/lib.sh"
source "$FMFS_TOP/tests/lib-remote.sh"
source "$FMFS_TOP/tests/lib-publish.sh"
command -v setpriv >/dev/null || skip "setpriv is not installed"
[ "$(id -u)" = 0 ] || skip "needs root to act as other users"
[ -x /sbin/mount.fuse3 ] || skip "mount.fuse3 is not installed"

U=65534 G=4242
chmod 0755 "$T"
publish_demo "$T/store" "$T/www"
start_nginx "$T" --tls --auth reader:s3cret
write_netrc "$T/netrc" reader s3cret
mnt=$T/mnt
mkdir "$mnt"
# as /etc/fstab would say it:
#   URL MNT fuse.fmfs pubkey=…,cache=…,cacert=…,credentials=…,allow_other,gid=G,_netdev 0 0
PATH=$BIN:$PATH /sbin/mount.fuse3 "$NGINX_URL/www" "$mnt" -t fmfs \
	-o "pubkey=$T/publish.pub,cache=$T/cache,cacert=$NGINX_CA,credentials=$T/netrc,poll=1,allow_other,gid=$G,_netdev"
_mounts+=("$mnt")
grep -q "^$NGINX_URL/www $mnt fuse.fmfs " /proc/mounts || fail "not in /proc/mounts"
pid=$(pgrep -f "fmfs $NGINX_URL/www $mnt" | head -1)
[ -n "$pid" ] || fail "no daemon"
F=$mnt/Invoices/Incoming/2026-10/INV-3k.pdf
as() { local g=$1; shift; setpriv --reuid=$U --regid="$g" "$@"; }
expect_fail "Permission denied" as $U --clear-groups ls "$mnt"
expect_fail "Permission denied" as $U --clear-groups cat "$F"
as $G --clear-groups cmp -s "$F" "$T/src/INV-3k.pdf" || fail "a member of gid $G cannot read"
as $U --groups=$G cmp -s "$mnt/SOA/Outgoing/2026-10/big.bin" "$T/src/big.bin" || fail "a supplementary member cannot read"
# a shared mount: the kernel answers a member's write from the modes
# (default_permissions), which give others nothing
expect_fail "Permission denied" as $G --clear-groups touch "$mnt/Invoices/new.pdf"
assert_eq "$(stat -c '%a %g' "$mnt")" "550 $G" "root folder mode and group"
umount "$mnt"
for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$pid" 2>/dev/null && fail "the daemon still runs after umount"
true
