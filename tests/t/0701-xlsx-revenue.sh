#!/usr/bin/env bash
# 0701: the spreadsheet view of the revenue zip's ten CSVs and of the
# subscription-billing report (docs/formats.md §6): each unzipped CSV in
# Revenue/YYYY-MM/ and the report get SAME-NAME.xlsx in the same batch,
# typed cell by cell (openpyxl and LibreOffice agree with the CSV); a zip
# ingested by hand in another time zone gives the same bytes; reruns are
# no-ops; the views show in the mount.
source "$FMFS_TOP/tests/lib.sh"
PY=/usr/bin/python3
"$PY" -c 'import openpyxl' 2>/dev/null || skip "needs python3-openpyxl"
command -v soffice >/dev/null || skip "needs LibreOffice (soffice, libreoffice-calc-nogui)"
O=acme.example P=2026-10
"$PY" "$TOP/tests/revenue_ledger.py" L --org $O --period $P >/dev/null
fmctl init S >/dev/null
FMFS_NOW=2026-11-02T00:00:00Z fmctl -s S usage --org $O L/usage/*.csv >/dev/null 2>&1
TZ=Pacific/Auckland fmctl -s S report subscription-billing --org $O --period $P L >out ||
	fail "report"
grep -q "(2 file(s) new" out || fail "report and its view expected: $(cat out)"
TZ=America/Los_Angeles fmctl -s S revenue --org $O --period $P L >out || fail "revenue"
grep -q "(21 file(s) new" out || fail "zip, ten CSVs and ten views expected: $(cat out)"

mkdir v
for d in Revenue/$P Reports/$P; do
	for f in $(fmctl -s S ls $O/$d | awk '{ print $NF }'); do
		fmctl -s S cat $O/$d/$f >v/$f
	done
done
csvs=$(cd v && ls ./*.csv | sed 's|^\./||')
assert_eq "$(wc -l <<<"$csvs")" 11 "ten revenue CSVs and the report"
for f in $csvs; do
	[ -f "v/${f%.csv}.xlsx" ] || fail "no view of $f"
done
assert_eq "$(ls v | grep -c '\.xlsx$')" 11 "views"

note "openpyxl: a few cells by hand"
"$PY" - v/$O-$P-customer-list.xlsx v/$O-$P-subscription-billing.xlsx v/$O-$P-date-summary.xlsx <<'PY'
import sys, datetime, openpyxl
ws = openpyxl.load_workbook(sys.argv[1]).active
names = [ws.cell(r, 2).value for r in range(2, ws.max_row + 1)]
assert '=HYPERLINK("http://x")' in names, names          # the guard is gone, text stays text
assert all(ws.cell(r, 2).data_type == 's' for r in range(2, ws.max_row + 1))
assert ws.cell(2, 7).value == datetime.datetime(2026, 11, 1) and ws.cell(1, 7).value == 'balance_as_of (UTC)'
ws = openpyxl.load_workbook(sys.argv[2]).active
head = [c.value for c in ws[1]]
i = head.index('charged_in_period') + 1
assert {ws.cell(r, i).data_type for r in range(2, ws.max_row + 1)} == {'b'}
assert {type(ws.cell(r, i).value) for r in range(2, ws.max_row + 1)} == {bool}
j = head.index('cycle_start') + 1
assert all(isinstance(ws.cell(r, j).value, datetime.datetime) for r in range(2, ws.max_row + 1))
ws = openpyxl.load_workbook(sys.argv[3]).active
assert ws.cell(ws.max_row, 1).value == datetime.datetime(2026, 10, 31)
assert ws.cell(ws.max_row, 1).number_format == 'yyyy-mm-dd'
PY

note "every cell, by openpyxl and by LibreOffice"
(cd v && soffice -env:UserInstallation=file://$T/lo --headless \
	--convert-to 'csv:Text - txt - csv (StarCalc):44,34,76,1' --outdir ../lo ./*.xlsx >/dev/null 2>&1) ||
	fail "soffice could not convert"
for f in $csvs; do
	"$PY" "$TOP/tests/xlsx_check.py" v/$f v/${f%.csv}.xlsx lo/$f || fail "view of $f differs"
done

note "reruns are no-ops"
before=$(store_state S)
fmctl -s S revenue --org $O --period $P L >out || fail "revenue again"
grep -q "nothing to do" out || fail "revenue rerun: $(cat out)"
fmctl -s S report subscription-billing --org $O --period $P L >out || fail "report again"
grep -q "nothing to do" out || fail "report rerun: $(cat out)"
assert_eq "$(store_state S)" "$before" "store after the reruns"

note "the zip ingested by hand elsewhere: the same views, byte for byte"
fmctl -s S cat $O/Revenue/$O-$P-revenue.zip >z.zip
fmctl init S2 >/dev/null
sleep 1
TZ=Asia/Kolkata fmctl -s S2 ingest --org $O --kind revenue --period $P z.zip >out ||
	fail "ingest of the zip"
grep -q "ingested 21 file(s)" out || fail "hand ingest: $(cat out)"
for f in $csvs; do
	[ "$f" = $O-$P-subscription-billing.csv ] && continue
	assert_eq "$(fmctl -s S2 cat $O/Revenue/$P/${f%.csv}.xlsx | sha256sum)" \
		"$(sha256sum <v/${f%.csv}.xlsx)" "view of $f"
done

note "visible in the mount"
fmfs_mount S mnt -o org=$O
assert_eq "$(ls mnt/Revenue/$P | grep -c '\.xlsx$')" 10 "revenue views listed"
cmp mnt/Reports/$P/$O-$P-subscription-billing.xlsx v/$O-$P-subscription-billing.xlsx ||
	fail "report view in the mount"
