#!/usr/bin/env bash
# 0444: the month an accountant meets, checked by an independent checker
# (tests/revenue_check.py, not fmctl's code): I1-I8 on the zip and the report
# over a ledger with EUR, USD, IDR and VND, two partner wallets (one ending
# negative), prepaid and postpaid customers (one prepaid ending negative),
# refunds and adjustments on sale SKUs, a rename, zero-price lines, every
# input time form, and every file's lines in random order.
source "$FMFS_TOP/tests/lib.sh"
org=acme.example
python3 "$TOP/tests/revenue_ledger.py" L --org $org --period 2026-10 --rich
fmctl init S >/dev/null
fmctl -s S ingest --org $org --kind usage --period 2026-10 L/usage/*.csv >/dev/null
fmctl -s S revenue --org $org --period 2026-10 L >/dev/null || fail "revenue refused"
fmctl -s S report subscription-billing --org $org --period 2026-10 L >/dev/null || fail "report refused"
fmctl -s S cat /$org/Revenue/$org-2026-10-revenue.zip > z.zip
fmctl -s S cat /$org/Reports/2026-10/$org-2026-10-subscription-billing.csv > r.csv
python3 "$TOP/tests/revenue_check.py" --ledger L --report r.csv \
	z.zip 2026-10 L/usage/*.csv >out || fail "checker: $(cat out)"
grep -q "I1-I7, the ledger, the report and I8 hold" out || fail "checker: $(cat out)"
# what the data must hold for the check to mean something
cl=$(unzip -p z.zip $org-2026-10-customer-list.csv)
for ccy in EUR USD IDR VND; do grep -q ",$ccy"$'\r'"\$" <<<"$cl" || fail "no $ccy customer"; done
grep -q ',prepaid,[0-9.]*,-[0-9]' <<<"$cl" || fail "no prepaid customer ending negative"
grep -q ',postpaid,' <<<"$cl" || fail "no postpaid customer"
tail -n 1 <<<"$(unzip -p z.zip $org-2026-10-wallet-PW-2.csv)" | grep -q ',-[0-9.]*,IDR' || fail "PW-2 does not end negative"
ps=$(unzip -p z.zip $org-2026-10-product-summary.csv)
grep -q '^CALL-STD,.*,refund,' <<<"$ps" && grep -q '^SUB-PBX,.*,adjustment,' <<<"$ps" || fail "no refund/adjustment on a sale SKU"
grep -q ',number_activation,NUM-ACT,Number activation,number,1,0.000000,' L/transactions.csv || fail "no zero-price line"
