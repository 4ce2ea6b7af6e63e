#!/usr/bin/env bash
# bench/xlsx.sh BUILD_DIR - what the spreadsheet view (FORMATS.md §6) costs:
# a month of usage exports (XLSX_BENCH_CALLS call legs, a third as many SMS,
# a tenth as many DNC checks, a fiftieth as many faxes) converted by
# `fmctl usage` into a new store, and the month's four generated CSVs
# ingested by hand with `fmctl ingest`, each with the view and with
# FMFS_XLSX_VIEW=0, in alternation, XLSX_BENCH_REPS times (medians); then
# the size of each .xlsx next to its CSV. Prints Markdown.
#
# Knobs: XLSX_BENCH_CALLS (default 1000000), XLSX_BENCH_REPS (3),
# XLSX_BENCH_DIR (data and stores, on the native disk; default a new
# /var/tmp/fmfs-bench-xlsx.XXXXXX, removed afterwards unless
# XLSX_BENCH_KEEP=1). TMPDIR is set to it: fmctl and libxlsxwriter keep
# their temp files there.
set -eu -o pipefail
export LC_ALL=C
B=$(cd "${1:-build}" && pwd)
CALLS=${XLSX_BENCH_CALLS:-1000000}
REPS=${XLSX_BENCH_REPS:-3}
[ -x "$B/fmctl" ] || { echo "bench/xlsx.sh: no $B/fmctl (make first)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bench/xlsx.sh: needs /usr/bin/time (Debian package time)" >&2; exit 1; }
if [ -n "${XLSX_BENCH_DIR:-}" ]; then
	DIR=$XLSX_BENCH_DIR
	rm -rf "$DIR"
	mkdir -p "$DIR"
else
	DIR=$(mktemp -d /var/tmp/fmfs-bench-xlsx.XXXXXX)
fi
trap '[ "${XLSX_BENCH_KEEP:-0}" = 1 ] || rm -rf "$DIR"' EXIT
export TMPDIR=$DIR/tmp
mkdir -p "$TMPDIR" "$DIR/in" "$DIR/res"
ORG=bench.example M=2026-10
log() { echo "bench/xlsx.sh: $*" >&2; }

# ---- a month of exports, every record valid (FORMATS.md §3) ----
log "generating $CALLS call legs and the other types for $M"
awk -v n="$CALLS" -v dir="$DIR/in" 'BEGIN {
	srand(42)
	call = dir "/call.csv"; sms = dir "/sms.csv"; fax = dir "/fax.csv"; dnc = dir "/dnc.csv"
	print "record_id,org_id,org_name,wallet_id,txn_id,leg_id,direction,start_time,answer_time,end_time,duration_s,talk_s,billable_s,caller,callee,status,dest_country,rate_per_min,price,cost,currency\r" > call
	print "record_id,org_id,org_name,wallet_id,direction,submit_time,sender,recipient,dest_country,encoding,segments,status,rate_per_segment,price,cost,currency\r" > sms
	print "record_id,org_id,org_name,wallet_id,direction,start_time,end_time,duration_s,sender,recipient,dest_country,pages,status,rate_per_page,price,cost,currency\r" > fax
	print "record_id,org_id,org_name,wallet_id,check_time,batch_id,channel,number,result,valid_until,price,cost,currency\r" > dnc
	for (i = 0; i < n; i++) {
		d = int(rand() * 31) + 1; sod = int(rand() * (86400 - 700)); dur = int(rand() * 600)
		t = sprintf("2026-10-%02dT%02d:%02d:%02dZ", d, sod / 3600, sod % 3600 / 60, sod % 60)
		e = sod + dur
		te = sprintf("2026-10-%02dT%02d:%02d:%02dZ", d, e / 3600, e % 3600 / 60, e % 60)
		price = int((15000 * dur + 30) / 60); cost = int((9000 * dur + 30) / 60)
		o = i % 500
		printf "c%09d,org%03d,Customer %d,w%03d,t%09d,l1,outgoing,%s,%s,%s,%d,%d,%d,+1555%07d,+1666%07d,answered,US,0.015000,%d.%06d,%d.%06d,USD\r\n",
			i, o, o, o, i, t, t, te, dur, dur, dur, i % 10000000, (i * 7) % 10000000,
			price / 1000000, price % 1000000, cost / 1000000, cost % 1000000 > call
		if (i % 3 == 0) {
			seg = i % 4 + 1
			printf "s%09d,org%03d,Customer %d,w%03d,outgoing,%s,ACME,+4477009%05d,GB,gsm7,%d,delivered,0.020000,0.%06d,0.%06d,USD\r\n",
				i, o, o, o, t, i % 100000, seg, seg * 20000, seg * 10000 > sms
		}
		if (i % 50 == 0)
			printf "f%09d,org%03d,Customer %d,w%03d,outgoing,%s,%s,%d,+15551234567,+15557654321,US,%d,success,0.050000,0.%06d,0.%06d,USD\r\n",
				i, o, o, o, t, te, dur, i % 9 + 1, (i % 9 + 1) * 50000, (i % 9 + 1) * 20000 > fax
		if (i % 10 == 0)
			printf "d%09d,org%03d,Customer %d,w%03d,%s,b%05d,voice,+1555%07d,clear,%s,0.001000,0.000500,USD\r\n",
				i, o, o, o, t, i / 1000, i % 10000000,
				(d + 21 > 31 ? sprintf("2026-11-%02d", d - 10) : sprintf("2026-10-%02d", d + 21)) > dnc
	}
}'

# run KEY VIEW COMMAND...: one timed run into a new store (wall seconds and
# peak RSS appended to res/KEY.VIEW)
run() {
	local key=$1 view=$2 store=$DIR/store-$1-$2 t
	shift 2
	rm -rf "$store"
	"$B/fmctl" init "$store" >/dev/null
	sync
	/usr/bin/time -f '%e %M' -o "$DIR/time" env FMFS_XLSX_VIEW="$view" FMFS_STORE="$store" \
		"$@" >/dev/null 2>"$DIR/err" || { cat "$DIR/err" >&2; exit 1; }
	t=$(cat "$DIR/time")
	echo "${t% *}" >>"$DIR/res/$key.$view"
	echo "${t#* }" >>"$DIR/res/$key.$view.rss"
	log "$key view=$view: ${t% *} s, peak RSS $((${t#* } / 1024)) MiB"
}
median() { sort -g "$1" | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

usage_cmd=("$B/fmctl" usage --org $ORG --now 2026-12-01T00:00:00Z
	"$DIR/in/call.csv" "$DIR/in/sms.csv" "$DIR/in/fax.csv" "$DIR/in/dnc.csv")
# the month's generated CSVs, for the hand ingest
run gen 0 "${usage_cmd[@]}"
mkdir -p "$DIR/gen"
for t in call sms fax dnc; do
	"$B/fmctl" -s "$DIR/store-gen-0" cat $ORG/Usage/$M/$ORG-$M-$t.csv >"$DIR/gen/$ORG-$M-$t.csv"
done
ingest_cmd=("$B/fmctl" ingest --org $ORG --kind usage --period $M "$DIR"/gen/*.csv)

for r in $(seq "$REPS"); do
	run usage 1 "${usage_cmd[@]}"
	run usage 0 "${usage_cmd[@]}"
	run ingest 1 "${ingest_cmd[@]}"
	run ingest 0 "${ingest_cmd[@]}"
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
u1=$(median "$DIR/res/usage.1") u0=$(median "$DIR/res/usage.0")
i1=$(median "$DIR/res/ingest.1") i0=$(median "$DIR/res/ingest.0")
r1=$(($(median "$DIR/res/usage.1.rss") / 1024)) r0=$(($(median "$DIR/res/usage.0.rss") / 1024))
rows=$(cat "$DIR"/gen/*.csv | wc -l)
cat <<TABLE
A month of usage: $((rows - 4)) records ($CALLS call legs, $(((CALLS + 2) / 3)) SMS, $((CALLS / 10)) DNC checks, $((CALLS / 50)) faxes), $(du -sh "$DIR/gen" | cut -f1) of CSV; $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM, $(df --output=source "$DIR" | tail -1); medians of $REPS runs in alternation.

| command | with the view (s) | FMFS_XLSX_VIEW=0 (s) | ratio | peak RSS with / without (MiB) |
|---|---:|---:|---:|---:|
| \`fmctl usage --org D EXPORTS\` (convert and ingest) | $u1 | $u0 | $(ratio "$u1" "$u0") | $r1 / $r0 |
| \`fmctl ingest --kind usage\` of the four CSVs | $i1 | $i0 | $(ratio "$i1" "$i0") | |

| file | rows | CSV (bytes) | .xlsx (bytes) | xlsx ÷ CSV |
|---|---:|---:|---:|---:|
TABLE
for t in call sms fax dnc; do
	f=$ORG-$M-$t
	c=$(stat -c %s "$DIR/gen/$f.csv")
	x=$("$B/fmctl" -s "$DIR/store-usage-1" cat $ORG/Usage/$M/$f.xlsx | wc -c)
	echo "| $f.csv | $(($(wc -l <"$DIR/gen/$f.csv") - 1)) | $c | $x | $(ratio "$x" "$c") |"
done
