/* ledger.h - the platform's monthly ledger export (docs/formats.md §4
 * input): customers, transactions, top-ups and the partner's wallet, read as
 * the untrusted input they are (FILE:LINE: why) and summed per wallet,
 * product and day in exact money. Also the small field parsers the revenue
 * and report code share. A library: errors come back as -errno and a
 * one-line reason, nothing is printed. */
#ifndef FMFS_LEDGER_H
#define FMFS_LEDGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "csv.h"
#include "fields.h"
#include "money.h"

enum { N_TXN_TYPES = 10, N_USAGE_TYPES = 4, MAX_DAYS = 31 };

/* "call" "sms" "fax" "dnc" come first: usage types are 0..3. */
extern const char *const txn_type_names[N_TXN_TYPES + 1];
extern const char *const unit_names[];

/* Per wallet and product. */
struct ledger_sum {
	int product;
	int64_t quantity;
	money_t revenue, cost, tax;
};

struct customer {
	char org_id[ID_MAX + 1], wallet_id[ID_MAX + 1];
	char currency[4];
	char *org_name, *integration_code;
	bool prepaid;
	uint64_t line; /* of customers.csv */
	money_t opening, topups;
	struct ledger_sum *sums; /* unsorted; few per wallet */
	size_t nsums, capsums;
	money_t usage_price[N_USAGE_TYPES], usage_cost[N_USAGE_TYPES]; /* archive */
};

/* A product is (product_sku, transaction_type): a refund of a sale carries
 * the sale's SKU and is a product of its own. Its name is the one of its
 * last transaction (by posted_at, then txn_id), so a rename within the month
 * is one product and no output depends on the order of the lines. */
struct product {
	char sku[ID_MAX + 1];
	char *name;
	int type, unit;
	uint64_t line; /* of transactions.csv where first seen */
	int64_t last_at; /* posted_at (us) and txn_id of the transaction naming it */
	char last_txn[ID_MAX + 1];
};

struct topup {
	char topup_id[ID_MAX + 1];
	int64_t posted_at; /* microseconds UTC */
	int customer;
	int entry_type; /* 0 topup, 1 withdrawal, 2 refund */
	char *channel, *payment_reference;
	money_t amount;
	uint64_t line;
};

struct wallet_entry {
	int64_t posted_at; /* microseconds UTC */
	uint64_t line; /* for messages only: never an order */
	int entry_type; /* index into wallet_entry_names */
	char reference[ID_MAX + 1];
	char *description;
	money_t amount; /* credit positive */
};

struct partner_wallet {
	char wallet_id[ID_MAX + 1];
	char currency[4];
	struct wallet_entry *entries; /* [0] is the opening balance */
	size_t n, cap;
	uint64_t opening_line;
	/* last month's closing balance, from the archive (I5) */
	bool prev_known;
	money_t prev_closing;
	char prev_file[1024];
};

extern const char *const wallet_entry_names[];
extern const char *const topup_entry_names[];

struct wallet_hash {
	uint64_t hash;
	size_t customer;
};

#define LEDGER_NOTES 2048

struct ledger {
	const char *dir;
	/* "FILE:1: columns ignored: 'x', (empty)" lines, for the caller to
	 * show once (docs/formats.md §1 Input headers); "" if none */
	char notes[LEDGER_NOTES];
	int64_t start, end; /* the period, [start, end) */
	int days;
	struct customer *customers; /* sorted by wallet_id */
	size_t ncustomers;
	struct wallet_hash *by_hash; /* customers by XXH3 of wallet_id, sorted */
	struct product *products;   /* in first-seen order */
	int *product_order;         /* indexes sorted by sku, then type name */
	size_t nproducts, capproducts;
	char (*currencies)[4];      /* sorted, those of the customers */
	size_t ncurrencies;
	money_t *day_revenue, *day_cost; /* [day * ncurrencies + currency] */
	struct topup *topups;
	size_t ntopups, captopups;
	struct partner_wallet *wallets;
	size_t nwallets;
	uint64_t ntransactions;
};

/* Read customers.csv, transactions.csv, topups.csv and wallet.csv of dir
 * for the period [start, end). 0, or -errno with "FILE:LINE: why" (for a
 * sum: the file, the key and the column) in err; on error the ledger is
 * released. */
int ledger_read(struct ledger *l, const char *dir, int64_t start, int64_t end,
		char *err, size_t errlen);
void ledger_release(struct ledger *l);
/* The customer with wallet_id, or NULL. */
struct customer *ledger_customer(const struct ledger *l, const char *wallet_id);
int ledger_currency(const struct ledger *l, const char *ccy);

/* ---- export headers (docs/formats.md §1; the field types are in fields.h) ---- */

/* Column indexes of names in the header record r (just read), matched
 * ignoring case and surrounding spaces, in any order (csv_header_match);
 * -EINVAL with "FILE:1: no column 'x'" (or "column 'x' given twice") in err. */
int csv_columns(struct csv_reader *r, const char *const *names, int *idx,
		char *err, size_t errlen);
/* Append "FILE:LINE: column(s) ignored: 'x', ..." to notes (a line of its
 * own) when r's header has columns that none of the nnames matched. */
void csv_extra_note(struct csv_reader *r, const int *idx, size_t nnames,
		    char *notes, size_t noteslen);


#endif
