#!/usr/bin/env python3
# tests/revenue_ledger.py - writes a realistic monthly ledger export (docs/formats.md
# §4 input) for one partner, and the month's usage files that match it.
#   revenue_ledger.py OUT_DIR [--org D] [--period YYYY-MM] [--customers N]
#                     [--transactions N] [--seed S] [--opening X]
#                     [--sale-sku-refunds] [--rename] [--big-currencies]
#                     [--time-forms] [--shuffle] [--rich]
# OUT_DIR gets customers.csv transactions.csv topups.csv wallet.csv
# subscriptions.csv, and usage/DOMAIN-YYYY-MM-{call,sms,fax,dnc}.csv. Every
# usage-type transaction is one usage record with the same price and cost.
# What an accountant meets (docs/formats.md §4), each on its own flag:
#   --sale-sku-refunds  refunds and adjustments carrying the sale's SKU
#   --rename            a product renamed in the middle of the month
#   --big-currencies    customers in IDR and VND whose sums pass 1e9, and a
#                       second partner wallet in IDR that ends negative
#   --time-forms        posted_at with fractions, z, a space, +0800, -05
#   --shuffle           the lines of every file in random order (seeded)
#   --rich              all of the above, plus zero-price lines and a prepaid
#                       customer whose balance ends negative
# Test data only: integer micro-units, no floating point in money.
import argparse
import calendar
import os
import random
import time


def money(micro):
    sign = '-' if micro < 0 else ''
    micro = abs(micro)
    return '%s%d.%06d' % (sign, micro // 1000000, micro % 1000000)


def tax_of(micro, rate_pct=20):
    # half away from zero
    q, r = divmod(abs(micro) * rate_pct, 100)
    if 2 * r >= 100:
        q += 1
    return q if micro >= 0 else -q


PRODUCTS = [  # sku, name, type, unit, unit price, unit cost (micro)
    ('CALL-STD', 'Voice minutes, national', 'call', 'minute', 12000, 7000),
    ('CALL-INTL', 'Voice minutes, international', 'call', 'minute', 95000, 61000),
    ('SMS-STD', 'SMS segments', 'sms', 'segment', 45000, 30000),
    ('FAX-STD', 'Fax pages', 'fax', 'page', 60000, 20000),
    ('DNC-CHK', 'Do-Not-Call check', 'dnc', 'check', 2000, 500),
    ('SUB-PBX', 'Cloud PBX licence', 'subscription', 'license', 19990000, 9000000),
    ('NUM-ACT', 'Number activation', 'number_activation', 'number', 5000000, 1000000),
    ('ADDON-REC', 'Call recording add-on', 'add_on', 'item', 4990000, 1500000),
    ('SVC-SETUP', 'Onboarding, setup & training', 'service', 'item', 150000000, 0),
    ('RFD-GOODWILL', 'Goodwill refund', 'refund', 'item', -10000000, -2000000),
    ('ADJ-ROUND', 'Rounding adjustment', 'adjustment', 'item', 1, 0),
]

NAMES = ['Müller & Söhne, GmbH', '=HYPERLINK("http://x")', 'Quote "Co" Ltd',
         'Acme Retail', ' Leading Space Inc', 'Café Zürich', '-minus corp',
         '+plus sa', '@at bv', 'Tab\tand\nnewline llc']


def crlf_csv(path, header, rows):
    with open(path, 'w', newline='') as f:
        f.write(','.join(header) + '\r\n')
        for r in rows:
            f.write(','.join(quote(str(x)) for x in r) + '\r\n')


def quote(s):
    if any(c in s for c in ',"\r\n') or s.startswith(' ') or s.endswith(' '):
        return '"' + s.replace('"', '""') + '"'
    return s


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('out')
    ap.add_argument('--org', default='acme.example')
    ap.add_argument('--period', default='2026-10')
    ap.add_argument('--customers', type=int, default=7)
    ap.add_argument('--transactions', type=int, default=400)
    ap.add_argument('--seed', type=int, default=42)
    ap.add_argument('--opening', default='2500.000000')
    for f in ('sale-sku-refunds', 'rename', 'big-currencies', 'time-forms', 'shuffle', 'rich'):
        ap.add_argument('--' + f, action='store_true')
    a = ap.parse_args()
    if a.rich:
        a.sale_sku_refunds = a.rename = a.big_currencies = a.time_forms = a.shuffle = True
    shuffle_rnd = random.Random(a.seed + 1)
    rnd = random.Random(a.seed)
    year, month = map(int, a.period.split('-'))
    days = calendar.monthrange(year, month)[1]
    start = calendar.timegm((year, month, 1, 0, 0, 0))
    os.makedirs(os.path.join(a.out, 'usage'), exist_ok=True)

    def ts(t):
        return '%04d-%02d-%02dT%02d:%02d:%02dZ' % time.gmtime(t)[:6]

    forms = random.Random(a.seed + 2)

    def its(t):
        # an input time: with --time-forms any form docs/formats.md §1 allows
        # for the instant t (whole seconds; a fraction is added to some)
        if not a.time_forms:
            return ts(t)
        k = forms.randrange(6)
        off = {0: 0, 1: 0, 2: 8 * 3600, 3: 8 * 3600, 4: -5 * 3600, 5: 0}[k]
        y, mo, d, h, mi, se = time.gmtime(t + off)[:6]
        base = '%04d-%02d-%02d%s%02d:%02d:%02d' % (y, mo, d, ' ' if k == 5 else 'T', h, mi, se)
        frac = '.250' if k in (1, 3) and t + 1 < end else ''
        return base + frac + {0: 'Z', 1: 'z', 2: '+08:00', 3: '+0800', 4: '-05', 5: 'Z'}[k]

    end = start + days * 86400

    def write_rows(path, header, rows, keep_first=0):
        if a.shuffle:
            head, rest = rows[:keep_first], rows[keep_first:]
            shuffle_rnd.shuffle(rest)
            rows = head + rest
        crlf_csv(path, header, rows)

    def rand_t():
        return start + rnd.randrange(days * 86400)

    # customers: the last one postpaid, one in USD when there are enough
    customers = []
    big = {'IDR': 16000, 'VND': 25000}  # units of the currency per EUR
    for i in range(a.customers):
        ccy = 'USD' if a.customers >= 5 and i == 3 else 'EUR'
        if a.big_currencies and a.customers >= 7 and i in (4, 5):
            ccy = 'IDR' if i == 4 else 'VND'
        customers.append({
            'org_id': 'org-%05d' % (i // 2 + 1) if a.customers < 50 else 'org-%05d' % (i + 1),
            'org_name': NAMES[i % len(NAMES)] if a.customers < 50 else 'Customer %d' % i,
            'wallet_id': 'W%06d' % (i + 1),
            'payment_mode': 'postpaid' if i == a.customers - 1 else 'prepaid',
            'integration_code': 'ERP-%d' % (1000 + i) if i % 3 else '',
            'opening': rnd.randrange(0, 500000000) * big.get(ccy, 1),
            'currency': ccy,
        })
    if a.rich:
        customers[2]['opening'] = 1000000  # spends more than it has: ends negative
    crlf_csv(os.path.join(a.out, 'customers.csv'),
             ['org_id', 'org_name', 'wallet_id', 'payment_mode', 'integration_code',
              'opening_balance', 'currency'],
             [[c['org_id'], c['org_name'], c['wallet_id'], c['payment_mode'],
               c['integration_code'], money(c['opening']), c['currency']] for c in customers])

    # transactions in time order, streamed; each usage-type one is also a
    # usage record, written to its usage file as it goes
    pre = '%s-%s-' % (a.org, a.period)
    head = ['record_id', 'org_id', 'org_name', 'wallet_id']
    tail = ['price', 'cost', 'currency']
    cols = {
        'call': ['txn_id', 'leg_id', 'direction', 'start_time', 'answer_time', 'end_time',
                 'duration_s', 'talk_s', 'billable_s', 'caller', 'callee', 'status',
                 'dest_country', 'rate_per_min'],
        'sms': ['direction', 'submit_time', 'sender', 'recipient', 'dest_country', 'encoding',
                'segments', 'status', 'rate_per_segment'],
        'fax': ['direction', 'start_time', 'end_time', 'duration_s', 'sender', 'recipient',
                'dest_country', 'pages', 'status', 'rate_per_page'],
        'dnc': ['check_time', 'batch_id', 'channel', 'number', 'result', 'valid_until'],
    }
    uf = {}
    for typ, c in cols.items():
        uf[typ] = open(os.path.join(a.out, 'usage', pre + typ + '.csv'), 'w', newline='')
        uf[typ].write(','.join(head + c + tail) + '\r\n')
    tf = open(os.path.join(a.out, 'transactions.csv'), 'w', newline='')
    tf.write('txn_id,posted_at,org_id,wallet_id,transaction_type,product_sku,product_name,'
             'unit,quantity,price,cost,tax,currency\r\n')
    held = []  # with --shuffle: the lines, written at the end in random order

    def txn_line(fields):
        line = ','.join(quote(str(x)) for x in fields) + '\r\n'
        if a.shuffle:
            held.append(line)
        else:
            tf.write(line)
    n = a.transactions
    span = days * 86400
    sub_qty, sub_price, sub_cost = {}, {}, {}  # per wallet: the report's money
    for k in range(n):
        c = customers[k % len(customers)] if k < len(customers) * len(PRODUCTS) else rnd.choice(customers)
        # every customer gets every product once, then a usage-heavy mix
        if k < len(customers) * len(PRODUCTS):
            p = PRODUCTS[(k // len(customers)) % len(PRODUCTS)]
        else:
            p = PRODUCTS[rnd.choice((0, 0, 0, 0, 1, 2, 2, 2, 3, 4, 4, 5, 6, 7))]
        sku, name, typ, unit, up, uc = p
        t = start + k * span // n
        if a.rename and sku == 'ADDON-REC' and t >= start + span // 2:
            name = 'Call recording & transcription add-on'
        up, uc = up * big.get(c['currency'], 1), uc * big.get(c['currency'], 1)
        qty = {'minute': rnd.randint(1, 30), 'segment': rnd.randint(1, 3),
               'page': rnd.randint(1, 12), 'check': 1}.get(unit, 1)
        price, cost = up * qty, uc * qty
        # transaction ids are unique across months, as the platform's are
        # (a usage record and its call leg are archived once per org):
        # 2026-10 keeps T000000001.., other months start a million apart
        txn = 'T%09d' % ((year * 12 + month - (2026 * 12 + 10)) % 1000 * 1000000 + k + 1)
        if typ == 'subscription':
            wid = c['wallet_id']
            sub_qty[wid] = sub_qty.get(wid, 0) + qty
            sub_price[wid] = sub_price.get(wid, 0) + price
            sub_cost[wid] = sub_cost.get(wid, 0) + cost
        w = [c['org_id'], c['org_name'], c['wallet_id']]
        ccy = c['currency']
        txn_line([txn, its(t), c['org_id'], c['wallet_id'], typ, sku, name, unit, qty,
                  money(price), money(cost), money(tax_of(price)), ccy])
        if typ == 'call':
            talk = qty * 60 - rnd.randint(0, 59)
            row = [txn, txn + '-1', 'outgoing', ts(t), ts(t + 3), ts(t + 3 + talk), talk + 3,
                   talk, qty * 60, '+3215550%04d' % (k % 10000), '+4930555%04d' % (k * 7 % 10000),
                   'answered', 'DE', money(up)]
        elif typ == 'sms':
            row = ['outgoing', ts(t), 'ACME', '+4930555%04d' % (k % 10000), 'DE', 'gsm7', qty,
                   'delivered', money(up)]
        elif typ == 'fax':
            row = ['outgoing', ts(t), ts(t + 30 * qty), 30 * qty, '+3215550000',
                   '+4930555%04d' % (k % 10000), 'DE', qty, 'success', money(up)]
        elif typ == 'dnc':
            row = [ts(t), 'B%d' % (k // 100), 'voice', '+4930555%04d' % (k % 10000), 'clear',
                   ts(t + 21 * 86400)[:10]]
        else:
            continue
        uf[typ].write(','.join(quote(str(x)) for x in
                               ['R' + txn] + w + row + [money(price), money(cost), ccy]) + '\r\n')
    # refunds and adjustments that carry the sale's SKU: products of their own
    extra = []
    if a.sale_sku_refunds:
        for i, c in enumerate(customers[:3]):
            f = big.get(c['currency'], 1)
            extra.append(['RF-%d' % i, start + (10 + i) * 86400, c, 'refund', 'CALL-STD',
                          'Voice minutes, national', 'minute', -3, -36000 * f, -21000 * f])
            extra.append(['AJ-%d' % i, start + (12 + i) * 86400, c, 'adjustment', 'SUB-PBX',
                          'Cloud PBX licence', 'license', 0, -5000000 * f, 0])
            extra.append(['AJ-%d-up' % i, start + (13 + i) * 86400, c, 'adjustment', 'SMS-STD',
                          'SMS segments', 'segment', 0, 450000 * f, 300000 * f])
    if a.big_currencies and len(customers) >= 7:
        # an enterprise project in IDR (one value past 1e9) and two large
        # VND services whose sum passes it
        extra.append(['BIG-IDR', start + 3 * 86400, customers[4], 'service', 'SVC-SETUP',
                      'Onboarding, setup & training', 'item', 1, 1234567890123456, 400000000000000])
        for j in range(2):
            extra.append(['BIG-VND-%d' % j, start + (5 + j) * 86400, customers[5], 'service',
                          'SVC-SETUP', 'Onboarding, setup & training', 'item', 1,
                          600000000000000, 150000000000000])
    if a.rich:
        # zero-price lines: a promotional activation the platform still costs
        for i, c in enumerate(customers[:2]):
            extra.append(['ZP-%d' % i, start + 20 * 86400, c, 'number_activation', 'NUM-ACT',
                          'Number activation', 'number', 1, 0, 1000000 * big.get(c['currency'], 1)])
    for txn, t, c, typ, sku, name, unit, qty, price, cost in extra:
        if a.rename and sku == 'ADDON-REC':
            name = 'Call recording & transcription add-on'
        txn_line([txn, its(t), c['org_id'], c['wallet_id'], typ, sku, name, unit, qty,
                  money(price), money(cost), money(tax_of(price)), c['currency']])
    shuffle_rnd.shuffle(held)
    tf.writelines(held)
    tf.close()
    for f in uf.values():
        f.close()

    # customer top-ups: topups, one withdrawal and one refund
    tops = []
    for i, c in enumerate(customers):
        for j in range(2 if a.customers < 50 else 1):
            amount = rnd.randrange(10000000, 900000000) * big.get(c['currency'], 1)
            if a.rich and i == 2:
                continue
            tops.append(['TU-%06d-%d' % (i, j), its(rand_t()), c['org_id'], c['wallet_id'],
                         'topup', 'card' if j else 'bank transfer', 'PAY-%d' % (i * 10 + j),
                         money(amount), c['currency']])
    tops.append(['TU-W-1', its(rand_t()), customers[0]['org_id'], customers[0]['wallet_id'],
                 'withdrawal', 'bank transfer', '', money(-25000000), customers[0]['currency']])
    tops.append(['TU-R-1', its(rand_t()), customers[1]['org_id'], customers[1]['wallet_id'],
                 'refund', 'card', 'CHARGEBACK-7', money(9990000), customers[1]['currency']])
    write_rows(os.path.join(a.out, 'topups.csv'),
             ['topup_id', 'posted_at', 'org_id', 'wallet_id', 'entry_type', 'channel',
              'payment_reference', 'amount', 'currency'], tops)

    # the partner's wallet with the platform
    w = [['PW-1', ts(start), 'opening_balance', '', 'Opening balance', a.opening, 'EUR'],
         ['PW-1', ts(start + 86400), 'partner_topup', 'BANK-1', 'Top-up by bank transfer', '1000.000000', 'EUR'],
         ['PW-1', ts(start + 2 * 86400), 'customer_topup', 'TU-000000-0', 'Customer top-up', '150.000000', 'EUR'],
         ['PW-1', ts(start + 3 * 86400), 'customer_withdrawal', 'TU-W-1', 'Customer withdrawal', '-25.000000', 'EUR'],
         ['PW-1', ts(start + 4 * 86400), 'invoice', 'INV-2026-0001', 'Platform invoice', '-812.345678', 'EUR'],
         ['PW-1', ts(start + 5 * 86400), 'refund', 'RF-1', 'Refund of a disputed charge', '12.500000', 'EUR'],
         ['PW-1', ts(start + 5 * 86400), 'adjustment', '', '=SUM(A1:A9) adjustment', '-0.000001', 'EUR']]
    if a.big_currencies:
        # the partner's IDR wallet: an invoice larger than what it holds
        w += [['PW-2', ts(start), 'opening_balance', '', 'Opening balance', '5000000000.000000', 'IDR'],
              ['PW-2', ts(start + 2 * 86400), 'partner_topup', 'BANK-ID-1', 'Top-up', '1500000000.000000', 'IDR'],
              ['PW-2', ts(start + 9 * 86400), 'invoice', 'INV-ID-2026-7', 'Platform invoice', '-7250000000.500000', 'IDR'],
              ['PW-2', ts(start + 9 * 86400), 'adjustment', 'ADJ-ID-1', 'Rounding', '0.500000', 'IDR']]
    for e in w:
        e[1] = its(calendar.timegm(time.strptime(e[1], '%Y-%m-%dT%H:%M:%SZ')))
    # the opening of each wallet stays its first row, the rest in any order
    openings = [e for e in w if e[2] == 'opening_balance']
    write_rows(os.path.join(a.out, 'wallet.csv'),
               ['wallet_id', 'posted_at', 'entry_type', 'reference', 'description', 'amount',
                'currency'], openings + [e for e in w if e[2] != 'opening_balance'],
               keep_first=len(openings))

    # subscriptions (the report): charged (the platform's amount is what the
    # subscription transactions of the wallet charged, I8), not charged this
    # month, trial, expired before the month
    def d(t):
        return ts(t)[:10]
    subs = []
    for i, c in enumerate(customers):
        cs = start + (i % days) * 86400
        wid = c['wallet_id']
        q = sub_qty.get(wid, 0)
        f = big.get(c['currency'], 1)
        subs.append([c['org_id'], c['org_name'], wid, 'S-%d-A' % i, 'SUB-PBX',
                     'Cloud PBX licence', 'active', 1, d(cs), d(cs + 29 * 86400), 'license',
                     q, q, q, money(19990000 * f), money(sub_price.get(wid, 0)),
                     money(sub_cost.get(wid, 0)), c['currency']])
        if i >= 1000:
            continue
        subs.append([c['org_id'], c['org_name'], wid, 'S-%d-B' % i, 'ADDON-REC',
                     'Call recording add-on', 'active', 12, d(start - 40 * 86400),
                     d(start + 324 * 86400), 'license', 3, 3, 0, money(4990000 * f), '0.000000',
                     '0.000000', c['currency']])
        subs.append([c['org_id'], c['org_name'], wid, 'S-%d-C' % i, 'SUB-PBX',
                     'Cloud PBX licence', 'trial', 1, d(start + 86400), d(start + 15 * 86400),
                     'license', 0, 2, 2, money(19990000 * f), '0.000000', '0.000000', c['currency']])
        subs.append([c['org_id'], c['org_name'], wid, 'S-%d-D' % i, 'SUB-PBX',
                     'Cloud PBX licence', 'expired', 1, d(start - 90 * 86400),
                     d(start - 60 * 86400), 'license', 1, 1, 1, money(19990000 * f), '0.000000',
                     '0.000000', c['currency']])
    crlf_csv(os.path.join(a.out, 'subscriptions.csv'),
             ['org_id', 'org_name', 'wallet_id', 'subscription_id', 'product_sku',
              'product_name', 'status', 'cycle_months', 'cycle_start', 'cycle_end', 'unit',
              'quantity_start', 'quantity_end', 'quantity_billed', 'unit_price', 'amount',
              'cost', 'currency'], subs)


main()
