#!/usr/bin/env bash
# bench/integrity.sh BUILD_DIR [MIB] [ROUNDS] - what read-time verification
# costs (issue 5): sequential 1 MiB reads of one MIB-MiB file (default 1024)
# on the native disk, through fmfs (chunk checks on) and through fmfs
# -o noverify, cold (drop_caches) and warm (blob in the page cache, fresh
# mount), ROUNDS times each (default 5), interleaved; prints the medians in
# MB/s. Needs root. Data in BENCH_DIR (default /var/tmp/fmfs-integrity-bench).
set -eu
bin=$(cd "${1:-build}" && pwd)
mib=${2:-1024} rounds=${3:-5}
dir=${BENCH_DIR:-/var/tmp/fmfs-integrity-bench}
rm -rf "$dir" && mkdir -p "$dir/mnt"
trap 'fusermount3 -u "$dir/mnt" 2>/dev/null; rm -rf "$dir"' EXIT
"$bin/fmctl" init "$dir/store" >/dev/null
head -c $((mib << 20)) /dev/urandom >"$dir/big.bin"
"$bin/fmctl" -s "$dir/store" ingest --org bench.example --kind usage --period 2026-01 "$dir/big.bin" >/dev/null
rm "$dir/big.bin"
sha=$(sqlite3 "$dir/store/catalog.db" "SELECT sha256 FROM nodes WHERE type='f'")
blob=$dir/store/objects/${sha:0:2}/${sha:2}
file=$dir/mnt/bench.example/Usage/2026-01/big.bin

mbs() { # bytes/s of a sequential read of $1, in MB/s
	local t0 t1
	t0=$(date +%s%N)
	dd if="$1" of=/dev/null bs=1M status=none
	t1=$(date +%s%N)
	echo $(((mib << 20) / ((t1 - t0) / 1000)))
}
drop() { sync; echo 3 >/proc/sys/vm/drop_caches; }
mount_fmfs() {
	"$bin/fmfs" "$dir/store" "$dir/mnt" -f "$@" &
	for _ in $(seq 100); do mountpoint -q "$dir/mnt" && return; sleep 0.05; done
	echo "fmfs did not mount" >&2; exit 1
}
declare -A r
for _ in $(seq "$rounds"); do
	drop; r[native_cold]+="$(mbs "$blob") "
	r[native_warm]+="$(mbs "$blob") "
	for mode in verify noverify; do
		opt=(); [ $mode = noverify ] && opt=(-o noverify)
		mount_fmfs "${opt[@]}"; drop; r[${mode}_cold]+="$(mbs "$file") "
		fusermount3 -u "$dir/mnt"; sleep 0.2
		mount_fmfs "${opt[@]}"; r[${mode}_warm]+="$(mbs "$file") "
		fusermount3 -u "$dir/mnt"; sleep 0.2
	done
done
median() { tr ' ' '\n' <<<"$1" | grep . | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
printf '%-28s %10s %10s\n' "sequential read, $mib MiB" cold warm
for k in native verify noverify; do
	printf '%-28s %7s MB/s %5s MB/s   (runs: %s| %s)\n' "$k" "$(median "${r[${k}_cold]}")" \
		"$(median "${r[${k}_warm]}")" "${r[${k}_cold]}" "${r[${k}_warm]}"
done
