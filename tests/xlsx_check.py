#!/usr/bin/python3
# tests/xlsx_check.py - checks the spreadsheet view of a generated CSV
# (docs/formats.md §6) against the CSV, with its own reading of the column types
# (written from docs/formats.md §3-5, not taken from the C code).
#   xlsx_check.py CSV XLSX [LIBREOFFICE_CSV]
# CSV: the archived CSV; XLSX: its view, read with openpyxl (cell types,
# values, number formats, header, frozen row, autofilter, widths);
# LIBREOFFICE_CSV: the view converted by `soffice --convert-to csv`, compared
# cell by cell with what the CSV says, as a spreadsheet shows it.
# Exits 1 with one line per difference (at most 20).
import csv
import datetime
import os
import re
import sys

import openpyxl

TS, DATE, INT, MONEY, BOOL, TEXT, PLAIN = 'ts', 'date', 'int', 'money', 'bool', 'text', 'plain'
USAGE_HEAD = dict(record_id=PLAIN, org_id=PLAIN, org_name=TEXT, wallet_id=PLAIN)
USAGE_TAIL = dict(price=MONEY, cost=MONEY, currency=PLAIN)
LAYOUTS = {
    'call': dict(txn_id=PLAIN, leg_id=PLAIN, direction=PLAIN, start_time=TS,
                 answer_time=TS, end_time=TS, duration_s=INT, talk_s=INT,
                 billable_s=INT, caller=TEXT, callee=TEXT, status=PLAIN,
                 dest_country=PLAIN, rate_per_min=MONEY),
    'sms': dict(direction=PLAIN, submit_time=TS, sender=TEXT, recipient=TEXT,
                dest_country=PLAIN, encoding=PLAIN, segments=INT, status=PLAIN,
                rate_per_segment=MONEY),
    'fax': dict(direction=PLAIN, start_time=TS, end_time=TS, duration_s=INT,
                sender=TEXT, recipient=TEXT, dest_country=PLAIN, pages=INT,
                status=PLAIN, rate_per_page=MONEY),
    'dnc': dict(check_time=TS, batch_id=PLAIN, channel=PLAIN, number=TEXT,
                result=PLAIN, valid_until=DATE),
}
for k in list(LAYOUTS):
    LAYOUTS[k] = {**USAGE_HEAD, **LAYOUTS[k], **USAGE_TAIL}
MONEY_COLS = {'revenue', 'tax', 'revenue_incl_tax', 'cost', 'margin', 'debit', 'credit',
              'balance', 'amount', 'topups', 'opening_balance', 'closing_balance',
              'unit_price'}
TEXT_COLS = {'org_name', 'description', 'integration_code', 'product_name', 'channel',
             'payment_reference', 'period'}
INT_COLS = {'quantity', 'line_no', 'cycle_months', 'quantity_start', 'quantity_end',
            'quantity_billed'}
TS_COLS = {'posted_at', 'balance_as_of'}
DATE_COLS = {'date', 'cycle_start', 'cycle_end'}


def other_type(col):
    for cols, t in ((MONEY_COLS, MONEY), (TEXT_COLS, TEXT), (INT_COLS, INT),
                    (TS_COLS, TS), (DATE_COLS, DATE)):
        if col in cols:
            return t
    return BOOL if col == 'charged_in_period' else PLAIN


def layout_of(name):
    m = re.search(r'-\d{4}-\d{2}-(call|sms|fax|dnc)(-supplement-\d\d)?(-part\d{3})?\.csv$', name)
    return LAYOUTS[m.group(1)] if m else None


def col_type(layout, col):
    if layout is not None:
        return layout.get(col, TEXT)
    return other_type(col)


def sig_digits(s):
    d = s.lstrip('-').replace('.', '').lstrip('0').rstrip('0')
    return len(d)


def parse_ts(s):
    m = re.fullmatch(r'(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?Z', s)
    if not m:
        return None
    frac = m.group(7) or ''
    us = int(frac.ljust(6, '0')) if frac else 0
    return datetime.datetime(*map(int, m.groups()[:6]), us), bool(frac)


def expect(t, v):
    """(python value, openpyxl data type, number format, LibreOffice text) of a CSV value."""
    if v == '':
        return None, 'n', None, ''
    if t == INT and re.fullmatch(r'-?(0|[1-9]\d*)', v) and v != '-0' and sig_digits(v) <= 15:
        return int(v), 'n', '0', v
    if t == MONEY and re.fullmatch(r'-?(0|[1-9]\d*)\.\d{6}', v) and v != '-0.000000' \
            and sig_digits(v) <= 15:
        return v, 'n', '0.000000', v
    if t == TS and parse_ts(v):
        when, frac = parse_ts(v)
        shown = when.strftime('%Y-%m-%d %H:%M:%S')
        if frac:
            ms = (when.microsecond + 500) // 1000
            shown = (when.replace(microsecond=0) + datetime.timedelta(milliseconds=ms)) \
                .strftime('%Y-%m-%d %H:%M:%S') + '.%03d' % (ms % 1000)
        return when, 'd', 'yyyy-mm-dd hh:mm:ss' + ('.000' if frac else ''), shown
    if t == DATE and re.fullmatch(r'\d{4}-\d\d-\d\d', v):
        return datetime.datetime.strptime(v, '%Y-%m-%d'), 'd', 'yyyy-mm-dd', v
    if t == BOOL and v in ('true', 'false'):
        return v == 'true', 'b', None, v.upper()
    if t == TEXT and len(v) > 1 and v[0] == "'" and v[1] in '=+-@ ':
        v = v[1:]  # the CSV's guard against formula injection
    return v, 's', None, v


def unescape(v):
    # a string cell's _xHHHH_ is the character HHHH (ECMA-376), which
    # spreadsheets decode and openpyxl 3.0 does not
    if isinstance(v, str):
        return re.sub(r'_x([0-9A-Fa-f]{4})_', lambda m: chr(int(m.group(1), 16)), v)
    return v


def col_letter(i):
    s = ''
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def main():
    csv_path, xlsx_path = sys.argv[1], sys.argv[2]
    lo_path = sys.argv[3] if len(sys.argv) > 3 else None
    errors = []

    def err(msg):
        errors.append(msg)

    with open(csv_path, newline='', encoding='utf-8-sig') as f:
        rows = list(csv.reader(f))
    layout = layout_of(os.path.basename(csv_path))
    header = rows[0] if rows else []
    types = [col_type(layout, c) for c in header]
    wb = openpyxl.load_workbook(xlsx_path)
    if len(wb.worksheets) != 1:
        err('%d sheets, not one' % len(wb.worksheets))
    ws = wb.worksheets[0]
    if ws.freeze_panes != 'A2':
        err('frozen panes at %s, not below the header' % ws.freeze_panes)
    want_ref = 'A1:%s%d' % (col_letter(len(header) - 1), len(rows))
    if ws.auto_filter.ref != want_ref:
        err('autofilter %s, want %s' % (ws.auto_filter.ref, want_ref))
    if ws.max_row != len(rows):
        err('%d rows in the sheet, %d in the CSV' % (ws.max_row, len(rows)))
    for i, name in enumerate(header):
        c = ws.cell(row=1, column=i + 1)
        want = name + (' (UTC)' if types[i] == TS else '')
        if c.value != want or not c.font.b:
            err('header %s: %r (bold %s), want %r in bold' % (c.coordinate, c.value, c.font.b, want))
        width = ws.column_dimensions[col_letter(i)].width
        if not width or width > 62:
            err('column %s: width %s (not set or not capped)' % (col_letter(i), width))
    for r, row in enumerate(rows[1:], start=2):
        for i, v in enumerate(row):
            c = ws.cell(row=r, column=i + 1)
            val, dtype, fmt, _ = expect(types[i] if i < len(types) else TEXT, v)
            got = unescape(c.value)
            if types[i] == MONEY and dtype == 'n':
                ok = isinstance(got, (int, float)) and '%.6f' % got == val
            elif dtype == 'd':
                # openpyxl reads date-times to the millisecond
                ok = isinstance(got, datetime.datetime) and \
                    abs(got - val) <= datetime.timedelta(microseconds=500)
            else:
                ok = got == val and type(got) is type(val)
            if not ok:
                err('%s: %r (%s), CSV %r, want %r' % (c.coordinate, got, c.data_type, v, val))
            elif val is not None and c.data_type != dtype:
                err('%s: type %s, want %s' % (c.coordinate, c.data_type, dtype))
            elif fmt and c.number_format != fmt:
                err('%s: format %r, want %r' % (c.coordinate, c.number_format, fmt))
    if lo_path:
        with open(lo_path, newline='', encoding='utf-8') as f:
            lo = list(csv.reader(f))
        if len(lo) != len(rows):
            err('LibreOffice: %d rows, CSV %d' % (len(lo), len(rows)))
        for r, (row, got) in enumerate(zip(rows, lo), start=1):
            want = [expect(types[i] if i < len(types) else TEXT, v)[3] for i, v in enumerate(row)]
            if r == 1:
                want = [n + (' (UTC)' if types[i] == TS else '') for i, n in enumerate(row)]
            while len(got) < len(want):
                got.append('')
            if got != want:
                for i, (g, w) in enumerate(zip(got, want)):
                    if g != w:
                        err('LibreOffice %s%d: %r, want %r' % (col_letter(i), r, g, w))
    for e in errors[:20]:
        print('%s: %s' % (os.path.basename(xlsx_path), e))
    sys.exit(1 if errors else 0)


main()
