#!/usr/bin/env bash
# 0450: revisions (docs/formats.md §4): October's revenue zip is archived,
# then late call records arrive (fmctl usage writes a supplement) with the
# platform's corrected ledger. fmctl revenue writes -rev02.zip, unzipped in
# Revenue/2026-10/rev02/, whose identities hold against everything archived
# for the month, supplement included (tests/revenue_check.py); the original
# is untouched; a rerun is a no-op; November opens with rev02's closing.
source "$FMFS_TOP/tests/lib.sh"
org=acme.example
zip=/$org/Revenue/$org-2026-10-revenue.zip
rev2=/$org/Revenue/$org-2026-10-revenue-rev02.zip
python3 "$TOP/tests/revenue_ledger.py" L --org $org --period 2026-10
fmctl init S >/dev/null
fmctl -s S usage --org $org --now 2026-11-05T00:00:00Z L/usage/*.csv 2>/dev/null
fmctl -s S revenue --org $org --period 2026-10 L >/dev/null
fmctl -s S cat $zip > orig.zip
orig_files=$(fmctl -s S ls /$org/Revenue/2026-10 | awk '{print $NF}' | sort)

# three late calls, and the corrected ledger that bills them
cp -r L C
python3 - L/usage/$org-2026-10-call.csv late.csv C/transactions.csv <<'PY'
import csv, sys
src, late, txns = sys.argv[1:]
rows = list(csv.reader(open(src, newline='', encoding='utf-8-sig')))
head, body = rows[0], rows[1:4]
t = list(csv.reader(open(txns, newline='', encoding='utf-8')))
byid = {r[0]: r for r in t[1:]}
with open(late, 'w', newline='', encoding='utf-8') as f, open(txns, 'a', newline='', encoding='utf-8') as tf:
    w, tw = csv.writer(f, lineterminator='\r\n'), csv.writer(tf, lineterminator='\r\n')
    w.writerow(head)
    for i, r in enumerate(body):
        old = r[head.index('txn_id')]
        new = 'LATE%06d' % i
        r = list(r)
        r[0], r[head.index('txn_id')], r[head.index('leg_id')] = 'R' + new, new, new + '-1'
        w.writerow(r)
        x = list(byid[old])
        x[0] = new
        tw.writerow(x)
PY
fmctl -s S usage --org $org --now 2026-11-20T00:00:00Z late.csv 2>err || { cat err; fail "late usage"; }
sup=$(fmctl -s S ls /$org/Usage/2026-10 | grep -c 'call-supplement-01.csv$')
assert_eq "$sup" 1 "a supplement"
# the old ledger no longer reconciles with the archive (I1), nothing written
before=$(store_state S)
expect_fail "I1: " fmctl -s S revenue --org $org --period 2026-10 L
assert_eq "$(store_state S)" "$before" "a failed identity changed the store"

out=$(fmctl -s S revenue --org $org --period 2026-10 C)
# the zip, its ten CSVs and their ten .xlsx views
grep -q "ingested $org-2026-10-revenue-rev02.zip (21 file(s) new" <<<"$out" || fail "revenue said: $out"
fmctl -s S cat $rev2 > rev2.zip
for f in $(fmctl -s S ls /$org/Usage/2026-10 | awk '{print $NF}'); do
	fmctl -s S cat /$org/Usage/2026-10/$f > "u-$f"
done
python3 "$TOP/tests/revenue_check.py" --ledger C --prev-closing 2500.000000 rev2.zip 2026-10 u-*.csv
# the original untouched, rev02 shown unzipped beside it
assert_eq "$(fmctl -s S cat $zip | sha256sum)" "$(sha256sum < orig.zip)" "original zip"
assert_eq "$(fmctl -s S ls /$org/Revenue/2026-10 | awk '{print $NF}' | grep -v '^rev02/$' | sort)" "$orig_files" "original CSVs"
fmfs_mount S mnt -o org=$org
for e in $(unzip -Z1 rev2.zip); do
	cmp mnt/Revenue/2026-10/rev02/$e <(unzip -p rev2.zip $e) || fail "$e differs in rev02"
	cmp -s mnt/Revenue/2026-10/$e <(unzip -p orig.zip $e) || fail "$e of the original changed"
done
! cmp -s mnt/Revenue/2026-10/$org-2026-10-product-summary.csv mnt/Revenue/2026-10/rev02/$org-2026-10-product-summary.csv ||
	fail "rev02's product summary is the original's"
# a rerun with unchanged inputs: no-op
before=$(store_state S)
grep -q "nothing to do: $org-2026-10-revenue-rev02.zip" <<<"$(fmctl -s S revenue --org $org --period 2026-10 C)" || fail "rerun"
assert_eq "$(store_state S)" "$before" "a rerun changed the store"

# November opens with rev02's closing (I5 against the latest revision)
closing=$(unzip -p rev2.zip $org-2026-10-wallet-PW-1.csv | tail -n 1 | cut -d, -f8)
python3 "$TOP/tests/revenue_ledger.py" N --org $org --period 2026-11 --seed 7 --opening "$closing"
fmctl -s S ingest --org $org --kind usage --period 2026-11 N/usage/*.csv >/dev/null
fmctl -s S revenue --org $org --period 2026-11 N >/dev/null
# a report revision too: the same rules as the zip
fmctl -s S report subscription-billing --org $org --period 2026-10 L >/dev/null
python3 - C/subscriptions.csv <<'PY'
import csv, io, sys
rows = list(csv.reader(open(sys.argv[1], newline='', encoding='utf-8')))
rows[1][rows[0].index('product_name')] = 'Cloud PBX licence (2026 plan)'
out = io.StringIO()
csv.writer(out, lineterminator='\r\n').writerows(rows)
open(sys.argv[1], 'w', newline='', encoding='utf-8').write(out.getvalue())
PY
grep -q "ingested $org-2026-10-subscription-billing-rev02.csv" <<<"$(fmctl -s S report subscription-billing --org $org --period 2026-10 C)" ||
	fail "no report revision"
grep -q "nothing to do" <<<"$(fmctl -s S report subscription-billing --org $org --period 2026-10 C)" || fail "report rerun"
