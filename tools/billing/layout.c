/* layout.c - the table of every generated CSV layout (docs/formats.md §3-§5) and
 * how a file name picks one. */
#include <stdbool.h>
#include <string.h>

#include "layout.h"

#define N(a) (sizeof(a) / sizeof(*(a)))

/* ---- usage (§3) ---- */

#define USAGE_HEAD { "record_id", CELL_ID }, { "org_id", CELL_ID }, \
	{ "org_name", CELL_TEXT }, { "wallet_id", CELL_ID }
#define USAGE_TAIL { "price", CELL_MONEY }, { "cost", CELL_MONEY }, \
	{ "currency", CELL_CCY }

static const struct layout_col call_cols[] = {
	USAGE_HEAD,
	{ "txn_id", CELL_ID }, { "leg_id", CELL_ID }, { "direction", CELL_ENUM },
	{ "start_time", CELL_TS }, { "answer_time", CELL_TS },
	{ "end_time", CELL_TS }, { "duration_s", CELL_INT },
	{ "talk_s", CELL_INT }, { "billable_s", CELL_INT },
	{ "caller", CELL_TEXT }, { "callee", CELL_TEXT },
	{ "status", CELL_ENUM }, { "dest_country", CELL_ENUM },
	{ "rate_per_min", CELL_MONEY },
	USAGE_TAIL,
};

static const struct layout_col sms_cols[] = {
	USAGE_HEAD,
	{ "direction", CELL_ENUM }, { "submit_time", CELL_TS },
	{ "sender", CELL_TEXT }, { "recipient", CELL_TEXT },
	{ "dest_country", CELL_ENUM }, { "encoding", CELL_ENUM },
	{ "segments", CELL_INT }, { "status", CELL_ENUM },
	{ "rate_per_segment", CELL_MONEY },
	USAGE_TAIL,
};

static const struct layout_col fax_cols[] = {
	USAGE_HEAD,
	{ "direction", CELL_ENUM }, { "start_time", CELL_TS },
	{ "end_time", CELL_TS }, { "duration_s", CELL_INT },
	{ "sender", CELL_TEXT }, { "recipient", CELL_TEXT },
	{ "dest_country", CELL_ENUM }, { "pages", CELL_INT },
	{ "status", CELL_ENUM }, { "rate_per_page", CELL_MONEY },
	USAGE_TAIL,
};

static const struct layout_col dnc_cols[] = {
	USAGE_HEAD,
	{ "check_time", CELL_TS }, { "batch_id", CELL_ID },
	{ "channel", CELL_ENUM }, { "number", CELL_TEXT },
	{ "result", CELL_ENUM }, { "valid_until", CELL_DATE },
	USAGE_TAIL,
};

/* ---- revenue (§4) ---- */

static const struct layout_col wallet_cols[] = {
	{ "line_no", CELL_INT }, { "posted_at", CELL_TS },
	{ "entry_type", CELL_ENUM }, { "reference", CELL_ID },
	{ "description", CELL_TEXT }, { "debit", CELL_MONEY },
	{ "credit", CELL_MONEY }, { "balance", CELL_MONEY },
	{ "currency", CELL_CCY },
};

static const struct layout_col rev_invoice_cols[] = {
	{ "wallet_id", CELL_ID }, { "org_id", CELL_ID }, { "org_name", CELL_TEXT },
	{ "transaction_type", CELL_ENUM }, { "quantity", CELL_INT },
	{ "revenue", CELL_MONEY }, { "tax", CELL_MONEY },
	{ "revenue_incl_tax", CELL_MONEY }, { "currency", CELL_CCY },
};

static const struct layout_col cost_invoice_cols[] = {
	{ "wallet_id", CELL_ID }, { "transaction_type", CELL_ENUM },
	{ "quantity", CELL_INT }, { "cost", CELL_MONEY }, { "currency", CELL_CCY },
};

static const struct layout_col breakdown_cols[] = {
	{ "wallet_id", CELL_ID }, { "org_id", CELL_ID }, { "org_name", CELL_TEXT },
	{ "integration_code", CELL_TEXT }, { "transaction_type", CELL_ENUM },
	{ "product_sku", CELL_ID }, { "quantity", CELL_INT },
	{ "cost", CELL_MONEY }, { "currency", CELL_CCY },
};

static const struct layout_col product_cols[] = {
	{ "product_sku", CELL_ID }, { "product_name", CELL_TEXT },
	{ "transaction_type", CELL_ENUM }, { "unit", CELL_ENUM },
	{ "quantity", CELL_INT }, { "revenue", CELL_MONEY },
	{ "cost", CELL_MONEY }, { "margin", CELL_MONEY }, { "currency", CELL_CCY },
};

static const struct layout_col date_cols[] = {
	{ "date", CELL_DATE }, { "revenue", CELL_MONEY }, { "cost", CELL_MONEY },
	{ "margin", CELL_MONEY }, { "currency", CELL_CCY },
};

static const struct layout_col topup_cols[] = {
	{ "topup_id", CELL_ID }, { "posted_at", CELL_TS }, { "org_id", CELL_ID },
	{ "org_name", CELL_TEXT }, { "wallet_id", CELL_ID },
	{ "entry_type", CELL_ENUM }, { "channel", CELL_TEXT },
	{ "payment_reference", CELL_TEXT }, { "amount", CELL_MONEY },
	{ "currency", CELL_CCY },
};

static const struct layout_col customer_cols[] = {
	{ "org_id", CELL_ID }, { "org_name", CELL_TEXT }, { "wallet_id", CELL_ID },
	{ "revenue", CELL_MONEY }, { "cost", CELL_MONEY }, { "margin", CELL_MONEY },
	{ "topups", CELL_MONEY }, { "currency", CELL_CCY },
};

static const struct layout_col customer_product_cols[] = {
	{ "org_id", CELL_ID }, { "org_name", CELL_TEXT }, { "wallet_id", CELL_ID },
	{ "product_sku", CELL_ID }, { "product_name", CELL_TEXT },
	{ "transaction_type", CELL_ENUM }, { "unit", CELL_ENUM },
	{ "quantity", CELL_INT }, { "revenue", CELL_MONEY },
	{ "cost", CELL_MONEY }, { "margin", CELL_MONEY }, { "currency", CELL_CCY },
};

static const struct layout_col customer_list_cols[] = {
	{ "org_id", CELL_ID }, { "org_name", CELL_TEXT }, { "wallet_id", CELL_ID },
	{ "payment_mode", CELL_ENUM }, { "opening_balance", CELL_MONEY },
	{ "closing_balance", CELL_MONEY }, { "balance_as_of", CELL_TS },
	{ "currency", CELL_CCY },
};

/* ---- reports (§5) ---- */

static const struct layout_col subscription_cols[] = {
	{ "period", CELL_TEXT }, { "org_id", CELL_ID }, { "org_name", CELL_TEXT },
	{ "wallet_id", CELL_ID }, { "subscription_id", CELL_ID },
	{ "product_sku", CELL_ID }, { "product_name", CELL_TEXT },
	{ "status", CELL_ENUM }, { "cycle_months", CELL_INT },
	{ "cycle_start", CELL_DATE }, { "cycle_end", CELL_DATE },
	{ "unit", CELL_ENUM }, { "quantity_start", CELL_INT },
	{ "quantity_end", CELL_INT }, { "quantity_billed", CELL_INT },
	{ "charged_in_period", CELL_BOOL }, { "unit_price", CELL_MONEY },
	{ "amount", CELL_MONEY }, { "cost", CELL_MONEY }, { "currency", CELL_CCY },
};

#define LAYOUT(n, c) { n, c, N(c) }

/* Usage files first: only they have supplements. */
static const struct layout layouts[] = {
	LAYOUT("call", call_cols),
	LAYOUT("sms", sms_cols),
	LAYOUT("fax", fax_cols),
	LAYOUT("dnc", dnc_cols),
	LAYOUT("revenue-invoice-summary", rev_invoice_cols),
	LAYOUT("cost-invoice-summary", cost_invoice_cols),
	LAYOUT("monthly-invoice-cost-breakdown", breakdown_cols),
	LAYOUT("product-summary", product_cols),
	LAYOUT("date-summary", date_cols),
	LAYOUT("customer-topups", topup_cols),
	LAYOUT("customer-summary", customer_cols),
	LAYOUT("customer-product-summary", customer_product_cols),
	LAYOUT("customer-list", customer_list_cols),
	LAYOUT("subscription-billing", subscription_cols),
	LAYOUT("wallet", wallet_cols), /* last: its name goes on with the wallet id */
};
#define N_USAGE 4
#define WALLET (N(layouts) - 1)

static bool is_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* Does s start with "-YYYY-MM-"? */
static bool is_period_dash(const char *s)
{
	return s[0] == '-' && is_digits(s + 1, 4) && s[5] == '-' &&
	       is_digits(s + 6, 2) && s[8] == '-';
}

static bool is_id(const char *s, size_t n)
{
	if (n < 1 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "0123456789._:-", s[i]))
			return false;
	return true;
}

/* The layout whose name is exactly rest[0..n), or NULL. */
static const struct layout *layout_of_rest(const char *rest, size_t n)
{
	static const char supplement[] = "-supplement-";
	const size_t sl = sizeof(supplement) - 1;

	for (size_t i = 0; i < WALLET; i++) {
		size_t ln = strlen(layouts[i].name);

		if (n < ln || strncmp(rest, layouts[i].name, ln) != 0)
			continue;
		if (n == ln)
			return &layouts[i];
		if (i < N_USAGE && n == ln + sl + 2 &&
		    !strncmp(rest + ln, supplement, sl) &&
		    is_digits(rest + ln + sl, 2) && strncmp(rest + ln + sl, "00", 2) != 0)
			return &layouts[i];
	}
	if (n > 7 && !strncmp(rest, "wallet-", 7) && is_id(rest + 7, n - 7))
		return &layouts[WALLET];
	return NULL;
}

const struct layout *layout_of_name(const char *name)
{
	size_t n = strlen(name);
	bool rev = false;

	if (n < 4 || strcmp(name + n - 4, ".csv") != 0)
		return NULL;
	n -= 4;
	if (n > 8 && !strncmp(name + n - 8, "-part", 5) && is_digits(name + n - 3, 3))
		n -= 8;
	/* a revision of a revenue or report file (docs/formats.md §4) */
	if (n > 6 && !strncmp(name + n - 6, "-rev", 4) && is_digits(name + n - 2, 2) &&
	    strncmp(name + n - 2, "00", 2) != 0) {
		n -= 6;
		rev = true;
	}
	/* DOMAIN-YYYY-MM-REST: the domain is not empty and has no such part */
	for (size_t i = 1; i + 9 < n; i++) {
		const struct layout *l;

		if (!is_period_dash(name + i))
			continue;
		l = layout_of_rest(name + i + 9, n - i - 9);
		if (l)
			return rev && l < layouts + N_USAGE ? NULL : l;
	}
	return NULL;
}

enum cell_type layout_col_type(const struct layout *l, const char *name)
{
	for (size_t i = 0; i < l->ncols; i++)
		if (!strcmp(l->cols[i].name, name))
			return l->cols[i].type;
	return CELL_TEXT;
}
