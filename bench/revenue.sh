#!/usr/bin/env bash
# bench/revenue.sh BUILD_DIR - time and peak RSS of `fmctl revenue` for one
# partner's month: FMFS_BENCH_CUSTOMERS customers (10000) and
# FMFS_BENCH_TRANSACTIONS ledger transactions (5000000), about 80% of them
# usage records archived beforehand. FMFS_BENCH_LEDGER=DIR keeps (and reuses)
# the generated ledger there. Prints one line per measured step.
set -eu -o pipefail
bin=$(cd "${1:-build}" && pwd)
top=$(cd "$(dirname "$0")/.." && pwd)
customers=${FMFS_BENCH_CUSTOMERS:-10000}
txns=${FMFS_BENCH_TRANSACTIONS:-5000000}
org=bench.example
work=$(mktemp -d "${TMPDIR:-/tmp}/fmfs-bench-revenue.XXXXXX")
trap 'rm -rf "$work"' EXIT
ledger=${FMFS_BENCH_LEDGER:-$work/ledger}

if [ ! -f "$ledger/.done-$customers-$txns" ]; then
	rm -rf "$ledger"
	start=$(date +%s.%N)
	python3 "$top/tests/revenue_ledger.py" "$ledger" --org $org --period 2026-10 \
		--customers "$customers" --transactions "$txns"
	touch "$ledger/.done-$customers-$txns"
	printf 'revenue: generated the ledger (%s customers, %s transactions) in %.1f s\n' \
		"$customers" "$txns" "$(echo "$(date +%s.%N) - $start" | bc)"
fi
"$bin/fmctl" init "$work/store" >/dev/null
start=$(date +%s.%N)
"$bin/fmctl" -s "$work/store" ingest --org $org --kind usage --period 2026-10 "$ledger"/usage/*.csv >/dev/null
printf 'revenue: ingest of the usage files (%s MB) %.1f s\n' \
	"$(du -sm "$ledger/usage" | cut -f1)" "$(echo "$(date +%s.%N) - $start" | bc)"

measure() { # label command...
	local label=$1 t
	shift
	/usr/bin/time -v "$@" >"$work/out" 2>"$work/time" || { cat "$work/out" "$work/time" >&2; exit 1; }
	t=$(grep "Elapsed (wall clock)" "$work/time" | awk '{print $NF}')
	printf 'revenue: %s: %s wall (m:ss), %s s user, %s MB peak RSS\n' "$label" "$t" \
		"$(grep "User time" "$work/time" | awk '{print $NF}')" \
		"$(( $(grep "Maximum resident" "$work/time" | awk '{print $NF}') / 1024 ))"
}
measure "fmctl revenue, $customers customers, $txns transactions" \
	"$bin/fmctl" -s "$work/store" revenue --org $org --period 2026-10 "$ledger"
measure "second run (no-op)" \
	"$bin/fmctl" -s "$work/store" revenue --org $org --period 2026-10 "$ledger"
grep -q "nothing to do" "$work/out" || { echo "second run was not a no-op" >&2; exit 1; }
"$bin/fmctl" -s "$work/store" ls /$org/Revenue/2026-10 | awk '{s += $2} END {printf "revenue: the ten CSVs: %d files, %.1f MB\n", NR, s / 1048576}'
