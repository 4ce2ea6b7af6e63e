#!/usr/bin/env bash
# bench/remote-mount.sh BUILD_DIR - the remote share end to end (issue 9,
# the client side; run by bench/remote.sh, BENCH_ONLY key remote): fmfs
# mounting an org published to nginx (HTTPS + HTTP/2) or Ceph RGW, next to
# curl and a local mount on the same machine. Prints a Markdown section.
#   - cold read of one big file through the mount vs curl of its object
#   - time to the first byte of a bigger file (one chunk's fetch, not all)
#   - cached read (page cache dropped) vs the same file on a local mount
#   - find -printf '%s %T@' over N files: remote vs local mount
#   - publish of SMALL new files to RGW (files/s; bytes vs curl -T), the
#     no-op publish's requests
#   - client RSS and mount time: a catalog of SCALE files vs SMALL
# Knobs: RM_BIG_MB (256), RM_TTFB_MB (1024), RM_FIND_N (100000),
# RM_SMALL (10000), RM_SCALE_N (1000000), RM_REPS (3), RM_DIR.
set -eu -o pipefail
export LC_ALL=C
B=$(cd "${1:-build}" && pwd)
TOP=$(cd "$(dirname "$0")/.." && pwd)
BIG_MB=${RM_BIG_MB:-256}
TTFB_MB=${RM_TTFB_MB:-1024}
FIND_N=${RM_FIND_N:-100000}
SMALL=${RM_SMALL:-10000}
SCALE_N=${RM_SCALE_N:-1000000}
REPS=${RM_REPS:-3}
DIR=${RM_DIR:-$(mktemp -d /var/tmp/fmfs-bench-rm.XXXXXX)}
[ "$(id -u)" = 0 ] || { echo "bench/remote-mount.sh: needs root (drop_caches)" >&2; exit 1; }
mkdir -p "$DIR"
cd "$DIR"
export FMFS_BIN=$B FMFS_TOP=$TOP TEST_TMP=$DIR
source "$TOP/tests/lib.sh"
source "$TOP/tests/lib-remote.sh"
on_exit 'cd / && rm -rf "$DIR"'
log() { echo "bench/remote-mount.sh: $*" >&2; }
MKCAT=$DIR/mkcatalog
cc -O2 -D_GNU_SOURCE -I"$TOP/catalog" "$TOP/bench/mkcatalog.c" "$B/libcatalog.a" \
	$(pkg-config --cflags --libs sqlite3 libcrypto libutf8proc libzip libcurl libxxhash) -lpthread -o "$MKCAT"

now() { date +%s%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b - a) / 1e9 }'; }
median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
drop() { sync; echo 3 >/proc/sys/vm/drop_caches; }
# time_of CMD...: seconds of one run
time_of() { local t0; t0=$(now); "$@" >/dev/null 2>&1; secs "$t0" "$(now)"; }
mount_wait() { # MNT PID
	for _ in $(seq 600); do
		grep -q " $(realpath "$1") fuse.fmfs " /proc/mounts && return 0
		kill -0 "$2" 2>/dev/null || { log "fmfs died"; exit 1; }
		sleep 0.01
	done
	log "no mount"; exit 1
}
# rmount URL MNT CACHE: mount; echo the seconds it took (exec to mounted)
rmount() {
	local t0 pid
	mkdir -p "$2"
	t0=$(now)
	"$B/fmfs" "$1" "$2" -f -o "pubkey=$DIR/k.pub,cache=$3,cacert=$NGINX_CA,credentials=$DIR/netrc" >/dev/null 2>>"$DIR/fmfs.log" &
	pid=$!
	_pids+=("$pid") _mounts+=("$2")
	mount_wait "$2" "$pid"
	secs "$t0" "$(now)"
	echo "$pid" >"$2.pid"
}
lmount() { fmfs_mount "$1" "$2" -o "org=$3" >/dev/null; }
rss_of() { awk '/^VmRSS/ { print $2 }' "/proc/$(cat "$1.pid")/status"; }

log "store: a $BIG_MB MiB and a $TTFB_MB MiB file"
fmctl init store >/dev/null
fmctl keygen k.key >/dev/null
head -c $((BIG_MB << 20)) /dev/urandom >big.bin
head -c $((TTFB_MB << 20)) /dev/urandom >huge.bin
fmctl -s store ingest --org acme.example --kind report --period 2026-10 big.bin huge.bin >/dev/null
hsha=$(sha256sum <huge.bin | cut -c1-64)
rm -f huge.bin
fmctl -s store publish --org acme.example --key k.key www/acme.example >/dev/null
start_nginx www --tls --http2 --auth reader:s3cret
write_netrc netrc reader s3cret
URL=$NGINX_URL/acme.example
sha=$(sha256sum <big.bin | cut -c1-64)
obj=$URL/objects/${sha:0:2}/${sha:2}
lmount store local acme.example

log "cold read of $BIG_MB MiB: mount vs curl"
: >cold.m; : >cold.c
for ((i = 0; i < REPS; i++)); do
	rm -rf cache
	rmount "$URL" mnt cache >/dev/null
	drop
	time_of cat mnt/Reports/2026-10/big.bin >>cold.m; echo >>cold.m
	fusermount3 -u mnt; sleep 0.3
	drop
	time_of curl -s --http2 --cacert "$NGINX_CA" --netrc-file netrc -o /dev/null "$obj" >>cold.c; echo >>cold.c
done
cold_m=$(median <cold.m) cold_c=$(median <cold.c)

log "time to the first byte of $TTFB_MB MiB"
: >ttfb
for ((i = 0; i < REPS; i++)); do
	rm -rf cache
	rmount "$URL" mnt cache >/dev/null
	drop
	time_of head -c 1 mnt/Reports/2026-10/huge.bin >>ttfb; echo >>ttfb
	fusermount3 -u mnt; sleep 0.3
done
ttfb=$(median <ttfb)
drop
chunk=$(time_of curl -s --http2 --cacert "$NGINX_CA" --netrc-file netrc -r 0-1048575 -o /dev/null \
	"$URL/objects/${hsha:0:2}/${hsha:2}")

log "cached read vs local mount"
rm -rf cache
rmount "$URL" mnt cache >/dev/null
cat mnt/Reports/2026-10/big.bin >/dev/null
: >cached.m; : >cached.l
for ((i = 0; i < REPS; i++)); do
	drop; time_of cat mnt/Reports/2026-10/big.bin >>cached.m; echo >>cached.m
	drop; time_of cat local/Reports/2026-10/big.bin >>cached.l; echo >>cached.l
done
cached_m=$(median <cached.m) cached_l=$(median <cached.l)
fusermount3 -u mnt; sleep 0.3

log "find over $FIND_N files"
fmctl init fstore >/dev/null
"$MKCAT" fstore "$FIND_N" >/dev/null
fmctl -s fstore publish --org scale.example --key k.key www/scale.example >/dev/null
rmount "$NGINX_URL/scale.example" fmnt fcache >/dev/null
lmount fstore flocal scale.example
: >find.m; : >find.l
for ((i = 0; i < REPS; i++)); do
	drop; time_of find fmnt -printf '%s %T@\n' >>find.m; echo >>find.m
	drop; time_of find flocal -printf '%s %T@\n' >>find.l; echo >>find.l
done
find_m=$(median <find.m) find_l=$(median <find.l)
fusermount3 -u fmnt; fusermount3 -u flocal; sleep 0.3

log "publish of $SMALL new files to RGW"
start_rgw
rgw_bucket fmfs-bench
write_aws_credentials aws "$RGW_KEY" "$RGW_SECRET"
mkdir small
awk -v n="$SMALL" 'BEGIN { srand(9); for (i = 0; i < n; i++) print 500 + int(rand() * 7500) }' |
	{ i=0; while read -r size; do head -c "$size" /dev/urandom >small/f$i.pdf; i=$((i + 1)); done; }
small_bytes=$(du -sb --apparent-size small | cut -f1)
fmctl init pstore >/dev/null
(cd small && ls | xargs "$B/fmctl" -s ../pstore ingest --org pub.example --kind invoice \
	--direction incoming --period 2026-10 >/dev/null)
S3=(--endpoint "$RGW_URL" --credentials aws)
t0=$(now)
fmctl -s pstore publish --org pub.example --key k.key "${S3[@]}" s3://fmfs-bench/pub.example >publish.out
pub_s=$(secs "$t0" "$(now)")
for f in small/*; do
	printf 'upload-file = "%s"\nurl = "%s/fmfs-bench/curl/%s"\n' "$f" "$RGW_URL" "${f#small/}"
done >curl.cfg
t0=$(now)
curl -s -f -K curl.cfg --aws-sigv4 "aws:amz:$RGW_REGION:s3" -u "$RGW_KEY:$RGW_SECRET" \
	-H "x-amz-content-sha256: UNSIGNED-PAYLOAD" >/dev/null
curl_s=$(secs "$t0" "$(now)")
sleep 1
before=$(grep -c '"\(GET\|PUT\|HEAD\|POST\|DELETE\) /fmfs-bench' "$RGW_LOG" || true)
fmctl -s pstore publish --org pub.example --key k.key "${S3[@]}" s3://fmfs-bench/pub.example >noop.out
sleep 1
noop=$(( $(grep -c '"\(GET\|PUT\|HEAD\|POST\|DELETE\) /fmfs-bench' "$RGW_LOG") - before ))
pub_bytes=$(sed -n 's/.*new objects (\([0-9]*\) bytes), delta \([0-9]*\) bytes.*/\1 \2/p' publish.out)

log "client RSS and mount time: $SCALE_N vs $SMALL files"
scale_row() { # N -> "first-mount-s remount-s rss-kB"
	local n=$1 first re rss
	fmctl init "s$n" >/dev/null
	"$MKCAT" "s$n" "$n" >/dev/null
	fmctl -s "s$n" publish --org scale.example --key k.key "www/s$n" >/dev/null
	first=$(rmount "$NGINX_URL/s$n" "m$n" "c$n")
	find "m$n" -printf '%s\n' >/dev/null
	fusermount3 -u "m$n"; sleep 0.3
	re=$(rmount "$NGINX_URL/s$n" "m$n" "c$n")
	find "m$n" -printf '%s\n' >/dev/null
	rss=$(rss_of "m$n")
	fusermount3 -u "m$n"; sleep 0.3
	echo "$first $re $rss"
}
read -r s_first s_re s_rss <<<"$(scale_row "$SMALL")"
read -r l_first l_re l_rss <<<"$(scale_row "$SCALE_N")"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }'; }
mibs() { awk -v mb="$1" -v s="$2" 'BEGIN { printf "%.0f MiB/s", mb / s }'; }
cat <<EOF

### Remote mount (bench/remote-mount.sh, $(date -u +%Y-%m-%d), commit $(git -C "$TOP" rev-parse --short HEAD))

Medians of $REPS runs; nginx (HTTPS, HTTP/2, basic auth) and Ceph RGW on
127.0.0.1, started by the script; page cache dropped before each timed read.

| what | fmfs remote mount | reference | ratio (aim) |
|---|---|---|---|
| cold read of a $BIG_MB MiB file (fresh cache) vs \`curl -o /dev/null\` of its object | $(mibs "$BIG_MB" "$cold_m") | $(mibs "$BIG_MB" "$cold_c") | $(ratio "$cold_c" "$cold_m") (>= 0.8x) |
| first byte of a $TTFB_MB MiB file (fresh cache, \`head -c 1\`) vs \`curl -r 0-1048575\` of its first chunk | ${ttfb} s | ${chunk} s | one chunk's fetch, not the file |
| cached read of the $BIG_MB MiB file vs a local mount of the store | $(mibs "$BIG_MB" "$cached_m") | $(mibs "$BIG_MB" "$cached_l") | $(ratio "$cached_l" "$cached_m") (>= 0.95x) |
| \`find -printf '%s %T@'\` over $FIND_N files vs a local mount | ${find_m} s | ${find_l} s | $(ratio "$find_m" "$find_l") of local time (<= 1.1x) |
| publish of $SMALL new files ($((small_bytes / 1024)) KiB) to RGW vs one \`curl -T\` process | $(awk -v n="$SMALL" -v s="$pub_s" 'BEGIN { printf "%.0f files/s", n / s }') (${pub_s} s) | ${curl_s} s | $(ratio "$curl_s" "$pub_s") |
| bytes uploaded by that publish (blobs, delta) vs the files' bytes | ${pub_bytes% *} + ${pub_bytes#* } | $small_bytes | - |
| no-op publish: requests in RGW's log | $noop | - | (<= 2) |
| $SMALL-file catalog: first mount (fetch + apply the chain), remount from the cache, daemon RSS after find | ${s_first} s, ${s_re} s, ${s_rss} kB | | |
| $SCALE_N-file catalog: the same | ${l_first} s, ${l_re} s, ${l_rss} kB | | remount and RSS flat |

Commands: \`fmfs URL MNT -f -o pubkey=…,cache=…,cacert=…,credentials=NETRC\`;
\`cat MNT/…/big.bin >/dev/null\`; \`curl -s --http2 --cacert CA --netrc-file NETRC -o /dev/null URL/objects/…\`;
\`head -c 1\`; \`find MNT -printf '%s %T@\n'\`; \`fmctl -s STORE publish --org D --key K --endpoint RGW --credentials AWS s3://B/D\`;
\`curl -K CFG --aws-sigv4 … -T\` (UNSIGNED-PAYLOAD) for the same files; catalogs made by bench/mkcatalog.c.
EOF
