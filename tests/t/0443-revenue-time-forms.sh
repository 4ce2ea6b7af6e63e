#!/usr/bin/env bash
# 0443: the ledger is read with the input rules of docs/formats.md §1. Times
# go through the one parser: fractions, lowercase z, a space for T, +08:00,
# +0800 and -05 are accepted and normalised to UTC (a fraction kept to the
# microsecond in the ts cells); a time without an offset is refused. Headers
# match in any case, padding and order; extra columns are named on stderr.
source "$FMFS_TOP/tests/lib.sh"
org=acme.example
python3 "$TOP/tests/revenue_ledger.py" L --org $org --period 2026-10 --time-forms
for form in '\.250z' '\.250+0800' ' [0-9:]*Z' '+08:00' '-05,'; do
	grep -q -- ",2026-[0-9-]*[T ]*[0-9:]*$form" L/transactions.csv L/wallet.csv L/topups.csv || fail "no $form in the data"
done
fmctl init S >/dev/null
fmctl -s S ingest --org $org --kind usage --period 2026-10 L/usage/*.csv >/dev/null
fmctl -s S revenue --org $org --period 2026-10 L >/dev/null || fail "refused"
fmctl -s S cat /$org/Revenue/$org-2026-10-revenue.zip > z.zip
python3 "$TOP/tests/revenue_check.py" --ledger L z.zip 2026-10 L/usage/*.csv
w=$(unzip -p z.zip $org-2026-10-wallet-PW-1.csv | tr -d '\r')
grep -qE ',20[0-9-]+T[0-9:]+\.25Z,' <<<"$(unzip -p z.zip $org-2026-10-customer-topups.csv)$w" || fail "no fraction kept"
# 08:00:00.5 at +0800, with a space: half a second past midnight UTC
rm -rf B && cp -r L B
sed -i '2s/^PW-1,[^,]*,/PW-1,2026-10-01 08:00:00.5+0800,/' B/wallet.csv
fmctl -s S revenue --org $org --period 2026-10 B >/dev/null
grep -q '^1,2026-10-01T00:00:00.5Z,opening_balance,' <<<"$(fmctl -s S cat /$org/Revenue/2026-10/rev02/$org-2026-10-wallet-PW-1.csv)" ||
	fail "opening: $(fmctl -s S cat /$org/Revenue/2026-10/rev02/$org-2026-10-wallet-PW-1.csv)"
# no offset: refused; an offset that puts the instant in September: refused
rm -rf B && cp -r L B
sed -i '2s/,2026-10-[0-9][0-9][T ][0-9:.]*[^,]*,/,2026-10-15T12:00:00,/' B/transactions.csv
expect_fail "B/transactions.csv:2: bad posted_at '2026-10-15T12:00:00'" fmctl -s S revenue --org $org --period 2026-10 B
sed -i '2s/,2026-10-15T12:00:00,/,2026-10-01T07:59:59+08:00,/' B/transactions.csv
expect_fail "B/transactions.csv:2: posted_at 2026-10-01T07:59:59+08:00 is outside the period" fmctl -s S revenue --org $org --period 2026-10 B

# headers (docs/formats.md §1): another case, padded, reversed order, an extra
# column and a trailing comma; the extras named once on stderr, the zip the same
rm -rf H && cp -r L H
python3 - H/transactions.csv H/subscriptions.csv <<'PY'
import csv, io, sys
for path in sys.argv[1:]:
    rows = list(csv.reader(open(path, newline='', encoding='utf-8')))
    rows = [list(reversed(r)) + (['note'] if i == 0 else ['n%d' % i]) for i, r in enumerate(rows)]
    rows[0] = ['  %s ' % h.upper() if j % 2 else h.title() for j, h in enumerate(rows[0])]
    out = io.StringIO()
    csv.writer(out, lineterminator=',\r\n').writerows(rows)
    open(path, 'w', newline='', encoding='utf-8').write(out.getvalue())
PY
head -c 60 H/transactions.csv | grep -q '^Currency,  TAX ,' || fail "headers not rewritten: $(head -n 1 H/transactions.csv)"
fmctl init S3 >/dev/null
fmctl -s S3 ingest --org $org --kind usage --period 2026-10 L/usage/*.csv >/dev/null
fmctl -s S3 revenue --org $org --period 2026-10 H >out 2>err || fail "headers refused: $(cat err)"
assert_eq "$(cat err)" "fmctl revenue: H/transactions.csv:1: columns ignored: 'NOTE', (empty)" "stderr"
assert_eq "$(fmctl -s S3 cat /$org/Revenue/$org-2026-10-revenue.zip | sha256sum)" "$(sha256sum < z.zip)" "zip from the rewritten headers"
fmctl -s S3 report subscription-billing --org $org --period 2026-10 H >/dev/null 2>err || fail "report: $(cat err)"
grep -qi "H/subscriptions.csv:1: columns ignored: 'note', (empty)" err || fail "report stderr: $(cat err)"
# a column twice is refused
sed -i '1s/^topup_id,/topup_id, Currency ,/' H/topups.csv
expect_fail "H/topups.csv:1: column 'currency' given twice" fmctl -s S3 revenue --org $org --period 2026-10 H
