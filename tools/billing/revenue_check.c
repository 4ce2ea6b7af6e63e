/* revenue_check.c - the identities I1-I7 of docs/formats.md §4, checked on
 * the very bytes that go into the zip (each CSV read back with the CSV
 * reader), per currency, before anything is written. A failure names the
 * identity, the file, its line and the key. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "revenue.h"

enum { T_CS, T_PS, T_DS, T_CPS, T_N }; /* totals of revenue, cost, margin */

struct tot {
	money_t rev[T_N], cost[T_N], margin[T_N];
	money_t cis_cost, mb_cost, ris_rev;
};

/* A sum under a string key (wallet, org/type ...). */
struct ksum {
	char key[2 * ID_MAX + 24];
	money_t a, b;
};

struct check;

struct ksums {
	struct check *c; /* for overflow */
	struct ksum *v;
	size_t n, cap;
	bool sorted;
};

struct check {
	const struct rev_files *rf;
	const struct ledger *l;
	char *err; /* the caller's reason buffer */
	size_t errlen;
	struct tot *tot; /* per currency of the ledger */
	bool bad_sum;
	/* the file being read */
	const struct rev_file *file;
	FILE *f;
	struct csv_reader r;
	int idx[16];
};

static int ck_fail(struct check *c, const char *id, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int ck_fail(struct check *c, const char *id, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (c->file)
		snprintf(c->err, c->errlen, "%s: %s:%llu: %s", id, c->file->name,
			 (unsigned long long)c->r.line, msg);
	else
		snprintf(c->err, c->errlen, "%s: %s", id, msg);
	return -EINVAL;
}

static money_t add(struct check *c, money_t a, money_t b)
{
	money_t r;

	if (!money_add(a, b, &r)) {
		c->bad_sum = true;
		return 0;
	}
	return r;
}

static const char *M(money_t v, char buf[MONEY_STR])
{
	return money_format(v, buf);
}

/* ---- reading a built file back ---- */

static int ck_open(struct check *c, const char *kind, const char *const *cols)
{
	c->file = revenue_file(c->rf, kind);
	if (!c->file)
		return ck_fail(c, "revenue", "no %s file was built", kind);
	c->f = fmemopen(c->file->buf, c->file->len, "r");
	if (!c->f)
		return ck_fail(c, "revenue", "out of memory");
	csv_reader_init(&c->r, c->f, c->file->name);
	if (csv_read(&c->r) != 1 || csv_columns(&c->r, cols, c->idx, c->err, c->errlen) < 0)
		return ck_fail(c, "revenue", "cannot read the header");
	return 0;
}

static void ck_close(struct check *c)
{
	csv_reader_release(&c->r);
	if (c->f)
		fclose(c->f);
	c->f = NULL;
	c->file = NULL;
}

/* The next record of the file, going on into its next part. */
static int ck_next(struct check *c)
{
	int rc = csv_read(&c->r);
	const struct rev_file *next = c->file + 1;

	if (rc == 0 && c->file->part && next < c->rf->f + c->rf->n &&
	    !strcmp(next->kind, c->file->kind) && next->part == c->file->part + 1) {
		csv_reader_release(&c->r);
		fclose(c->f);
		c->file = next;
		c->f = fmemopen(next->buf, next->len, "r");
		if (!c->f)
			return ck_fail(c, "revenue", "out of memory");
		csv_reader_init(&c->r, c->f, next->name);
		rc = csv_read(&c->r); /* the header again */
		if (rc == 1)
			rc = csv_read(&c->r);
	}
	if (rc < 0)
		return ck_fail(c, "revenue", "%s", c->r.error);
	return rc;
}

static const char *S(struct check *c, int col)
{
	return c->r.fields[c->idx[col]];
}

static money_t MV(struct check *c, int col)
{
	money_t v = 0;

	if (!money_parse(S(c, col), &v))
		c->bad_sum = true;
	return v;
}

static struct tot *ck_tot(struct check *c, int col)
{
	int cur = ledger_currency(c->l, S(c, col));

	if (cur < 0) {
		ck_fail(c, "revenue", "currency %s is no customer's", S(c, col));
		return NULL;
	}
	return &c->tot[cur];
}

/* ---- keyed sums ---- */

static int ksum_cmp(const void *a, const void *b)
{
	return strcmp(((const struct ksum *)a)->key, ((const struct ksum *)b)->key);
}

static struct ksum *ks_find(struct ksums *k, const char *key)
{
	struct ksum probe;

	if (!k->n)
		return NULL;
	if (!k->sorted) {
		qsort(k->v, k->n, sizeof(*k->v), ksum_cmp);
		/* merge equal keys */
		size_t o = 0;
		for (size_t i = 0; i < k->n; i++) {
			if (o && !strcmp(k->v[o - 1].key, k->v[i].key)) {
				k->v[o - 1].a = add(k->c, k->v[o - 1].a, k->v[i].a);
				k->v[o - 1].b = add(k->c, k->v[o - 1].b, k->v[i].b);
			} else {
				k->v[o++] = k->v[i];
			}
		}
		k->n = o;
		k->sorted = true;
	}
	snprintf(probe.key, sizeof(probe.key), "%s", key);
	return bsearch(&probe, k->v, k->n, sizeof(*k->v), ksum_cmp);
}

static int ks_add(struct ksums *k, const char *key, money_t a, money_t b)
{
	if (k->n == k->cap) {
		size_t cap = k->cap ? k->cap * 2 : 256;
		struct ksum *v = realloc(k->v, cap * sizeof(*v));

		if (!v)
			return -EINVAL;
		k->v = v;
		k->cap = cap;
	}
	snprintf(k->v[k->n].key, sizeof(k->v[k->n].key), "%s", key);
	k->v[k->n].a = a;
	k->v[k->n].b = b;
	k->n++;
	k->sorted = false;
	return 0;
}

/* I7 on the current row: margin = revenue - cost. */
static int i7(struct check *c, int rev, int cost, int margin, const char *key)
{
	char a[MONEY_STR], b[MONEY_STR], m[MONEY_STR];

	if (add(c, MV(c, rev), -MV(c, cost)) != MV(c, margin))
		return ck_fail(c, "I7", "%s: margin %s is not revenue %s - cost %s", key,
			       M(MV(c, margin), m), M(MV(c, rev), a), M(MV(c, cost), b));
	return 0;
}

/* ---- the files ---- */

static int check_cps(struct check *c, struct ksums *by_wallet, struct ksums *usage)
{
	static const char *const cols[] = { "org_id", "wallet_id", "product_sku",
		"transaction_type", "revenue", "cost", "margin", "currency", NULL };
	char key[sizeof(((struct ksum *)0)->key)];
	struct tot *t;
	int rc;

	if (ck_open(c, "customer-product-summary", cols) < 0)
		return -EINVAL;
	while ((rc = ck_next(c)) > 0) {
		snprintf(key, sizeof(key), "org %s, wallet %s, product %s", S(c, 0),
			 S(c, 1), S(c, 2));
		if (i7(c, 4, 5, 6, key) < 0 || !(t = ck_tot(c, 7)))
			return -EINVAL;
		t->rev[T_CPS] = add(c, t->rev[T_CPS], MV(c, 4));
		t->cost[T_CPS] = add(c, t->cost[T_CPS], MV(c, 5));
		t->margin[T_CPS] = add(c, t->margin[T_CPS], MV(c, 6));
		snprintf(key, sizeof(key), "%s\t%s", S(c, 0), S(c, 1));
		if (ks_add(by_wallet, key, MV(c, 4), MV(c, 5)) < 0)
			return ck_fail(c, "revenue", "out of memory");
		if (field_enum(S(c, 3), txn_type_names) < N_USAGE_TYPES) {
			snprintf(key, sizeof(key), "%s\t%s\t%s", S(c, 0), S(c, 3), S(c, 7));
			if (ks_add(usage, key, MV(c, 4), MV(c, 5)) < 0)
				return ck_fail(c, "revenue", "out of memory");
		}
	}
	ck_close(c);
	return rc;
}

static int check_cs(struct check *c, struct ksums *by_wallet)
{
	static const char *const cols[] = { "org_id", "wallet_id", "revenue", "cost",
		"margin", "currency", NULL };
	char key[sizeof(((struct ksum *)0)->key)], a[MONEY_STR], b[MONEY_STR];
	struct ksum *k;
	struct tot *t;
	int rc;

	if (ck_open(c, "customer-summary", cols) < 0)
		return -EINVAL;
	while ((rc = ck_next(c)) > 0) {
		money_t rev = 0, cost = 0;

		snprintf(key, sizeof(key), "org %s, wallet %s", S(c, 0), S(c, 1));
		if (i7(c, 2, 3, 4, key) < 0 || !(t = ck_tot(c, 5)))
			return -EINVAL;
		t->rev[T_CS] = add(c, t->rev[T_CS], MV(c, 2));
		t->cost[T_CS] = add(c, t->cost[T_CS], MV(c, 3));
		t->margin[T_CS] = add(c, t->margin[T_CS], MV(c, 4));
		snprintf(key, sizeof(key), "%s\t%s", S(c, 0), S(c, 1));
		k = ks_find(by_wallet, key);
		if (k) {
			rev = k->a;
			cost = k->b;
		}
		if (rev != MV(c, 2) || cost != MV(c, 3))
			return ck_fail(c, "I2", "org %s, wallet %s: revenue %s cost %s, but"
				       " customer-product-summary sums to %s and %s", S(c, 0),
				       S(c, 1), S(c, 2), S(c, 3), M(rev, a), M(cost, b));
	}
	ck_close(c);
	return rc;
}

static int check_ps_ds(struct check *c)
{
	static const char *const ps_cols[] = { "product_sku", "revenue", "cost",
		"margin", "currency", NULL };
	static const char *const ds_cols[] = { "date", "revenue", "cost", "margin",
		"currency", NULL };
	char key[128];
	struct tot *t;
	int rc = 0;

	for (int file = 0; rc == 0 && file < 2; file++) {
		int which = file ? T_DS : T_PS;

		if (ck_open(c, file ? "date-summary" : "product-summary",
			    file ? ds_cols : ps_cols) < 0)
			return -EINVAL;
		while ((rc = ck_next(c)) > 0) {
			snprintf(key, sizeof(key), "%s %s, %s", file ? "day" : "product",
				 S(c, 0), S(c, 4));
			if (i7(c, 1, 2, 3, key) < 0 || !(t = ck_tot(c, 4)))
				return -EINVAL;
			t->rev[which] = add(c, t->rev[which], MV(c, 1));
			t->cost[which] = add(c, t->cost[which], MV(c, 2));
			t->margin[which] = add(c, t->margin[which], MV(c, 3));
		}
		ck_close(c);
	}
	return rc;
}

/* revenue-invoice-summary (I4), cost-invoice-summary and the breakdown (I3) */
static int check_invoices(struct check *c, struct ksums *incl)
{
	static const char *const ris_cols[] = { "wallet_id", "transaction_type",
		"revenue", "tax", "revenue_incl_tax", "currency", NULL };
	static const char *const cost_cols[] = { "wallet_id", "transaction_type",
		"cost", "currency", NULL };
	char a[MONEY_STR], b[MONEY_STR], d[MONEY_STR];
	struct tot *t;
	int rc;

	if (ck_open(c, "revenue-invoice-summary", ris_cols) < 0)
		return -EINVAL;
	while ((rc = ck_next(c)) > 0) {
		if (!(t = ck_tot(c, 5)))
			return -EINVAL;
		if (add(c, MV(c, 2), MV(c, 3)) != MV(c, 4))
			return ck_fail(c, "I4", "wallet %s, %s: revenue_incl_tax %s is not"
				       " revenue %s + tax %s", S(c, 0), S(c, 1),
				       M(MV(c, 4), d), M(MV(c, 2), a), M(MV(c, 3), b));
		t->ris_rev = add(c, t->ris_rev, MV(c, 2));
		if (ks_add(incl, S(c, 0), MV(c, 4), 0) < 0)
			return ck_fail(c, "revenue", "out of memory");
	}
	ck_close(c);
	for (int file = 0; rc == 0 && file < 2; file++) {
		if (ck_open(c, file ? "monthly-invoice-cost-breakdown" :
			    "cost-invoice-summary", cost_cols) < 0)
			return -EINVAL;
		while ((rc = ck_next(c)) > 0) {
			if (!(t = ck_tot(c, 3)))
				return -EINVAL;
			if (file)
				t->mb_cost = add(c, t->mb_cost, MV(c, 2));
			else
				t->cis_cost = add(c, t->cis_cost, MV(c, 2));
		}
		ck_close(c);
	}
	return rc;
}

/* I2, I3, I4 totals per currency. */
static int check_totals(struct check *c)
{
	static const char *const names[] = { "customer-summary", "product-summary",
		"date-summary", "customer-product-summary" };
	char a[MONEY_STR], b[MONEY_STR];

	for (size_t cur = 0; cur < c->l->ncurrencies; cur++) {
		const struct tot *t = &c->tot[cur];
		const char *ccy = c->l->currencies[cur];

		for (int i = 0; i < T_N; i++) {
			const char *what = t->rev[i] != t->rev[T_PS] ? "revenue" :
					   t->cost[i] != t->cost[T_PS] ? "cost" :
					   t->margin[i] != t->margin[T_PS] ? "margin" : NULL;
			money_t x = !what ? 0 : what[0] == 'r' ? t->rev[i] :
				    what[0] == 'c' ? t->cost[i] : t->margin[i];
			money_t y = !what ? 0 : what[0] == 'r' ? t->rev[T_PS] :
				    what[0] == 'c' ? t->cost[T_PS] : t->margin[T_PS];

			if (what)
				return ck_fail(c, "I2", "%s: total %s %s of %s differs from"
					       " product-summary's %s", ccy, what, M(x, a),
					       names[i], M(y, b));
		}
		if (t->cis_cost != t->cost[T_PS] || t->mb_cost != t->cost[T_PS])
			return ck_fail(c, "I3", "%s: cost-invoice-summary %s, breakdown %s,"
				       " product-summary %s", ccy, M(t->cis_cost, a),
				       M(t->mb_cost, b), M(t->cost[T_PS], (char[MONEY_STR]){ 0 }));
		if (t->ris_rev != t->rev[T_PS])
			return ck_fail(c, "I4", "%s: revenue-invoice-summary revenue %s,"
				       " product-summary %s", ccy, M(t->ris_rev, a),
				       M(t->rev[T_PS], b));
	}
	return 0;
}

/* I6: prepaid closing = opening + topups - revenue_incl_tax. */
static int check_balances(struct check *c, struct ksums *incl)
{
	static const char *const top_cols[] = { "wallet_id", "amount", NULL };
	static const char *const cl_cols[] = { "org_id", "wallet_id", "payment_mode",
		"opening_balance", "closing_balance", NULL };
	char a[MONEY_STR], b[MONEY_STR], d[MONEY_STR], e[MONEY_STR];
	struct ksums topups = { .c = c };
	int rc;

	if (ck_open(c, "customer-topups", top_cols) < 0)
		return -EINVAL;
	while ((rc = ck_next(c)) > 0)
		if (ks_add(&topups, S(c, 0), MV(c, 1), 0) < 0) {
			rc = ck_fail(c, "revenue", "out of memory");
			break;
		}
	ck_close(c);
	if (rc == 0 && ck_open(c, "customer-list", cl_cols) < 0)
		rc = -EINVAL;
	while (rc == 0 && (rc = ck_next(c)) > 0) {
		struct ksum *tk = ks_find(&topups, S(c, 1)), *ik = ks_find(incl, S(c, 1));
		money_t top = tk ? tk->a : 0, inc = ik ? ik->a : 0;
		money_t want = add(c, add(c, MV(c, 3), top), -inc);

		rc = 0;
		if (strcmp(S(c, 2), "prepaid"))
			continue;
		if (want != MV(c, 4)) {
			rc = ck_fail(c, "I6", "org %s, wallet %s: closing %s is not opening %s"
				     " + topups %s - revenue_incl_tax %s", S(c, 0), S(c, 1),
				     M(MV(c, 4), a), M(MV(c, 3), b), M(top, d), M(inc, e));
			break;
		}
	}
	ck_close(c);
	free(topups.v);
	return rc;
}

/* I1: per org, usage type and currency, the archived usage files against
 * customer-product-summary. */
static int check_usage(struct check *c, struct ksums *cps_usage)
{
	const struct ledger *l = c->l;
	struct ksums usage = { .c = c };
	char key[sizeof(((struct ksum *)0)->key)];
	char a[MONEY_STR], b[MONEY_STR], d[MONEY_STR], e[MONEY_STR];
	int rc = 0;

	for (size_t i = 0; i < l->ncustomers; i++) {
		const struct customer *cu = &l->customers[i];

		for (int t = 0; t < N_USAGE_TYPES; t++) {
			snprintf(key, sizeof(key), "%s\t%s\t%s", cu->org_id,
				 txn_type_names[t], cu->currency);
			if (ks_add(&usage, key, cu->usage_price[t], cu->usage_cost[t]) < 0 ||
			    ks_add(cps_usage, key, 0, 0) < 0) {
				free(usage.v);
				return ck_fail(c, "revenue", "out of memory");
			}
		}
	}
	ks_find(&usage, "");
	ks_find(cps_usage, "");
	for (size_t i = 0; i < cps_usage->n && rc == 0; i++) {
		struct ksum *k = &cps_usage->v[i], *u = ks_find(&usage, k->key);
		money_t up = u ? u->a : 0, uc = u ? u->b : 0;
		char *org = k->key, *type = strchr(org, '\t'), *ccy;

		if (up == k->a && uc == k->b)
			continue;
		*type++ = 0;
		ccy = strchr(type, '\t');
		*ccy++ = 0;
		rc = ck_fail(c, "I1", "%s: org %s, %s, %s: revenue %s cost %s, but the"
			     " archived usage files sum to price %s cost %s",
			     revenue_file(c->rf, "customer-product-summary")->name, org,
			     type, ccy, M(k->a, a), M(k->b, b), M(up, d), M(uc, e));
	}
	free(usage.v);
	return rc;
}

/* I5: running balances; the opening is last month's closing. */
static int check_wallets(struct check *c)
{
	static const char *const cols[] = { "debit", "credit", "balance", NULL };
	char kind[128], a[MONEY_STR], b[MONEY_STR];
	int rc = 0;

	for (size_t w = 0; rc == 0 && w < c->l->nwallets; w++) {
		const struct partner_wallet *pw = &c->l->wallets[w];
		money_t prev = 0;
		bool first = true;

		snprintf(kind, sizeof(kind), "wallet-%s", pw->wallet_id);
		if (ck_open(c, kind, cols) < 0)
			return -EINVAL;
		while ((rc = ck_next(c)) > 0) {
			money_t bal = MV(c, 2);

			if (first && pw->prev_known && bal != pw->prev_closing) {
				rc = ck_fail(c, "I5", "wallet %s: opening balance %s is not last"
					     " month's closing %s (%s)", pw->wallet_id, M(bal, a),
					     M(pw->prev_closing, b), pw->prev_file);
				break;
			}
			if (!first && add(c, add(c, prev, MV(c, 1)), -MV(c, 0)) != bal) {
				rc = ck_fail(c, "I5", "wallet %s: balance %s is not the previous"
					     " %s + credit - debit", pw->wallet_id, M(bal, a),
					     M(prev, b));
				break;
			}
			prev = bal;
			first = false;
		}
		ck_close(c);
	}
	return rc;
}

int revenue_check(const struct rev_files *rf, const struct ledger *l,
		  char *err, size_t errlen)
{
	struct check c = { .rf = rf, .l = l, .err = err, .errlen = errlen };
	struct ksums by_wallet = { .c = &c }, cps_usage = { .c = &c }, incl = { .c = &c };
	int rc = -EINVAL;

	c.tot = calloc(l->ncurrencies + 1, sizeof(*c.tot));
	if (!c.tot) {
		ck_fail(&c, "revenue", "out of memory");
		return -ENOMEM;
	}
	if (check_cps(&c, &by_wallet, &cps_usage) == 0 && check_cs(&c, &by_wallet) == 0 &&
	    check_ps_ds(&c) == 0 && check_invoices(&c, &incl) == 0 &&
	    check_totals(&c) == 0 && check_balances(&c, &incl) == 0 &&
	    check_usage(&c, &cps_usage) == 0 && check_wallets(&c) == 0)
		rc = 0;
	ck_close(&c);
	if (rc == 0 && c.bad_sum)
		rc = ck_fail(&c, "revenue", "a money value does not parse or a sum overflows");
	free(c.tot);
	free(by_wallet.v);
	free(cps_usage.v);
	free(incl.v);
	return rc;
}
