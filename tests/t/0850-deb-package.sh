# 0850-deb-package.sh - the Debian package: dpkg-buildpackage -us -uc -b in a
# copy of the tree builds fmfs_*.deb; apt installs it; then with nothing else
# installed by hand, mount -t fuse.fmfs and an fstab line mount a store made
# with the packaged fmctl, umount unmounts, fmctl --help and man -w answer,
# bash completion is in place; the package is purged again (trap). make
# install PREFIX= DESTDIR=… from the same build installs the same files.
# It installs a package on this machine, so it runs only with
# FMFS_TEST_DEB=1 (.ci/run sets it; a local `make test` skips it).
source "$FMFS_TOP/tests/lib.sh"
[ "${FMFS_TEST_DEB:-}" = 1 ] || skip "installs a package: run with FMFS_TEST_DEB=1 (CI does)"
[ "$(id -u)" = 0 ] || skip "needs root (apt, mount)"
command -v dpkg-buildpackage >/dev/null || skip "dpkg-buildpackage missing (tools/install-deps.sh)"
dpkg-query -W -f='${Status}' fmfs 2>/dev/null | grep -q "ok installed" &&
	skip "a package fmfs is installed already: not touching it"

note "build the package in a copy of the tree"
mkdir -p "$T/src"
tar -C "$TOP" --exclude='./build*' --exclude=./.git --exclude=./debian/fmfs \
	--exclude=./debian/.debhelper -cf - . | tar -C "$T/src" -xf -
(cd "$T/src" && dpkg-checkbuilddeps) || fail "build dependencies missing (tools/install-deps.sh)"
(cd "$T/src" && DEB_BUILD_OPTIONS="nocheck parallel=2" dpkg-buildpackage -us -uc -b) \
	>"$T/build.log" 2>&1 || { tail -n 30 "$T/build.log"; fail "dpkg-buildpackage failed"; }
deb=$(ls "$T"/fmfs_*_*.deb)
dpkg-deb -c "$deb" | awk '{ print $6 }' >"$T/contents"
for f in ./usr/bin/fmfs ./usr/bin/fmctl ./usr/share/man/man1/fmctl.1.gz ./usr/share/man/man8/fmfs.8.gz \
	./usr/share/man/man5/fmfs-formats.5.gz ./usr/share/bash-completion/completions/fmctl \
	./lib/systemd/system/fmfs@.service ./usr/libexec/fmfs/usage-spool.sh ./sbin/mount.fuse.fmfs \
	./usr/share/doc/fmfs/README.md.gz; do
	grep -qx -- "$f" "$T/contents" || fail "$f not in the package"
done
grep -q '/usr/bin/fmfs ' <(dpkg-deb --fsys-tarfile "$deb" | tar -xOf - ./lib/systemd/system/fmfs@.service) ||
	fail "the unit does not run /usr/bin/fmfs"

note "make install PREFIX= DESTDIR=… from the same build"
make -s -C "$T/src" install B=build-deb PREFIX= DESTDIR="$T/root" >/dev/null
for f in bin/fmfs bin/fmctl libexec/fmfs/usage-spool.sh share/man/man1/fmctl.1 share/man/man8/fmfs.8 \
	share/man/man5/fmfs-formats.5 share/bash-completion/completions/fmctl lib/systemd/system/fmfs@.service; do
	[ -e "$T/root/$f" ] || fail "make install PREFIX= left out $f"
done
grep -q '^ExecStart=/bin/fmfs ' "$T/root/lib/systemd/system/fmfs@.service" || fail "unit paths with PREFIX="

note "install it with apt"
purge() { apt-get purge -y -qq fmfs >/dev/null 2>&1 || dpkg --purge fmfs >/dev/null 2>&1 || true; }
trap 'rc=$?; purge; (exit $rc); _cleanup' EXIT
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=120 "$deb" >"$T/apt.log" 2>&1 ||
	{ cat "$T/apt.log"; fail "apt-get install $deb failed"; }
[ -x /usr/bin/fmfs ] && [ -x /usr/bin/fmctl ] || fail "binaries not installed"
/usr/bin/fmctl --help | grep -q '^usage: fmctl' || fail "fmctl --help"
for p in fmctl "8 fmfs" "5 fmfs-formats"; do
	man -w $p >/dev/null || fail "man -w $p finds nothing"
done
bash -c 'source /usr/share/bash-completion/completions/fmctl && complete -p fmctl' | grep -q _fmctl ||
	fail "bash completion"
systemctl is-enabled fmfs-verify.timer >/dev/null 2>&1 && fail "a timer was enabled by the package"

note "mount -t fuse.fmfs and an fstab line, with the packaged binaries only"
store=$T/store mnt=$T/mnt
mkdir -p "$mnt"
/usr/bin/fmctl init "$store" >/dev/null
printf 'invoice\n' >"$T/INV-1.pdf"
/usr/bin/fmctl -s "$store" ingest --org acme.example --kind invoice --direction incoming \
	--period 2026-10 "$T/INV-1.pdf" >/dev/null
_mounts+=("$mnt")
env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin mount -t fuse.fmfs "$store" "$mnt" -o org=acme.example
grep -q "^$store $mnt fuse.fmfs " /proc/mounts || fail "mount -t fuse.fmfs did not mount"
cmp "$T/INV-1.pdf" "$mnt/Invoices/Incoming/2026-10/INV-1.pdf" || fail "content through the mount"
umount "$mnt"
printf '%s %s fuse.fmfs org=acme.example,allow_other,gid=0,noauto,nofail,_netdev,x-systemd.automount 0 0\n' \
	"$store" "$mnt" >"$T/fstab"
env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin mount --fstab "$T/fstab" "$mnt"
grep -q "^$store $mnt fuse.fmfs .*allow_other" /proc/mounts || fail "the fstab line did not mount"
ls "$mnt/Invoices/Incoming/2026-10" | grep -q INV-1.pdf || fail "listing through the fstab mount"
umount "$mnt"
mountpoint -q "$mnt" && fail "umount left the mount"

note "purge"
purge
[ -e /usr/bin/fmfs ] && fail "purge left /usr/bin/fmfs"
[ -L /sbin/mount.fuse.fmfs ] && fail "purge left /sbin/mount.fuse.fmfs"
exit 0
