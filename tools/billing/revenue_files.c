/* revenue_files.c - the ten CSVs of the revenue zip (docs/formats.md §4),
 * built in memory from the summed ledger, each sorted by its leading key
 * columns, written with the shared CSV writer in exact money. A sum that
 * leaves the money range is named by file, key and column. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "revenue.h"
#include "time.h"

struct builder {
	const struct ledger *l;
	const char *prefix;
	struct rev_files *rf;
	int *by_org;           /* customer indexes sorted by org_id, wallet_id */
	int type_order[N_TXN_TYPES]; /* types in name order */
	char key[256];         /* the key of the row being summed, for messages */
	char overflow[768];    /* the first sum that overflowed, or "" */
	/* the file being written */
	FILE *f;
	struct csv_writer w;
	struct rev_file *cur;
};

/* The key of the rows summed next (for an overflow's message). */
static void set_key(struct builder *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void set_key(struct builder *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(b->key, sizeof(b->key), fmt, ap);
	va_end(ap);
}

/* x + y; an overflow is remembered with the file, the key and column col. */
static money_t madd(struct builder *b, money_t x, money_t y, const char *col)
{
	money_t r;

	if (!money_add(x, y, &r)) {
		if (!b->overflow[0])
			snprintf(b->overflow, sizeof(b->overflow),
				 "%s: %s: the sum of %s overflows the money range"
				 " (9223372036854.775807)", b->cur ? b->cur->name : "",
				 b->key, col);
		return 0;
	}
	return r;
}

static int file_open(struct builder *b, const char *kind, const char *const *cols)
{
	struct rev_file *f = realloc(b->rf->f, (b->rf->n + 1) * sizeof(*f));

	if (!f)
		return -1;
	b->rf->f = f;
	b->cur = &f[b->rf->n++];
	memset(b->cur, 0, sizeof(*b->cur));
	snprintf(b->cur->name, sizeof(b->cur->name), "%s%s.csv", b->prefix, kind);
	snprintf(b->cur->kind, sizeof(b->cur->kind), "%s", kind);
	b->f = open_memstream(&b->cur->buf, &b->cur->len);
	if (!b->f)
		return -1;
	csv_writer_init(&b->w, b->f);
	csv_header(&b->w, cols);
	return 0;
}

/* Data rows per file: REVENUE_MAX_ROWS, or FMFS_REVENUE_MAX_ROWS (tests). */
static uint64_t max_rows(void)
{
	const char *env = getenv("FMFS_REVENUE_MAX_ROWS");
	long long v = env ? atoll(env) : 0;

	return v > 0 ? (uint64_t)v : REVENUE_MAX_ROWS;
}

/* Split the just closed file f of rows data rows into KIND-partNNN files of
 * at most max rows each, every one with the BOM and the header. Records end
 * with CRLF and never contain one (text cells turn control characters into
 * spaces), so a record is a line. */
static int file_split(struct builder *b, uint64_t rows, uint64_t max)
{
	size_t index = (size_t)(b->cur - b->rf->f), nparts = (size_t)((rows + max - 1) / max);
	struct rev_file whole = *b->cur, *f;
	const char *p = whole.buf + 3, *end = whole.buf + whole.len;
	const char *header_end = strstr(p, "\r\n") + 2;
	size_t hlen = (size_t)(header_end - whole.buf);

	f = realloc(b->rf->f, (b->rf->n + nparts - 1) * sizeof(*f));
	if (!f)
		return -1;
	b->rf->f = f;
	memmove(&f[index + nparts], &f[index + 1], (b->rf->n - index - 1) * sizeof(*f));
	b->rf->n += nparts - 1;
	memset(&f[index], 0, nparts * sizeof(*f));
	p = header_end;
	for (size_t k = 0; k < nparts; k++) {
		struct rev_file *part = &f[index + k];
		const char *q = p;

		for (uint64_t r = 0; r < max && q < end; r++)
			q = strstr(q, "\r\n") + 2;
		snprintf(part->kind, sizeof(part->kind), "%s", whole.kind);
		snprintf(part->name, sizeof(part->name), "%s%s-part%03zu.csv", b->prefix,
			 whole.kind, k + 1);
		part->part = (int)k + 1;
		part->len = hlen + (size_t)(q - p);
		part->buf = malloc(part->len);
		if (!part->buf) {
			free(whole.buf);
			return -1;
		}
		memcpy(part->buf, whole.buf, hlen);
		memcpy(part->buf + hlen, p, (size_t)(q - p));
		p = q;
	}
	free(whole.buf);
	return 0;
}

/* 0 or -ENOMEM (memory streams fail only for want of memory). */
static int file_close(struct builder *b)
{
	uint64_t rows = b->w.rows - 1, max = max_rows();
	int rc = fclose(b->f) ? -ENOMEM : 0;

	b->f = NULL;
	if (rc == 0 && rows > max && file_split(b, rows, max) < 0)
		rc = -ENOMEM;
	return rc;
}

/* A ts cell of the instant us. */
static void ts_cell(struct builder *b, int64_t us)
{
	char s[TIME_STR];

	csv_plain(&b->w, time_format(us, s));
}

/* ---- 1. the partner's wallet ledger ---- */

static int write_wallet(struct builder *b, const struct partner_wallet *pw)
{
	static const char *const cols[] = { "line_no", "posted_at", "entry_type",
		"reference", "description", "debit", "credit", "balance", "currency", NULL };
	char kind[128];
	money_t balance = 0;
	size_t i;

	snprintf(kind, sizeof(kind), "wallet-%s", pw->wallet_id);
	if (file_open(b, kind, cols) < 0)
		return -ENOMEM;
	set_key(b, "wallet %s", pw->wallet_id);
	for (i = 0; i < pw->n; i++) {
		const struct wallet_entry *e = &pw->entries[i];
		money_t amt = e->amount;

		csv_int(&b->w, (int64_t)i + 1);
		ts_cell(b, e->posted_at);
		csv_plain(&b->w, wallet_entry_names[e->entry_type]);
		csv_plain(&b->w, e->reference);
		csv_text(&b->w, e->description);
		if (i == 0) {
			balance = amt;
			csv_money(&b->w, 0);
			csv_money(&b->w, 0);
		} else {
			balance = madd(b, balance, amt, "balance");
			csv_money(&b->w, amt < 0 ? -amt : 0);
			csv_money(&b->w, amt > 0 ? amt : 0);
		}
		csv_money(&b->w, balance);
		csv_plain(&b->w, pw->currency);
		csv_end_row(&b->w);
	}
	csv_int(&b->w, (int64_t)i + 1);
	ts_cell(b, b->l->end * TIME_US);
	csv_plain(&b->w, "closing_balance");
	csv_empty(&b->w);
	csv_text(&b->w, "Closing balance");
	csv_money(&b->w, 0);
	csv_money(&b->w, 0);
	csv_money(&b->w, balance);
	csv_plain(&b->w, pw->currency);
	csv_end_row(&b->w);
	return file_close(b);
}

/* ---- per wallet and type (2, 3, 4) ---- */

static const struct product *prod(const struct builder *b, const struct ledger_sum *s)
{
	return &b->l->products[s->product];
}

static int write_by_type(struct builder *b)
{
	static const char *const rev_cols[] = { "wallet_id", "org_id", "org_name",
		"transaction_type", "quantity", "revenue", "tax", "revenue_incl_tax",
		"currency", NULL };
	static const char *const cost_cols[] = { "wallet_id", "transaction_type",
		"quantity", "cost", "currency", NULL };
	static const char *const bd_cols[] = { "wallet_id", "org_id", "org_name",
		"integration_code", "transaction_type", "product_sku", "quantity",
		"cost", "currency", NULL };
	const struct ledger *l = b->l;

	for (int file = 0; file < 3; file++) {
		if (file_open(b, file == 0 ? "revenue-invoice-summary" :
			      file == 1 ? "cost-invoice-summary" :
			      "monthly-invoice-cost-breakdown",
			      file == 0 ? rev_cols : file == 1 ? cost_cols : bd_cols) < 0)
			return -ENOMEM;
		for (size_t ci = 0; ci < l->ncustomers; ci++) { /* by wallet_id */
			const struct customer *c = &l->customers[ci];

			for (int t = 0; t < N_TXN_TYPES; t++) {
				int type = b->type_order[t];
				int64_t qty = 0;
				money_t rev = 0, cost = 0, tax = 0;
				bool any = false;

				set_key(b, "wallet %s, %s", c->wallet_id, txn_type_names[type]);
				for (size_t k = 0; k < c->nsums; k++) { /* by sku */
					const struct ledger_sum *s = &c->sums[k];

					if (prod(b, s)->type != type)
						continue;
					any = true;
					if (__builtin_add_overflow(qty, s->quantity, &qty))
						madd(b, INT64_MAX, INT64_MAX, "quantity");
					rev = madd(b, rev, s->revenue, "revenue");
					cost = madd(b, cost, s->cost, "cost");
					tax = madd(b, tax, s->tax, "tax");
					if (file != 2)
						continue;
					csv_plain(&b->w, c->wallet_id);
					csv_plain(&b->w, c->org_id);
					csv_text(&b->w, c->org_name);
					csv_text(&b->w, c->integration_code);
					csv_plain(&b->w, txn_type_names[type]);
					csv_plain(&b->w, prod(b, s)->sku);
					csv_int(&b->w, s->quantity);
					csv_money(&b->w, s->cost);
					csv_plain(&b->w, c->currency);
					csv_end_row(&b->w);
				}
				if (!any || file == 2)
					continue;
				csv_plain(&b->w, c->wallet_id);
				if (file == 0) {
					csv_plain(&b->w, c->org_id);
					csv_text(&b->w, c->org_name);
				}
				csv_plain(&b->w, txn_type_names[type]);
				csv_int(&b->w, qty);
				if (file == 0) {
					csv_money(&b->w, rev);
					csv_money(&b->w, tax);
					csv_money(&b->w, madd(b, rev, tax, "revenue_incl_tax"));
				} else {
					csv_money(&b->w, cost);
				}
				csv_plain(&b->w, c->currency);
				csv_end_row(&b->w);
			}
		}
		if (file_close(b) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* ---- 5. per product and currency ---- */

static int write_products(struct builder *b)
{
	static const char *const cols[] = { "product_sku", "product_name",
		"transaction_type", "unit", "quantity", "revenue", "cost", "margin",
		"currency", NULL };
	const struct ledger *l = b->l;
	size_t ncur = l->ncurrencies;
	struct ledger_sum *tot = calloc(l->nproducts * ncur + 1, sizeof(*tot));
	bool *seen = calloc(l->nproducts * ncur + 1, sizeof(*seen));
	int rc = -1;

	if (!tot || !seen || file_open(b, "product-summary", cols) < 0) {
		rc = -ENOMEM;
		goto out_free;
	}
	for (size_t ci = 0; ci < l->ncustomers; ci++) {
		const struct customer *c = &l->customers[ci];
		size_t cur = (size_t)ledger_currency(l, c->currency);

		for (size_t k = 0; k < c->nsums; k++) {
			const struct ledger_sum *s = &c->sums[k];
			struct ledger_sum *t = &tot[(size_t)s->product * ncur + cur];

			seen[(size_t)s->product * ncur + cur] = true;
			set_key(b, "product %s/%s, %s", prod(b, s)->sku,
				txn_type_names[prod(b, s)->type], c->currency);
			if (__builtin_add_overflow(t->quantity, s->quantity, &t->quantity))
				madd(b, INT64_MAX, INT64_MAX, "quantity");
			t->revenue = madd(b, t->revenue, s->revenue, "revenue");
			t->cost = madd(b, t->cost, s->cost, "cost");
		}
	}
	for (size_t i = 0; i < l->nproducts; i++) {
		int p = l->product_order[i];
		const struct product *pr = &l->products[p];

		for (size_t cur = 0; cur < ncur; cur++) {
			const struct ledger_sum *t = &tot[(size_t)p * ncur + cur];

			if (!seen[(size_t)p * ncur + cur])
				continue;
			set_key(b, "product %s/%s, %s", pr->sku, txn_type_names[pr->type],
				l->currencies[cur]);
			csv_plain(&b->w, pr->sku);
			csv_text(&b->w, pr->name);
			csv_plain(&b->w, txn_type_names[pr->type]);
			csv_plain(&b->w, unit_names[pr->unit]);
			csv_int(&b->w, t->quantity);
			csv_money(&b->w, t->revenue);
			csv_money(&b->w, t->cost);
			csv_money(&b->w, madd(b, t->revenue, -t->cost, "margin"));
			csv_plain(&b->w, l->currencies[cur]);
			csv_end_row(&b->w);
		}
	}
	rc = file_close(b);
out_free:
	free(tot);
	free(seen);
	return rc;
}

/* ---- 6. every day of the month ---- */

static int write_days(struct builder *b)
{
	static const char *const cols[] = { "date", "revenue", "cost", "margin",
		"currency", NULL };
	const struct ledger *l = b->l;

	if (file_open(b, "date-summary", cols) < 0)
		return -ENOMEM;
	for (int d = 0; d < l->days; d++) {
		char ts[DATE_STR];

		time_date_format(l->start + (int64_t)d * TIME_DAY, ts);
		for (size_t cur = 0; cur < l->ncurrencies; cur++) {
			money_t rev = l->day_revenue[(size_t)d * l->ncurrencies + cur];
			money_t cost = l->day_cost[(size_t)d * l->ncurrencies + cur];

			set_key(b, "day %s, %s", ts, l->currencies[cur]);
			csv_plain(&b->w, ts);
			csv_money(&b->w, rev);
			csv_money(&b->w, cost);
			csv_money(&b->w, madd(b, rev, -cost, "margin"));
			csv_plain(&b->w, l->currencies[cur]);
			csv_end_row(&b->w);
		}
	}
	return file_close(b);
}

/* ---- 7. customer top-ups ---- */

static int write_topups(struct builder *b)
{
	static const char *const cols[] = { "topup_id", "posted_at", "org_id",
		"org_name", "wallet_id", "entry_type", "channel", "payment_reference",
		"amount", "currency", NULL };
	const struct ledger *l = b->l;

	if (file_open(b, "customer-topups", cols) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < l->ntopups; i++) { /* sorted by topup_id */
		const struct topup *t = &l->topups[i];
		const struct customer *c = &l->customers[t->customer];

		csv_plain(&b->w, t->topup_id);
		ts_cell(b, t->posted_at);
		csv_plain(&b->w, c->org_id);
		csv_text(&b->w, c->org_name);
		csv_plain(&b->w, c->wallet_id);
		csv_plain(&b->w, topup_entry_names[t->entry_type]);
		csv_text(&b->w, t->channel);
		csv_text(&b->w, t->payment_reference);
		csv_money(&b->w, t->amount);
		csv_plain(&b->w, c->currency);
		csv_end_row(&b->w);
	}
	return file_close(b);
}

/* ---- 8, 9, 10: per customer, by org_id then wallet_id ---- */

static void customer_totals(struct builder *b, const struct customer *c,
			    money_t *rev, money_t *cost, money_t *incl)
{
	*rev = *cost = *incl = 0;
	set_key(b, "org %s, wallet %s", c->org_id, c->wallet_id);
	for (size_t k = 0; k < c->nsums; k++) {
		*rev = madd(b, *rev, c->sums[k].revenue, "revenue");
		*cost = madd(b, *cost, c->sums[k].cost, "cost");
		*incl = madd(b, *incl, madd(b, c->sums[k].revenue, c->sums[k].tax,
					    "revenue_incl_tax"), "revenue_incl_tax");
	}
}

static int write_customers(struct builder *b)
{
	static const char *const sum_cols[] = { "org_id", "org_name", "wallet_id",
		"revenue", "cost", "margin", "topups", "currency", NULL };
	static const char *const cps_cols[] = { "org_id", "org_name", "wallet_id",
		"product_sku", "product_name", "transaction_type", "unit", "quantity",
		"revenue", "cost", "margin", "currency", NULL };
	static const char *const list_cols[] = { "org_id", "org_name", "wallet_id",
		"payment_mode", "opening_balance", "closing_balance", "balance_as_of",
		"currency", NULL };
	const struct ledger *l = b->l;

	for (int file = 0; file < 3; file++) {
		if (file_open(b, file == 0 ? "customer-summary" :
			      file == 1 ? "customer-product-summary" : "customer-list",
			      file == 0 ? sum_cols : file == 1 ? cps_cols : list_cols) < 0)
			return -ENOMEM;
		for (size_t i = 0; i < l->ncustomers; i++) {
			const struct customer *c = &l->customers[b->by_org[i]];
			money_t rev, cost, incl;

			customer_totals(b, c, &rev, &cost, &incl);
			for (size_t k = 0; file == 1 && k < c->nsums; k++) {
				const struct ledger_sum *s = &c->sums[k];

				set_key(b, "org %s, wallet %s, product %s/%s", c->org_id,
					c->wallet_id, prod(b, s)->sku,
					txn_type_names[prod(b, s)->type]);
				csv_plain(&b->w, c->org_id);
				csv_text(&b->w, c->org_name);
				csv_plain(&b->w, c->wallet_id);
				csv_plain(&b->w, prod(b, s)->sku);
				csv_text(&b->w, prod(b, s)->name);
				csv_plain(&b->w, txn_type_names[prod(b, s)->type]);
				csv_plain(&b->w, unit_names[prod(b, s)->unit]);
				csv_int(&b->w, s->quantity);
				csv_money(&b->w, s->revenue);
				csv_money(&b->w, s->cost);
				csv_money(&b->w, madd(b, s->revenue, -s->cost, "margin"));
				csv_plain(&b->w, c->currency);
				csv_end_row(&b->w);
			}
			if (file == 1)
				continue;
			csv_plain(&b->w, c->org_id);
			csv_text(&b->w, c->org_name);
			csv_plain(&b->w, c->wallet_id);
			if (file == 0) {
				csv_money(&b->w, rev);
				csv_money(&b->w, cost);
				csv_money(&b->w, madd(b, rev, -cost, "margin"));
				csv_money(&b->w, c->topups);
			} else {
				csv_plain(&b->w, c->prepaid ? "prepaid" : "postpaid");
				csv_money(&b->w, c->opening);
				csv_money(&b->w, madd(b, madd(b, c->opening, c->topups,
							      "closing_balance"), -incl,
						      "closing_balance"));
				ts_cell(b, l->end * TIME_US);
			}
			csv_plain(&b->w, c->currency);
			csv_end_row(&b->w);
		}
		if (file_close(b) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* ---- orderings ---- */

static int by_org_cmp(const void *a, const void *b, void *arg)
{
	const struct ledger *l = arg;
	const struct customer *x = &l->customers[*(const int *)a];
	const struct customer *y = &l->customers[*(const int *)b];
	int c = strcmp(x->org_id, y->org_id);

	return c ? c : strcmp(x->wallet_id, y->wallet_id);
}

/* By product_sku, then transaction_type. */
static int sum_cmp(const void *a, const void *b, void *arg)
{
	const struct ledger *l = arg;
	const struct product *x = &l->products[((const struct ledger_sum *)a)->product];
	const struct product *y = &l->products[((const struct ledger_sum *)b)->product];
	int c = strcmp(x->sku, y->sku);

	return c ? c : strcmp(txn_type_names[x->type], txn_type_names[y->type]);
}

static int type_cmp(const void *a, const void *b)
{
	return strcmp(txn_type_names[*(const int *)a], txn_type_names[*(const int *)b]);
}

int revenue_files_build(const struct ledger *l, const char *org,
			const char *period, struct rev_files *out, char *err,
			size_t errlen)
{
	struct builder b = { .l = l, .rf = out };
	char prefix[300];
	int rc;

	memset(out, 0, sizeof(*out));
	snprintf(prefix, sizeof(prefix), "%s-%s-", org, period);
	b.prefix = prefix;
	b.by_org = malloc(l->ncustomers * sizeof(int));
	if (!b.by_org) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (size_t i = 0; i < l->ncustomers; i++) {
		b.by_org[i] = (int)i;
		if (l->customers[i].nsums > 1)
			qsort_r(l->customers[i].sums, l->customers[i].nsums,
				sizeof(struct ledger_sum), sum_cmp, (void *)l);
	}
	qsort_r(b.by_org, l->ncustomers, sizeof(int), by_org_cmp, (void *)l);
	for (int t = 0; t < N_TXN_TYPES; t++)
		b.type_order[t] = t;
	qsort(b.type_order, N_TXN_TYPES, sizeof(int), type_cmp);
	rc = 0;
	for (size_t i = 0; rc == 0 && i < l->nwallets; i++)
		rc = write_wallet(&b, &l->wallets[i]);
	if (rc == 0)
		rc = write_by_type(&b);
	if (rc == 0)
		rc = write_products(&b);
	if (rc == 0)
		rc = write_days(&b);
	if (rc == 0)
		rc = write_topups(&b);
	if (rc == 0)
		rc = write_customers(&b);
	if (b.f) {
		fclose(b.f);
		rc = -ENOMEM;
	}
	if (rc < 0)
		snprintf(err, errlen, "%s: out of memory", b.cur ? b.cur->name : prefix);
	if (rc == 0 && b.overflow[0]) {
		snprintf(err, errlen, "%s", b.overflow);
		rc = -EOVERFLOW;
	}
	free(b.by_org);
	if (rc < 0)
		revenue_files_release(out);
	return rc;
}

void revenue_files_release(struct rev_files *rf)
{
	for (size_t i = 0; i < rf->n; i++)
		free(rf->f[i].buf);
	free(rf->f);
	rf->f = NULL;
	rf->n = 0;
}

const struct rev_file *revenue_file(const struct rev_files *rf, const char *kind)
{
	for (size_t i = 0; i < rf->n; i++)
		if (!strcmp(rf->f[i].kind, kind))
			return &rf->f[i];
	return NULL;
}
