#!/usr/bin/env bash
# bench/remote.sh BUILD_DIR - the remote share's transport next to curl on the
# same servers in the same run (servers from tests/lib-remote.sh on
# 127.0.0.1): one 256 MiB object from nginx (HTTPS + HTTP/2, and plain HTTP),
# fetched and SHA-256-verified by remote_get_fd vs `curl -o /dev/null`; PUT
# of many small objects to Ceph RGW (SigV4, the body's hash signed), one and
# eight threads, vs one `curl -T` process uploading the same files over one
# connection. Medians of alternating runs. Prints a Markdown table.
#
# Knobs: REMOTE_BENCH_MB (256), REMOTE_BENCH_SMALL (2000 files of 500-8000
# bytes), REMOTE_BENCH_REPS (5), REMOTE_BENCH_DIR (default a new
# /var/tmp/fmfs-bench-remote.XXXXXX, removed afterwards).
set -eu -o pipefail
export LC_ALL=C
B=$(cd "${1:-build}" && pwd)
TOP=$(cd "$(dirname "$0")/.." && pwd)
MB=${REMOTE_BENCH_MB:-256}
SMALL=${REMOTE_BENCH_SMALL:-2000}
REPS=${REMOTE_BENCH_REPS:-5}
R=$B/helpers/remote_cli
[ -x "$R" ] || { echo "bench/remote.sh: no $R (make helpers)" >&2; exit 1; }
DIR=${REMOTE_BENCH_DIR:-$(mktemp -d /var/tmp/fmfs-bench-remote.XXXXXX)}
mkdir -p "$DIR"
cd "$DIR"
export FMFS_BIN=$B FMFS_TOP=$TOP TEST_TMP=$DIR
source "$TOP/tests/lib.sh"
source "$TOP/tests/lib-remote.sh"
on_exit 'cd / && rm -rf "$DIR"'
log() { echo "bench/remote.sh: $*" >&2; }

# secs COMMAND...: wall seconds of one run
secs() {
	local t0 t1
	t0=$(date +%s%N)
	"$@" >/dev/null 2>&1 || { echo "bench/remote.sh: failed: $*" >&2; exit 1; }
	t1=$(date +%s%N)
	echo "$(((t1 - t0) / 1000))" | awk '{ printf "%.3f\n", $1 / 1e6 }'
}
median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

# runs NAME CMD1 [-- CMD2 ...]: REPS rounds, each command once per round in
# turn; NAME_1, NAME_2 ... the median wall seconds of each
runs() {
	local name=$1 cmds=() i k
	shift
	cmds=("")
	for arg in "$@"; do
		if [ "$arg" = -- ]; then cmds+=(""); else cmds[-1]+="${arg@Q} "; fi
	done
	for ((k = 1; k <= ${#cmds[@]}; k++)); do : >"$name.$k"; done
	for ((i = 0; i < REPS; i++)); do
		for ((k = 1; k <= ${#cmds[@]}; k++)); do
			eval "secs ${cmds[k - 1]}" >>"$name.$k"
		done
	done
	for ((k = 1; k <= ${#cmds[@]}; k++)); do
		printf -v "${name}_$k" %s "$(median <"$name.$k")"
	done
}

log "$MB MiB object, $SMALL small files"
mkdir -p www/acme.example/objects small
head -c $((MB << 20)) /dev/urandom >www/acme.example/objects/big
sha=$(sha256sum www/acme.example/objects/big | cut -c1-64)
awk -v n="$SMALL" 'BEGIN { srand(7); for (i = 0; i < n; i++) print 500 + int(rand() * 7500) }' |
	{ i=0; while read -r size; do head -c "$size" /dev/urandom >small/f$i; i=$((i + 1)); done; }
small_bytes=$(du -sb --apparent-size small | cut -f1)

start_nginx www --tls --http2
tls_url=$NGINX_URL tls_ca=$NGINX_CA
start_nginx www
plain_url=$NGINX_URL

log "GET $MB MiB over HTTPS/HTTP2 and HTTP"
runs https "$R" --url "$tls_url/acme.example" --cacert "$tls_ca" get objects/big "$sha" /dev/null \
	-- curl -s --http2 --cacert "$tls_ca" -o /dev/null "$tls_url/acme.example/objects/big" \
	-- sh -c "curl -s --http2 --cacert '$tls_ca' '$tls_url/acme.example/objects/big' | sha256sum"
runs http "$R" --url "$plain_url/acme.example" get objects/big "$sha" /dev/null \
	-- curl -s -o /dev/null "$plain_url/acme.example/objects/big" \
	-- sh -c "curl -s '$plain_url/acme.example/objects/big' | sha256sum"

log "PUT $SMALL small objects to RGW"
start_rgw
rgw_bucket fmfs-bench
write_aws_credentials aws "$RGW_KEY" "$RGW_SECRET"
S=(--endpoint "$RGW_URL" --credentials aws --url s3://fmfs-bench/acme.example)
for f in small/*; do
	printf 'upload-file = "%s"\nurl = "%s/fmfs-bench/curl/%s"\n' "$f" "$RGW_URL" "${f#small/}"
done >curl.cfg
CURL=(curl -s -f -K curl.cfg --aws-sigv4 "aws:amz:$RGW_REGION:s3" -u "$RGW_KEY:$RGW_SECRET"
	-H "x-amz-content-sha256: UNSIGNED-PAYLOAD")
runs put1 "$R" "${S[@]}" put-dir small one -- "${CURL[@]}"
runs put8 "$R" "${S[@]}" put-dir small eight 8 -- "${CURL[@]}" --parallel --parallel-max 8

mibs() { awk -v mb="$MB" -v s="$1" 'BEGIN { printf "%.0f MiB/s", mb / s }'; }
fps() { awk -v n="$SMALL" -v s="$1" 'BEGIN { printf "%.0f files/s", n / s }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", b / a }'; }
cat <<EOF

### Remote transport (bench/remote.sh, $(date -u +%Y-%m-%d), commit $(git -C "$TOP" rev-parse --short HEAD))

Medians of $REPS rounds, the commands of a row run in turn in each round;
servers on 127.0.0.1 started by the script. Ratio = fmfs's speed / curl's.
fmfs's transport checks the SHA-256 of every byte it returns; \`curl | sha256sum\`
is curl doing the same work in two processes.

| what | fmfs transport | \`curl -o /dev/null\` | ratio | \`curl \| sha256sum\` | ratio |
|---|---|---|---|---|---|
| GET one $MB MiB object, HTTPS + HTTP/2 (nginx) | $(mibs "$https_1") | $(mibs "$https_2") | $(ratio "$https_1" "$https_2") | $(mibs "$https_3") | $(ratio "$https_1" "$https_3") |
| GET one $MB MiB object, HTTP/1.1 (nginx) | $(mibs "$http_1") | $(mibs "$http_2") | $(ratio "$http_1" "$http_2") | $(mibs "$http_3") | $(ratio "$http_1" "$http_3") |

| what | fmfs transport | curl | ratio |
|---|---|---|---|
| PUT $SMALL objects ($((small_bytes / 1024)) KiB) to RGW, SigV4 with the body's hash, 1 thread vs one \`curl -T\` process (UNSIGNED-PAYLOAD), one connection each | $(fps "$put1_1") | $(fps "$put1_2") | $(ratio "$put1_1" "$put1_2") |
| the same, 8 threads vs \`curl -T --parallel --parallel-max 8\` | $(fps "$put8_1") | $(fps "$put8_2") | $(ratio "$put8_1" "$put8_2") |

Commands: \`build/helpers/remote_cli --url URL [--cacert CA] get objects/big SHA256 /dev/null\`
and \`remote_cli --endpoint RGW --credentials FILE --url s3://BUCKET/PREFIX put-dir DIR PREFIX [8]\`
(tests/helpers/remote_cli.c, over catalog/remote.h).
EOF

# the client side (mounts, publish to RGW, catalog scale): its own section
"$TOP/bench/remote-mount.sh" "$B"
