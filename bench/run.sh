#!/usr/bin/env bash
# bench/run.sh BUILD_DIR - `make bench`: fmfs against the native disk and the
# best FUSE peers here (libfuse's passthrough_ll, squashfuse_ll) on the same
# data, each workload run on each system in alternation, medians and ratios
# printed and written into BENCHMARKS.md. Needs root (drop_caches, mounts).
#
# Knobs: BENCH_QUICK=1 (small data, 3 reps, BENCHMARKS.md untouched),
# BENCH_REPS=N, BENCH_ONLY="1 3 6 shared usage revenue remote xlsx" (workloads; "shared":
# fmfs's shared-mount isolation cost, README Safety; usage, revenue, remote,
# xlsx are bench/usage.sh, bench/revenue.sh, bench/remote.sh, bench/xlsx.sh of the other issues), BENCH_DIR (data, on the
# native disk; default /var/tmp/fmfs-bench), BENCH_WRITE=0|1 (BENCHMARKS.md).
set -eu -o pipefail
export LC_ALL=C
B=$(cd "${1:-build}" && pwd)
TOP=$(cd "$(dirname "$0")/.." && pwd)
OUT=$TOP/bench/out
DIR=${BENCH_DIR:-/var/tmp/fmfs-bench}
QUICK=${BENCH_QUICK:-0}
ONLY=${BENCH_ONLY:-1 2 3 4 5 6 7 8 shared usage revenue remote xlsx}
if [ "$QUICK" = 1 ]; then
	REPS=${BENCH_REPS:-3} WRITE=${BENCH_WRITE:-0}
	BIG_MB=256 TREE_DIRS=100 TREE_PER=100 FLAT=5000 SMALL=2000 PAR_MB=16
	RAND_N=5000 SCALE_N=100000 SCALE_SMALL=10000
	DIR=$DIR-quick
else
	REPS=${BENCH_REPS:-5} WRITE=${BENCH_WRITE:-1}
	BIG_MB=1024 TREE_DIRS=1000 TREE_PER=100 FLAT=50000 SMALL=10000 PAR_MB=64
	RAND_N=20000 SCALE_N=1000000 SCALE_SMALL=10000
fi
SYSTEMS=(native fmfs passthrough_ll squashfuse_ll)
RES=$OUT/results
DATA=$DIR/data
STORE=$DIR/store
MNT=$DIR/mnt
declare -A ROOT PID

die() { echo "bench: $*" >&2; exit 1; }
log() { echo "bench: $*" >&2; }
[ "$(id -u)" = 0 ] || die "needs root: it drops the page cache and mounts (sudo make bench)"
want() { [[ " $ONLY " == *" $1 "* ]]; }

# ---- what it needs ----------------------------------------------------------
setup_tools() {
	"$TOP/tools/install-deps.sh" --bench
	mkdir -p "$OUT" "$RES"
	cc -O2 -Wall -Wextra -Werror -pthread "$TOP/bench/bread.c" -o "$OUT/bread"
	make -s -C "$TOP" B="$B" "$B/libcatalog.a" >/dev/null
	cc -O2 -Wall -Wextra -Werror -D_GNU_SOURCE -I"$TOP/catalog" "$TOP/bench/mkcatalog.c" \
		"$B/libcatalog.a" $(pkg-config --cflags --libs sqlite3 libcrypto libutf8proc libzip libcurl libxxhash) -lpthread \
		-o "$OUT/mkcatalog"
	# libfuse's example as shipped, plus splice write/move switched on in its
	# init (the fastest configuration of this peer)
	local src=/usr/share/doc/libfuse3-dev/examples/passthrough_ll.c
	[ -f "$src" ] || src=$src.gz
	{ if [[ $src == *.gz ]]; then zcat "$src"; else cat "$src"; fi; } |
		sed 's|^\(static void lo_init(void \*userdata,.*\)$|\1|;
		     /^static void lo_init(/,/^{/ s|^{|{\n\tif (conn->capable \& FUSE_CAP_SPLICE_WRITE) conn->want \|= FUSE_CAP_SPLICE_WRITE;\n\tif (conn->capable \& FUSE_CAP_SPLICE_MOVE) conn->want \|= FUSE_CAP_SPLICE_MOVE;|' \
		>"$OUT/passthrough_ll.c"
	cp /usr/share/doc/libfuse3-dev/examples/passthrough_helpers.h "$OUT/" 2>/dev/null || true
	cc -O2 -w "$OUT/passthrough_ll.c" $(pkg-config --cflags --libs fuse3) -o "$OUT/passthrough_ll"
}

# ---- the data -----------------------------------------------------------------
# data/ holds one folder per org, laid out as fmfs shows it; the store holds
# the same files ingested; squash.img is mksquashfs of data/.
ORG_DIRS="Invoices/Incoming Invoices/Outgoing SOA/Incoming SOA/Outgoing Usage Revenue Reports"
KINDS=("invoice incoming Invoices/Incoming" "invoice outgoing Invoices/Outgoing"
       "soa incoming SOA/Incoming" "soa outgoing SOA/Outgoing")

period_of() { # N -> YYYY-MM, from 2001-01 on
	printf '%04d-%02d' $((2001 + $1 / 12)) $(($1 % 12 + 1))
}

gen_data() {
	local stamp="$BIG_MB $TREE_DIRS $TREE_PER $FLAT $SMALL $PAR_MB v1"
	if [ -f "$DIR/stamp" ] && [ "$(cat "$DIR/stamp")" = "$stamp" ]; then
		log "data and store already built in $DIR"
		return
	fi
	for m in "$MNT"/*; do mountpoint -q "$m" 2>/dev/null && fusermount3 -u "$m"; done
	rm -rf "$DIR"
	mkdir -p "$DATA" "$MNT"
	log "generating data in $DATA"
	for org in tree flat big par; do
		for d in $ORG_DIRS; do mkdir -p "$DATA/$org.example/$d"; done
	done
	head -c $((BIG_MB << 20)) /dev/urandom >"$DATA/big.example/Usage/big.bin"
	mkdir -p "$DATA/big.example/Usage/2026-01"
	mv "$DATA/big.example/Usage/big.bin" "$DATA/big.example/Usage/2026-01/big.bin"
	mkdir -p "$DATA/par.example/Usage/2026-01"
	for i in $(seq -w 0 15); do
		head -c $((PAR_MB << 20)) /dev/urandom >"$DATA/par.example/Usage/2026-01/p$i.bin"
	done
	python3 - "$DATA" "$TREE_DIRS" "$TREE_PER" "$FLAT" "$DIR/small" "$SMALL" <<'PY'
import os, random, sys
data, ndirs, per, flat, small, nsmall = sys.argv[1], *map(int, sys.argv[2:4]), int(sys.argv[4]), sys.argv[5], int(sys.argv[6])
random.seed(1)
kinds = ["Invoices/Incoming", "Invoices/Outgoing", "SOA/Incoming", "SOA/Outgoing"]
def period(n): return "%04d-%02d" % (2001 + n // 12, n % 12 + 1)
def put(path, i):
    with open(path, "wb") as f:
        f.write(os.urandom(random.randint(500, 8000)))
    t = 978307200 + i * 600
    os.utime(path, (t, t))
for d in range(ndirs):
    folder = os.path.join(data, "tree.example", kinds[d % 4], period(d // 4))
    os.makedirs(folder, exist_ok=True)
    for i in range(per):
        put(os.path.join(folder, "INV-%06d-%03d.pdf" % (d, i)), d * per + i)
folder = os.path.join(data, "flat.example", "Invoices/Outgoing/2026-01")
os.makedirs(folder, exist_ok=True)
for i in range(flat):
    put(os.path.join(folder, "OUT-%06d.pdf" % i), i)
os.makedirs(small, exist_ok=True)
for i in range(nsmall):
    put(os.path.join(small, "S-%06d.csv" % i), i)
PY
	log "building the manifests and the fmfs store"
	manifests
	"$B/fmctl" init "$STORE" >/dev/null
	# batches of 10,000: an ingest holds each temp file open (with its
	# lock) until it commits, and the open-files limit here is 20,000
	for m in "$DIR"/manifest-*.tsv; do
		split -l 10000 -d -a 3 "$m" "$m.part-"
		for part in "$m".part-*; do
			"$B/fmctl" -s "$STORE" ingest --manifest "$part" >/dev/null
		done
	done
	log "mksquashfs"
	mksquashfs "$DATA" "$DIR/squash.img" -noappend -quiet -no-progress >/dev/null
	echo "$stamp" >"$DIR/stamp"
}

# One manifest per org (and one for the small-files ingest): every file of
# data/ with the kind, direction and period its folder stands for.
manifests() {
	(cd "$DATA" && find . -type f -printf '%P\n') | awk -F/ -v OFS='\t' -v dir="$DIR" '
	{
		org = $1; sub(/\.example$/, ".example", org)
		if ($2 == "Usage") { kind = "usage"; d = "-"; p = $3 }
		else { kind = ($2 == "Invoices" ? "invoice" : "soa"); d = tolower($3); p = $4 }
		print "data/" $0, org, kind, d, p, "-", "-" > (dir "/manifest-" org ".tsv")
	}'
	(cd "$DIR" && find small -type f -printf '%p\tsmall.example\tinvoice\tincoming\t2026-01\t-\t-\n') \
		>"$DIR/small.tsv"
}

# ---- mounts -----------------------------------------------------------------
wait_mount() { # MNT PID
	for _ in $(seq 200); do
		mountpoint -q "$1" && return 0
		kill -0 "$2" 2>/dev/null || die "the daemon for $1 exited"
		sleep 0.05
	done
	die "$1 did not mount"
}

mount_all() {
	ROOT[native]=$DATA
	for s in fmfs passthrough_ll squashfuse_ll; do
		mkdir -p "$MNT/$s"
		mountpoint -q "$MNT/$s" && fusermount3 -u "$MNT/$s"
	done
	"$B/fmfs" "$STORE" "$MNT/fmfs" -f &
	PID[fmfs]=$!
	(ulimit -n "$(ulimit -Hn)"; exec "$OUT/passthrough_ll" -f -o source="$DATA",cache=always "$MNT/passthrough_ll") &
	PID[passthrough_ll]=$!
	squashfuse_ll -f "$DIR/squash.img" "$MNT/squashfuse_ll" &
	PID[squashfuse_ll]=$!
	for s in fmfs passthrough_ll squashfuse_ll; do
		wait_mount "$MNT/$s" "${PID[$s]}"
		ROOT[$s]=$MNT/$s
	done
}

umount_all() {
	for s in fmfs passthrough_ll squashfuse_ll scale own shared; do
		mountpoint -q "$MNT/$s" 2>/dev/null && fusermount3 -u "$MNT/$s"
	done
	wait 2>/dev/null || true
}
trap umount_all EXIT

# ---- measuring ----------------------------------------------------------------
drop() { sync; echo 3 >/proc/sys/vm/drop_caches; }

secs() { # command... -> seconds it took (output discarded)
	local t0=$EPOCHREALTIME t1
	if ! "$@" >/dev/null 2>"$OUT/last-err"; then
		log "failed: $* ($(tail -n 1 "$OUT/last-err"))"
		echo failed
		return
	fi
	t1=$EPOCHREALTIME
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f\n", b - a }'
}

rec() { echo "${3:-failed}" >>"$RES/$1.$2"; } # KEY SYSTEM VALUE

median() { # KEY SYSTEM
	[ -s "$RES/$1.$2" ] || { echo -; return; }
	grep -q failed "$RES/$1.$2" && { echo failed; return; }
	sort -g "$RES/$1.$2" | awk '{ v[NR] = $1 } END {
		if (NR % 2) m = v[(NR + 1) / 2]; else m = (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf (m >= 100 ? "%.0f" : m >= 10 ? "%.1f" : m >= 1 ? "%.2f" : "%.3f"), m }'
}

# Run a workload REPS times on every system in turn: FN SYSTEM ROOT
alternate() {
	local fn=$1
	for r in $(seq "$REPS"); do
		for s in "${SYSTEMS[@]}"; do
			"$fn" "$s" "${ROOT[$s]}"
		done
	done
}

find_files() { find "$1" -type f; }
stat_walk() { find "$1" -printf '%s %T@\n'; }
ls_long() { ls -l "$1"; }

w_seq() { # 1: sequential read of the big file, cold then warm
	local f=$2/big.example/Usage/2026-01/big.bin
	drop
	rec seq_cold "$1" "$("$OUT/bread" seq 1 "$f")"
	rec seq_warm "$1" "$("$OUT/bread" seq 1 "$f")"
}
w_rand() { # 2: random 4 KiB reads, cold
	drop
	rec rand_cold "$1" "$("$OUT/bread" rand "$2/big.example/Usage/2026-01/big.bin" "$RAND_N")"
}
w_tree() { # 3: find and stat walk over the tree, cold and warm
	drop
	rec find_cold "$1" "$(secs find_files "$2/tree.example")"
	rec find_warm "$1" "$(secs find_files "$2/tree.example")"
	drop
	rec stat_cold "$1" "$(secs stat_walk "$2/tree.example")"
	rec stat_warm "$1" "$(secs stat_walk "$2/tree.example")"
}
w_ls() { # 4: ls -l of the flat folder, cold and warm
	local d=$2/flat.example/Invoices/Outgoing/2026-01
	drop
	rec ls_cold "$1" "$(secs ls_long "$d")"
	rec ls_warm "$1" "$(secs ls_long "$d")"
}
w_rsync() { # 5: rsync -a of the tree, then again (no-op)
	local dst=$DIR/rsync-dst
	rm -rf "$dst"
	drop
	rec rsync1 "$1" "$(secs rsync -a "$2/tree.example/" "$dst/")"
	rec rsync2 "$1" "$(secs rsync -a "$2/tree.example/" "$dst/")"
	rm -rf "$dst"
}
w_par() { # 8: 16 files read by one reader, then by 16 parallel readers, cold
	local files=("$2"/par.example/Usage/2026-01/p*.bin)
	drop
	rec par1 "$1" "$("$OUT/bread" seq 1 "${files[@]}")"
	drop
	rec par16 "$1" "$("$OUT/bread" seq 16 "${files[@]}")"
}

# shared: what the shared-mount isolation costs (README, Safety): the same
# store mounted owner-only (no allow_other; read by root, the mounting user)
# and shared (allow_other,gid=G: fmfs adds default_permissions, so the kernel
# checks the modes on every access; read by an unprivileged member of G).
# The stat walk and rsync -a (first and second) of the tree, alternating.
SHARED_GID=4242 SHARED_UID=65534
as_member() { setpriv --reuid=$SHARED_UID --regid=$SHARED_UID --groups=$SHARED_GID -- "$@"; }
w_mode() { # own|shared ROOT
	local dst=$DIR/rsync-$1 run=()
	[ "$1" = shared ] && run=(as_member)
	rm -rf "$dst" && mkdir -p "$dst" && chown "$SHARED_UID" "$dst"
	drop
	rec shared_stat_cold "$1" "$(secs "${run[@]}" find "$2/tree.example" -printf '%s %T@\n')"
	rec shared_stat_warm "$1" "$(secs "${run[@]}" find "$2/tree.example" -printf '%s %T@\n')"
	drop
	rec shared_rsync1 "$1" "$(secs "${run[@]}" rsync -rlt "$2/tree.example/" "$dst/")"
	rec shared_rsync2 "$1" "$(secs "${run[@]}" rsync -rlt "$2/tree.example/" "$dst/")"
	rm -rf "$dst"
}
shared_bench() {
	local m
	for m in own shared; do
		mkdir -p "$MNT/$m"
		mountpoint -q "$MNT/$m" && fusermount3 -u "$MNT/$m"
	done
	chmod 0755 "$DIR" "$MNT"
	"$B/fmfs" "$STORE" "$MNT/own" -f &
	PID[own]=$!
	"$B/fmfs" "$STORE" "$MNT/shared" -f -o allow_other,gid=$SHARED_GID &
	PID[shared]=$!
	wait_mount "$MNT/own" "${PID[own]}"
	wait_mount "$MNT/shared" "${PID[shared]}"
	for r in $(seq "$REPS"); do
		w_mode own "$MNT/own"
		w_mode shared "$MNT/shared"
	done
	fusermount3 -u "$MNT/own"
	fusermount3 -u "$MNT/shared"
}
table_shared() {
	[ -s "$RES/shared_stat_warm.own" ] || return 0
	echo "| workload (tree.example) | owner-only (root) | shared (member of gid) | shared ÷ owner-only |"
	echo "|---|---:|---:|---:|"
	local k w o s
	for k in "shared_stat_cold|stat walk, cold" "shared_stat_warm|stat walk, warm" \
		 "shared_rsync1|rsync -rlt, first" "shared_rsync2|rsync -rlt, second (no-op)"; do
		w=${k#*|} k=${k%%|*}
		o=$(median "$k" own) s=$(median "$k" shared)
		awk -v w="$w" -v o="$o" -v s="$s" 'BEGIN { printf "| %s (s) | %s | %s | %s |\n", w, o, s,
			(o > 0 && s ~ /^[0-9.]+$/) ? sprintf("%.2f", s / o) : "-" }'
	done
}

# 6: ingest (fmctl ingest vs cp + sync vs openssl dgst), source in page cache
ingest_big() {
	local src=$DATA/big.example/Usage/2026-01/big.bin dst=$DIR/ingest mb=$((BIG_MB * 1048576))
	for r in $(seq "$REPS"); do
		cat "$src" >/dev/null
		rm -rf "$dst"; "$B/fmctl" init "$dst" >/dev/null; sync
		rec ingest_big fmctl "$(secs "$B/fmctl" -s "$dst" ingest --org big.example \
			--kind usage --period 2026-01 "$src" | awk -v b=$mb '{ printf "%.1f", b / $1 / 1e6 }')"
		rm -rf "$dst"; mkdir -p "$dst"; sync
		rec ingest_big cp_sync "$(secs sh -c "cp '$src' '$dst/' && sync" | awk -v b=$mb '{ printf "%.1f", b / $1 / 1e6 }')"
		rec ingest_big openssl "$(secs openssl dgst -sha256 "$src" | awk -v b=$mb '{ printf "%.1f", b / $1 / 1e6 }')"
	done
	rm -rf "$dst"
}
ingest_small() {
	# every round into new folders, removed only at the end: ext4 creates
	# files slowly next to inodes deleted in the last seconds (its
	# recently_deleted() scan), which would tax whichever side comes after
	# an rm -rf
	local dst=$DIR/ingest-small n=$SMALL
	rm -rf "$dst"
	mkdir -p "$dst"
	sleep 12
	for r in $(seq "$REPS"); do
		cat "$DIR"/small/* >/dev/null
		"$B/fmctl" init "$dst/store$r" >/dev/null; sync
		rec ingest_small fmctl "$(secs "$B/fmctl" -s "$dst/store$r" ingest --manifest "$DIR/small.tsv" |
			awk -v n=$n '{ printf "%.0f", n / $1 }')"
		mkdir -p "$dst/cp$r"; sync
		rec ingest_small cp_sync "$(secs sh -c "cp -r '$DIR/small' '$dst/cp$r/' && sync" |
			awk -v n=$n '{ printf "%.0f", n / $1 }')"
		rec ingest_small openssl "$(secs sh -c "cd '$DIR/small' && find . -type f -print0 | xargs -0 openssl dgst -sha256" |
			awk -v n=$n '{ printf "%.0f", n / $1 }')"
	done
	rm -rf "$dst"
}

# 7: a big catalog against a small one: mount time, RSS after a full find,
# cold lookup of deep paths; built by bench/mkcatalog (the catalog library)
scale_paths() { # MNT NFILES: 100 files in each of 10 folders spread over the catalog
	awk -v mnt="$1" -v n="$2" 'BEGIN {
		split("Invoices/Incoming Invoices/Outgoing SOA/Incoming SOA/Outgoing", k, " ")
		folders = int(n / 1000)
		for (j = 0; j < 10; j++) {
			d = int(j * folders / 10)
			for (i = 0; i < 100; i++)
				printf "%s/scale.example/%s/%04d-%02d/F%07d.pdf\n", mnt, k[d % 4 + 1],
					2001 + int(d / 4 / 12), int(d / 4) % 12 + 1, d * 1000 + i * 10
		}
	}'
}

is_mounted() { # pure bash, so that polling costs almost nothing
	local dev m rest
	while read -r dev m rest; do [ "$m" = "$1" ] && return 0; done </proc/mounts
	return 1
}

scale_one() { # TAG NFILES
	local tag=$1 n=$2 store=$DIR/scale-$1 mnt=$MNT/scale pid t0 t1
	if [ ! -f "$store/built-$n" ]; then
		log "building a catalog of $n files in $store"
		rm -rf "$store"
		"$B/fmctl" init "$store" >/dev/null
		"$OUT/mkcatalog" "$store" "$n" >/dev/null
		touch "$store/built-$n"
	fi
	mkdir -p "$mnt"
	scale_paths "$mnt" "$n" >"$OUT/scale-paths-$tag"
	for r in $(seq "$REPS"); do
		drop
		t0=$EPOCHREALTIME
		"$B/fmfs" "$store" "$mnt" -f &
		pid=$!
		until is_mounted "$mnt"; do
			kill -0 $pid 2>/dev/null || die "fmfs on $store exited"
			sleep 0.001
		done
		t1=$EPOCHREALTIME
		rec scale_mount "$tag" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) * 1000 }')"
		rec scale_lookup "$tag" "$("$OUT/bread" stat "$OUT/scale-paths-$tag")"
		rec scale_find "$tag" "$(secs find "$mnt" -type f)"
		rec scale_rss "$tag" "$(awk '/^VmRSS/ { printf "%.1f", $2 / 1024 }' /proc/$pid/status)"
		fusermount3 -u "$mnt"
		wait "$pid" || true
	done
}

# ---- the report ---------------------------------------------------------------
# KEY|what|unit|hi or lo (which is better)|target (awk on n f p s = native,
# fmfs, passthrough_ll, squashfuse_ll)|target text
ROWS=(
"seq_cold|1 GiB sequential read, cold|MB/s|hi|f >= 0.75 * n && f >= p|>= 0.75 x native and >= passthrough_ll"
"seq_warm|1 GiB sequential read, warm|MB/s|hi|f >= s|>= squashfuse_ll"
"rand_cold|random 4 KiB reads, cold|reads/s|hi|f >= 0.5 * n|>= 0.5 x native"
"find_cold|find -type f, 100k files, cold|s|lo||"
"find_warm|find -type f, 100k files, warm|s|lo||"
"stat_cold|stat walk (find -printf '%s %T@'), 100k, cold|s|lo||"
"stat_warm|stat walk (find -printf '%s %T@'), 100k, warm|s|lo|f <= 1.5 * n|<= 1.5 x native"
"ls_cold|ls -l of a 50k-file folder, cold|s|lo||"
"ls_warm|ls -l of a 50k-file folder, warm|s|lo|f <= 2 * n|<= 2 x native"
"rsync1|rsync -a of the 100k tree, first|s|lo||"
"rsync2|rsync -a again (no-op)|s|lo|f <= 1.2 * n|<= 1.2 x native"
"par1|1 reader, 16 files of 64 MiB, cold|MB/s|hi||"
"par16|16 parallel readers, same files, cold|MB/s|hi||"
)

table_main() {
	echo "| workload | unit | native | fmfs | passthrough_ll | squashfuse_ll | fmfs ÷ native | fmfs ÷ best peer | target | met |"
	echo "|---|---|---:|---:|---:|---:|---:|---:|---|---|"
	for row in "${ROWS[@]}"; do
		IFS='|' read -r key what unit better cond text <<<"$row"
		[ -s "$RES/$key.fmfs" ] || continue
		local n f p s
		n=$(median "$key" native) f=$(median "$key" fmfs)
		p=$(median "$key" passthrough_ll) s=$(median "$key" squashfuse_ll)
		awk -v N="$n" -v F="$f" -v P="$p" -v S="$s" -v what="$what" -v unit="$unit" \
		    -v better="$better" -v text="$text" '
		function ok(x) { return x ~ /^[0-9.]+$/ }
		function val(x) { return ok(x) ? x + 0 : (better == "hi" ? 0 : 1e30) }
		function ratio(a, b) { return ok(a) && ok(b) && b > 0 ? sprintf("%.2f", a / b) : "-" }
		BEGIN {
			n = val(N); f = val(F); p = val(P); s = val(S)
			if (better == "hi") best = (p > s ? P : S); else best = (p < s ? P : S)
			met = text == "" ? "" : ('"${cond:-1}"') ? "yes" : "**no**"
			printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
				what, unit, N, F, P, S, ratio(F, N), ratio(F, best), text, met
		}'
	done
}

table_ingest() {
	[ -s "$RES/ingest_big.fmctl" ] || [ -s "$RES/ingest_small.fmctl" ] || return 0
	echo "| ingest | unit | fmctl ingest | cp + sync | openssl dgst -sha256 | fmctl ÷ cp+sync | target | met |"
	echo "|---|---|---:|---:|---:|---:|---|---|"
	local f c o
	if [ -s "$RES/ingest_big.fmctl" ]; then
		f=$(median ingest_big fmctl) c=$(median ingest_big cp_sync) o=$(median ingest_big openssl)
		awk -v f="$f" -v c="$c" -v o="$o" -v mb="$BIG_MB" 'BEGIN {
			printf "| one %d MiB file | MB/s | %s | %s | %s | %.2f | >= 0.85 x cp+sync | %s |\n",
				mb, f, c, o, f / c, (f >= 0.85 * c ? "yes" : "**no**") }'
	fi
	if [ -s "$RES/ingest_small.fmctl" ]; then
		f=$(median ingest_small fmctl) c=$(median ingest_small cp_sync) o=$(median ingest_small openssl)
		awk -v f="$f" -v c="$c" -v o="$o" -v n="$SMALL" 'BEGIN {
			printf "| %d small files, one manifest | files/s | %s | %s | %s | %.2f | >= 2000 files/s | %s |\n",
				n, f, c, o, f / c, (f >= 2000 ? "yes" : "**no**") }'
	fi
}

table_scale() {
	[ -s "$RES/scale_mount.big" ] || return 0
	echo "| catalog | mount (ms) | RSS after full find (MiB) | cold stat of a deep path (µs) | full find (s) |"
	echo "|---|---:|---:|---:|---:|"
	for tag in small big; do
		local n=$SCALE_SMALL
		[ $tag = big ] && n=$SCALE_N
		echo "| $n files | $(median scale_mount $tag) | $(median scale_rss $tag) | $(median scale_lookup $tag) | $(median scale_find $tag) |"
	done
	awk -v m1="$(median scale_mount small)" -v m2="$(median scale_mount big)" \
	    -v r1="$(median scale_rss small)" -v r2="$(median scale_rss big)" \
	    -v l1="$(median scale_lookup small)" -v l2="$(median scale_lookup big)" 'BEGIN {
		printf "| big ÷ small | %.2f | %.2f | %.2f | |\n", m2 / m1, r2 / r1, l2 / l1
		printf "\nTargets: mount < 100 ms (%s), RSS < 64 MiB (%s), within 10%% of the small catalog (mount %s, RSS %s, lookup %s).\n",
			m2 < 100 ? "met" : "**missed**", r2 < 64 ? "met" : "**missed**",
			m2 <= 1.1 * m1 || m2 - m1 < 5 ? "met" : "**missed**",
			r2 <= 1.1 * r1 ? "met" : "**missed**", l2 <= 1.1 * l1 ? "met" : "**missed**" }'
}

machine() {
	local disk
	disk=$(df --output=source "$DIR" | tail -n 1)
	echo "- $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(free -g | awk '/^Mem/ { print $2 }') GiB RAM, kernel $(uname -r), libfuse $(pkg-config --modversion fuse3)"
	echo "- data on $disk ($(findmnt -no FSTYPE -T "$DIR"), $(lsblk -dno SIZE,ROTA "$disk" 2>/dev/null | awk '{ print $1 ($2 == 1 ? ", rotational flag set" : "") }'), read_ahead $(cat /sys/block/$(basename "$disk")/queue/read_ahead_kb 2>/dev/null) KiB)"
	echo "- $(date -u '+%Y-%m-%d %H:%M UTC'), $REPS repetitions per system in alternation (A B C D A B C D …), medians; fmfs $(git -C "$TOP" rev-parse --short HEAD)"
}

report() {
	echo "### Machine"
	echo
	machine
	echo
	echo "### Read side: native disk, fmfs and the FUSE peers"
	echo
	table_main
	echo
	echo "### Ingest (workload 6; source files in the page cache)"
	echo
	table_ingest
	echo
	echo "### Catalog scale (workload 7)"
	echo
	table_scale
	echo
	echo "### Shared mount vs owner-only (workload shared)"
	echo
	table_shared
}

# Replace what lies between the bench markers of BENCHMARKS.md (the rest of
# the file belongs to its other sections) with this run's report.
write_md() {
	local md=$1 tmp
	[ -f "$md" ] || printf '# Benchmarks\n\n<!-- bench:begin -->\n<!-- bench:end -->\n' >"$md"
	grep -q '^<!-- bench:begin -->' "$md" ||
		printf '\n<!-- bench:begin -->\n<!-- bench:end -->\n' >>"$md"
	tmp=$(mktemp)
	{
		echo "## Overall (\`make bench\`, generated by bench/run.sh)"
		echo
		cat "$OUT/report.md"
		echo
		commands
	} >"$tmp"
	awk -v f="$tmp" '
		/^<!-- bench:begin -->/ { print; while ((getline l < f) > 0) print l; skip = 1; next }
		/^<!-- bench:end -->/ { skip = 0 }
		!skip' "$md" >"$md.new"
	mv "$md.new" "$md"
	rm -f "$tmp"
	log "wrote $md"
}

commands() {
	cat <<EOF
### Exact commands

Data in \`$DIR\` (native ext4, not tmpfs): \`data/\` holds the tree as fmfs shows it (tree.example:
$TREE_DIRS folders × $TREE_PER files of 500–8000 random bytes; flat.example: one folder of $FLAT files;
big.example: one $BIG_MB MiB random file; par.example: 16 files of $PAR_MB MiB); the fmfs store is the same
files through \`fmctl ingest --manifest\` (manifests of 10,000 lines); \`squash.img\` is \`mksquashfs data squash.img\` (defaults, gzip).
Mounts: \`fmfs STORE MNT -f\`; \`passthrough_ll -f -o source=data,cache=always MNT\` (libfuse 3.14's example,
built from /usr/share/doc/libfuse3-dev/examples with splice write+move switched on in \`lo_init\`, \`ulimit -n 1048576\`);
\`squashfuse_ll -f squash.img MNT\`. "Cold" = \`sync; echo 3 > /proc/sys/vm/drop_caches\` before the run.

| workload | command (R = data/ or the mount point) |
|---|---|
| 1 | \`bench/out/bread seq 1 R/big.example/Usage/2026-01/big.bin\` (1 MiB read()s), cold then warm |
| 2 | \`bench/out/bread rand R/big.example/Usage/2026-01/big.bin $RAND_N\` (pread 4 KiB at random 4 KiB-aligned offsets, POSIX_FADV_RANDOM), cold |
| 3 | \`find R/tree.example -type f\`; \`find R/tree.example -printf '%s %T@\\\\n'\`, cold then warm |
| 4 | \`ls -l R/flat.example/Invoices/Outgoing/2026-01\`, cold then warm |
| 5 | \`rsync -a R/tree.example/ DST/\` into an empty DST on the native disk, then the same again |
| 6 | \`fmctl -s NEWSTORE ingest --org big.example --kind usage --period 2026-01 big.bin\` vs \`cp big.bin DIR/ && sync\` vs \`openssl dgst -sha256 big.bin\`; \`fmctl -s NEWSTORE ingest --manifest small.tsv\` ($SMALL files of 500–8000 bytes) vs \`cp -r small DIR/ && sync\` vs \`find small -type f -print0 \| xargs -0 openssl dgst -sha256\` |
| 7 | \`bench/out/mkcatalog STORE N\` builds the catalog (library ingest from memory); mount = from exec of \`fmfs STORE MNT -f\` to the mount in /proc/mounts, cold; then \`bread stat\` of 1000 deep paths (10 folders × 100), cold; \`find MNT -type f\`; VmRSS of the daemon after it |
| 8 | \`bread seq 1 p00.bin … p15.bin\` vs \`bread seq 16 p00.bin … p15.bin\` (one thread per file), cold |

Run it: \`sudo make bench\` (quick look: \`sudo BENCH_QUICK=1 make bench\`; one workload: \`BENCH_ONLY="1 3"\`).
EOF
}

# ---- main ---------------------------------------------------------------------
setup_tools
gen_data
rm -rf "$RES"
mkdir -p "$RES"
if want 1 || want 2 || want 3 || want 4 || want 5 || want 8; then
	mount_all
	want 1 && { log "workload 1: sequential read"; alternate w_seq; }
	want 2 && { log "workload 2: random 4 KiB reads"; alternate w_rand; }
	want 3 && { log "workload 3: find and stat walk"; alternate w_tree; }
	want 4 && { log "workload 4: ls -l"; alternate w_ls; }
	# the slowest workload (100k files written each time): at most 3 rounds
	want 5 && { log "workload 5: rsync -a"; REPS=$((REPS < 3 ? REPS : 3)) alternate w_rsync; }
	want 8 && { log "workload 8: parallel readers"; alternate w_par; }
	umount_all
fi
want 6 && { log "workload 6: ingest"; ingest_big; ingest_small; }
want 7 && { log "workload 7: catalog scale"; scale_one small "$SCALE_SMALL"; scale_one big "$SCALE_N"; }
want shared && { log "workload shared: shared-mount isolation"; shared_bench; }
report | tee "$OUT/report.md"
[ "$WRITE" = 1 ] && write_md "$TOP/BENCHMARKS.md"
# the other issues' benchmarks: they keep their own sections of
# BENCHMARKS.md; their output goes to bench/out/NAME.log
for extra in usage revenue remote xlsx; do
	if want "$extra" && [ -x "$TOP/bench/$extra.sh" ]; then
		log "bench/$extra.sh (its own section of BENCHMARKS.md)"
		"$TOP/bench/$extra.sh" "$B" 2>&1 | tee "$OUT/$extra.log" ||
			log "bench/$extra.sh failed (see $OUT/$extra.log)"
	fi
done
exit 0
