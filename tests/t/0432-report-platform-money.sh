#!/usr/bin/env bash
# 0432: the report's money is the platform's (docs/formats.md §5): a
# mid-month termination, a downgrade, an expired trial and a mid-cycle
# upgrade keep the amounts the platform charged - the report invents no
# billing rule, it checks them - and they reconcile with the ledger's
# subscription transactions (I8), checked independently.
source "$FMFS_TOP/tests/lib.sh"
org=northwind.example
mkdir L
crlf() { sed 's/$/\r/' > "$1"; }
crlf L/customers.csv <<'CSV'
org_id,org_name,wallet_id,payment_mode,integration_code,opening_balance,currency
org-A,Alder Dental Group,W-A,prepaid,ERP-7,1200.000000,EUR
org-B,Birch Logistics Ltd,W-B,postpaid,,0.000000,USD
CSV
crlf L/transactions.csv <<'CSV'
txn_id,posted_at,org_id,wallet_id,transaction_type,product_sku,product_name,unit,quantity,price,cost,tax,currency
TX-1,2026-10-01T00:05:00Z,org-A,W-A,subscription,SUB-PBX,Cloud PBX licence,license,20,399.800000,180.000000,79.960000,EUR
TX-2,2026-10-09T17:00:00+02:00,org-A,W-A,subscription,SUB-PBX,Cloud PBX licence,license,10,51.670000,23.000000,10.334000,EUR
TX-3,2026-10-12T09:30:00-04:00,org-B,W-B,subscription,SUB-PBX,Cloud PBX licence,license,3,33.980000,15.300000,0.000000,USD
CSV
crlf L/topups.csv <<'CSV'
topup_id,posted_at,org_id,wallet_id,entry_type,channel,payment_reference,amount,currency
TU-1,2026-10-02T10:00:00Z,org-A,W-A,topup,bank transfer,SEPA-551,500.000000,EUR
CSV
crlf L/wallet.csv <<'CSV'
wallet_id,posted_at,entry_type,reference,description,amount,currency
PW-1,2026-10-01T00:00:00Z,opening_balance,,Opening balance,800.000000,EUR
PW-1,2026-10-05T00:00:00Z,invoice,INV-2026-09,Platform invoice September,-211.000000,EUR
CSV
# S-TERM: monthly cycle from Sep 15, terminated on Oct 9, settled in October
# S-DOWN: 20 licences charged at the cycle start, down to 12 from Oct 20
# S-EXP:  a trial that expired on Oct 14 without converting: nothing charged
# S-UP:   cycle from Sep 18, 5 -> 8 licences on Oct 12, the 3 prorated
# S-TRY:  a running trial
crlf L/subscriptions.csv <<'CSV'
org_id,org_name,wallet_id,subscription_id,product_sku,product_name,status,cycle_months,cycle_start,cycle_end,unit,quantity_start,quantity_end,quantity_billed,unit_price,amount,cost,currency
org-A,Alder Dental Group,W-A,S-TERM,SUB-PBX,Cloud PBX licence,terminated,1,2026-09-15,2026-10-09,license,10,10,10,19.990000,51.670000,23.000000,EUR
org-A,Alder Dental Group,W-A,S-DOWN,SUB-PBX,Cloud PBX licence,active,1,2026-10-01,2026-10-31,license,20,12,20,19.990000,399.800000,180.000000,EUR
org-B,Birch Logistics Ltd,W-B,S-EXP,SUB-PBX,Cloud PBX licence,expired,1,2026-10-01,2026-10-14,license,5,5,0,19.990000,0.000000,0.000000,USD
org-B,Birch Logistics Ltd,W-B,S-UP,SUB-PBX,Cloud PBX licence,active,1,2026-09-18,2026-10-17,license,5,8,3,19.990000,33.980000,15.300000,USD
org-B,Birch Logistics Ltd,W-B,S-TRY,SUB-PBX,Cloud PBX licence,trial,1,2026-10-20,2026-11-19,license,2,2,2,19.990000,0.000000,0.000000,USD
CSV
fmctl init S >/dev/null
fmctl -s S report subscription-billing --org $org --period 2026-10 L >/dev/null || fail "report refused"
fmctl -s S cat /$org/Reports/2026-10/$org-2026-10-subscription-billing.csv | tr -d '\r' | sed 1d |
	cut -d, -f5,8,15-19 > got
cat > want <<'TXT'
S-DOWN,active,20,true,19.990000,399.800000,180.000000
S-TERM,terminated,10,true,19.990000,51.670000,23.000000
S-EXP,expired,0,false,19.990000,0.000000,0.000000
S-TRY,trial,2,false,19.990000,0.000000,0.000000
S-UP,active,3,true,19.990000,33.980000,15.300000
TXT
diff want got || fail "the report's money is not the platform's"
# against the revenue zip of the same ledger (I8), independently
fmctl -s S revenue --org $org --period 2026-10 L >/dev/null
fmctl -s S cat /$org/Revenue/$org-2026-10-revenue.zip > z.zip
fmctl -s S cat /$org/Reports/2026-10/$org-2026-10-subscription-billing.csv > r.csv
python3 "$TOP/tests/revenue_check.py" --ledger L --report r.csv z.zip 2026-10
