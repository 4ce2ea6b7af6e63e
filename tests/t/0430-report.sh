#!/usr/bin/env bash
# 0430: fmctl report subscription-billing: one row per subscription active in
# the month, its money as the platform charged it (checked, never computed),
# reconciled with the revenue zip (I8, checked independently by
# tests/revenue_check.py), the file in Reports/YYYY-MM/ through the mount, a
# second run changes nothing, bad rows are FILE:LINE and refused.
source "$FMFS_TOP/tests/lib.sh"
org=acme.example
name=$org-2026-10-subscription-billing.csv
python3 "$TOP/tests/revenue_ledger.py" L --org $org --period 2026-10
fmctl init S >/dev/null
fmctl -s S ingest --org $org --kind usage --period 2026-10 L/usage/*.csv >/dev/null
fmctl -s S revenue --org $org --period 2026-10 L >/dev/null
grep -q "ingested $name" <<<"$(fmctl -s S report subscription-billing --org $org --period 2026-10 L)" || fail "not ingested"
fmfs_mount S mnt -o org=$org
fmctl -s S cat /$org/Revenue/$org-2026-10-revenue.zip > z.zip
python3 "$TOP/tests/revenue_check.py" --ledger L --report mnt/Reports/2026-10/$name z.zip 2026-10 L/usage/*.csv
charged=$(grep -c ',true,' mnt/Reports/2026-10/$name)
[ "$charged" -gt 0 ] && [ "$charged" -lt "$(($(wc -l < mnt/Reports/2026-10/$name) - 1))" ] || fail "charged $charged"
before=$(store_state S)
grep -q "nothing to do" <<<"$(fmctl -s S report subscription-billing --org $org --period 2026-10 L)" || fail "second run"
assert_eq "$(store_state S)" "$before" "second run changed the store"

# setf LINE FIELD VALUE: B is a copy of L, one field of subscriptions.csv changed
setf() {
	rm -rf B && cp -r L B
	python3 - B/subscriptions.csv "$@" <<'PY'
import csv, io, sys
path, line, field, value = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
rows = list(csv.reader(open(path, newline='', encoding='utf-8')))
rows[line - 1][rows[0].index(field)] = value
out = io.StringIO()
csv.writer(out, lineterminator='\r\n').writerows(rows)
open(path, 'w', newline='', encoding='utf-8').write(out.getvalue())
PY
}
rep() { fmctl -s S report subscription-billing --org $org --period 2026-10 B; }
setf 3 status paused
expect_fail "B/subscriptions.csv:3: bad status" rep
setf 3 cycle_start 2026-08-32
expect_fail "B/subscriptions.csv:3: bad cycle_start" rep
# the platform's rules, checked (S-0-C is line 4, a trial; S-0-A line 2)
setf 4 amount 19.990000
expect_fail "B/subscriptions.csv:4: amount 19.990000: a trial is not charged" rep
setf 2 amount 9999.000000
expect_fail "B/subscriptions.csv:2: amount 9999.000000 is more than unit_price 19.990000 x quantity_billed" rep
setf 2 cost -1.000000
expect_fail "B/subscriptions.csv:2: cost -1.000000 is negative" rep
setf 2 amount -1.000000
expect_fail "B/subscriptions.csv:2: amount -1.000000 is negative" rep
# I8: an amount the transactions do not carry (less than the maximum)
setf 2 amount 0.010000
expect_fail "I8: org org-00001, EUR: subscriptions.csv amounts sum to" rep
[ "$LAST_RC" = 1 ] || fail "exit $LAST_RC"
rm -rf B && cp -r L B && sed -n 2p L/subscriptions.csv >> B/subscriptions.csv
expect_fail "subscription_id S-0-A is also on line 2" rep
expect_fail "the only report is subscription-billing" fmctl -s S report usage-summary --org $org --period 2026-10 L
[ "$LAST_RC" = 2 ] || fail "usage exit $LAST_RC"
assert_eq "$(store_state S)" "$before" "a refused report changed the store"
