#!/usr/bin/env bash
# 0700: the spreadsheet view of usage files (docs/formats.md §6). fmctl usage puts
# SAME-NAME.xlsx beside every CSV it writes (each type, supplements too), in
# the same batch; read back with openpyxl and converted by LibreOffice, every
# cell agrees with the CSV (E.164 keeps its +, 0042 its zeros, an 18-digit
# record_id every digit, 1E5 stays text, guarded cells lose the apostrophe,
# times are UTC date-times, money numbers with 6 decimals); the same exports
# give the same bytes in another time zone and later; a rerun is a no-op; the
# views show in the mount.
source "$FMFS_TOP/tests/lib.sh"
source "$FMFS_TOP/tests/usage-lib.sh"
PY=/usr/bin/python3
"$PY" -c 'import openpyxl' 2>/dev/null || skip "needs python3-openpyxl"
command -v soffice >/dev/null || skip "needs LibreOffice (soffice, libreoffice-calc-nogui)"
O=acme.example
export FMFS_NOW=2026-12-15T00:00:00Z

# call rows with the values spreadsheets lose
calls=(
	"$(call 202610311234567891 2026-10-03T00:00:00Z 61 0042)"
	"$(call c-2 2026-10-04T10:00:00+08:00 0 1E5 0 0)"
	"$(call c-3 2026-10-05T00:00:00Z 30 '"=SUM(A1:A9)"' 0.0075 0.005 +6561234567)"
	"$(call c-4 2026-10-06T00:00:00Z 5 '"@cmd, -2+3"')"
	"$(call c-5 2026-10-07T00:00:00Z 5 '"-5"')"
)
export_csv calls.csv "$CALL_HDR" "${calls[@]}"
export_csv sms.csv "$SMS_HDR" "$(sms s-1 2026-10-01T12:00:00Z 2 0.02 0.04)" \
	"$(sms s-2 2026-10-02T12:00:00Z 1 0.02 0.02)"
export_csv fax.csv "$FAX_HDR" "$(fax f-1 2026-10-09T08:00:00Z 120 3)"
export_csv dnc.csv "$DNC_HDR" "$(dnc d-1 2026-10-10T07:00:00Z)" "$(dnc d-2 2026-10-11T23:30:00Z)"

fmctl init S1 >/dev/null
TZ=America/New_York fmctl -s S1 usage --org $O calls.csv sms.csv fax.csv dnc.csv >out 2>err ||
	{ cat err; fail "usage"; }
grep -q "^8 files added" err || fail "4 CSVs and 4 views expected: $(cat err)"
U=$O/Usage/2026-10
mkdir v
for t in call sms fax dnc; do
	for ext in csv xlsx; do
		fmctl -s S1 cat $U/$O-2026-10-$t.$ext >v/$O-2026-10-$t.$ext ||
			fail "no $t .$ext in the archive"
	done
done

note "openpyxl: the values spreadsheets used to lose"
"$PY" - v/$O-2026-10-call.xlsx <<'PY'
import sys, datetime, openpyxl
ws = openpyxl.load_workbook(sys.argv[1]).active
rows = {ws.cell(r, 1).value: r for r in range(2, ws.max_row + 1)}
def cell(rid, col):
    c = ws.cell(rows[rid], col)
    return c.value, c.data_type
assert cell('202610311234567891', 1) == ('202610311234567891', 's'), cell('202610311234567891', 1)
assert cell('202610311234567891', 3) == ('0042', 's')
assert cell('c-2', 3) == ('1E5', 's')
assert cell('c-3', 3) == ('=SUM(A1:A9)', 's'), cell('c-3', 3)   # text, not a formula
assert cell('c-4', 3) == ('@cmd, -2+3', 's')
assert cell('c-5', 3) == ('-5', 's')
assert cell('c-3', 15) == ('+6561234567', 's')
assert cell('c-3', 14) == ('+15551234567', 's')
assert cell('c-2', 8) == (datetime.datetime(2026, 10, 4, 2, 0), 'd')   # +08:00 made UTC
assert cell('c-2', 9) == (None, 'n')                                    # not answered: blank
assert cell('c-3', 19)[0] == 0.0075 and ws.cell(rows['c-3'], 19).number_format == '0.000000'
assert cell('c-3', 11) == (30, 'n')
assert ws.cell(1, 8).value == 'start_time (UTC)'
PY

note "every cell, by openpyxl and by LibreOffice"
(cd v && soffice -env:UserInstallation=file://$T/lo --headless \
	--convert-to 'csv:Text - txt - csv (StarCalc):44,34,76,1' --outdir ../lo ./*.xlsx >/dev/null 2>&1) ||
	fail "soffice could not convert"
for t in call sms fax dnc; do
	f=$O-2026-10-$t
	"$PY" "$TOP/tests/xlsx_check.py" v/$f.csv v/$f.xlsx lo/$f.csv || fail "$t view differs"
done

note "deterministic: another time zone, another second, another store"
sleep 1
fmctl init S2 >/dev/null
TZ=Asia/Singapore fmctl -s S2 usage --org $O calls.csv sms.csv fax.csv dnc.csv >/dev/null 2>&1
for t in call sms fax dnc; do
	assert_eq "$(fmctl -s S2 cat $U/$O-2026-10-$t.xlsx | sha256sum)" \
		"$(sha256sum <v/$O-2026-10-$t.xlsx)" "$t view bytes"
done

note "a rerun is a no-op"
before=$(store_state S1)
fmctl -s S1 usage --org $O calls.csv sms.csv fax.csv dnc.csv >/dev/null 2>err
grep -q "^0 files added" err || fail "rerun: $(cat err)"
assert_eq "$(store_state S1)" "$before" "store after the rerun"

note "a supplement gets its view too, in the same batch"
export_csv late.csv "$CALL_HDR" "$(call late-1 2026-10-20T00:00:00Z 10)"
fmctl -s S1 usage --org $O late.csv >/dev/null 2>&1
fmctl -s S1 cat $U/$O-2026-10-call-supplement-01.xlsx >v/s1.xlsx || fail "no supplement view"
fmctl -s S1 cat $U/$O-2026-10-call-supplement-01.csv >v/$O-2026-10-call-supplement-01.csv
"$PY" "$TOP/tests/xlsx_check.py" v/$O-2026-10-call-supplement-01.csv v/s1.xlsx ||
	fail "supplement view differs"

note "visible in the mount, with the CSV's date"
fmfs_mount S1 mnt -o org=$O
cmp mnt/Usage/2026-10/$O-2026-10-dnc.xlsx v/$O-2026-10-dnc.xlsx || fail "mount bytes"
assert_eq "$(stat -c %Y mnt/Usage/2026-10/$O-2026-10-call.xlsx)" \
	"$(stat -c %Y mnt/Usage/2026-10/$O-2026-10-call.csv)" "view mtime"
assert_eq "$(ls mnt/Usage/2026-10 | grep -c '\.xlsx$')" 5 "views listed"
