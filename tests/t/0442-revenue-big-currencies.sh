#!/usr/bin/env bash
# 0442: partners in IDR and VND: values and monthly sums past
# 999,999,999.999999 are exact (int64 micro-units, docs/formats.md §1), a
# partner wallet may end negative; a sum beyond the int64 range is refused
# naming the file, the key and the column.
source "$FMFS_TOP/tests/lib.sh"
org=acme.example
python3 "$TOP/tests/revenue_ledger.py" L --org $org --period 2026-10 --big-currencies
fmctl init S >/dev/null
fmctl -s S ingest --org $org --kind usage --period 2026-10 L/usage/*.csv >/dev/null
fmctl -s S revenue --org $org --period 2026-10 L >/dev/null || fail "IDR/VND refused"
fmctl -s S cat /$org/Revenue/$org-2026-10-revenue.zip > z.zip
python3 "$TOP/tests/revenue_check.py" --ledger L z.zip 2026-10 L/usage/*.csv
ps=$(unzip -p z.zip $org-2026-10-product-summary.csv | tr -d '\r')
# one value past 1e9 (IDR), and a sum of two values below it (VND)
grep -qx 'SVC-SETUP,"Onboarding, setup & training",service,item,2,1236967890.123456,400000000.000000,836967890.123456,IDR' <<<"$ps" ||
	fail "IDR: $(grep SVC-SETUP <<<"$ps")"
grep -qx 'SVC-SETUP,"Onboarding, setup & training",service,item,3,1203750000.000000,300000000.000000,903750000.000000,VND' <<<"$ps" ||
	fail "VND: $(grep SVC-SETUP <<<"$ps")"
tail -n 1 <<<"$(unzip -p z.zip $org-2026-10-wallet-PW-2.csv | tr -d '\r')" | grep -q ',-750000000.000000,IDR$' || fail "PW-2 closing"
# past the int64 range: file, key and column named, nothing ingested
before=$(store_state S)
rm -rf B && cp -r L B
printf 'OV-1,2026-10-20T00:00:00Z,org-00003,W000005,service,SVC-SETUP,"Onboarding, setup & training",item,1,9223372036854.775807,0.000000,0.000000,IDR\r\n' >> B/transactions.csv
expect_fail "B/transactions.csv:$(wc -l < B/transactions.csv): wallet W000005, product SVC-SETUP/service: the sum of price overflows the money range" \
	fmctl -s S revenue --org $org --period 2026-10 B
[ "$LAST_RC" = 1 ] || fail "exit $LAST_RC"
assert_eq "$(store_state S)" "$before" "an overflow changed the store"
