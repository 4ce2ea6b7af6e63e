#!/usr/bin/env bash
# bench/usage.sh BUILD_DIR - fmctl usage on a generated export of N call
# records over three months (default 10,000,000, about 1.5 GB), next to the
# physical limits in the same run: cat FILE >/dev/null and LC_ALL=C sort FILE.
# Wall time and peak RSS from /usr/bin/time -v. Prints a Markdown table.
#
# Then the same export into an org that already holds USAGE_BENCH_ARCHIVED
# record identities (default 100,000,000; 0 skips it), made with the catalog
# library directly (bench/mkrecords.c), not through CSV: the record index of
# docs/formats.md §3 against its size.
#
# Knobs: USAGE_BENCH_N (records), USAGE_BENCH_ARCHIVED, USAGE_BENCH_DIR (data and store, on the
# native disk; default a new /var/tmp/fmfs-bench-usage.XXXXXX, removed
# afterwards unless USAGE_BENCH_KEEP=1). The temp folder of fmctl usage is TMPDIR (set to the
# bench dir here, so the scratch database is on the same disk).
set -eu -o pipefail
B=$(cd "${1:-build}" && pwd)
N=${USAGE_BENCH_N:-10000000}
[ -x "$B/fmctl" ] || { echo "bench/usage.sh: no $B/fmctl (make first)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bench/usage.sh: needs /usr/bin/time (Debian package time)" >&2; exit 1; }
if [ -n "${USAGE_BENCH_DIR:-}" ]; then
	DIR=$USAGE_BENCH_DIR
	rm -rf "$DIR"
	mkdir -p "$DIR"
else
	DIR=$(mktemp -d /var/tmp/fmfs-bench-usage.XXXXXX)
fi
mkdir -p "$DIR/tmp"
trap '[ "${USAGE_BENCH_KEEP:-0}" = 1 ] || rm -rf "$DIR"' EXIT
F=$DIR/calls.csv

# N call legs, start times spread over October to December 2026 in random
# order, every field valid (duration = end - start, price = rate x seconds).
echo "bench/usage.sh: generating $N records" >&2
awk -v n="$N" 'BEGIN {
	srand(42)
	split("31 30 31", mdays, " ")
	print "record_id,org_id,org_name,wallet_id,txn_id,leg_id,direction,start_time,answer_time,end_time,duration_s,talk_s,billable_s,caller,callee,status,dest_country,rate_per_min,price,cost,currency\r"
	for (i = 0; i < n; i++) {
		d = int(rand() * 92); m = 10
		while (d >= mdays[m - 9]) { d -= mdays[m - 9]; m++ }
		sod = int(rand() * (86400 - 700)); dur = int(rand() * 600)
		t = sprintf("2026-%02d-%02dT%02d:%02d:%02dZ", m, d + 1, sod / 3600, sod % 3600 / 60, sod % 60)
		e = sod + dur
		te = sprintf("2026-%02d-%02dT%02d:%02d:%02dZ", m, d + 1, e / 3600, e % 3600 / 60, e % 60)
		price = int((15000 * dur + 30) / 60); cost = int((9000 * dur + 30) / 60)
		id = sprintf("%06d-%09d", int(rand() * 1000000), i)
		printf "c%s,org%03d,Customer %d,w%03d,t%09d,l1,outgoing,%s,%s,%s,%d,%d,%d,+1555%07d,+1666%07d,answered,US,0.015000,%d.%06d,%d.%06d,USD\r\n",
			id, i % 500, i % 500, i % 500, i, t, t, te, dur, dur, dur, i % 10000000, (i * 7) % 10000000,
			price / 1000000, price % 1000000, cost / 1000000, cost % 1000000
	}
}' >"$F"
size=$(stat -c %s "$F")
echo "bench/usage.sh: $(numfmt --to=iec "$size") export" >&2

# run NAME COMMAND...: wall seconds and peak RSS (KiB) into $NAME_s, $NAME_kb
run() {
	local name=$1 log=$DIR/$1.time
	shift
	sync
	/usr/bin/time -v -o "$log" "$@" >/dev/null 2>"$DIR/$name.err" || { cat "$DIR/$name.err" >&2; exit 1; }
	local wall kb
	wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$log" |
		awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }')
	kb=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$log")
	printf -v "${name}_s" '%s' "$wall"
	printf -v "${name}_kb" '%s' "$kb"
	echo "bench/usage.sh: $name: ${wall}s, peak RSS $((kb / 1024)) MiB" >&2
}

"$B/fmctl" init "$DIR/store" >/dev/null
run cat cat "$F"
run sort env LC_ALL=C TMPDIR="$DIR/tmp" sort -o /dev/null "$F"
# sort with about the memory fmctl usage uses: an external merge like ours
run sort128 env LC_ALL=C TMPDIR="$DIR/tmp" sort -S 128M -o /dev/null "$F"
# the xlsx views (issue 12) are left out: this measures the conversion and
# the record identity, not libxlsxwriter
export FMFS_XLSX_VIEW=0
run usage env TMPDIR="$DIR/tmp" "$B/fmctl" -s "$DIR/store" usage --org bench.example \
	--now 2027-01-01T00:00:00Z "$F"
files=$("$B/fmctl" -s "$DIR/store" ls bench.example/Usage/2026-10 | wc -l)

A=${USAGE_BENCH_ARCHIVED:-100000000}
if [ "$A" -gt 0 ]; then
	TOP=$(cd "$(dirname "$0")/.." && pwd)
	make -s -C "$TOP" B="$B" "$B/libcatalog.a" >/dev/null
	cc -O2 -Wall -Wextra -Werror -D_GNU_SOURCE -I"$TOP/catalog" "$TOP/bench/mkrecords.c" \
		"$B/libcatalog.a" $(pkg-config --cflags --libs sqlite3 libcrypto libutf8proc libzip libcurl libxxhash) \
		-lpthread -o "$DIR/mkrecords"
	"$B/fmctl" init "$DIR/big" >/dev/null
	echo "bench/usage.sh: archiving $A record identities" >&2
	run mkrecords "$DIR/mkrecords" "$DIR/big" bench.example "$A"
	catalog_mb=$(($(stat -c %s "$DIR/big/catalog.db") / 1048576))
	run usage_big env TMPDIR="$DIR/tmp" "$B/fmctl" -s "$DIR/big" usage --org bench.example \
		--now 2027-01-01T00:00:00Z "$F"
	# once more: every record is now archived (a re-export)
	run usage_again env TMPDIR="$DIR/tmp" "$B/fmctl" -s "$DIR/big" usage --org bench.example \
		--now 2027-01-01T00:00:00Z "$F"
fi

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
mbs() { awk -v s="$size" -v t="$1" 'BEGIN { printf "%.0f", (t > 0 ? s / t / 1048576 : 0) }'; }
cat <<TABLE
Export: $N call records, $(numfmt --to=iec "$size") ($size bytes), three months, unsorted; $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM, $(df --output=source "$DIR" | tail -1) disk.

| command | wall (s) | MiB/s | vs sort | peak RSS (MiB) |
|---|---:|---:|---:|---:|
| \`cat FILE >/dev/null\` | $cat_s | $(mbs "$cat_s") | $(ratio "$cat_s" "$sort_s") | $((cat_kb / 1024)) |
| \`LC_ALL=C sort FILE >/dev/null\` | $sort_s | $(mbs "$sort_s") | 1.00 | $((sort_kb / 1024)) |
| \`LC_ALL=C sort -S 128M FILE >/dev/null\` | $sort128_s | $(mbs "$sort128_s") | $(ratio "$sort128_s" "$sort_s") | $((sort128_kb / 1024)) |
| \`fmctl usage --org D EXPORT\` | $usage_s | $(mbs "$usage_s") | $(ratio "$usage_s" "$sort_s") | $((usage_kb / 1024)) |

(October: $files file(s) in Usage/2026-10.)
TABLE
[ "$A" -gt 0 ] || exit 0
cat <<TABLE

Record identity (docs/formats.md §3) against the archive's size: the same export into an org
holding $A archived record identities and as many call legs (catalog $catalog_mb MiB, made by
bench/mkrecords in ${mkrecords_s} s), then again (every record already archived):

| run | wall (s) | vs empty org | peak RSS (MiB) |
|---|---:|---:|---:|
| into an empty org | $usage_s | 1.00 | $((usage_kb / 1024)) |
| into an org holding $A records | $usage_big_s | $(ratio "$usage_big_s" "$usage_s") | $((usage_big_kb / 1024)) |
| the same export again (all archived) | $usage_again_s | $(ratio "$usage_again_s" "$usage_s") | $((usage_again_kb / 1024)) |
TABLE
