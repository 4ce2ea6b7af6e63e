#!/usr/bin/env bash
# fmctl usage writes spreadsheet-safe CSV (docs/formats.md §1): exact bytes (BOM,
# CRLF, minimal quoting, OWASP prefix, control characters, non-ASCII, exact
# money, never -0.000000; usage money is never negative), and LibreOffice reads the cells back as written.
source "$FMFS_TOP/tests/lib.sh"
source "$FMFS_TOP/tests/usage-lib.sh"
S=$T/store O=acme.example
fmctl init "$S" >/dev/null

export_csv calls.csv "$CALL_HDR" \
	"$(call r1 2026-10-01T00:00:00Z 60 "\"=cmd|' /C calc'!A0\"" 999999999.999999 0.000001)" \
	"$(call r2 2026-10-01T00:00:01Z 60 "\"Smith, \"\"Jo\"\"
Inc\"" -0.000000 0.5)" \
	"$(call r3 2026-10-01T00:00:02Z 60 "Zoë Ångström 東京 🚀" 1 999999999.999999)" \
	"$(call r4 2026-10-01T00:00:03Z 60 "+SUM(1)" 0.1 0.20)" \
	"$(call r5 2026-10-01T00:00:04Z 60 "@x" 0 0 '"-2+3"')" \
	"$(call r6 2026-10-01T00:00:05Z 60 "\" padded \"" 12.3 4)"
fmctl -s "$S" usage --org $O --now 2026-11-01T00:00:00Z calls.csv >/dev/null 2>err || { cat err; fail "usage failed"; }
f=$O/Usage/2026-10/$O-2026-10-call.csv
ucat "$S" "$f" >out.csv

note "exact bytes"
row() { # id start end name caller price cost callee
	printf '%s,o1,%s,w1,t-%s,l1,outgoing,%s,%s,%s,60,60,60,+15551234567,%s,answered,US,0.015000,%s,%s,USD\r\n' \
		"$1" "$4" "$1" "$2" "$2" "$3" "$7" "$5" "$6"
}
{
	printf '\xef\xbb\xbf%s\r\n' "$CALL_HDR"
	row r1 2026-10-01T00:00:00Z 2026-10-01T00:01:00Z "\"'=cmd|' /C calc'!A0\"" 999999999.999999 0.000001 +15557654321
	row r2 2026-10-01T00:00:01Z 2026-10-01T00:01:01Z '"Smith, ""Jo"" Inc"' 0.000000 0.500000 +15557654321
	row r3 2026-10-01T00:00:02Z 2026-10-01T00:01:02Z "Zoë Ångström 東京 🚀" 1.000000 999999999.999999 +15557654321
	row r4 2026-10-01T00:00:03Z 2026-10-01T00:01:03Z "\"'+SUM(1)\"" 0.100000 0.200000 +15557654321
	row r5 2026-10-01T00:00:04Z 2026-10-01T00:01:04Z "\"'@x\"" 0.000000 0.000000 "\"'-2+3\""
	row r6 2026-10-01T00:00:05Z 2026-10-01T00:01:05Z '" padded "' 12.300000 4.000000 +15557654321
} >want.csv
cmp want.csv out.csv || { diff <(cat -A want.csv) <(cat -A out.csv); fail "bytes differ"; }
grep -q -- '-0\.000000' out.csv && fail "-0.000000 written"

note "money out of the int64 range is refused (1e9 is not: IDR and VND)"
export_csv big.csv "$CALL_HDR" "$(call b1 2026-10-01T00:00:00Z 60 A 9223372036854.775808)"
expect_fail "big.csv:2: bad price '9223372036854.775808'" fmctl -s "$S" usage --org $O --now 2026-11-01T00:00:00Z big.csv
export_csv prec.csv "$CALL_HDR" "$(call b1 2026-10-01T00:00:00Z 60 A 0.0000001)"
expect_fail "prec.csv:2: bad price '0.0000001'" fmctl -s "$S" usage --org $O --now 2026-11-01T00:00:00Z prec.csv

note "LibreOffice reads the cells back"
command -v soffice >/dev/null || skip "soffice not installed (tools/install-deps.sh installs libreoffice-calc-nogui)"
export HOME=$T/home
mkdir -p "$HOME" xlsx back
timeout 120 soffice --headless --norestore -env:UserInstallation=file://$T/lo \
	--infilter='CSV:44,34,76,1' --convert-to xlsx --outdir xlsx out.csv >lo.log 2>&1 || { cat lo.log; fail "soffice xlsx failed"; }
[ -s xlsx/out.xlsx ] || fail "no xlsx: $(cat lo.log)"
# the sheet holds the text cells as strings: the formula was not evaluated
unzip -p xlsx/out.xlsx xl/worksheets/sheet1.xml >sheet.xml
grep -q '<f>' sheet.xml && fail "a cell became a formula"
unzip -p xlsx/out.xlsx xl/sharedStrings.xml >strings.xml
grep -qF "&apos;=cmd|&apos; /C calc&apos;!A0" strings.xml || fail "injection cell not kept as text"
grep -qF ">record_id<" strings.xml || fail "the BOM was not taken as UTF-8"
grep -qF "Zoë Ångström 東京 🚀" strings.xml || fail "non-ASCII cell"
grep -qF 'Smith, "Jo" Inc' strings.xml || grep -qF 'Smith, &quot;Jo&quot; Inc' strings.xml || fail "comma/quote cell"
# and back to CSV (UTF-8, comma, quote all text): same values
timeout 120 soffice --headless --norestore -env:UserInstallation=file://$T/lo \
	--convert-to 'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false' \
	--outdir back xlsx/out.xlsx >lo2.log 2>&1 || { cat lo2.log; fail "soffice csv failed"; }
tr -d '\r' <back/out.csv >back.csv
grep -qF "'=cmd|' /C calc'!A0" back.csv || fail "injection cell changed: $(sed -n 2p back.csv)"
grep -qF "999999999.999999" back.csv || fail "money not exact: $(sed -n 2p back.csv)"
grep -qF "Zoë Ångström 東京 🚀" back.csv || fail "non-ASCII changed"
grep -q '^"\?r1"\?,' back.csv || fail "row r1 missing"
# E.164 is never prefixed (docs/formats.md §1): a spreadsheet shows it as the
# number 15557654321 (the '+' is a display matter), all 11 digits exact
grep -qE ',\+?15557654321,' back.csv || fail "E.164 changed: $(sed -n 3p back.csv)"
grep -qF "'-2+3" back.csv || fail "text cell '-2+3 not kept as text"
grep -qF "'+SUM(1)" back.csv || fail "text cell +SUM(1) not kept as text"
