#!/usr/bin/env bash
# 0430: fmctl report subscription-billing: one row per subscription active in
# the month, charged cycles priced, the file in Reports/YYYY-MM/ through the
# mount, a second run changes nothing, bad rows are FILE:LINE and refused.
source "$FMFS_TOP/tests/lib.sh"
org=acme.example
name=$org-2026-10-subscription-billing.csv
python3 "$TOP/tests/revenue_ledger.py" L --org $org --period 2026-10
fmctl init S >/dev/null
grep -q "ingested $name" <<<"$(fmctl -s S report subscription-billing --org $org --period 2026-10 L)" || fail "not ingested"
fmfs_mount S mnt -o org=$org
python3 - mnt/Reports/2026-10/$name L/subscriptions.csv <<'PY'
import csv, sys
from decimal import Decimal
data = open(sys.argv[1], 'rb').read()
assert data.startswith(b'\xef\xbb\xbf') and data.endswith(b'\r\n'), 'BOM/CRLF'
rows = list(csv.DictReader(data[3:].decode().splitlines()))
head = ('period,org_id,org_name,wallet_id,subscription_id,product_sku,product_name,status,'
        'cycle_months,cycle_start,cycle_end,unit,quantity_start,quantity_end,quantity_billed,'
        'charged_in_period,unit_price,amount,cost,currency').split(',')
assert list(rows[0].keys()) == head, rows[0].keys()
inp = list(csv.DictReader(open(sys.argv[2], encoding='utf-8-sig')))
active = [r for r in inp if r['cycle_end'] >= '2026-10-01' and r['cycle_start'] <= '2026-10-31']
assert len(rows) == len(active) and len(rows) < len(inp), (len(rows), len(active), len(inp))
keys = [(r['org_id'], r['wallet_id'], r['subscription_id']) for r in rows]
assert keys == sorted(keys), 'order'
charged = 0
for r in rows:
    assert r['period'] == '2026-10'
    ch = r['status'] != 'trial' and r['cycle_start'].startswith('2026-10')
    assert r['charged_in_period'] == ('true' if ch else 'false'), r
    billed = int(r['quantity_end']) if ch else 0
    assert int(r['quantity_billed']) == billed, r
    assert Decimal(r['amount']) == Decimal(r['unit_price']) * billed, r
    if not ch:
        assert Decimal(r['amount']) == 0 and Decimal(r['cost']) == 0, r
    charged += ch
assert charged > 0 and charged < len(rows)
print('ok: %d rows, %d charged' % (len(rows), charged))
PY
before=$(store_state S)
grep -q "nothing to do" <<<"$(fmctl -s S report subscription-billing --org $org --period 2026-10 L)" || fail "second run"
assert_eq "$(store_state S)" "$before" "second run changed the store"

cp -r L B
sed -i '3s/,active,/,paused,/' B/subscriptions.csv
expect_fail "B/subscriptions.csv:3: bad status" fmctl -s S report subscription-billing --org $org --period 2026-10 B
cp L/subscriptions.csv B/ && sed -i '3s/,2026-08-22,/,2026-08-32,/' B/subscriptions.csv
expect_fail "B/subscriptions.csv:3: bad cycle_start" fmctl -s S report subscription-billing --org $org --period 2026-10 B
cp L/subscriptions.csv B/ && sed -n 2p L/subscriptions.csv >> B/subscriptions.csv
expect_fail "subscription_id S-0-A is also on line 2" fmctl -s S report subscription-billing --org $org --period 2026-10 B
expect_fail "the only report is subscription-billing" fmctl -s S report usage-summary --org $org --period 2026-10 L
[ "$LAST_RC" = 2 ] || fail "usage exit $LAST_RC"
assert_eq "$(store_state S)" "$before" "a refused report changed the store"
