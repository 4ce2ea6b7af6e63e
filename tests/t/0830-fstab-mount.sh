# 0830-fstab-mount.sh - mount(8) and fstab: `mount -t fuse.fmfs STORE MNT -o
# org=…` and an fstab line (read with mount --fstab FILE, the real
# /etc/fstab untouched) with the options admins add (noauto, _netdev,
# nofail, x-systemd.*, comment=, defaults, allow_other, gid=) mount through
# Debian's /sbin/mount.fuse3 and unmount with umount MNT; ro is refused.
# mount(8) runs the helper with the default PATH, so the test works in a
# private mount namespace where /usr/local/bin holds only this build's fmfs.
source "$FMFS_TOP/tests/lib.sh"
[ "$(id -u)" = 0 ] || skip "needs root (mount(8))"
command -v unshare >/dev/null || skip "no unshare"
[ -x /sbin/mount.fuse3 ] || skip "no /sbin/mount.fuse3 (Debian fuse3)"

store=$T/store mnt=$T/mnt
make_demo "$store"
mkdir -p "$mnt" "$T/bin"
ln -s "$BIN/fmfs" "$T/bin/fmfs"
gid=$(getent group daemon | cut -d: -f3)
printf '# an fstab as an admin writes it\n%s %s fuse.fmfs org=acme.example,allow_other,gid=%s,noauto,_netdev,nofail,x-systemd.automount,x-systemd.idle-timeout=60,comment=archive,defaults 0 0\n' \
	"$store" "$mnt" "$gid" >"$T/fstab"
printf '%s %s fuse.fmfs org=acme.example,ro 0 0\n' "$store" "$mnt" >"$T/fstab-ro"

note "fmfs itself takes the fstab-only options and ignores them (systemd, scripts)"
fmfs_mount "$store" "$mnt" -o org=acme.example,noauto,auto,_netdev,nofail,user,users,nouser,defaults,comment=x,x-systemd.automount,x-systemd.device-timeout=5s,relatime,rw,nosuid,nodev,noexec
ls "$mnt/Invoices" >/dev/null
fmfs_umount "$mnt"

unshare -m --propagation private bash -eu -o pipefail -s "$store" "$mnt" "$T" "$gid" <<'INNER'
store=$1 mnt=$2 T=$3 gid=$4
fail() { echo "FAIL: $*" >&2; exit 1; }
cleanup() { if mountpoint -q "$mnt"; then umount -l "$mnt"; fi; }  # the daemon exits with its mount
trap cleanup EXIT
mount --bind "$T/bin" /usr/local/bin

echo "# mount -t fuse.fmfs STORE MNT -o org=…"
mount -t fuse.fmfs "$store" "$mnt" -o org=acme.example
grep -q "^$store $mnt fuse.fmfs " /proc/mounts || fail "not in /proc/mounts"
[ "$(ls "$mnt" | tr '\n' ' ')" = "Invoices Reports Revenue SOA Usage " ] || fail "listing: $(ls "$mnt")"
umount "$mnt"
mountpoint -q "$mnt" && fail "umount left the mount"

echo "# the fstab line: mount MNT, umount MNT"
mount --fstab "$T/fstab" "$mnt"
line=$(grep "^$store $mnt fuse.fmfs " /proc/mounts) || fail "fstab mount not in /proc/mounts"
echo "$line"
grep -q allow_other <<<"$line" || fail "allow_other not passed: $line"
find "$mnt" -type f | grep -q . || fail "no files through the fstab mount"
[ "$(stat -c %g "$mnt/Invoices")" = "$gid" ] || fail "gid= not applied"
touch "$mnt/x" 2>/dev/null && fail "a write succeeded"
umount "$mnt"
mountpoint -q "$mnt" && fail "umount left the fstab mount"

echo "# ro in fstab: refused with a reason, nothing mounted"
out=$(mount --fstab "$T/fstab-ro" "$mnt" 2>&1) && fail "ro mounted"
grep -q "refused" <<<"$out" || fail "no reason: $out"
mountpoint -q "$mnt" && fail "ro left a mount"
exit 0
INNER
