/* revenue_archive.c - what the revenue zip takes from the archive rather
 * than the ledger: the month's usage totals per customer and type (every
 * archived usage file of the month, supplements included: I1) and last
 * month's closing balance of each partner wallet, from its latest revision
 * (I5). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "policy.h"
#include "revenue.h"
#include "revision.h"

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

/* Open an archived file as a stdio stream, its bytes verified first. */
static FILE *archived_open(struct catalog *cat, const char *sha256)
{
	int fd = blob_open_verified(catalog_store(cat), sha256, -1);
	FILE *f = fd >= 0 ? fdopen(fd, "r") : NULL;

	if (fd < 0)
		errno = -fd;
	if (!f && fd >= 0)
		close(fd);
	return f;
}

static int usage_read_one(struct catalog *cat, struct ledger *l,
			  const struct usage_file *uf, const char *folder,
			  char *err, size_t errlen)
{
	static const char *const cols[] = { "org_id", "wallet_id", "price", "cost",
		"currency", NULL };
	char path[1024];
	struct csv_reader r;
	int idx[5], rc;
	FILE *f = archived_open(cat, uf->sha256);

	snprintf(path, sizeof(path), "%s/%s", folder, uf->name);
	if (!f) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return -EIO;
	}
	csv_reader_init(&r, f, path);
	rc = csv_read(&r);
	if (rc <= 0) {
		snprintf(err, errlen, "%s: %s", path, rc ? r.error : "empty file");
		rc = -EINVAL;
	} else {
		rc = csv_columns(&r, cols, idx, err, errlen);
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
		else if (!money_add(c->usage_price[uf->type], price, &c->usage_price[uf->type]))
			why = "the sum of price for the wallet overflows the money range";
		else if (!money_add(c->usage_cost[uf->type], cost, &c->usage_cost[uf->type]))
			why = "the sum of cost for the wallet overflows the money range";
		if (why) {
			snprintf(err, errlen, "%s:%llu: %s", path, (unsigned long long)r.line, why);
			rc = -EINVAL;
		}
	}
	if (rc < 0 && r.error[0])
		snprintf(err, errlen, "%s:%llu: %s", path, (unsigned long long)r.line, r.error);
	csv_reader_release(&r);
	fclose(f);
	return rc < 0 ? rc : 0;
}

static int usage_read(struct catalog *cat, struct ledger *l, const char *org,
		      const char *period, char *err, size_t errlen)
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
		snprintf(err, errlen, "%s: cannot list: %s", folder + 1, strerror(-rc));
		free(u.v);
		return rc;
	}
	for (size_t i = 0; rc == 0 && i < u.n; i++)
		rc = usage_read_one(cat, l, &u.v[i], folder + 1, err, errlen);
	free(u.v);
	return rc;
}

/* Last month's closing balance of w, from the wallet file of last month's
 * latest revenue revision. */
static int prev_closing(struct catalog *cat, struct partner_wallet *w,
			const char *org, const char *prev, char *err, size_t errlen)
{
	static const char *const cols[] = { "balance", NULL };
	char revenue[300], stem[300], folder[300], path[1024];
	struct csv_reader r;
	struct node n;
	int idx[1], rev, rc;
	FILE *f;

	snprintf(revenue, sizeof(revenue), "/%s/Revenue", org);
	snprintf(stem, sizeof(stem), "%s-%s-revenue", org, prev);
	rc = revision_latest(cat, revenue, stem, ".zip", &rev, &n, err, errlen);
	if (rc < 0)
		return rc;
	policy_revenue_folder(prev, rev, folder, sizeof(folder));
	snprintf(path, sizeof(path), "/%s/%s/%s-%s-wallet-%s.csv", org, folder, org,
		 prev, w->wallet_id);
	if (node_resolve(cat, path, &n) < 0 || n.type != NODE_FILE)
		return 0; /* no last month in the archive */
	f = archived_open(cat, n.sha256);
	if (!f) {
		snprintf(err, errlen, "%s: cannot open: %s", path + 1, strerror(errno));
		return -EIO;
	}
	csv_reader_init(&r, f, path + 1);
	rc = csv_read(&r) == 1 ? csv_columns(&r, cols, idx, err, errlen) : -EINVAL;
	while (rc == 0 && (rc = csv_read(&r)) > 0) {
		rc = r.nfields > (size_t)idx[0] &&
		     money_parse(r.fields[idx[0]], &w->prev_closing) ? 0 : -EINVAL;
		w->prev_known = rc == 0;
	}
	if (rc < 0)
		snprintf(err, errlen, "%s:%llu: cannot read the closing balance", path + 1,
			 (unsigned long long)r.line);
	snprintf(w->prev_file, sizeof(w->prev_file), "%s", path + 1);
	csv_reader_release(&r);
	fclose(f);
	return rc < 0 ? rc : 0;
}

int revenue_archive_read(struct catalog *cat, struct ledger *l, const char *org,
			 const char *period, char *err, size_t errlen)
{
	char prev[16];
	int year, month, rc;

	if (!period_parse(period, &year, &month)) {
		snprintf(err, errlen, "%s: not a month YYYY-MM", period);
		return -EINVAL;
	}
	if (--month == 0) {
		month = 12;
		year--;
	}
	snprintf(prev, sizeof(prev), "%04d-%02d", year % 10000, month % 100);
	rc = usage_read(cat, l, org, period, err, errlen);
	for (size_t i = 0; rc == 0 && i < l->nwallets; i++)
		rc = prev_closing(cat, &l->wallets[i], org, prev, err, errlen);
	return rc;
}
