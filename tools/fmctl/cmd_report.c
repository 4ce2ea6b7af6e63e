/* cmd_report.c - fmctl report subscription-billing: usage quantities per
 * subscription for the month (FORMATS.md §5) from the ledger export's
 * subscriptions.csv, written as Reports/YYYY-MM/DOMAIN-YYYY-MM-
 * subscription-billing.csv and ingested. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fmctl.h"
#include "../billing/ledger.h"

#define SUB "report"

static const char *const status_names[] = { "active", "trial", "expired",
	"terminated", NULL };

struct subscription {
	char org_id[ID_MAX + 1], wallet_id[ID_MAX + 1], id[ID_MAX + 1];
	char sku[ID_MAX + 1], currency[4];
	char *org_name, *product_name;
	int status, unit;
	int64_t cycle_months, cycle_start, cycle_end, qty_start, qty_end;
	money_t unit_price, cost;
	uint64_t line;
};

struct subs {
	struct subscription *v;
	size_t n, cap;
};

static void subs_release(struct subs *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].org_name);
		free(s->v[i].product_name);
	}
	free(s->v);
}

static int sub_cmp(const void *a, const void *b)
{
	const struct subscription *x = a, *y = b;
	int c = strcmp(x->org_id, y->org_id);

	if (!c)
		c = strcmp(x->wallet_id, y->wallet_id);
	return c ? c : strcmp(x->id, y->id);
}

static bool is_charged(const struct subscription *s, int64_t start, int64_t end)
{
	return s->status != 1 && s->cycle_start >= start && s->cycle_start < end;
}

/* Validate one record into *s; the reason or NULL. */
static const char *sub_parse(char **f, const int *idx, struct subscription *s,
			     int64_t start, int64_t end)
{
	static const char *const id_cols[] = { "org_id", "wallet_id", "subscription_id",
					       "product_sku" };
	static const int id_idx[] = { 0, 2, 3, 4 };
	char *ids[] = { s->org_id, s->wallet_id, s->id, s->sku };

	for (int i = 0; i < 4; i++) {
		if (!field_is_id(f[idx[id_idx[i]]]))
			return id_cols[i];
		strcpy(ids[i], f[idx[id_idx[i]]]);
	}
	s->status = field_enum(f[idx[6]], status_names);
	if (s->status < 0)
		return "status";
	if (!field_int(f[idx[7]], &s->cycle_months) || s->cycle_months < 1 ||
	    s->cycle_months > 120)
		return "cycle_months";
	if (!date_parse(f[idx[8]], &s->cycle_start))
		return "cycle_start";
	if (!date_parse(f[idx[9]], &s->cycle_end) || s->cycle_end < s->cycle_start)
		return "cycle_end";
	s->unit = field_enum(f[idx[10]], unit_names);
	if (s->unit < 0)
		return "unit";
	if (!field_int(f[idx[11]], &s->qty_start) || s->qty_start < 0)
		return "quantity_start";
	if (!field_int(f[idx[12]], &s->qty_end) || s->qty_end < 0)
		return "quantity_end";
	if (!money_parse(f[idx[13]], &s->unit_price) || s->unit_price < 0)
		return "unit_price";
	if (!money_parse(f[idx[14]], &s->cost))
		return "cost";
	if (!field_is_ccy(f[idx[15]]))
		return "currency";
	strcpy(s->currency, f[idx[15]]);
	if (s->cost && !is_charged(s, start, end))
		return "cost (non-zero, but no cycle is charged in the period)";
	return NULL;
}

static int subs_read(struct subs *s, const char *dir, int64_t start, int64_t end)
{
	static const char *const cols[] = { "org_id", "org_name", "wallet_id",
		"subscription_id", "product_sku", "product_name", "status",
		"cycle_months", "cycle_start", "cycle_end", "unit", "quantity_start",
		"quantity_end", "unit_price", "cost", "currency", NULL };
	char path[4096];
	struct csv_reader r;
	size_t nheader = 0;
	int idx[16], rc;
	FILE *f;

	snprintf(path, sizeof(path), "%s/subscriptions.csv", dir);
	f = fopen(path, "r");
	if (!f) {
		fmctl_error(SUB, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	csv_reader_init(&r, f, path);
	rc = csv_read(&r);
	if (rc == 1) {
		nheader = r.nfields;
		rc = csv_columns(&r, SUB, cols, idx);
	} else {
		fmctl_error(SUB, "%s: %s", path, rc ? r.error : "empty file (no header)");
		rc = -1;
	}
	while (rc == 0 && (rc = csv_read(&r)) > 0) {
		struct subscription *x;
		const char *why;

		rc = -1;
		if (r.nfields != nheader) {
			fmctl_error(SUB, "%s:%llu: %zu fields, the header has %zu", path,
				    (unsigned long long)r.line, r.nfields, nheader);
			break;
		}
		if (s->n == s->cap) {
			s->cap = s->cap ? s->cap * 2 : 64;
			x = realloc(s->v, s->cap * sizeof(*x));
			if (!x)
				break;
			s->v = x;
		}
		x = &s->v[s->n];
		memset(x, 0, sizeof(*x));
		x->line = r.line;
		why = sub_parse(r.fields, idx, x, start, end);
		if (why) {
			fmctl_error(SUB, "%s:%llu: bad %s", path, (unsigned long long)r.line, why);
			break;
		}
		x->org_name = strdup(r.fields[idx[1]]);
		x->product_name = strdup(r.fields[idx[5]]);
		s->n++;
		if (!x->org_name || !x->product_name)
			break;
		rc = 0;
	}
	if (rc < 0 && r.error[0])
		fmctl_error(SUB, "%s:%llu: %s", path, (unsigned long long)r.line, r.error);
	csv_reader_release(&r);
	fclose(f);
	if (rc < 0)
		return -1;
	if (s->n > 1)
		qsort(s->v, s->n, sizeof(*s->v), sub_cmp);
	for (size_t i = 1; i < s->n; i++)
		if (!sub_cmp(&s->v[i], &s->v[i - 1])) {
			fmctl_error(SUB, "%s:%llu: subscription_id %s is also on line %llu",
				    path, (unsigned long long)s->v[i].line, s->v[i].id,
				    (unsigned long long)s->v[i - 1].line);
			return -1;
		}
	return 0;
}

static void date_cell(struct csv_writer *w, int64_t t)
{
	char s[21];

	fmctl_time(t, s);
	s[10] = 0;
	csv_plain(w, s);
}

static int report_write(const struct subs *s, FILE *out, const char *period,
			int64_t start, int64_t end)
{
	static const char *const cols[] = { "period", "org_id", "org_name",
		"wallet_id", "subscription_id", "product_sku", "product_name", "status",
		"cycle_months", "cycle_start", "cycle_end", "unit", "quantity_start",
		"quantity_end", "quantity_billed", "charged_in_period", "unit_price",
		"amount", "cost", "currency", NULL };
	struct csv_writer w;

	csv_writer_init(&w, out);
	csv_header(&w, cols);
	for (size_t i = 0; i < s->n; i++) {
		const struct subscription *x = &s->v[i];
		bool charged = is_charged(x, start, end);
		int64_t billed = charged ? x->qty_end : 0;
		money_t amount = 0;

		/* active at any time in the month (cycle_end is inclusive) */
		if (x->cycle_start >= end || x->cycle_end + 86400 <= start)
			continue;
		if (!money_mul_int(x->unit_price, billed, &amount)) {
			fmctl_error(SUB, "subscriptions.csv:%llu: amount overflows",
				    (unsigned long long)x->line);
			return -1;
		}
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
		csv_int(&w, billed);
		csv_plain(&w, charged ? "true" : "false");
		csv_money(&w, x->unit_price);
		csv_money(&w, amount);
		csv_money(&w, x->cost);
		csv_plain(&w, x->currency);
		csv_end_row(&w);
	}
	if (w.rows - 1 > 1000000) {
		fmctl_error(SUB, "%llu rows, more than 1000000 in one file",
			    (unsigned long long)(w.rows - 1));
		return -1;
	}
	return 0;
}

static int usage_error(const char *msg)
{
	fmctl_error(SUB, "%s", msg);
	fprintf(stderr, "usage: fmctl report subscription-billing --org DOMAIN"
		" --period YYYY-MM LEDGER_DIR\n");
	return EXIT_USAGE;
}

int cmd_report(int argc, char **argv)
{
	const char *org, *period, *dir;
	char tmpdir[4096], name[300], path[4400];
	struct subs s = { 0 };
	struct catalog *cat = NULL;
	int64_t start, end;
	FILE *out;
	int rc;

	if (argc < 2 || strcmp(argv[1], "subscription-billing"))
		return usage_error("the only report is subscription-billing");
	rc = fmctl_month_args(SUB, argc - 1, argv + 1, &org, &period, &dir, &start, &end);
	if (rc == -1)
		return usage_error("--org, --period and one LEDGER_DIR are required");
	if (rc < 0)
		return EXIT_USAGE;
	rc = subs_read(&s, dir, start, end);
	fmctl_tmpdir_template(tmpdir, sizeof(tmpdir));
	if (rc == 0 && !mkdtemp(tmpdir)) {
		fmctl_error(SUB, "%s: cannot create: %s", tmpdir, strerror(errno));
		rc = -1;
	}
	if (rc == 0) {
		snprintf(name, sizeof(name), "%s-%s-subscription-billing.csv", org, period);
		snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
		out = fopen(path, "w");
		rc = out ? report_write(&s, out, period, start, end) : -1;
		if (out && fclose(out) != 0)
			rc = -1;
		if (rc < 0 && !out)
			fmctl_error(SUB, "%s: %s", path, strerror(errno));
		if (rc == 0)
			rc = fmctl_open(SUB, 0, &cat) < 0 ? -1 : 0;
		if (rc == 0)
			rc = fmctl_ingest_generated(SUB, cat, org, "report", period, name,
						    path, end);
		unlink(path);
		rmdir(tmpdir);
	}
	subs_release(&s);
	catalog_close(cat);
	return rc < 0 ? 1 : 0;
}
