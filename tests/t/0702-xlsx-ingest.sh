#!/usr/bin/env bash
# 0702: the spreadsheet view of CSVs ingested by hand (docs/formats.md §6).
# fmctl ingest of a CSV named as a known layout adds SAME-NAME.xlsx in the
# same batch (parts and revisions too), other names get none; a value not in its column's
# exact form stays text as it is (16 significant digits, leading zeros, a
# time with a space, a literal _x0041_); ts fractions are kept; a header-only CSV and an empty
# file give a sheet with the header; a file that is not CSV is refused with
# nothing archived; FMFS_XLSX_VIEW=0 turns the view off; ingesting again is
# a no-op; in a manifest that mixes kinds each file keeps its own direction.
source "$FMFS_TOP/tests/lib.sh"
source "$FMFS_TOP/tests/usage-lib.sh"
PY=/usr/bin/python3
"$PY" -c 'import openpyxl' 2>/dev/null || skip "needs python3-openpyxl"
command -v soffice >/dev/null || skip "needs LibreOffice (soffice, libreoffice-calc-nogui)"
O=x.example P=2026-10 U=x.example/Usage/2026-10
usage=(--org $O --kind usage --period $P)
fmctl init S >/dev/null

note "a call file by hand: odd values stay text, fractions kept, an extra column"
mkdir in
call_csv=in/$O-$P-call.csv
{
	printf '\xef\xbb\xbf%s,note\r\n' "$CALL_HDR"
	printf '%s\r\n' \
		"202610311234567891,o1,\"'=1+2\",w1,t1,l1,outgoing,2026-10-03T00:00:00.5Z,2026-10-03T00:00:01.123456Z,2026-10-03T00:01:00Z,60,59,60,\"'+6561234567\",0042,answered,US,0.015000,1234567890123.123456,0.010000,USD,\"'@x\"" \
		"r2,o1,1E5,w1,t2,l1,outgoing,2026-10-04 00:00:00,,2026-10-04T00:01:00Z,0042,-0,1e3,+1555,\"a,b\",unanswered,,0.0150,-0.000000,987654321.123456,USD,=x" \
		"r3,o1,\"' hello\",w1,t3,l1,outgoing,2026-10-05T23:59:59.999Z,,2026-10-31T23:59:59Z,-7,0,0,x,y,busy,GB,0.000000,0.000000,0.000000,EUR,x_x0041_y"
} >"$call_csv"
fmctl -s S ingest "${usage[@]}" "$call_csv" >out || fail "ingest"
grep -q "ingested 2 file(s)" out || fail "CSV and view expected: $(cat out)"
fmctl -s S cat $U/$O-$P-call.xlsx >call.xlsx
"$PY" - call.xlsx <<'PY'
import sys, datetime, openpyxl
ws = openpyxl.load_workbook(sys.argv[1]).active
v = lambda c: (ws[c].value, ws[c].data_type)
assert v('A2') == ('202610311234567891', 's')
assert v('C2') == ('=1+2', 's') and v('N2') == ('+6561234567', 's') and v('O2') == ('0042', 's')
assert v('V2') == ('@x', 's') and v('V3') == ('=x', 's') and ws['V1'].value == 'note'
assert v('S2') == ('1234567890123.123456', 's'), v('S2')     # 19 digits: text, every digit
assert v('T3') == (987654321.123456, 'n')                     # 15 digits: a number
assert v('K3') == ('0042', 's') and v('L3') == ('-0', 's') and v('M3') == ('1e3', 's')
assert v('H3') == ('2026-10-04 00:00:00', 's') and v('R3') == ('0.0150', 's')
assert v('S3') == ('-0.000000', 's') and v('C3') == ('1E5', 's') and v('O3') == ('a,b', 's')
assert v('K4') == (-7, 'n') and v('C4') == (' hello', 's')
assert v('V4') == ('x_x005F_x0041_y', 's')  # a literal _x0041_, escaped (openpyxl does not decode)
assert ws['H2'].value == datetime.datetime(2026, 10, 3, 0, 0, 0, 500000)
assert ws['I2'].value == datetime.datetime(2026, 10, 3, 0, 0, 1, 123000)  # openpyxl: ms
assert ws['H2'].number_format == 'yyyy-mm-dd hh:mm:ss.000'
assert ws['J2'].number_format == 'yyyy-mm-dd hh:mm:ss'
PY
"$PY" - call.xlsx <<'PY'
import re, sys, zipfile
# the stored number keeps the time to within a microsecond (a date-time is
# a day count in a double, written with 16 digits; openpyxl shows ms)
xml = zipfile.ZipFile(sys.argv[1]).read('xl/worksheets/sheet1.xml').decode()
serial = float(re.search(r'<c r="I2"[^>]*><v>([^<]+)</v>', xml).group(1))
day = 46298  # 2026-10-03, days since 1899-12-30
assert abs((serial - day) * 86400e6 - 1123456) < 1, serial
PY
(soffice -env:UserInstallation=file://$T/lo --headless \
	--convert-to 'csv:Text - txt - csv (StarCalc):44,34,76,1' --outdir lo call.xlsx >/dev/null 2>&1) ||
	fail "soffice could not convert"
"$PY" "$TOP/tests/xlsx_check.py" "$call_csv" call.xlsx lo/call.csv || fail "hand call view differs"

note "a header-only CSV: a sheet with its header; an empty file: the layout's header"
printf '\xef\xbb\xbf%s\r\n' "$SMS_HDR" >in/$O-$P-sms.csv
: >in/$O-$P-fax.csv
fmctl -s S ingest "${usage[@]}" in/$O-$P-sms.csv in/$O-$P-fax.csv >/dev/null || fail "ingest empty"
fmctl -s S cat $U/$O-$P-sms.xlsx >sms.xlsx
fmctl -s S cat $U/$O-$P-fax.xlsx >fax.xlsx
"$PY" "$TOP/tests/xlsx_check.py" in/$O-$P-sms.csv sms.xlsx || fail "header-only view"
"$PY" - fax.xlsx "$FAX_HDR" <<'PY'
import sys, openpyxl
ws = openpyxl.load_workbook(sys.argv[1]).active
want = [h + (' (UTC)' if h in ('start_time', 'end_time') else '') for h in sys.argv[2].split(',')]
assert [c.value for c in ws[1]] == want, [c.value for c in ws[1]]
assert ws.max_row == 1 and ws.freeze_panes == 'A2' and ws.auto_filter.ref == 'A1:Q1'
PY

note "parts, and names that are no known layout"
cp "$call_csv" in/$O-$P-call-part002.csv
printf 'a,b\r\n1,2\r\n' >in/notes.csv
cp in/notes.csv in/$O-$P-call.txt
cp in/notes.csv in/$O-$P-calls.csv
fmctl -s S ingest "${usage[@]}" in/$O-$P-call-part002.csv in/notes.csv in/$O-$P-call.txt \
	in/$O-$P-calls.csv >/dev/null || fail "ingest others"
assert_eq "$(fmctl -s S ls $U | awk '{ print $NF }' | grep -c '\.xlsx$')" 4 "views in the folder"
fmctl -s S stat /$U/$O-$P-call-part002.xlsx >/dev/null || fail "no view of the part"
printf '\xef\xbb\xbfperiod,charged_in_period\r\n2026-10,true\r\n' >in/$O-$P-subscription-billing-rev02.csv
fmctl -s S ingest --org $O --kind report --period $P in/$O-$P-subscription-billing-rev02.csv \
	>/dev/null || fail "ingest a report revision"
fmctl -s S cat $O/Reports/$P/$O-$P-subscription-billing-rev02.xlsx >rev02.xlsx ||
	fail "no view of a report revision"
"$PY" "$TOP/tests/xlsx_check.py" in/$O-$P-subscription-billing-rev02.csv rev02.xlsx ||
	fail "report revision view"

note "not CSV: refused, nothing archived, the good file of the batch neither"
printf '\xef\xbb\xbfrecord_id\r\n\xff\xfe\r\n' >in/$O-$P-dnc.csv
cp "$call_csv" in/$O-2026-11-call.csv
before=$(store_state S)
expect_fail "in/$O-$P-dnc.csv: cannot make its spreadsheet view $O-$P-dnc.xlsx: line 2: invalid UTF-8" \
	fmctl -s S ingest --org $O --kind usage --period 2026-11 in/$O-2026-11-call.csv in/$O-$P-dnc.csv
assert_eq "$LAST_RC" 1 "exit code"
assert_eq "$(wc -l <<<"$LAST_OUT")" 1 "one-line error: $LAST_OUT"
assert_eq "$(store_state S)" "$before" "store after the refusal"

note "again: a no-op"
out=$(fmctl -s S ingest "${usage[@]}" "$call_csv")
grep -q "nothing to do" <<<"$out" || fail "again: $out"
assert_eq "$(store_state S)" "$before" "store after ingesting again"

note "FMFS_XLSX_VIEW=0: no view"
cp "$call_csv" in/$O-2026-09-call.csv
FMFS_XLSX_VIEW=0 fmctl -s S ingest --org $O --kind usage --period 2026-09 in/$O-2026-09-call.csv >out
grep -q "ingested 1 file(s)" out || fail "view off: $(cat out)"

note "a manifest mixing kinds: each file keeps its own direction, views included"
echo pdf >in/INV-1.pdf
cp "$call_csv" in/$O-2026-08-call.csv
printf 'in/INV-1.pdf\t%s\tinvoice\tincoming\t2026-08\t-\t-\nin/%s\t%s\tusage\t-\t2026-08\t-\t-\n' \
	$O $O-2026-08-call.csv $O >m.tsv
fmctl -s S ingest --manifest m.tsv >/dev/null || fail "manifest"
assert_eq "$(sqlite3 "file:S/catalog.db?mode=ro" \
	"SELECT count(*) FROM documents WHERE kind='usage' AND direction IS NOT NULL")" 0 \
	"usage documents with a direction"
assert_eq "$(sqlite3 "file:S/catalog.db?mode=ro" \
	"SELECT count(*) FROM documents WHERE period='2026-08' AND original_name LIKE '%.xlsx'")" 1 \
	"view from the manifest"
