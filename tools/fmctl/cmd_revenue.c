/* cmd_revenue.c - fmctl revenue: the month's revenue zip from the ledger
 * export and the month's usage already archived; identities I1-I7 checked
 * before anything is written, then the zip ingested (and so unzipped into
 * Revenue/YYYY-MM/). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fmctl.h"
#include "../billing/revenue.h"
#include "progress.h"

#define SUB "revenue"

/* ---- the month's usage, from the archive ---- */

struct usage_file {
	char name[FM_NAME_MAX + 1];
	char sha256[FM_SHA256_HEX + 1];
	int type;
};

struct usage_list {
	const char *prefix; /* "DOMAIN-YYYY-MM-" */
	struct usage_file *v;
	size_t n;
};

/* DOMAIN-YYYY-MM-{call,sms,fax,dnc}[-partNNN|-supplement-NN].csv */
static int usage_type(const char *name, const char *prefix)
{
	size_t pl = strlen(prefix), nl = strlen(name);

	if (strncmp(name, prefix, pl) || nl < pl + 4 || strcmp(name + nl - 4, ".csv"))
		return -1;
	for (int t = 0; t < N_USAGE_TYPES; t++) {
		size_t tl = strlen(txn_type_names[t]);

		if (!strncmp(name + pl, txn_type_names[t], tl) &&
		    (name[pl + tl] == '.' || name[pl + tl] == '-'))
			return t;
	}
	return -1;
}

static int usage_collect(void *arg, const struct node *n)
{
	struct usage_list *u = arg;
	struct usage_file *v;
	int t = usage_type(n->name, u->prefix);

	if (n->type != NODE_FILE || t < 0)
		return 0;
	v = realloc(u->v, (u->n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	u->v = v;
	snprintf(v[u->n].name, sizeof(v->name), "%s", n->name);
	memcpy(v[u->n].sha256, n->sha256, sizeof(v->sha256));
	v[u->n++].type = t;
	return 0;
}

/* Open an archived file as a stdio stream. */
static FILE *archived_open(struct catalog *cat, const char *sha256)
{
	int fd = blob_open(catalog_store(cat), sha256);
	FILE *f = fd >= 0 ? fdopen(fd, "r") : NULL;

	if (!f && fd >= 0)
		close(fd);
	return f;
}

static int usage_read_one(struct catalog *cat, struct ledger *l,
			  const struct usage_file *uf, const char *folder)
{
	static const char *const cols[] = { "org_id", "wallet_id", "price", "cost",
		"currency", NULL };
	char path[1024];
	struct csv_reader r;
	int idx[5], rc;
	FILE *f = archived_open(cat, uf->sha256);

	snprintf(path, sizeof(path), "%s/%s", folder, uf->name);
	if (!f) {
		fmctl_error(SUB, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	csv_reader_init(&r, f, path);
	rc = csv_read(&r);
	if (rc <= 0) {
		fmctl_error(SUB, "%s: %s", path, rc ? r.error : "empty file");
		rc = -1;
	} else {
		rc = csv_columns(&r, SUB, cols, idx);
	}
	while (rc == 0 && (rc = csv_read(&r)) > 0) {
		struct customer *c = ledger_customer(l, r.fields[idx[1]]);
		money_t price, cost;
		const char *why = NULL;

		rc = 0;
		if (r.nfields <= (size_t)idx[4] || r.nfields <= (size_t)idx[3])
			why = "too few fields";
		else if (!c)
			why = "wallet_id is not in customers.csv";
		else if (strcmp(c->org_id, r.fields[idx[0]]))
			why = "org_id differs from the wallet's org in customers.csv";
		else if (strcmp(c->currency, r.fields[idx[4]]))
			why = "currency differs from the wallet's (currencies never mix)";
		else if (!money_parse(r.fields[idx[2]], &price) ||
			 !money_parse(r.fields[idx[3]], &cost))
			why = "bad price or cost";
		else if (!money_add(c->usage_price[uf->type], price, &c->usage_price[uf->type]) ||
			 !money_add(c->usage_cost[uf->type], cost, &c->usage_cost[uf->type]))
			why = "a sum overflows";
		if (why) {
			fmctl_error(SUB, "%s:%llu: %s", path, (unsigned long long)r.line, why);
			rc = -1;
		}
	}
	if (rc < 0 && r.error[0])
		fmctl_error(SUB, "%s:%llu: %s", path, (unsigned long long)r.line, r.error);
	csv_reader_release(&r);
	fclose(f);
	return rc < 0 ? -1 : 0;
}

static int usage_read(struct catalog *cat, struct ledger *l, const char *org,
		      const char *period)
{
	char folder[512], prefix[300];
	struct usage_list u = { .prefix = prefix };
	struct node dir;
	int rc;

	snprintf(folder, sizeof(folder), "/%s/Usage/%s", org, period);
	snprintf(prefix, sizeof(prefix), "%s-%s-", org, period);
	rc = node_resolve(cat, folder, &dir);
	if (rc == -ENOENT)
		return 0; /* no usage this month: its totals are zero */
	if (rc == 0)
		rc = node_list(cat, dir.id, 0, usage_collect, &u);
	if (rc < 0) {
		fmctl_error(SUB, "%s: cannot list: %s", folder, strerror(-rc));
		free(u.v);
		return -1;
	}
	for (size_t i = 0; rc == 0 && i < u.n; i++)
		rc = usage_read_one(cat, l, &u.v[i], folder + 1);
	free(u.v);
	return rc;
}

/* ---- last month's closing balances (I5) ---- */

static int prev_closing(struct catalog *cat, struct partner_wallet *w,
			const char *org, int year, int month)
{
	static const char *const cols[] = { "balance", NULL };
	char period[16], path[1024];
	struct csv_reader r;
	struct node n;
	int idx[1], rc;
	FILE *f;

	if (--month == 0) {
		month = 12;
		year--;
	}
	snprintf(period, sizeof(period), "%04d-%02d", year % 10000, month % 100);
	snprintf(path, sizeof(path), "/%s/Revenue/%s/%s-%s-wallet-%s.csv", org, period,
		 org, period, w->wallet_id);
	if (node_resolve(cat, path, &n) < 0 || n.type != NODE_FILE)
		return 0; /* no last month in the archive */
	f = archived_open(cat, n.sha256);
	if (!f) {
		fmctl_error(SUB, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	csv_reader_init(&r, f, path);
	rc = csv_read(&r) == 1 ? csv_columns(&r, SUB, cols, idx) : -1;
	while (rc == 0 && (rc = csv_read(&r)) > 0) {
		rc = r.nfields > (size_t)idx[0] &&
		     money_parse(r.fields[idx[0]], &w->prev_closing) ? 0 : -1;
		w->prev_known = rc == 0;
	}
	if (rc < 0)
		fmctl_error(SUB, "%s:%llu: cannot read the closing balance", path,
			    (unsigned long long)r.line);
	snprintf(w->prev_file, sizeof(w->prev_file), "%s", path + 1);
	csv_reader_release(&r);
	fclose(f);
	return rc < 0 ? -1 : 0;
}

/* ---- the command ---- */

static int usage_error(const char *msg)
{
	fmctl_error(SUB, "%s", msg);
	fprintf(stderr, "usage: fmctl revenue --org DOMAIN --period YYYY-MM LEDGER_DIR\n");
	return EXIT_USAGE;
}

int cmd_revenue(int argc, char **argv)
{
	const char *org, *period, *dir;
	char tmpdir[4096], zipname[300], zippath[4400];
	struct rev_files rf = { 0 };
	struct catalog *cat = NULL;
	struct progress *p;
	struct ledger l;
	int64_t start, end;
	int year, month, rc;

	rc = fmctl_month_args(SUB, argc, argv, &org, &period, &dir, &start, &end);
	if (rc == -1)
		return usage_error("--org, --period and one LEDGER_DIR are required");
	if (rc < 0)
		return EXIT_USAGE;
	period_parse(period, &year, &month);
	p = progress_start(SUB, "reading the ledger", 0, 0);
	if (ledger_read(&l, SUB, dir, start, end) < 0) {
		progress_stop(p);
		return 1;
	}
	progress_stage(p, "reading the month's usage", 0, 0);
	rc = fmctl_open(SUB, 0, &cat) < 0 ? -1 : 0;
	if (rc == 0)
		rc = usage_read(cat, &l, org, period);
	progress_stage(p, "building and checking", 0, 0);
	for (size_t i = 0; rc == 0 && i < l.nwallets; i++)
		rc = prev_closing(cat, &l.wallets[i], org, year, month);
	if (rc == 0)
		rc = revenue_files_build(&l, SUB, org, period, &rf);
	if (rc == 0)
		rc = revenue_check(&rf, &l, SUB);
	fmctl_tmpdir_template(tmpdir, sizeof(tmpdir));
	if (rc == 0 && !mkdtemp(tmpdir)) {
		fmctl_error(SUB, "%s: cannot create: %s", tmpdir, strerror(errno));
		rc = -1;
	}
	progress_stop(p);
	if (rc == 0) {
		snprintf(zipname, sizeof(zipname), "%s-%s-revenue.zip", org, period);
		snprintf(zippath, sizeof(zippath), "%s/%s", tmpdir, zipname);
		rc = revenue_zip_write(&rf, zippath, end, SUB);
		if (rc == 0)
			rc = fmctl_ingest_generated(SUB, cat, org, "revenue", period, zipname,
						    zippath, end);
		unlink(zippath);
		rmdir(tmpdir);
	}
	revenue_files_release(&rf);
	ledger_release(&l);
	catalog_close(cat);
	return rc < 0 ? 1 : 0;
}
