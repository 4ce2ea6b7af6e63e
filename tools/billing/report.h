/* report.h - the subscription-billing report (docs/formats.md §5, report.c):
 * subscriptions.csv of the ledger export read and checked, reconciled with
 * the ledger's subscription transactions (I8), written as the report CSV.
 * The money comes from the platform: the report checks it, never computes
 * it. Every function returns 0 or -errno with a one-line reason in err. */
#ifndef FMFS_REPORT_H
#define FMFS_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "ledger.h"

struct subscription {
	char org_id[ID_MAX + 1], wallet_id[ID_MAX + 1], id[ID_MAX + 1];
	char sku[ID_MAX + 1], currency[4];
	char *org_name, *product_name;
	int status, unit;
	int64_t cycle_months, cycle_start, cycle_end; /* dates: seconds UTC */
	int64_t qty_start, qty_end, qty_billed;
	money_t unit_price, amount, cost;
	uint64_t line; /* of subscriptions.csv */
};

struct report {
	struct subscription *v; /* active in the period, by org, wallet, id */
	size_t n, cap;
	char notes[512]; /* subscriptions.csv's ignored columns, or "" */
};

/* Read dir/subscriptions.csv for period [start, end): every row checked
 * (FILE:LINE: why), wallets and currencies against l's customers; the rows
 * of subscriptions active at any time in the period kept, sorted. Release
 * with report_release (also after an error). */
int report_read(struct report *r, const struct ledger *l, const char *dir,
		const char *period, int64_t start, int64_t end, char *err,
		size_t errlen);
/* I8: per org and currency, the report's amounts sum to the price of the
 * ledger's subscription transactions. */
int report_reconcile(const struct report *r, const struct ledger *l, char *err,
		     size_t errlen);
/* Write the report CSV for period to out. */
int report_write(const struct report *r, FILE *out, const char *period,
		 char *err, size_t errlen);
void report_release(struct report *r);

#endif
