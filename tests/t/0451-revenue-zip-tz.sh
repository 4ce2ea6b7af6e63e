#!/usr/bin/env bash
# 0451: zip entries carry their mtime as UTC (extended timestamp, 0x5455), so
# unzip restores the instant the mount shows in any time zone; the zip's
# bytes stay deterministic whatever TZ fmctl runs in.
source "$FMFS_TOP/tests/lib.sh"
command -v unzip >/dev/null || skip "no unzip"
org=acme.example
python3 "$TOP/tests/revenue_ledger.py" L --org $org --period 2026-10 --customers 3 --transactions 60
fmctl init S >/dev/null
fmctl -s S ingest --org $org --kind usage --period 2026-10 L/usage/*.csv >/dev/null
TZ=Pacific/Kiritimati fmctl -s S revenue --org $org --period 2026-10 L >/dev/null
fmfs_mount S mnt -o org=$org
want=$(stat -c %Y mnt/Revenue/2026-10/$org-2026-10-date-summary.csv)
assert_eq "$want" "$(date -ud 2026-11-01 +%s)" "the mount's mtime"
for tz in America/New_York Asia/Singapore UTC; do
	d=x-${tz//\//-}
	rm -rf "$d" && mkdir "$d"
	(cd "$d" && TZ=$tz unzip -q ../mnt/Revenue/$org-2026-10-revenue.zip) || fail "unzip in $tz"
	for f in "$d"/*.csv; do
		assert_eq "$(stat -c %Y "$f")" "$want" "mtime of $f unzipped in $tz"
	done
done
# the same bytes made in New York
fmctl init S2 >/dev/null
fmctl -s S2 ingest --org $org --kind usage --period 2026-10 L/usage/*.csv >/dev/null
TZ=America/New_York fmctl -s S2 revenue --org $org --period 2026-10 L >/dev/null
cmp <(fmctl -s S2 cat /$org/Revenue/$org-2026-10-revenue.zip) mnt/Revenue/$org-2026-10-revenue.zip || fail "bytes depend on TZ"
