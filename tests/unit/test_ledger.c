/* test_ledger.c - the field parsers the ledger uses (ids, currencies,
 * integers and enums) as untrusted input, and
 * ledger_read() on small exports written here: products are (sku, type)
 * named by their last transaction whatever the line order, wallet signs,
 * sums past 1e9 and an overflow named, each error a reason, nothing printed.
 * Also the revision names and unzip folders of policy.c. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "../../tools/billing/ledger.h"
#include "../../tools/billing/policy.h"
#include "../../tools/billing/time.h"
#include "check.h"

#define OCT_START INT64_C(1790812800) /* 2026-10-01T00:00:00Z */
#define NOV_START INT64_C(1793491200)

static char dir[4096];

static void put(const char *name, const char *text)
{
	char path[4200];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static const char *const customers =
	"org_id,org_name,wallet_id,payment_mode,integration_code,opening_balance,currency\r\n"
	"org-1,Acme,W1,prepaid,,10.000000,EUR\r\n"
	"org-2,Bintang,W2,postpaid,,0,IDR\r\n";
static const char *const topups =
	"topup_id,posted_at,org_id,wallet_id,entry_type,channel,payment_reference,amount,currency\r\n";
static const char *const wallet =
	"wallet_id,posted_at,entry_type,reference,description,amount,currency\r\n"
	"PW,2026-10-01T00:00:00Z,opening_balance,,Opening,5.000000,EUR\r\n"
	"PW,2026-10-03T00:00:00Z,adjustment,A2,b,1.000000,EUR\r\n"
	"PW,2026-10-03T00:00:00Z,adjustment,A1,a,-2.000000,EUR\r\n";
#define TXN_HEAD "txn_id,posted_at,org_id,wallet_id,transaction_type,product_sku," \
	"product_name,unit,quantity,price,cost,tax,currency\r\n"
/* a sale, its refund with the sale's SKU, a rename; IDR sums past 1e9 */
static const char *const lines[] = {
	"T1,2026-10-02T10:00:00Z,org-1,W1,call,CALL,Voice,minute,10,1.000000,0.500000,0.200000,EUR\r\n",
	"T2,2026-10-20 18:00:00.5+08:00,org-1,W1,call,CALL,Voice (new),minute,5,0.500000,0.250000,0.100000,EUR\r\n",
	"T3,2026-10-21T00:00:00z,org-1,W1,refund,CALL,Voice refund,minute,-2,-0.200000,-0.100000,-0.040000,EUR\r\n",
	"T4,2026-10-05T00:00:00+0800,org-2,W2,service,SVC,Setup,item,1,900000000.000000,0,0,IDR\r\n",
	"T5,2026-10-06T00:00:00-05,org-2,W2,service,SVC,Setup,item,1,900000000.000000,0,0,IDR\r\n",
};

/* Write transactions.csv with lines in the order given, read the ledger. */
static int read_with(struct ledger *l, const int *order, char *err, size_t errlen)
{
	char text[4096] = TXN_HEAD;

	for (int i = 0; i < 5; i++)
		strcat(text, lines[order[i]]);
	put("transactions.csv", text);
	return ledger_read(l, dir, OCT_START, NOV_START, err, errlen);
}

static const struct product *product(const struct ledger *l, const char *sku,
				     const char *type)
{
	for (size_t i = 0; i < l->nproducts; i++)
		if (!strcmp(l->products[i].sku, sku) &&
		    !strcmp(txn_type_names[l->products[i].type], type))
			return &l->products[i];
	return NULL;
}

static void test_ledger_read(void)
{
	static const int orders[][5] = { { 0, 1, 2, 3, 4 }, { 4, 2, 1, 3, 0 } };
	char err[1024] = "";
	struct ledger l;

	snprintf(dir, sizeof(dir), "%s/ledger", check_tmpdir());
	mkdir(dir, 0700);
	put("customers.csv", customers);
	put("topups.csv", topups);
	put("wallet.csv", wallet);
	for (int o = 0; o < 2; o++) {
		const struct product *p;
		const struct customer *c;

		CHECK(read_with(&l, orders[o], err, sizeof(err)) == 0);
		CHECK(l.nproducts == 3);
		p = product(&l, "CALL", "call");
		CHECK(p && !strcmp(p->name, "Voice (new)")); /* T2 is the last */
		CHECK(p && p->last_at == (OCT_START + 19 * 86400 + 36000) * TIME_US + 500000);
		p = product(&l, "CALL", "refund");
		CHECK(p && !strcmp(p->name, "Voice refund"));
		c = ledger_customer(&l, "W2");
		CHECK(c && c->nsums == 1 && c->sums[0].revenue == INT64_C(1800000000000000));
		/* same-second wallet entries: by type, then reference, never line */
		CHECK(l.nwallets == 1 && l.wallets[0].n == 3);
		CHECK(!strcmp(l.wallets[0].entries[1].reference, "A1"));
		ledger_release(&l);
	}
	/* a positive invoice is refused, with the file and line */
	put("wallet.csv", "wallet_id,posted_at,entry_type,reference,description,amount,currency\r\n"
	    "PW,2026-10-01T00:00:00Z,opening_balance,,Opening,5.000000,EUR\r\n"
	    "PW,2026-10-04T00:00:00Z,invoice,INV-1,Invoice,12.000000,EUR\r\n");
	CHECK(read_with(&l, orders[0], err, sizeof(err)) == -EINVAL);
	CHECK(strstr(err, "/wallet.csv:3: invoice 12.000000 is a debit: its amount must be negative"));
	put("wallet.csv", wallet);
	/* a sum past the int64 range names the file, the key and the column */
	{
		char text[4096] = TXN_HEAD;

		strcat(text, lines[3]);
		strcat(text, "T6,2026-10-07T00:00:00Z,org-2,W2,service,SVC,Setup,item,1,"
			     "9223372036854.775807,0,0,IDR\r\n");
		put("transactions.csv", text);
		CHECK(ledger_read(&l, dir, OCT_START, NOV_START, err, sizeof(err)) == -EINVAL);
		CHECK(strstr(err, "/transactions.csv:3: wallet W2, product SVC/service: the sum of price overflows"));
	}
	/* one SKU and type counted in two units is one product too many */
	{
		char text[4096] = TXN_HEAD;

		strcat(text, lines[0]);
		strcat(text, "T7,2026-10-08T00:00:00Z,org-1,W1,call,CALL,Voice,page,1,1.000000,0,0,EUR\r\n");
		put("transactions.csv", text);
		CHECK(ledger_read(&l, dir, OCT_START, NOV_START, err, sizeof(err)) == -EINVAL);
		CHECK(strstr(err, ":3: product_sku CALL (call) is counted in minute on line 2, here in page"));
	}
}

static void test_policy(void)
{
	char out[128];

	policy_revision_name("a.example-2026-10-revenue", ".zip", 1, out, sizeof(out));
	CHECK(!strcmp(out, "a.example-2026-10-revenue.zip"));
	policy_revision_name("a.example-2026-10-revenue", ".zip", 2, out, sizeof(out));
	CHECK(!strcmp(out, "a.example-2026-10-revenue-rev02.zip"));
	CHECK(policy_revision_of("a.example-2026-10-revenue-rev13.zip") == 13);
	CHECK(policy_revision_of("a.example-2026-10-revenue.zip") == 1);
	CHECK(policy_revision_of("x-rev01.zip") == 1);
	CHECK(policy_revision_of("x-revAB.zip") == 1);
	CHECK(policy_unzip_folder("revenue", "2026-10", "x-rev02.zip", out, sizeof(out)) &&
	      !strcmp(out, "Revenue/2026-10/rev02"));
	CHECK(policy_unzip_folder("revenue", "2026-09", "old.ZIP", out, sizeof(out)) &&
	      !strcmp(out, "Revenue/2026-09"));
	CHECK(!policy_unzip_folder("revenue", "2026-09", "notes.csv", out, sizeof(out)));
	CHECK(!policy_unzip_folder("usage", "2026-09", "x.zip", out, sizeof(out)));
}

int main(void)
{
	int64_t v = 0;

	test_ledger_read();
	test_policy();

	CHECK(field_is_id("W000001"));
	CHECK(field_is_id("a.b_c:d-e"));
	CHECK(!field_is_id(""));
	CHECK(!field_is_id("a b"));
	CHECK(!field_is_id("a/b"));
	CHECK(!field_is_id("x\xc3\xa9"));
	CHECK(field_is_id("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
	CHECK(!field_is_id("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));

	CHECK(field_is_ccy("EUR"));
	CHECK(!field_is_ccy("eur"));
	CHECK(!field_is_ccy("EURO"));
	CHECK(!field_is_ccy("E1R"));


	CHECK(field_int("0", &v) && v == 0);
	CHECK(field_int("-12", &v) && v == -12);
	CHECK(!field_int("", &v));
	CHECK(!field_int("-", &v));
	CHECK(!field_int("1.5", &v));
	CHECK(!field_int("1e3", &v));
	CHECK(!field_int(" 1", &v));
	CHECK(!field_int("9999999999999999999", &v));

	CHECK(field_enum("call", txn_type_names) == 0);
	CHECK(field_enum("adjustment", txn_type_names) == N_TXN_TYPES - 1);
	CHECK(field_enum("Call", txn_type_names) < 0);
	CHECK(field_enum("license", unit_names) >= 0);
	return check_done("test_ledger");
}
