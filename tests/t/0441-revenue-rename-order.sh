#!/usr/bin/env bash
# 0441: a product renamed within the month is one product named by its last
# transaction (posted_at, then txn_id), and no output depends on the order of
# the export's lines: the same ledger shuffled gives the same zip bytes.
source "$FMFS_TOP/tests/lib.sh"
org=acme.example
python3 "$TOP/tests/revenue_ledger.py" L --org $org --period 2026-10 --rename
python3 "$TOP/tests/revenue_ledger.py" M --org $org --period 2026-10 --rename --shuffle
cmp -s L/transactions.csv M/transactions.csv && fail "the shuffle did not shuffle"
assert_eq "$(sort L/transactions.csv | sha256sum)" "$(sort M/transactions.csv | sha256sum)" "the same lines"
grep -q ",Call recording add-on," L/transactions.csv && grep -q ",Call recording & transcription add-on," L/transactions.csv ||
	fail "no rename in the data"
fmctl init S >/dev/null
fmctl -s S ingest --org $org --kind usage --period 2026-10 L/usage/*.csv >/dev/null
fmctl -s S revenue --org $org --period 2026-10 L >/dev/null || fail "a rename refused"
fmctl -s S cat /$org/Revenue/$org-2026-10-revenue.zip > z.zip
python3 "$TOP/tests/revenue_check.py" --ledger L z.zip 2026-10 L/usage/*.csv
assert_eq "$(unzip -p z.zip $org-2026-10-product-summary.csv | grep -c '^ADDON-REC,')" 2 "ADDON-REC rows (EUR, USD)"
grep -q '^ADDON-REC,Call recording & transcription add-on,add_on,' <<<"$(unzip -p z.zip $org-2026-10-product-summary.csv)" ||
	fail "not named by its last transaction"
# the shuffled export in another store: the same bytes
fmctl init S2 >/dev/null
fmctl -s S2 ingest --org $org --kind usage --period 2026-10 L/usage/*.csv >/dev/null
fmctl -s S2 revenue --org $org --period 2026-10 M >/dev/null || fail "the shuffled ledger refused"
assert_eq "$(fmctl -s S2 cat /$org/Revenue/$org-2026-10-revenue.zip | sha256sum)" "$(sha256sum < z.zip)" "zip of the shuffled ledger"
# two transactions at the same instant: the greater txn_id names the product
rm -rf T && cp -r L T
printf 'X-1,2026-10-31T23:59:59Z,org-00001,W000001,add_on,ADDON-REC,Name by X-1,item,1,4.990000,1.500000,0.998000,EUR\r\nX-2,2026-10-31T23:59:59Z,org-00001,W000001,add_on,ADDON-REC,Name by X-2,item,1,4.990000,1.500000,0.998000,EUR\r\n' >> T/transactions.csv
fmctl -s S2 revenue --org $org --period 2026-10 T >/dev/null
fmctl -s S2 cat /$org/Revenue/$org-2026-10-revenue-rev02.zip > t.zip
grep -q '^ADDON-REC,Name by X-2,' <<<"$(unzip -p t.zip $org-2026-10-product-summary.csv)" || fail "tie not broken by txn_id"
