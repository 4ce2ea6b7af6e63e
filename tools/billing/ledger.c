/* ledger.c - reading the monthly ledger export (customers.csv,
 * transactions.csv, topups.csv, wallet.csv) strictly: every malformed row is
 * "FILE:LINE: why", wallet entry signs included; money is summed exactly per
 * wallet, product (SKU and type) and day, currencies never mixed, an overflow
 * named by file, key and column. Transactions are streamed (memory does not
 * grow with their number, except 8 bytes each for the duplicate check). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "../../catalog/catalog.h"
#include "ledger.h"
#include "time.h"

const char *const txn_type_names[N_TXN_TYPES + 1] = {
	"call", "sms", "fax", "dnc", "subscription", "number_activation",
	"add_on", "service", "refund", "adjustment", NULL
};
const char *const unit_names[] = {
	"minute", "segment", "page", "check", "license", "number", "item", NULL
};
const char *const wallet_entry_names[] = {
	"opening_balance", "partner_topup", "customer_topup", "customer_withdrawal",
	"invoice", "refund", "adjustment", "closing_balance", NULL
};
const char *const topup_entry_names[] = { "topup", "withdrawal", "refund", NULL };

/* ---- export headers ---- */

int csv_columns(struct csv_reader *r, const char *const *names, int *idx,
		char *err, size_t errlen)
{
	char why[256];

	if (csv_header_match(r->fields, r->nfields, names, idx, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "%s:%llu: %s", r->path, (unsigned long long)r->line, why);
		return -EINVAL;
	}
	for (int i = 0; names[i]; i++)
		if (idx[i] < 0) {
			snprintf(err, errlen, "%s:%llu: no column '%s'", r->path,
				 (unsigned long long)r->line, names[i]);
			return -EINVAL;
		}
	return 0;
}

void csv_extra_note(struct csv_reader *r, const int *idx, size_t nnames,
		    char *notes, size_t noteslen)
{
	char extra[512];
	size_t used = strlen(notes);
	size_t n = csv_header_extra(r->fields, r->nfields, idx, nnames, extra, sizeof(extra));

	if (!n || used >= noteslen)
		return;
	snprintf(notes + used, noteslen - used, "%s%s:%llu: column%s ignored: %s",
		 used ? "\n" : "", r->path, (unsigned long long)r->line, n > 1 ? "s" : "",
		 extra);
}

/* ---- one export file ---- */

struct ledger_file {
	struct csv_reader r;
	FILE *f;
	char path[4096];
	char *err; /* the caller's reason buffer */
	size_t errlen;
	size_t nheader;
	int idx[16];
};

/* A reason without a line: "FILE: why" or "why". Returns rc. */
static int l_fail(char *err, size_t errlen, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int l_fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return rc;
}

static int lf_error(struct ledger_file *lf, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int lf_error(struct ledger_file *lf, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(lf->err, lf->errlen, "%s:%llu: %s", lf->path,
		 (unsigned long long)lf->r.line, msg);
	return -EINVAL;
}

static int lf_oom(struct ledger_file *lf)
{
	lf_error(lf, "out of memory");
	return -ENOMEM;
}

static void lf_close(struct ledger_file *lf)
{
	csv_reader_release(&lf->r);
	if (lf->f)
		fclose(lf->f);
	lf->f = NULL;
}

/* Open dir/name and match its header against cols; unknown columns are
 * noted in notes (unless NULL) for the caller to show. */
static int lf_open(struct ledger_file *lf, const char *dir, const char *name,
		   const char *const *cols, char *notes, char *err, size_t errlen)
{
	size_t ncols = 0;
	const char *cause;
	int rc;

	memset(lf, 0, sizeof(*lf));
	lf->err = err;
	lf->errlen = errlen;
	snprintf(lf->path, sizeof(lf->path), "%s/%s", dir, name);
	lf->f = input_fopen(lf->path, &cause); /* a FIFO: refused, never waited on */
	if (!lf->f)
		return l_fail(err, errlen, -errno, "%s: cannot open: %s", lf->path, cause);
	csv_reader_init(&lf->r, lf->f, lf->path);
	rc = csv_read(&lf->r);
	if (rc <= 0) {
		if (rc < 0)
			rc = lf_error(lf, "%s", lf->r.error);
		else
			rc = l_fail(err, errlen, -EINVAL, "%s: empty file (no header)",
				    lf->path);
		lf_close(lf);
		return rc;
	}
	lf->nheader = lf->r.nfields;
	rc = csv_columns(&lf->r, cols, lf->idx, err, errlen);
	if (rc < 0) {
		lf_close(lf);
		return rc;
	}
	while (cols[ncols])
		ncols++;
	if (notes)
		csv_extra_note(&lf->r, lf->idx, ncols, notes, LEDGER_NOTES);
	return 0;
}

/* Next record: 1, 0 at the end, -errno (in err) for a malformed one. */
static int lf_next(struct ledger_file *lf)
{
	int rc = csv_read(&lf->r);

	if (rc < 0)
		return lf_error(lf, "%s", lf->r.error);
	if (rc > 0 && lf->r.nfields != lf->nheader)
		return lf_error(lf, "%zu fields, the header has %zu", lf->r.nfields,
				lf->nheader);
	if (rc == 0 && ferror(lf->f)) {
		lf_error(lf, "read error");
		return -EIO;
	}
	return rc;
}

static const char *lf_get(const struct ledger_file *lf, int col)
{
	return lf->r.fields[lf->idx[col]];
}

static int lf_id(struct ledger_file *lf, int col, const char *what, char *out,
		 bool optional)
{
	const char *s = lf_get(lf, col);

	if (optional && !*s) {
		out[0] = 0;
		return 0;
	}
	if (!field_is_id(s))
		return lf_error(lf, "bad %s '%.80s' (1 to 64 of A-Z a-z 0-9 . _ : -)", what, s);
	strcpy(out, s);
	return 0;
}

static int lf_money(struct ledger_file *lf, int col, const char *what,
		    money_t *out)
{
	const char *s = lf_get(lf, col);

	if (!money_parse(s, out))
		return lf_error(lf, "bad %s '%.80s' (money: -?D.DDDDDD)", what, s);
	return 0;
}

static int lf_ts(struct ledger_file *lf, int col, const struct ledger *l,
		 int64_t *out)
{
	const char *s = lf_get(lf, col);
	char a[TIME_STR], b[TIME_STR], why[128];

	if (time_parse(s, out, NULL, why, sizeof(why)) < 0)
		return lf_error(lf, "bad posted_at '%.80s': %s", s, why);
	if (*out < l->start * TIME_US || *out >= l->end * TIME_US) {
		time_format(l->start * TIME_US, a);
		time_format(l->end * TIME_US, b);
		return lf_error(lf, "posted_at %s is outside the period [%s, %s)", s, a, b);
	}
	return 0;
}

static int lf_ccy(struct ledger_file *lf, int col, const struct customer *c)
{
	const char *s = lf_get(lf, col);

	if (!field_is_ccy(s))
		return lf_error(lf, "bad currency '%.80s'", s);
	if (c && strcmp(s, c->currency))
		return lf_error(lf, "currency %s differs from wallet %s's currency %s"
				" (currencies never mix)", s, c->wallet_id, c->currency);
	return 0;
}

/* *sum += v; an overflow names the key and the column. */
static int add_money(struct ledger_file *lf, money_t *sum, money_t v,
		     const char *key, const char *col)
{
	if (!money_add(*sum, v, sum))
		return lf_error(lf, "%s: the sum of %s overflows the money range"
				" (9223372036854.775807)", key, col);
	return 0;
}

/* ---- customers.csv ---- */

static int customer_cmp(const void *a, const void *b)
{
	return strcmp(((const struct customer *)a)->wallet_id,
		      ((const struct customer *)b)->wallet_id);
}

static int hash_cmp(const void *a, const void *b)
{
	uint64_t x = ((const struct wallet_hash *)a)->hash;
	uint64_t y = ((const struct wallet_hash *)b)->hash;

	return x < y ? -1 : x > y;
}

/* The look-up index: millions of rows look a wallet up, so compare 64-bit
 * hashes, then the one string. */
static int customers_index(struct ledger *l)
{
	l->by_hash = malloc(l->ncustomers * sizeof(*l->by_hash));
	if (!l->by_hash)
		return -1;
	for (size_t i = 0; i < l->ncustomers; i++) {
		const char *id = l->customers[i].wallet_id;

		l->by_hash[i].hash = XXH3_64bits(id, strlen(id));
		l->by_hash[i].customer = i;
	}
	qsort(l->by_hash, l->ncustomers, sizeof(*l->by_hash), hash_cmp);
	return 0;
}

struct customer *ledger_customer(const struct ledger *l, const char *wallet_id)
{
	struct wallet_hash key = { .hash = XXH3_64bits(wallet_id, strlen(wallet_id)) };
	const struct wallet_hash *h = bsearch(&key, l->by_hash, l->ncustomers,
					      sizeof(key), hash_cmp);
	const struct wallet_hash *end = l->by_hash + l->ncustomers;

	if (!h)
		return NULL;
	while (h > l->by_hash && h[-1].hash == key.hash) /* collisions: the first */
		h--;
	for (; h < end && h->hash == key.hash; h++)
		if (!strcmp(l->customers[h->customer].wallet_id, wallet_id))
			return &l->customers[h->customer];
	return NULL;
}

static int ccy_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

int ledger_currency(const struct ledger *l, const char *ccy)
{
	char (*c)[4] = bsearch(ccy, l->currencies, l->ncurrencies, 4, ccy_cmp);

	return c ? (int)(c - l->currencies) : -1;
}

static int read_customers(struct ledger *l, char *err, size_t errlen)
{
	static const char *const cols[] = { "org_id", "org_name", "wallet_id",
		"payment_mode", "integration_code", "opening_balance", "currency", NULL };
	struct ledger_file lf;
	size_t cap = 0;
	int rc = lf_open(&lf, l->dir, "customers.csv", cols, l->notes, err, errlen);

	if (rc < 0)
		return rc;
	while ((rc = lf_next(&lf)) > 0) {
		struct customer *c;
		int mode;

		if (l->ncustomers == cap) {
			cap = cap ? cap * 2 : 64;
			c = realloc(l->customers, cap * sizeof(*c));
			if (!c) {
				rc = lf_oom(&lf);
				break;
			}
			l->customers = c;
		}
		c = &l->customers[l->ncustomers];
		memset(c, 0, sizeof(*c));
		c->line = lf.r.line;
		if ((rc = lf_id(&lf, 0, "org_id", c->org_id, false)) < 0 ||
		    (rc = lf_id(&lf, 2, "wallet_id", c->wallet_id, false)) < 0 ||
		    (rc = lf_money(&lf, 5, "opening_balance", &c->opening)) < 0 ||
		    (rc = lf_ccy(&lf, 6, NULL)) < 0)
			break;
		mode = field_enum(lf_get(&lf, 3), (const char *const[]){ "prepaid", "postpaid", NULL });
		if (mode < 0) {
			rc = lf_error(&lf, "bad payment_mode '%.80s' (prepaid or postpaid)",
				      lf_get(&lf, 3));
			break;
		}
		c->prepaid = mode == 0;
		strcpy(c->currency, lf_get(&lf, 6));
		c->org_name = strdup(lf_get(&lf, 1));
		c->integration_code = strdup(lf_get(&lf, 4));
		l->ncustomers++;
		if (!c->org_name || !c->integration_code) {
			rc = lf_error(&lf, "out of memory");
			break;
		}
	}
	if (rc == 0 && l->ncustomers == 0)
		rc = l_fail(err, errlen, -EINVAL, "%s: no customers", lf.path);
	if (rc == 0) {
		qsort(l->customers, l->ncustomers, sizeof(*l->customers), customer_cmp);
		for (size_t i = 1; i < l->ncustomers; i++)
			if (!strcmp(l->customers[i].wallet_id, l->customers[i - 1].wallet_id)) {
				const struct customer *a = &l->customers[i - 1], *b = &l->customers[i];

				rc = l_fail(err, errlen, -EINVAL,
					    "%s:%llu: wallet_id %s is also on line %llu", lf.path,
					    (unsigned long long)(a->line > b->line ? a->line : b->line),
					    b->wallet_id,
					    (unsigned long long)(a->line < b->line ? a->line : b->line));
				break;
			}
	}
	lf_close(&lf);
	return rc;
}

static int setup_currencies(struct ledger *l)
{
	l->currencies = calloc(l->ncustomers, 4);
	if (!l->currencies)
		return -1;
	for (size_t i = 0; i < l->ncustomers; i++)
		memcpy(l->currencies[i], l->customers[i].currency, 4);
	qsort(l->currencies, l->ncustomers, 4, ccy_cmp);
	l->ncurrencies = 0;
	for (size_t i = 0; i < l->ncustomers; i++)
		if (!l->ncurrencies ||
		    strcmp(l->currencies[i], l->currencies[l->ncurrencies - 1]))
			memmove(l->currencies[l->ncurrencies++], l->currencies[i], 4);
	l->day_revenue = calloc((size_t)l->days * l->ncurrencies, sizeof(money_t));
	l->day_cost = calloc((size_t)l->days * l->ncurrencies, sizeof(money_t));
	return l->day_revenue && l->day_cost ? 0 : -1;
}

/* The customer of wallet field col, checked against org field ocol. */
static struct customer *lf_customer(struct ledger_file *lf, const struct ledger *l,
				    int ocol, int wcol)
{
	struct customer *c = ledger_customer(l, lf_get(lf, wcol));

	if (!c) {
		lf_error(lf, "wallet_id '%.80s' is not in customers.csv", lf_get(lf, wcol));
		return NULL;
	}
	if (strcmp(c->org_id, lf_get(lf, ocol))) {
		lf_error(lf, "wallet %s belongs to org %s, not '%.80s'", c->wallet_id,
			 c->org_id, lf_get(lf, ocol));
		return NULL;
	}
	return c;
}

/* ---- transactions.csv ---- */

static int product_key_cmp(const struct product *p, const char *sku, int type)
{
	int c = strcmp(p->sku, sku);

	return c ? c : strcmp(txn_type_names[p->type], txn_type_names[type]);
}

/* The product (sku, type), or -1 with *pos where it would be inserted into
 * product_order. */
static int product_find(struct ledger *l, const char *sku, int type, size_t *pos)
{
	size_t lo = 0, hi = l->nproducts;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = product_key_cmp(&l->products[l->product_order[mid]], sku, type);

		if (c == 0) {
			*pos = mid;
			return l->product_order[mid];
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*pos = lo;
	return -1;
}

/* Is (at, txn) later than the transaction that named p? */
static bool product_is_later(const struct product *p, int64_t at, const char *txn)
{
	return at != p->last_at ? at > p->last_at : strcmp(txn, p->last_txn) > 0;
}

/* The product (sku, type) of this row; its name is the one of its last
 * transaction, whatever the order of the lines. */
static int txn_product(struct ledger_file *lf, struct ledger *l, const char *sku,
		       int type, int unit, int64_t at, const char *txn)
{
	const char *name = lf_get(lf, 6);
	struct product *p;
	size_t pos;
	int i = product_find(l, sku, type, &pos);

	if (i >= 0) {
		p = &l->products[i];
		if (p->unit != unit)
			return lf_error(lf, "product_sku %s (%s) is counted in %s on line %llu,"
					" here in %s", sku, txn_type_names[type],
					unit_names[p->unit], (unsigned long long)p->line,
					unit_names[unit]);
		if (!product_is_later(p, at, txn))
			return i;
		if (strcmp(p->name, name)) {
			char *n = strdup(name);

			if (!n)
				return -ENOMEM;
			free(p->name);
			p->name = n;
		}
		p->last_at = at;
		snprintf(p->last_txn, sizeof(p->last_txn), "%s", txn);
		return i;
	}
	if (l->nproducts == l->capproducts) {
		size_t cap = l->capproducts ? l->capproducts * 2 : 64;
		struct product *np = realloc(l->products, cap * sizeof(*np));
		int *no = np ? realloc(l->product_order, cap * sizeof(*no)) : NULL;

		if (np)
			l->products = np;
		if (!no)
			return -ENOMEM;
		l->product_order = no;
		l->capproducts = cap;
	}
	p = &l->products[l->nproducts];
	snprintf(p->sku, sizeof(p->sku), "%s", sku);
	p->name = strdup(name);
	if (!p->name)
		return -ENOMEM;
	p->type = type;
	p->unit = unit;
	p->line = lf->r.line;
	p->last_at = at;
	snprintf(p->last_txn, sizeof(p->last_txn), "%s", txn);
	memmove(&l->product_order[pos + 1], &l->product_order[pos],
		(l->nproducts - pos) * sizeof(int));
	l->product_order[pos] = (int)l->nproducts;
	return (int)l->nproducts++;
}

static struct ledger_sum *customer_sum(struct customer *c, int product)
{
	for (size_t i = 0; i < c->nsums; i++)
		if (c->sums[i].product == product)
			return &c->sums[i];
	if (c->nsums == c->capsums) {
		size_t cap = c->capsums ? c->capsums * 2 : 8;
		struct ledger_sum *s = realloc(c->sums, cap * sizeof(*s));

		if (!s)
			return NULL;
		c->sums = s;
		c->capsums = cap;
	}
	memset(&c->sums[c->nsums], 0, sizeof(*c->sums));
	c->sums[c->nsums].product = product;
	return &c->sums[c->nsums++];
}

static int txn_row(struct ledger_file *lf, struct ledger *l, uint64_t *hash)
{
	char id[ID_MAX + 1], sku[ID_MAX + 1], key[3 * ID_MAX + 64], day_key[DATE_STR + 8];
	struct customer *c;
	struct ledger_sum *s;
	int64_t at, qty;
	money_t price, cost, tax;
	int type, unit, p, day, cur, rc;

	if ((rc = lf_id(lf, 0, "txn_id", id, false)) < 0 ||
	    (rc = lf_ts(lf, 1, l, &at)) < 0)
		return rc;
	*hash = XXH3_64bits(id, strlen(id));
	c = lf_customer(lf, l, 2, 3);
	if (!c)
		return -EINVAL;
	type = field_enum(lf_get(lf, 4), txn_type_names);
	if (type < 0)
		return lf_error(lf, "bad transaction_type '%.80s'", lf_get(lf, 4));
	if ((rc = lf_id(lf, 5, "product_sku", sku, false)) < 0)
		return rc;
	unit = field_enum(lf_get(lf, 7), unit_names);
	if (unit < 0)
		return lf_error(lf, "bad unit '%.80s'", lf_get(lf, 7));
	if (!field_int(lf_get(lf, 8), &qty))
		return lf_error(lf, "bad quantity '%.80s'", lf_get(lf, 8));
	if ((rc = lf_money(lf, 9, "price", &price)) < 0 ||
	    (rc = lf_money(lf, 10, "cost", &cost)) < 0 ||
	    (rc = lf_money(lf, 11, "tax", &tax)) < 0 || (rc = lf_ccy(lf, 12, c)) < 0)
		return rc;
	p = txn_product(lf, l, sku, type, unit, at, id);
	if (p == -ENOMEM)
		return lf_oom(lf);
	if (p < 0)
		return p;
	s = customer_sum(c, p);
	if (!s)
		return lf_oom(lf);
	snprintf(key, sizeof(key), "wallet %s, product %s/%s", c->wallet_id, sku,
		 txn_type_names[type]);
	if (__builtin_add_overflow(s->quantity, qty, &s->quantity))
		return lf_error(lf, "%s: the sum of quantity overflows", key);
	if ((rc = add_money(lf, &s->revenue, price, key, "price")) < 0 ||
	    (rc = add_money(lf, &s->cost, cost, key, "cost")) < 0 ||
	    (rc = add_money(lf, &s->tax, tax, key, "tax")) < 0)
		return rc;
	day = (int)((at / TIME_US - l->start) / TIME_DAY);
	cur = ledger_currency(l, c->currency);
	time_date_format(l->start + (int64_t)day * TIME_DAY, day_key);
	snprintf(day_key + 10, sizeof(day_key) - 10, ", %s", c->currency);
	if ((rc = add_money(lf, &l->day_revenue[day * l->ncurrencies + cur], price,
			    day_key, "price")) < 0 ||
	    (rc = add_money(lf, &l->day_cost[day * l->ncurrencies + cur], cost,
			    day_key, "cost")) < 0)
		return rc;
	return 0;
}

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* A txn_id seen twice would count twice: find the lines (second pass, only
 * when two hashes collide). */
static int txn_duplicates(struct ledger *l, uint64_t *hash, size_t n, char *err,
			  size_t errlen)
{
	static const char *const cols[] = { "txn_id", NULL };
	struct ledger_file lf;
	uint64_t *dups = NULL;
	size_t ndups = 0;
	char (*ids)[ID_MAX + 1] = NULL;
	uint64_t *lines = NULL;
	size_t nids = 0;
	int rc;

	if (n < 2)
		return 0;
	qsort(hash, n, sizeof(*hash), u64_cmp);
	for (size_t i = 1; i < n; i++)
		if (hash[i] == hash[i - 1] && (!ndups || dups[ndups - 1] != hash[i])) {
			uint64_t *d = realloc(dups, (ndups + 1) * sizeof(*d));

			if (!d) {
				free(dups);
				return l_fail(err, errlen, -ENOMEM, "out of memory");
			}
			dups = d;
			dups[ndups++] = hash[i];
		}
	if (!ndups)
		return 0;
	rc = lf_open(&lf, l->dir, "transactions.csv", cols, NULL, err, errlen);
	if (rc < 0) {
		free(dups);
		return rc;
	}
	while ((rc = lf_next(&lf)) > 0) {
		const char *id = lf_get(&lf, 0);
		uint64_t h = XXH3_64bits(id, strlen(id));
		size_t k;
		void *ni, *nl;

		if (!bsearch(&h, dups, ndups, sizeof(h), u64_cmp))
			continue;
		for (k = 0; k < nids; k++)
			if (!strcmp(ids[k], id)) {
				rc = lf_error(&lf, "txn_id %s is also on line %llu", id,
					      (unsigned long long)lines[k]);
				goto out;
			}
		ni = realloc(ids, (nids + 1) * sizeof(*ids));
		if (ni)
			ids = ni;
		nl = ni ? realloc(lines, (nids + 1) * sizeof(*lines)) : NULL;
		if (nl)
			lines = nl;
		if (!ni || !nl) {
			rc = lf_oom(&lf);
			goto out;
		}
		snprintf(ids[nids], sizeof(*ids), "%s", id);
		lines[nids++] = lf.r.line;
	}
out:
	lf_close(&lf);
	free(dups);
	free(ids);
	free(lines);
	return rc < 0 ? rc : 0;
}

static int read_transactions(struct ledger *l, char *err, size_t errlen)
{
	static const char *const cols[] = { "txn_id", "posted_at", "org_id",
		"wallet_id", "transaction_type", "product_sku", "product_name", "unit",
		"quantity", "price", "cost", "tax", "currency", NULL };
	struct ledger_file lf;
	uint64_t *hash = NULL;
	size_t cap = 0;
	int rc = lf_open(&lf, l->dir, "transactions.csv", cols, l->notes, err, errlen);

	if (rc < 0)
		return rc;
	while ((rc = lf_next(&lf)) > 0) {
		if (l->ntransactions == cap) {
			uint64_t *h;

			cap = cap ? cap * 2 : 4096;
			h = realloc(hash, cap * sizeof(*h));
			if (!h) {
				rc = lf_oom(&lf);
				break;
			}
			hash = h;
		}
		rc = txn_row(&lf, l, &hash[l->ntransactions]);
		if (rc < 0)
			break;
		l->ntransactions++;
	}
	lf_close(&lf);
	if (rc == 0)
		rc = txn_duplicates(l, hash, l->ntransactions, err, errlen);
	free(hash);
	return rc;
}

/* ---- topups.csv ---- */

static int topup_cmp(const void *a, const void *b)
{
	const struct topup *x = a, *y = b;
	int c = strcmp(x->topup_id, y->topup_id);

	return c ? c : x->line < y->line ? -1 : x->line > y->line;
}

static int read_topups(struct ledger *l, char *err, size_t errlen)
{
	static const char *const cols[] = { "topup_id", "posted_at", "org_id",
		"wallet_id", "entry_type", "channel", "payment_reference", "amount",
		"currency", NULL };
	struct ledger_file lf;
	int rc = lf_open(&lf, l->dir, "topups.csv", cols, l->notes, err, errlen);

	if (rc < 0)
		return rc;
	while ((rc = lf_next(&lf)) > 0) {
		char key[ID_MAX + 16];
		struct customer *c;
		struct topup *t;

		if (l->ntopups == l->captopups) {
			size_t cap = l->captopups ? l->captopups * 2 : 64;

			t = realloc(l->topups, cap * sizeof(*t));
			if (!t) {
				rc = lf_oom(&lf);
				break;
			}
			l->topups = t;
			l->captopups = cap;
		}
		t = &l->topups[l->ntopups];
		memset(t, 0, sizeof(*t));
		t->line = lf.r.line;
		if ((rc = lf_id(&lf, 0, "topup_id", t->topup_id, false)) < 0 ||
		    (rc = lf_ts(&lf, 1, l, &t->posted_at)) < 0)
			break;
		c = lf_customer(&lf, l, 2, 3);
		if (!c) {
			rc = -EINVAL;
			break;
		}
		if ((rc = lf_money(&lf, 7, "amount", &t->amount)) < 0 ||
		    (rc = lf_ccy(&lf, 8, c)) < 0)
			break;
		t->customer = (int)(c - l->customers);
		t->entry_type = field_enum(lf_get(&lf, 4), topup_entry_names);
		if (t->entry_type < 0) {
			rc = lf_error(&lf, "bad entry_type '%.80s' (topup, withdrawal or refund)",
				      lf_get(&lf, 4));
			break;
		}
		if ((t->entry_type == 1) != (t->amount < 0) || t->amount == 0) {
			rc = lf_error(&lf, "amount %s: a withdrawal is negative, a topup or refund positive",
				      lf_get(&lf, 7));
			break;
		}
		t->channel = strdup(lf_get(&lf, 5));
		t->payment_reference = strdup(lf_get(&lf, 6));
		l->ntopups++;
		if (!t->channel || !t->payment_reference) {
			rc = lf_oom(&lf);
			break;
		}
		snprintf(key, sizeof(key), "wallet %s", c->wallet_id);
		if ((rc = add_money(&lf, &c->topups, t->amount, key, "amount")) < 0)
			break;
	}
	if (rc == 0 && l->ntopups > 1)
		qsort(l->topups, l->ntopups, sizeof(*l->topups), topup_cmp);
	for (size_t i = 1; rc == 0 && i < l->ntopups; i++)
		if (!strcmp(l->topups[i].topup_id, l->topups[i - 1].topup_id))
			rc = l_fail(err, errlen, -EINVAL, "%s:%llu: topup_id %s is also on line %llu",
				    lf.path, (unsigned long long)l->topups[i].line,
				    l->topups[i].topup_id,
				    (unsigned long long)l->topups[i - 1].line);
	lf_close(&lf);
	return rc;
}

/* ---- wallet.csv ---- */

static struct partner_wallet *wallet_get(struct ledger *l, const char *id)
{
	struct partner_wallet *w;

	for (size_t i = 0; i < l->nwallets; i++)
		if (!strcmp(l->wallets[i].wallet_id, id))
			return &l->wallets[i];
	w = realloc(l->wallets, (l->nwallets + 1) * sizeof(*w));
	if (!w)
		return NULL;
	l->wallets = w;
	w = &l->wallets[l->nwallets++];
	memset(w, 0, sizeof(*w));
	snprintf(w->wallet_id, sizeof(w->wallet_id), "%s", id);
	return w;
}

/* The opening first, then by time; entries at the same second by what they
 * are, never by their line, so the order of the export does not matter. */
static int entry_cmp(const void *a, const void *b)
{
	const struct wallet_entry *x = a, *y = b;
	int c;

	if (x->entry_type == 0 || y->entry_type == 0) /* the opening stays first */
		return (y->entry_type == 0) - (x->entry_type == 0);
	if (x->posted_at != y->posted_at)
		return x->posted_at < y->posted_at ? -1 : 1;
	if (x->entry_type != y->entry_type)
		return x->entry_type < y->entry_type ? -1 : 1;
	c = strcmp(x->reference, y->reference);
	if (c)
		return c;
	if (x->amount != y->amount)
		return x->amount < y->amount ? -1 : 1;
	return strcmp(x->description, y->description);
}

static int wallet_cmp(const void *a, const void *b)
{
	return strcmp(((const struct partner_wallet *)a)->wallet_id,
		      ((const struct partner_wallet *)b)->wallet_id);
}

/* Why amount has the wrong sign for entry type t, or NULL: top-ups and
 * refunds are credits, invoices and withdrawals debits, an adjustment either
 * but not zero (docs/formats.md §4). */
static const char *entry_sign_problem(int t, money_t amount)
{
	switch (t) {
	case 1: /* partner_topup */
	case 2: /* customer_topup */
	case 5: /* refund */
		return amount > 0 ? NULL : "is a credit: its amount must be positive";
	case 3: /* customer_withdrawal */
	case 4: /* invoice */
		return amount < 0 ? NULL : "is a debit: its amount must be negative";
	case 6: /* adjustment */
		return amount ? NULL : "of zero is not an entry";
	default:
		return NULL;
	}
}

static int read_wallet(struct ledger *l, char *err, size_t errlen)
{
	static const char *const cols[] = { "wallet_id", "posted_at", "entry_type",
		"reference", "description", "amount", "currency", NULL };
	struct ledger_file lf;
	int rc = lf_open(&lf, l->dir, "wallet.csv", cols, l->notes, err, errlen);

	if (rc < 0)
		return rc;
	while ((rc = lf_next(&lf)) > 0) {
		char id[ID_MAX + 1];
		struct partner_wallet *w;
		struct wallet_entry e = { .line = lf.r.line };
		const char *why;

		if ((rc = lf_id(&lf, 0, "wallet_id", id, false)) < 0 ||
		    (rc = lf_ts(&lf, 1, l, &e.posted_at)) < 0 ||
		    (rc = lf_id(&lf, 3, "reference", e.reference, true)) < 0 ||
		    (rc = lf_money(&lf, 5, "amount", &e.amount)) < 0 ||
		    (rc = lf_ccy(&lf, 6, NULL)) < 0)
			break;
		e.entry_type = field_enum(lf_get(&lf, 2), wallet_entry_names);
		if (e.entry_type < 0 || e.entry_type == 7) {
			rc = lf_error(&lf, "bad entry_type '%.80s'", lf_get(&lf, 2));
			break;
		}
		why = entry_sign_problem(e.entry_type, e.amount);
		if (why) {
			rc = lf_error(&lf, "%s %s %s", wallet_entry_names[e.entry_type],
				      lf_get(&lf, 5), why);
			break;
		}
		w = wallet_get(l, id);
		if (!w) {
			rc = lf_oom(&lf);
			break;
		}
		if ((w->n == 0) != (e.entry_type == 0)) {
			rc = lf_error(&lf, w->n ? "wallet %s: a second opening_balance" :
				      "wallet %s: the first row must be its opening_balance", id);
			break;
		}
		if (w->n == 0) {
			memcpy(w->currency, lf_get(&lf, 6), 4);
			w->opening_line = lf.r.line;
		} else if (strcmp(w->currency, lf_get(&lf, 6))) {
			rc = lf_error(&lf, "currency %s differs from wallet %s's currency %s"
				      " (currencies never mix)", lf_get(&lf, 6), id, w->currency);
			break;
		}
		if (w->n == w->cap) {
			size_t cap = w->cap ? w->cap * 2 : 64;
			struct wallet_entry *ne = realloc(w->entries, cap * sizeof(*ne));

			if (!ne) {
				rc = lf_oom(&lf);
				break;
			}
			w->entries = ne;
			w->cap = cap;
		}
		e.description = strdup(lf_get(&lf, 4));
		w->entries[w->n++] = e;
		if (!e.description) {
			rc = lf_oom(&lf);
			break;
		}
	}
	if (rc == 0 && l->nwallets == 0)
		rc = l_fail(err, errlen, -EINVAL,
			    "%s: no wallet entries (the first row is the opening balance)",
			    lf.path);
	lf_close(&lf);
	for (size_t i = 0; rc == 0 && i < l->nwallets; i++)
		qsort(l->wallets[i].entries, l->wallets[i].n, sizeof(struct wallet_entry),
		      entry_cmp);
	if (rc == 0)
		qsort(l->wallets, l->nwallets, sizeof(*l->wallets), wallet_cmp);
	return rc;
}

int ledger_read(struct ledger *l, const char *dir, int64_t start, int64_t end,
		char *err, size_t errlen)
{
	int rc;

	memset(l, 0, sizeof(*l));
	l->dir = dir;
	l->start = start;
	l->end = end;
	l->days = (int)((end - start) / 86400);
	rc = read_customers(l, err, errlen);
	if (rc == 0 && (customers_index(l) < 0 || setup_currencies(l) < 0))
		rc = l_fail(err, errlen, -ENOMEM, "out of memory");
	if (rc == 0)
		rc = read_transactions(l, err, errlen);
	if (rc == 0)
		rc = read_topups(l, err, errlen);
	if (rc == 0)
		rc = read_wallet(l, err, errlen);
	if (rc < 0)
		ledger_release(l);
	return rc;
}

void ledger_release(struct ledger *l)
{
	for (size_t i = 0; i < l->ncustomers; i++) {
		free(l->customers[i].org_name);
		free(l->customers[i].integration_code);
		free(l->customers[i].sums);
	}
	free(l->customers);
	free(l->by_hash);
	for (size_t i = 0; i < l->nproducts; i++)
		free(l->products[i].name);
	free(l->products);
	free(l->product_order);
	free(l->currencies);
	free(l->day_revenue);
	free(l->day_cost);
	for (size_t i = 0; i < l->ntopups; i++) {
		free(l->topups[i].channel);
		free(l->topups[i].payment_reference);
	}
	free(l->topups);
	for (size_t i = 0; i < l->nwallets; i++) {
		for (size_t j = 0; j < l->wallets[i].n; j++)
			free(l->wallets[i].entries[j].description);
		free(l->wallets[i].entries);
	}
	free(l->wallets);
	memset(l, 0, sizeof(*l));
}
