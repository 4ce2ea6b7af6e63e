#!/usr/bin/env python3
# tests/revenue_check.py ZIP PERIOD USAGE_CSV... - checks a revenue zip on
# its own, independently of fmctl: the docs/formats.md §1 bytes (BOM, CRLF,
# money pattern, header) of every entry (read with `unzip -p`), and the
# identities I1-I7 of §4, with I1 against the usage files given.
#   --prev-closing X  the wallet opening (I5)
#   --max-rows N      files of more rows are split into -partNNN of at most N
#   --ledger DIR      the zip against the ledger export it came from: every
#                     product is (sku, type) with the name of its last
#                     transaction, sums per customer and product, wallet
#                     entries, signs, openings and top-ups
#   --report CSV      the subscription-billing report of the month (§5): its
#                     rules, one row per subscription active in the month
#                     (with --ledger), and I8 against the zip
# Prints what it checked; exits 1 on the first failure.
import calendar
import csv
import io
import re
import subprocess
import sys
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

MONEY = re.compile(r'-?(0|[1-9][0-9]*)\.[0-9]{6}$')
KINDS = ['cost-invoice-summary', 'customer-list', 'customer-product-summary',
         'customer-summary', 'customer-topups', 'date-summary',
         'monthly-invoice-cost-breakdown', 'product-summary', 'revenue-invoice-summary']
MONEY_COLS = {'debit', 'credit', 'balance', 'revenue', 'tax', 'revenue_incl_tax', 'cost',
              'margin', 'topups', 'opening_balance', 'closing_balance', 'amount', 'price'}
USAGE_TYPES = ('call', 'sms', 'fax', 'dnc')


def die(msg):
    print('FAIL: ' + msg, file=sys.stderr)
    sys.exit(1)


def parse_csv(name, data):
    if not data.startswith(b'\xef\xbb\xbf'):
        die('%s: no UTF-8 BOM' % name)
    if not data.endswith(b'\r\n'):
        die('%s: last record without CRLF' % name)
    text = data[3:].decode('utf-8')
    rows = list(csv.DictReader(io.StringIO(text, newline='')))
    for i, r in enumerate(rows, 2):
        for k, v in r.items():
            if k in MONEY_COLS and (not MONEY.match(v) or v == '-0.000000'):
                die('%s:%d: %s %r is not money' % (name, i, k, v))
    return rows


def m(v):
    return Decimal(v)


def main():
    args = sys.argv[1:]
    prev, max_rows, ledger, report = None, 1000000, None, None
    while args and args[0].startswith('--'):
        if args[0] == '--prev-closing':
            prev = Decimal(args[1])
        elif args[0] == '--max-rows':
            max_rows = int(args[1])
        elif args[0] == '--ledger':
            ledger = args[1]
        elif args[0] == '--report':
            report = args[1]
        args = args[2:]
    zpath, period, usage_files = args[0], args[1], args[2:]
    names = subprocess.run(['unzip', '-Z1', zpath], check=True, capture_output=True,
                           text=True).stdout.split()
    if names != sorted(names):
        die('zip entries are not sorted: %s' % names)
    prefix = names[0][:names[0].index(period) + len(period) + 1]
    files, parts = {}, defaultdict(list)
    for n in names:
        kind = n[len(prefix):-4]
        part = re.search(r'-part([0-9]{3})$', kind)
        if part:
            kind = kind[:part.start()]
            parts[kind].append(int(part.group(1)))
        rows = parse_csv(n, subprocess.run(['unzip', '-p', zpath, n], check=True,
                                           capture_output=True).stdout)
        if len(rows) > max_rows:
            die('%s: %d rows, more than %d' % (n, len(rows), max_rows))
        if part and len(rows) == 0:
            die('%s: an empty part' % n)
        files.setdefault(kind, []).extend(rows)
    for kind, nums in parts.items():
        if nums != list(range(1, len(nums) + 1)) or len(nums) < 2:
            die('%s: parts %s' % (kind, nums))
        if any(len(parts[kind]) and n.startswith(prefix + kind + '.csv') for n in names):
            die('%s: both split and whole' % kind)
    for k in KINDS:
        if k not in files:
            die('no %s in the zip' % k)
    wallets = [k for k in files if k.startswith('wallet-')]
    if not wallets:
        die('no wallet file in the zip')
    cps, cs, ps, ds = (files['customer-product-summary'], files['customer-summary'],
                       files['product-summary'], files['date-summary'])

    # I7 on every row that has a margin
    for kind in ('customer-product-summary', 'customer-summary', 'product-summary', 'date-summary'):
        for r in files[kind]:
            if m(r['revenue']) - m(r['cost']) != m(r['margin']):
                die('I7: %s: %r' % (kind, r))

    def total(rows, col, by='currency'):
        t = defaultdict(Decimal)
        for r in rows:
            t[r[by]] += m(r[col])
        return dict(t)

    # I2
    per_wallet = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for r in cps:
        per_wallet[(r['org_id'], r['wallet_id'])][0] += m(r['revenue'])
        per_wallet[(r['org_id'], r['wallet_id'])][1] += m(r['cost'])
    for r in cs:
        got = per_wallet.get((r['org_id'], r['wallet_id']), [0, 0])
        if [m(r['revenue']), m(r['cost'])] != got:
            die('I2: customer-summary %r vs customer-product-summary %r' % (r, got))
    for col in ('revenue', 'cost', 'margin'):
        a, b, c = total(cs, col), total(ps, col), total(ds, col)
        b = {k: v for k, v in b.items()}
        for ccy in set(a) | set(b) | set(c):
            if not (a.get(ccy, 0) == b.get(ccy, 0) == c.get(ccy, 0)):
                die('I2: %s %s: customer %s product %s date %s' % (col, ccy, a.get(ccy), b.get(ccy), c.get(ccy)))
    # I3
    a, b, c = (total(files['cost-invoice-summary'], 'cost'),
               total(files['monthly-invoice-cost-breakdown'], 'cost'), total(ps, 'cost'))
    if not (a == b == {k: v for k, v in c.items() if k in a or v}):
        die('I3: %s %s %s' % (a, b, c))
    # I4
    ris = files['revenue-invoice-summary']
    for r in ris:
        if m(r['revenue']) + m(r['tax']) != m(r['revenue_incl_tax']):
            die('I4: %r' % r)
    if total(ris, 'revenue') != {k: v for k, v in total(ps, 'revenue').items()}:
        die('I4: revenue-invoice-summary %s product-summary %s' % (total(ris, 'revenue'), total(ps, 'revenue')))
    # I5
    for w in wallets:
        rows = files[w]
        if rows[0]['entry_type'] != 'opening_balance' or rows[-1]['entry_type'] != 'closing_balance':
            die('I5: %s: first row must be the opening, last the closing' % w)
        if prev is not None and m(rows[0]['balance']) != prev:
            die('I5: %s: opening %s, last month closed at %s' % (w, rows[0]['balance'], prev))
        for i in range(1, len(rows)):
            if m(rows[i - 1]['balance']) + m(rows[i]['credit']) - m(rows[i]['debit']) != m(rows[i]['balance']):
                die('I5: %s line %s' % (w, rows[i]['line_no']))
        if [int(r['line_no']) for r in rows] != list(range(1, len(rows) + 1)):
            die('I5: %s: line_no not 1..n' % w)
    # I6
    tops = defaultdict(Decimal)
    for r in files['customer-topups']:
        if (r['entry_type'] == 'withdrawal') != (m(r['amount']) < 0):
            die('customer-topups: withdrawal sign %r' % r)
        tops[r['wallet_id']] += m(r['amount'])
    incl = defaultdict(Decimal)
    for r in ris:
        incl[r['wallet_id']] += m(r['revenue_incl_tax'])
    prepaid = 0
    for r in files['customer-list']:
        if r['payment_mode'] != 'prepaid':
            continue
        prepaid += 1
        want = m(r['opening_balance']) + tops[r['wallet_id']] - incl[r['wallet_id']]
        if want != m(r['closing_balance']):
            die('I6: %r: want %s' % (r, want))
    # I1 against the usage files
    usage = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for path in usage_files:
        typ = re.search(r'-(call|sms|fax|dnc)[.-]', path.split('/')[-1]).group(1)
        with open(path, newline='', encoding='utf-8-sig') as f:
            for r in csv.DictReader(f):
                usage[(r['org_id'], typ, r['currency'])][0] += m(r['price'])
                usage[(r['org_id'], typ, r['currency'])][1] += m(r['cost'])
    got = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for r in cps:
        if r['transaction_type'] in USAGE_TYPES:
            got[(r['org_id'], r['transaction_type'], r['currency'])][0] += m(r['revenue'])
            got[(r['org_id'], r['transaction_type'], r['currency'])][1] += m(r['cost'])
    for key in set(usage) | set(got):
        if usage.get(key, [0, 0]) != got.get(key, [0, 0]):
            die('I1: %s: usage %s, customer-product-summary %s' % (key, usage.get(key), got.get(key)))
    # every day of the month, per currency
    y, mo = map(int, period.split('-'))
    days = calendar.monthrange(y, mo)[1]
    ccys = sorted({r['currency'] for r in files['customer-list']})
    want = [('%s-%02d' % (period, d), c) for d in range(1, days + 1) for c in ccys]
    if [(r['date'], r['currency']) for r in ds] != want:
        die('date-summary: not every day of the month once per currency')
    checked = 'I1-I7'
    if ledger:
        check_ledger(files, ledger, period)
        checked += ', the ledger'
    if report:
        check_report(report, files, period, ledger)
        checked += ', the report and I8'
    print('ok: %d files (%d split), %d customers (%d prepaid), %d usage keys, %s hold' %
          (len(names), len(parts), len(cs), prepaid, len(usage), checked))


def read_input(path):
    with open(path, newline='', encoding='utf-8-sig') as f:
        return list(csv.DictReader(f))


def instant(s):
    # any ISO 8601 form docs/formats.md §1 allows: fraction, z, space, +0800
    m = re.match(r'(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d)(\.\d{1,9})?(Z|z|[+-]\d\d(:?\d\d)?)$', s)
    if not m:
        die('not an input time: %r' % s)
    t = datetime.fromisoformat(m.group(1) + 'T' + m.group(2)).replace(tzinfo=timezone.utc)
    off = m.group(4)
    if off not in ('Z', 'z'):
        h, mi = int(off[1:3]), int(off[-2:]) if len(off) > 3 else 0
        t -= (1 if off[0] == '+' else -1) * timedelta(hours=h, minutes=mi)
    return int(t.timestamp()), Decimal(m.group(3) or '0')


def check_ledger(files, ledger, period):
    customers = {c['wallet_id']: c for c in read_input(ledger + '/customers.csv')}
    txns = read_input(ledger + '/transactions.csv')
    # products: (sku, type), named by the last transaction (posted_at, txn_id)
    last, per = {}, defaultdict(lambda: [0, Decimal(0), Decimal(0)])
    for t in txns:
        key = (t['product_sku'], t['transaction_type'])
        order = (instant(t['posted_at']), t['txn_id'])
        if key not in last or order > last[key][0]:
            last[key] = (order, t['product_name'])
        c = customers[t['wallet_id']]
        s = per[(t['org_id'], t['wallet_id'], key)]
        s[0] += int(t['quantity'])
        s[1] += m(t['price'])
        s[2] += m(t['cost'])
    got = {}
    for r in files['customer-product-summary']:
        key = (r['org_id'], r['wallet_id'], (r['product_sku'], r['transaction_type']))
        if key in got:
            die('customer-product-summary: %s twice' % (key,))
        got[key] = [int(r['quantity']), m(r['revenue']), m(r['cost'])]
        if r['product_name'] != last[key[2]][1]:
            die('customer-product-summary: %s named %r, its last transaction says %r' %
                (key, r['product_name'], last[key[2]][1]))
        if r['currency'] != customers[r['wallet_id']]['currency']:
            die('customer-product-summary: %s in %s' % (key, r['currency']))
    if got != {k: v for k, v in per.items()}:
        die('customer-product-summary differs from transactions.csv: %s' %
            sorted(set(got.items()) ^ set((k, tuple(v)) for k, v in per.items()))[:3])
    for r in files['product-summary']:
        if r['product_name'] != last[(r['product_sku'], r['transaction_type'])][1]:
            die('product-summary: %r is not named by its last transaction' % r)
    # openings and modes from customers.csv
    for r in files['customer-list']:
        c = customers[r['wallet_id']]
        if m(r['opening_balance']) != m(c['opening_balance']) or r['payment_mode'] != c['payment_mode']:
            die('customer-list: %r differs from customers.csv %r' % (r, c))
    # the partner's wallet: entries of wallet.csv, signs as §4 says
    sign = {'partner_topup': 1, 'customer_topup': 1, 'refund': 1, 'invoice': -1,
            'customer_withdrawal': -1, 'adjustment': 0}
    entries = defaultdict(list)
    for e in read_input(ledger + '/wallet.csv'):
        entries[e['wallet_id']].append(e)
    for wid, es in entries.items():
        rows = files.get('wallet-' + wid)
        if not rows:
            die('no wallet file for %s' % wid)
        if len(rows) != len(es) + 1:
            die('wallet-%s: %d rows for %d entries' % (wid, len(rows), len(es)))
        bal = m(es[0]['amount'])
        for e in es[1:]:
            a = m(e['amount'])
            if a == 0 or (sign[e['entry_type']] and (a > 0) != (sign[e['entry_type']] > 0)):
                die('wallet.csv: %r has the wrong sign' % e)
            bal += a
        if m(rows[-1]['balance']) != bal:
            die('wallet-%s: closing %s, entries sum to %s' % (wid, rows[-1]['balance'], bal))
        for r in rows[1:-1]:
            if sign[r['entry_type']] > 0 and m(r['debit']) or sign[r['entry_type']] < 0 and m(r['credit']):
                die('wallet-%s: %r on the wrong side' % (wid, r))


REPORT_HEAD = ('period,org_id,org_name,wallet_id,subscription_id,product_sku,product_name,'
               'status,cycle_months,cycle_start,cycle_end,unit,quantity_start,quantity_end,'
               'quantity_billed,charged_in_period,unit_price,amount,cost,currency').split(',')


def check_report(path, files, period, ledger):
    data = open(path, 'rb').read()
    rows = parse_csv(path, data)
    if data[3:].decode('utf-8').split('\r\n', 1)[0].split(',') != REPORT_HEAD:
        die('%s: header' % path)
    y, mo = map(int, period.split('-'))
    first = date(y, mo, 1)
    last = date(y, mo, calendar.monthrange(y, mo)[1])
    keys = [(r['org_id'], r['wallet_id'], r['subscription_id']) for r in rows]
    if keys != sorted(keys) or len(set(keys)) != len(keys):
        die('%s: rows not sorted by org, wallet, subscription or twice' % path)
    amount = defaultdict(Decimal)
    for r in rows:
        a, cost = m(r['amount']), m(r['cost'])
        if r['period'] != period:
            die('report: period %r' % r)
        if date.fromisoformat(r['cycle_start']) > last or date.fromisoformat(r['cycle_end']) < first:
            die('report: %s does not run in the month' % r['subscription_id'])
        if r['charged_in_period'] != ('true' if a != 0 else 'false'):
            die('report: charged_in_period is not amount != 0: %r' % r)
        if r['status'] == 'trial' and a != 0:
            die('report: a trial charged: %r' % r)
        if not 0 <= a <= m(r['unit_price']) * int(r['quantity_billed']):
            die('report: amount outside 0..unit_price x quantity_billed: %r' % r)
        if cost < 0:
            die('report: negative cost: %r' % r)
        amount[(r['org_id'], r['currency'])] += a
    # I8 against the zip: the subscription revenue of the org in the month
    zipped = defaultdict(Decimal)
    for r in files['customer-product-summary']:
        if r['transaction_type'] == 'subscription':
            zipped[(r['org_id'], r['currency'])] += m(r['revenue'])
    for k in set(amount) | set(zipped):
        if amount.get(k, 0) != zipped.get(k, 0):
            die('I8: %s: report amounts %s, the zip\'s subscription revenue %s' %
                (k, amount.get(k, 0), zipped.get(k, 0)))
    if ledger:
        subs = read_input(ledger + '/subscriptions.csv')
        active = sorted((s['org_id'], s['wallet_id'], s['subscription_id']) for s in subs
                        if date.fromisoformat(s['cycle_start']) <= last and
                        date.fromisoformat(s['cycle_end']) >= first)
        if keys != active:
            die('report: rows %s, subscriptions active in the month %s' % (keys[:5], active[:5]))
        byid = {(s['org_id'], s['wallet_id'], s['subscription_id']): s for s in subs}
        for r in rows:
            s = byid[(r['org_id'], r['wallet_id'], r['subscription_id'])]
            for col in ('quantity_billed', 'status', 'cycle_start', 'cycle_end'):
                if r[col] != s[col]:
                    die('report: %s differs from subscriptions.csv: %r %r' % (col, r, s))
            for col in ('amount', 'cost', 'unit_price'):
                if m(r[col]) != m(s[col]):
                    die('report: %s differs from subscriptions.csv: %r %r' % (col, r, s))


main()
