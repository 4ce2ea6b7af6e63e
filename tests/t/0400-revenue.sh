#!/usr/bin/env bash
# 0400: fmctl revenue on a realistic month: the zip's CSVs satisfy I1-I7
# (checked independently by tests/revenue_check.py), the same CSVs are
# readable unzipped through the mount, the zip's bytes are deterministic, and
# running it again (or the next month) changes nothing it should not.
source "$FMFS_TOP/tests/lib.sh"
org=acme.example
zip=/$org/Revenue/$org-2026-10-revenue.zip
python3 "$TOP/tests/revenue_ledger.py" L --org $org --period 2026-10
fmctl init S >/dev/null
fmctl -s S ingest --org $org --kind usage --period 2026-10 L/usage/*.csv >/dev/null

out=$(fmctl -s S revenue --org $org --period 2026-10 L)
# the zip, its ten CSVs and their ten .xlsx views
grep -q "ingested $org-2026-10-revenue.zip (21 file(s) new" <<<"$out" || fail "revenue said: $out"
fmctl -s S cat "$zip" > z.zip
python3 "$TOP/tests/revenue_check.py" --prev-closing 2500.000000 z.zip 2026-10 L/usage/*.csv
entries=$(unzip -Z1 z.zip)
assert_eq "$(wc -l <<<"$entries")" 10 "entries in the zip"
assert_eq "$(unzip -Z1 z.zip | sort)" "$entries" "entries are sorted"
# fixed mtime (the period end) and deflate level 6 on every entry
grep -vq "defN.*26-Nov-01 00:00" <<<"$(unzip -Zl z.zip | grep -E "\.csv$")" && fail "an entry has another mtime or method: $(unzip -Zl z.zip)"
# CSV injection neutralised, commas and quotes quoted
grep -qF "\"'=HYPERLINK(\"\"http://x\"\")\"" <<<"$(unzip -p z.zip $org-2026-10-customer-list.csv)" || fail "formula not neutralised"
grep -qF "\"'=SUM(A1:A9) adjustment\"" <<<"$(unzip -p z.zip $org-2026-10-wallet-PW-1.csv)" || fail "wallet description not neutralised"

# the same CSVs, unzipped, through the mount
fmfs_mount S mnt -o org=$org
for e in $entries; do
	cmp "mnt/Revenue/2026-10/$e" <(unzip -p z.zip "$e") || fail "$e differs in the mount"
done
assert_eq "$(ls mnt/Revenue/2026-10 | grep -c '\.csv$')" 10 "CSVs in Revenue/2026-10"
assert_eq "$(stat -c %Y mnt/Revenue/2026-10/$org-2026-10-date-summary.csv)" \
	"$(date -ud 2026-11-01 +%s)" "mtime of an entry"
cmp mnt/Revenue/$org-2026-10-revenue.zip z.zip
zipid=$(stat -c %i mnt/Revenue/$org-2026-10-revenue.zip)
assert_eq "$(sqlite3 "file:S/catalog.db?mode=ro" "SELECT count(*) FROM documents WHERE container=$zipid AND kind='revenue' AND period='2026-10'")" 10 "entries recorded with their zip"

grep -qx "extracted_from: $org-2026-10-revenue.zip (inode $zipid)" <<<"$(fmctl -s S stat /$org/Revenue/2026-10/$org-2026-10-date-summary.csv)" || fail "stat: no extracted_from"

# twice: nothing changes
sha=$(sha256sum < z.zip)
before=$(store_state S)
grep -q "nothing to do" <<<"$(fmctl -s S revenue --org $org --period 2026-10 L)" || fail "second run was not a no-op"
assert_eq "$(store_state S)" "$before" "second run changed the store"
# the same bytes in another store, another time zone, another day
fmctl init S2 >/dev/null
fmctl -s S2 ingest --org $org --kind usage --period 2026-10 L/usage/*.csv >/dev/null
touch L/*.csv
TZ=America/New_York fmctl -s S2 revenue --org $org --period 2026-10 L >/dev/null
assert_eq "$(fmctl -s S2 cat "$zip" | sha256sum)" "$sha" "zip bytes are not deterministic"

# usage archived by fmctl usage (from the same records as exports) gives the same zip
fmctl init S5 >/dev/null
fmctl -s S5 usage --org $org --through 2026-10 --now 2026-11-05T00:00:00Z L/usage/*.csv >/dev/null
fmctl -s S5 revenue --org $org --period 2026-10 L >/dev/null
assert_eq "$(fmctl -s S5 cat "$zip" | sha256sum)" "$sha" "zip after fmctl usage"

# more rows than a file may hold: -partNNN files, each with the header (the
# limit lowered for the test); a file of exactly the limit stays whole
fmctl init S6 >/dev/null
fmctl -s S6 ingest --org $org --kind usage --period 2026-10 L/usage/*.csv >/dev/null
FMFS_REVENUE_MAX_ROWS=7 "$BIN/fmctl" -s S6 revenue --org $org --period 2026-10 L >/dev/null
fmctl -s S6 cat "$zip" > parts.zip
python3 "$TOP/tests/revenue_check.py" --max-rows 7 parts.zip 2026-10 L/usage/*.csv
grep -qx "$org-2026-10-customer-product-summary-part002.csv" <<<"$(unzip -Z1 parts.zip)" || fail "not split"
grep -qx "$org-2026-10-customer-list.csv" <<<"$(unzip -Z1 parts.zip)" || fail "7 rows were split"
assert_eq "$(fmctl -s S6 ls /$org/Revenue/2026-10 | grep -c '\.csv$')" "$(unzip -Z1 parts.zip | wc -l)" "parts in the folder"
assert_eq "$(fmctl -s S6 ls /$org/Revenue/2026-10 | grep -c '\.xlsx$')" "$(unzip -Z1 parts.zip | wc -l)" "a view of each part"

# the next month opens with October's closing balance (I5)
closing=$(unzip -p z.zip $org-2026-10-wallet-PW-1.csv | tail -n 1 | cut -d, -f8)
python3 "$TOP/tests/revenue_ledger.py" N --org $org --period 2026-11 --seed 7 --opening "$closing"
fmctl -s S ingest --org $org --kind usage --period 2026-11 N/usage/*.csv >/dev/null
fmctl -s S revenue --org $org --period 2026-11 N >/dev/null
fmctl -s S cat /$org/Revenue/$org-2026-11-revenue.zip > n.zip
python3 "$TOP/tests/revenue_check.py" --prev-closing "$closing" n.zip 2026-11 N/usage/*.csv
grep -q wallet-PW-1 <<<"$(ls mnt/Revenue/2026-11)" || fail "November not in the mount"

# a zip made elsewhere, ingested by hand, appears unzipped too
python3 -c "
import zipfile
with zipfile.ZipFile('other.zip', 'w', zipfile.ZIP_DEFLATED) as z:
    z.writestr('legacy-2026-09-summary.csv', '\ufeffa,b\r\n1,2\r\n')
    z.writestr('legacy-2026-09-notes.csv', '\ufeffn\r\nhello\r\n')"
fmctl -s S ingest --org $org --kind revenue --period 2026-09 other.zip >/dev/null
for e in legacy-2026-09-summary.csv legacy-2026-09-notes.csv; do
	for _ in $(seq 30); do [ -e mnt/Revenue/2026-09/$e ] && break; sleep 0.1; done
	cmp mnt/Revenue/2026-09/$e <(unzip -p other.zip $e) || fail "$e differs"
done
cmp mnt/Revenue/other.zip other.zip

# a quiet month: customers, no transactions, no top-ups, no usage, a report
# without subscriptions
mkdir Q && cp L/customers.csv L/wallet.csv Q/
sed -i 's/2026-10-/2026-08-/' Q/wallet.csv
head -n 1 L/transactions.csv > Q/transactions.csv
head -n 1 L/topups.csv > Q/topups.csv
head -n 1 L/subscriptions.csv > Q/subscriptions.csv
fmctl -s S revenue --org $org --period 2026-08 Q >/dev/null
fmctl -s S cat /$org/Revenue/$org-2026-08-revenue.zip > q.zip
python3 "$TOP/tests/revenue_check.py" q.zip 2026-08
assert_eq "$(unzip -p q.zip $org-2026-08-product-summary.csv | wc -l)" 1 "rows of a quiet month's product summary"
fmctl -s S report subscription-billing --org $org --period 2026-08 Q >/dev/null
