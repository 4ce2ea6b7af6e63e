#!/usr/bin/env bash
# 0420: the ledger is untrusted: each malformed row is refused as FILE:LINE:
# why, a failed identity names itself, the file and the key, and in every
# case nothing is ingested.
source "$FMFS_TOP/tests/lib.sh"
org=acme.example
python3 "$TOP/tests/revenue_ledger.py" L --org $org --period 2026-10
fmctl init S >/dev/null
fmctl -s S ingest --org $org --kind usage --period 2026-10 L/usage/*.csv >/dev/null
before=$(store_state S)
rev() { fmctl -s S revenue --org $org --period 2026-10 "$@"; }

# mutate FILE LINE FIELD VALUE: B is a copy of L with one field changed
mutate() {
	rm -rf B && cp -r L B
	python3 - "B/$1" "$2" "$3" "$4" <<'PY'
import csv, io, sys
path, line, field, value = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
rows = list(csv.reader(open(path, newline='', encoding='utf-8')))
rows[line - 1][rows[0].index(field)] = value
out = io.StringIO()
csv.writer(out, lineterminator='\r\n').writerows(rows)
open(path, 'w', newline='', encoding='utf-8').write(out.getvalue())
PY
}
# bad FILE LINE FIELD VALUE "message": refused as B/FILE:LINE: message
bad() {
	mutate "$@"
	expect_fail "B/$1:$2: $5" rev B
	[ "$(wc -l <<<"$LAST_OUT")" = 1 ] || fail "more than one line: $LAST_OUT"
	[ "$LAST_RC" = 1 ] || fail "exit $LAST_RC, want 1"
}
bad transactions.csv 5 price 1,00 "bad price '1,00'"
bad transactions.csv 6 price 0.1234567 "bad price '0.1234567'"
bad transactions.csv 7 cost 1e3 "bad cost '1e3'"
bad transactions.csv 8 currency USD "currency USD differs from wallet W000007's currency EUR"
bad transactions.csv 9 wallet_id W999999 "wallet_id 'W999999' is not in customers.csv"
bad transactions.csv 10 org_id org-00009 "wallet W000002 belongs to org org-00001, not 'org-00009'"
bad transactions.csv 11 posted_at 2026-11-01T00:00:00Z "posted_at 2026-11-01T00:00:00Z is outside the period"
bad transactions.csv 12 posted_at 2026-10-32T00:00:00Z "bad posted_at"
bad transactions.csv 13 transaction_type roaming "bad transaction_type 'roaming'"
bad transactions.csv 14 quantity 1.5 "bad quantity '1.5'"
bad transactions.csv 15 txn_id T000000003 "txn_id T000000003 is also on line 4"
bad transactions.csv 3 unit page "product_sku CALL-STD (call) is counted in minute on line 2, here in page"
bad transactions.csv 17 product_sku "bad sku" "bad product_sku 'bad sku'"
bad customers.csv 3 payment_mode credit "bad payment_mode 'credit'"
bad customers.csv 4 wallet_id W000002 "wallet_id W000002 is also on line 3"
bad customers.csv 2 opening_balance 12.5.0 "bad opening_balance '12.5.0'"
# a currency code of the right shape that ISO 4217 does not have
bad customers.csv 2 currency EUX "bad currency 'EUX'"
bad transactions.csv 4 currency XXY "bad currency 'XXY'"
bad topups.csv 2 amount -5.000000 "amount -5.000000: a withdrawal is negative, a topup or refund positive"
bad topups.csv 3 entry_type gift "bad entry_type 'gift'"
bad wallet.csv 2 entry_type partner_topup "wallet PW-1: the first row must be its opening_balance"
bad wallet.csv 3 currency USD "currency USD differs from wallet PW-1's currency EUR"
bad wallet.csv 4 amount x "bad amount 'x'"
# wallet entry signs (docs/formats.md §4): a positive invoice is not a credit
bad wallet.csv 6 amount 812.345678 "invoice 812.345678 is a debit: its amount must be negative"
bad wallet.csv 3 amount -1000.000000 "partner_topup -1000.000000 is a credit: its amount must be positive"
bad wallet.csv 4 amount -150.000000 "customer_topup -150.000000 is a credit: its amount must be positive"
bad wallet.csv 5 amount 25.000000 "customer_withdrawal 25.000000 is a debit: its amount must be negative"
bad wallet.csv 7 amount -12.500000 "refund -12.500000 is a credit: its amount must be positive"
bad wallet.csv 8 amount 0.000000 "adjustment 0.000000 of zero is not an entry"
# a quote left open
rm -rf B && cp -r L B && printf 'T9,"2026-10-01T00:00:00Z\r\n' >> B/transactions.csv
expect_fail "B/transactions.csv:" rev B
rm -rf B && cp -r L B && rm B/topups.csv
expect_fail "B/topups.csv: cannot open" rev B
assert_eq "$(store_state S)" "$before" "a refused ledger changed the store"

# I1: usage archived for October that the ledger does not bill
fmctl init S3 >/dev/null
head -n 3 L/usage/$org-2026-10-sms.csv > $org-2026-10-sms.csv
fmctl -s S3 ingest --org $org --kind usage --period 2026-10 L/usage/$org-2026-10-call.csv \
	L/usage/$org-2026-10-fax.csv L/usage/$org-2026-10-dnc.csv $org-2026-10-sms.csv >/dev/null
before3=$(store_state S3)
expect_fail "I1: $org-2026-10-customer-product-summary.csv: org org-0000" fmctl -s S3 revenue --org $org --period 2026-10 L
grep -q ", sms, EUR: revenue .* but the archived usage files sum to" <<<"$LAST_OUT" || fail "I1 message: $LAST_OUT"
# no usage at all in the archive: usage totals are zero, the ledger's calls fail I1
fmctl init S4 >/dev/null
expect_fail "I1: " fmctl -s S4 revenue --org $org --period 2026-10 L
assert_eq "$(store_state S3)" "$before3" "a failed identity changed the store"

# a corrected ledger for a month already archived: never replaced, a
# revision beside it (docs/formats.md §4 Revisions)
fmctl -s S revenue --org $org --period 2026-10 L >/dev/null
orig=$(fmctl -s S cat /$org/Revenue/$org-2026-10-revenue.zip | sha256sum)
mutate transactions.csv 37 price 1.000000
grep -q ",subscription,SUB-PBX,.*,1.000000," <<<"$(sed -n 37p B/transactions.csv)" || fail "line 37 is not the subscription I meant"
grep -q "ingested $org-2026-10-revenue-rev02.zip" <<<"$(rev B)" || fail "no revision"
assert_eq "$(fmctl -s S cat /$org/Revenue/$org-2026-10-revenue.zip | sha256sum)" "$orig" "the original zip"
fmctl -s S ls /$org/Revenue/2026-10/rev02 | grep -q "$org-2026-10-product-summary.csv" || fail "rev02 not unzipped"

# I5: November's opening is not October's closing
python3 "$TOP/tests/revenue_ledger.py" N --org $org --period 2026-11 --seed 7 --opening 1.000000
fmctl -s S ingest --org $org --kind usage --period 2026-11 N/usage/*.csv >/dev/null
before=$(store_state S)
expect_fail "I5: $org-2026-11-wallet-PW-1.csv:2: wallet PW-1: opening balance 1.000000 is not last month's closing" \
	fmctl -s S revenue --org $org --period 2026-11 N
assert_eq "$(store_state S)" "$before" "a failed identity changed the store"

# usage errors
expect_fail "--org, --period and one LEDGER_DIR are required" fmctl -s S revenue --org $org L
[ "$LAST_RC" = 2 ] || fail "usage exit $LAST_RC"
expect_fail "--period 2026-13: not a month" fmctl -s S revenue --org $org --period 2026-13 L
expect_fail "--org Bad_Org: not a valid domain" fmctl -s S revenue --org Bad_Org --period 2026-10 L
