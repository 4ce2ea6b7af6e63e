#!/usr/bin/env bash
# 0440: a product is (product_sku, transaction_type) (docs/formats.md §4): a
# refund or an adjustment carrying the sale's SKU is accepted and summed in
# a row of its own, never mixed into the sale's; checked independently
# against the ledger by tests/revenue_check.py.
source "$FMFS_TOP/tests/lib.sh"
org=acme.example
python3 "$TOP/tests/revenue_ledger.py" L --org $org --period 2026-10 --sale-sku-refunds
grep -q ",refund,CALL-STD," L/transactions.csv || fail "no refund on a sale SKU in the data"
fmctl init S >/dev/null
fmctl -s S ingest --org $org --kind usage --period 2026-10 L/usage/*.csv >/dev/null
fmctl -s S revenue --org $org --period 2026-10 L >/dev/null || fail "refused"
fmctl -s S cat /$org/Revenue/$org-2026-10-revenue.zip > z.zip
python3 "$TOP/tests/revenue_check.py" --ledger L z.zip 2026-10 L/usage/*.csv
ps=$(unzip -p z.zip $org-2026-10-product-summary.csv)
# the sale and its refund: two rows of one SKU, each with its own sums
grep -q '^CALL-STD,"Voice minutes, national",call,minute,' <<<"$ps" || fail "no sale row: $ps"
grep -qx 'CALL-STD,"Voice minutes, national",refund,minute,-9,-0.108000,-0.063000,-0.045000,EUR' <<<"$(tr -d '\r' <<<"$ps")" ||
	fail "refund row: $(grep CALL-STD <<<"$ps")"
grep -q '^SUB-PBX,Cloud PBX licence,adjustment,license,0,-15.000000,' <<<"$ps" || fail "adjustment row: $(grep SUB-PBX <<<"$ps")"
# the usage identity (I1) counts the sale only: the refund is not usage
cps=$(unzip -p z.zip $org-2026-10-customer-product-summary.csv)
assert_eq "$(grep -c ',CALL-STD,.*,refund,' <<<"$cps")" 3 "refund rows per customer"
