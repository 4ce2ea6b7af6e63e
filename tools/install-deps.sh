#!/usr/bin/env bash
# tools/install-deps.sh [--bench] - install the Debian packages fmfs needs to
# build and test (and, with --bench, to benchmark). Needs root (or sudo).
set -eu
pkgs=(build-essential pkg-config libfuse3-dev fuse3 libsqlite3-dev sqlite3
      libssl-dev libzip-dev libcurl4-openssl-dev libutf8proc-dev libxxhash-dev
      rsync attr util-linux bc strace zip unzip python3 systemd clang
      libclang-rt-14-dev libreoffice-calc-nogui
      libxlsxwriter-dev libseccomp-dev python3-openpyxl borgbackup
      nginx radosgw ceph-mon ceph-osd
      debhelper dpkg-dev devscripts fakeroot groff man-db bash-completion
      mandoc clang-format clang-tidy)
[ "${1:-}" = --bench ] && pkgs+=(hyperfine fio squashfuse squashfs-tools linux-perf valgrind time)
sudo=
[ "$(id -u)" = 0 ] || sudo=sudo
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "installing: ${missing[*]}"
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
	# nginx's and Ceph's postinst enable (nginx: starts) system services; the
	# tests start their own servers on free ports, so leave none of them on
	if [[ " ${missing[*]} " =~ \ (nginx|radosgw|ceph-mon|ceph-osd)\  ]]; then
		$sudo systemctl disable nginx.service ceph.target ceph-mon.target ceph-osd.target \
			ceph-radosgw.target ceph-crash.service rbdmap.service >/dev/null 2>&1 || true
		$sudo systemctl stop nginx.service >/dev/null 2>&1 || $sudo service nginx stop >/dev/null 2>&1 || true
	fi
fi
