/* report.c - the subscription-billing report (docs/formats.md §5): one row
 * per subscription active in the month, its money as the platform charged
 * it. The rules are checked, not applied: charged_in_period is amount != 0,
 * a trial is free, 0 <= amount <= unit_price x quantity_billed, cost >= 0;
 * and the amounts reconcile with the ledger's subscription transactions
 * (I8) before anything is written. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../catalog/catalog.h"
#include "report.h"
#include "time.h"

#define REPORT_MAX_ROWS 1000000

static const char *const status_names[] = { "active", "trial", "expired",
	"terminated", NULL };
enum { ST_TRIAL = 1 };

static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return rc;
}

void report_release(struct report *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].org_name);
		free(r->v[i].product_name);
	}
	free(r->v);
	memset(r, 0, sizeof(*r));
}

static int sub_cmp(const void *a, const void *b)
{
	const struct subscription *x = a, *y = b;
	int c = strcmp(x->org_id, y->org_id);

	if (!c)
		c = strcmp(x->wallet_id, y->wallet_id);
	return c ? c : strcmp(x->id, y->id);
}

enum { C_ORG, C_ORG_NAME, C_WALLET, C_ID, C_SKU, C_NAME, C_STATUS, C_MONTHS,
       C_START, C_END, C_UNIT, C_QSTART, C_QEND, C_QBILLED, C_PRICE, C_AMOUNT,
       C_COST, C_CCY, C_N };

static const char *const cols[C_N + 1] = { "org_id", "org_name", "wallet_id",
	"subscription_id", "product_sku", "product_name", "status", "cycle_months",
	"cycle_start", "cycle_end", "unit", "quantity_start", "quantity_end",
	"quantity_billed", "unit_price", "amount", "cost", "currency", NULL };

/* Format a reason into why; returns why. */
static const char *reason(char *why, size_t whylen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static const char *reason(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
	return why;
}

/* Parse and check one record into *s; the reason, or NULL. why is a buffer
 * for reasons with values. */
static const char *sub_parse(char **f, const int *idx, struct subscription *s,
			     const struct ledger *l, char *why, size_t whylen)
{
	static const int id_cols[] = { C_ORG, C_WALLET, C_ID, C_SKU };
	char *ids[] = { s->org_id, s->wallet_id, s->id, s->sku };
	const struct customer *c;
	money_t most;

	for (int i = 0; i < 4; i++) {
		if (!field_is_id(f[idx[id_cols[i]]]))
			return reason(why, whylen, "bad %s", cols[id_cols[i]]);
		strcpy(ids[i], f[idx[id_cols[i]]]);
	}
	if ((s->status = field_enum(f[idx[C_STATUS]], status_names)) < 0)
		return "bad status";
	if (!field_int(f[idx[C_MONTHS]], &s->cycle_months) || s->cycle_months < 1 ||
	    s->cycle_months > 120)
		return "bad cycle_months";
	if (time_date_parse(f[idx[C_START]], &s->cycle_start, NULL, 0) < 0)
		return "bad cycle_start";
	if (time_date_parse(f[idx[C_END]], &s->cycle_end, NULL, 0) < 0 ||
	    s->cycle_end < s->cycle_start)
		return "bad cycle_end";
	if ((s->unit = field_enum(f[idx[C_UNIT]], unit_names)) < 0)
		return "bad unit";
	if (!field_int(f[idx[C_QSTART]], &s->qty_start) || s->qty_start < 0)
		return "bad quantity_start";
	if (!field_int(f[idx[C_QEND]], &s->qty_end) || s->qty_end < 0)
		return "bad quantity_end";
	if (!field_int(f[idx[C_QBILLED]], &s->qty_billed) || s->qty_billed < 0)
		return "bad quantity_billed";
	if (!money_parse(f[idx[C_PRICE]], &s->unit_price) || s->unit_price < 0)
		return "bad unit_price";
	if (!money_parse(f[idx[C_AMOUNT]], &s->amount))
		return "bad amount";
	if (!money_parse(f[idx[C_COST]], &s->cost))
		return "bad cost";
	if (!field_is_ccy(f[idx[C_CCY]]))
		return "bad currency";
	strcpy(s->currency, f[idx[C_CCY]]);
	c = ledger_customer(l, s->wallet_id);
	if (!c)
		return reason(why, whylen, "wallet_id %s is not in customers.csv",
				s->wallet_id);
	if (strcmp(c->org_id, s->org_id))
		return reason(why, whylen, "wallet %s belongs to org %s, not %s",
				s->wallet_id, c->org_id, s->org_id);
	if (strcmp(c->currency, s->currency))
		return reason(why, whylen, "currency %s differs from wallet %s's currency %s"
				" (currencies never mix)", s->currency, s->wallet_id,
				c->currency);
	if (s->status == ST_TRIAL && s->amount)
		return reason(why, whylen, "amount %s: a trial is not charged",
				f[idx[C_AMOUNT]]);
	if (s->amount < 0)
		return reason(why, whylen, "amount %s is negative", f[idx[C_AMOUNT]]);
	if (!money_mul_int(s->unit_price, s->qty_billed, &most))
		most = MONEY_MAX; /* beyond any amount */
	if (s->amount > most) {
		char m[MONEY_STR];

		return reason(why, whylen, "amount %s is more than unit_price %s x"
				" quantity_billed %lld = %s", f[idx[C_AMOUNT]],
				f[idx[C_PRICE]], (long long)s->qty_billed,
				money_format(most, m));
	}
	if (s->cost < 0)
		return reason(why, whylen, "cost %s is negative", f[idx[C_COST]]);
	return NULL;
}

/* Does s run at any time in [start, end)? (cycle_end is inclusive) */
static bool sub_is_active(const struct subscription *s, int64_t start, int64_t end)
{
	return s->cycle_start < end && s->cycle_end + 86400 > start;
}

int report_read(struct report *r, const struct ledger *l, const char *dir,
		const char *period, int64_t start, int64_t end, char *err,
		size_t errlen)
{
	char path[4096], why[512];
	const char *cause;
	struct csv_reader cr;
	size_t nheader = 0;
	int idx[C_N + 1], rc; /* idx[C_N]: the optional period column */
	FILE *f;

	memset(r, 0, sizeof(*r));
	snprintf(path, sizeof(path), "%s/subscriptions.csv", dir);
	f = input_fopen(path, &cause); /* a FIFO: refused, never waited on */
	if (!f)
		return fail(err, errlen, -errno, "%s: cannot open: %s", path, cause);
	csv_reader_init(&cr, f, path);
	rc = csv_read(&cr);
	if (rc == 1) {
		nheader = cr.nfields;
		rc = csv_columns(&cr, cols, idx, err, errlen);
		/* an export may carry the period column too: then it must agree */
		if (rc == 0 && csv_columns(&cr, (const char *const[]){ "period", NULL },
					   &idx[C_N], why, sizeof(why)) < 0)
			idx[C_N] = -1;
		if (rc == 0)
			csv_extra_note(&cr, idx, C_N + 1, r->notes, sizeof(r->notes));
	} else {
		rc = fail(err, errlen, -EINVAL, "%s: %s", path,
			  rc ? cr.error : "empty file (no header)");
	}
	while (rc == 0 && (rc = csv_read(&cr)) > 0) {
		struct subscription s = { .line = cr.line }, *x;
		const char *bad;

		rc = -EINVAL;
		if (cr.nfields != nheader) {
			fail(err, errlen, rc, "%s:%llu: %zu fields, the header has %zu", path,
			     (unsigned long long)cr.line, cr.nfields, nheader);
			break;
		}
		bad = sub_parse(cr.fields, idx, &s, l, why, sizeof(why));
		if (!bad && idx[C_N] >= 0 && strcmp(cr.fields[idx[C_N]], period))
			bad = "period is not the report's";
		if (!bad && !sub_is_active(&s, start, end) && (s.amount || s.cost))
			bad = "amount or cost, but the cycle does not run in the period";
		if (bad) {
			fail(err, errlen, rc, "%s:%llu: %s", path, (unsigned long long)cr.line, bad);
			break;
		}
		rc = 0;
		if (!sub_is_active(&s, start, end))
			continue;
		if (r->n == r->cap) {
			size_t cap = r->cap ? r->cap * 2 : 64;

			x = realloc(r->v, cap * sizeof(*x));
			if (!x) {
				rc = fail(err, errlen, -ENOMEM, "out of memory");
				break;
			}
			r->v = x;
			r->cap = cap;
		}
		x = &r->v[r->n++];
		*x = s;
		x->org_name = strdup(cr.fields[idx[C_ORG_NAME]]);
		x->product_name = strdup(cr.fields[idx[C_NAME]]);
		if (!x->org_name || !x->product_name) {
			rc = fail(err, errlen, -ENOMEM, "out of memory");
			break;
		}
	}
	if (rc < 0 && cr.error[0])
		fail(err, errlen, -EINVAL, "%s:%llu: %s", path, (unsigned long long)cr.line,
		     cr.error);
	csv_reader_release(&cr);
	fclose(f);
	if (rc < 0)
		return rc;
	if (r->n > 1)
		qsort(r->v, r->n, sizeof(*r->v), sub_cmp);
	for (size_t i = 1; i < r->n; i++)
		if (!sub_cmp(&r->v[i], &r->v[i - 1]))
			return fail(err, errlen, -EINVAL,
				    "%s:%llu: subscription_id %s is also on line %llu", path,
				    (unsigned long long)(r->v[i].line > r->v[i - 1].line ?
							 r->v[i].line : r->v[i - 1].line),
				    r->v[i].id,
				    (unsigned long long)(r->v[i].line < r->v[i - 1].line ?
							 r->v[i].line : r->v[i - 1].line));
	return 0;
}

/* A sum per org and currency. */
struct org_sum {
	char org_id[ID_MAX + 1], currency[4];
	money_t report, ledger;
};

static struct org_sum *org_sum_get(struct org_sum **v, size_t *n, const char *org,
				   const char *ccy)
{
	struct org_sum *s;

	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*v)[i].org_id, org) && !strcmp((*v)[i].currency, ccy))
			return &(*v)[i];
	s = realloc(*v, (*n + 1) * sizeof(*s));
	if (!s)
		return NULL;
	*v = s;
	s = &s[(*n)++];
	memset(s, 0, sizeof(*s));
	snprintf(s->org_id, sizeof(s->org_id), "%s", org);
	memcpy(s->currency, ccy, 4);
	return s;
}

static int org_sum_cmp(const void *a, const void *b)
{
	const struct org_sum *x = a, *y = b;
	int c = strcmp(x->org_id, y->org_id);

	return c ? c : strcmp(x->currency, y->currency);
}

int report_reconcile(const struct report *r, const struct ledger *l, char *err,
		     size_t errlen)
{
	struct org_sum *v = NULL, *s;
	size_t n = 0;
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < r->n; i++) {
		const struct subscription *x = &r->v[i];

		s = org_sum_get(&v, &n, x->org_id, x->currency);
		if (!s)
			rc = fail(err, errlen, -ENOMEM, "out of memory");
		else if (!money_add(s->report, x->amount, &s->report))
			rc = fail(err, errlen, -EOVERFLOW, "subscriptions.csv: org %s, %s: the"
				  " sum of amount overflows the money range", x->org_id,
				  x->currency);
	}
	for (size_t i = 0; rc == 0 && i < l->ncustomers; i++) {
		const struct customer *c = &l->customers[i];

		for (size_t k = 0; rc == 0 && k < c->nsums; k++) {
			const struct ledger_sum *ls = &c->sums[k];

			if (strcmp(txn_type_names[l->products[ls->product].type], "subscription"))
				continue;
			s = org_sum_get(&v, &n, c->org_id, c->currency);
			if (!s)
				rc = fail(err, errlen, -ENOMEM, "out of memory");
			else if (!money_add(s->ledger, ls->revenue, &s->ledger))
				rc = fail(err, errlen, -EOVERFLOW, "transactions.csv: org %s, %s:"
					  " the sum of price overflows the money range",
					  c->org_id, c->currency);
		}
	}
	if (rc == 0 && n > 1)
		qsort(v, n, sizeof(*v), org_sum_cmp);
	for (size_t i = 0; rc == 0 && i < n; i++)
		if (v[i].report != v[i].ledger) {
			char a[MONEY_STR], b[MONEY_STR];

			rc = fail(err, errlen, -EINVAL, "I8: org %s, %s: subscriptions.csv amounts"
				  " sum to %s, transactions.csv subscription prices to %s",
				  v[i].org_id, v[i].currency, money_format(v[i].report, a),
				  money_format(v[i].ledger, b));
		}
	free(v);
	return rc;
}

static void date_cell(struct csv_writer *w, int64_t t)
{
	char s[DATE_STR];

	csv_plain(w, time_date_format(t, s));
}

int report_write(const struct report *r, FILE *out, const char *period,
		 char *err, size_t errlen)
{
	static const char *const head[] = { "period", "org_id", "org_name",
		"wallet_id", "subscription_id", "product_sku", "product_name", "status",
		"cycle_months", "cycle_start", "cycle_end", "unit", "quantity_start",
		"quantity_end", "quantity_billed", "charged_in_period", "unit_price",
		"amount", "cost", "currency", NULL };
	struct csv_writer w;

	if (r->n > REPORT_MAX_ROWS)
		return fail(err, errlen, -EFBIG, "%zu rows, more than %d in one file", r->n,
			    REPORT_MAX_ROWS);
	csv_writer_init(&w, out);
	csv_header(&w, head);
	for (size_t i = 0; i < r->n; i++) {
		const struct subscription *x = &r->v[i];

		csv_plain(&w, period);
		csv_plain(&w, x->org_id);
		csv_text(&w, x->org_name);
		csv_plain(&w, x->wallet_id);
		csv_plain(&w, x->id);
		csv_plain(&w, x->sku);
		csv_text(&w, x->product_name);
		csv_plain(&w, status_names[x->status]);
		csv_int(&w, x->cycle_months);
		date_cell(&w, x->cycle_start);
		date_cell(&w, x->cycle_end);
		csv_plain(&w, unit_names[x->unit]);
		csv_int(&w, x->qty_start);
		csv_int(&w, x->qty_end);
		csv_int(&w, x->qty_billed);
		csv_plain(&w, x->amount ? "true" : "false");
		csv_money(&w, x->unit_price);
		csv_money(&w, x->amount);
		csv_money(&w, x->cost);
		csv_plain(&w, x->currency);
		csv_end_row(&w);
	}
	if (ferror(out))
		return fail(err, errlen, -EIO, "write error");
	return 0;
}
