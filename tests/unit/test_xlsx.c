/* test_xlsx.c - which file names are known layouts (layout.c), the column
 * types by header name, and xlsx_from_csv's errors and determinism (the
 * cells themselves are checked with openpyxl and LibreOffice in 07xx). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../tools/billing/xlsx.h"
#include "check.h"

static const char *layout(const char *name)
{
	const struct layout *l = layout_of_name(name);

	return l ? l->name : "-";
}

static void test_names(void)
{
	CHECK(!strcmp(layout("acme.example-2026-10-call.csv"), "call"));
	CHECK(!strcmp(layout("acme.example-2026-10-sms-part002.csv"), "sms"));
	CHECK(!strcmp(layout("acme.example-2026-10-fax-supplement-01.csv"), "fax"));
	CHECK(!strcmp(layout("acme.example-2026-10-dnc-supplement-02-part001.csv"), "dnc"));
	CHECK(!strcmp(layout("a-b.example-2026-10-wallet-PW-1.csv"), "wallet"));
	CHECK(!strcmp(layout("acme.example-2026-10-product-summary.csv"), "product-summary"));
	CHECK(!strcmp(layout("acme.example-2026-10-customer-product-summary.csv"),
		      "customer-product-summary"));
	CHECK(!strcmp(layout("acme.example-2026-10-customer-product-summary-part003.csv"),
		      "customer-product-summary"));
	CHECK(!strcmp(layout("acme.example-2026-10-subscription-billing.csv"),
		      "subscription-billing"));
	CHECK(!strcmp(layout("acme-2026-09.example-2026-10-date-summary.csv"), "date-summary"));
	CHECK(!strcmp(layout("acme.example-2026-10-subscription-billing-rev02.csv"),
		      "subscription-billing"));
	CHECK(!strcmp(layout("acme.example-2026-10-cost-invoice-summary-rev03-part001.csv"),
		      "cost-invoice-summary"));
	/* not a layout */
	CHECK(!strcmp(layout("acme.example-2026-10-call-rev02.csv"), "-"));
	CHECK(!strcmp(layout("acme.example-2026-10-date-summary-rev00.csv"), "-"));
	CHECK(!strcmp(layout("acme.example-2026-10-call.xlsx"), "-"));
	CHECK(!strcmp(layout("acme.example-2026-10-calls.csv"), "-"));
	CHECK(!strcmp(layout("-2026-10-call.csv"), "-"));
	CHECK(!strcmp(layout("acme.example-2026-10-call-supplement-00.csv"), "-"));
	CHECK(!strcmp(layout("acme.example-2026-10-date-summary-supplement-01.csv"), "-"));
	CHECK(!strcmp(layout("acme.example-2026-10-wallet-.csv"), "-"));
	CHECK(!strcmp(layout("acme.example-2026-10-wallet-a/b.csv"), "-"));
	CHECK(!strcmp(layout("acme.example-2026-call.csv"), "-"));
	CHECK(!strcmp(layout("notes.csv"), "-"));
	CHECK(!strcmp(layout(".csv"), "-"));
}

static void test_types(void)
{
	const struct layout *l = layout_of_name("a.example-2026-10-call.csv");

	CHECK(layout_col_type(l, "record_id") == CELL_ID);
	CHECK(layout_col_type(l, "caller") == CELL_TEXT);
	CHECK(layout_col_type(l, "answer_time") == CELL_TS);
	CHECK(layout_col_type(l, "talk_s") == CELL_INT);
	CHECK(layout_col_type(l, "price") == CELL_MONEY);
	CHECK(layout_col_type(l, "currency") == CELL_CCY);
	CHECK(layout_col_type(l, "no_such_column") == CELL_TEXT);
	l = layout_of_name("a.example-2026-10-subscription-billing.csv");
	CHECK(layout_col_type(l, "charged_in_period") == CELL_BOOL);
	CHECK(layout_col_type(l, "cycle_end") == CELL_DATE);
	CHECK(l->ncols == 20);
}

/* Convert csv (its bytes) to the file out; returns the rc, why in why. */
static int convert(const char *csv, size_t len, const char *out, char *why)
{
	FILE *in = fmemopen((void *)csv, len, "r");
	int rc = xlsx_from_csv(in, layout_of_name("a.example-2026-10-dnc.csv"), out,
			       check_tmpdir(), why, 256);

	fclose(in);
	return rc;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;

	*len = 0;
	if (!f)
		return NULL;
	buf = malloc(1 << 20);
	if (buf)
		*len = fread(buf, 1, 1 << 20, f);
	fclose(f);
	return buf;
}

static void test_convert(void)
{
	static const char good[] = "\xef\xbb\xbfrecord_id,check_time,price\r\n"
				   "r1,2026-10-01T00:00:00Z,0.001000\r\n";
	char a[4096], b[4096], why[256];
	char *x, *y, *big;
	size_t xl, yl;

	snprintf(a, sizeof(a), "%s/a.xlsx", check_tmpdir());
	snprintf(b, sizeof(b), "%s/b.xlsx", check_tmpdir());
	CHECK(convert(good, sizeof(good) - 1, a, why) == 0);
	setenv("TZ", "Asia/Singapore", 1);
	CHECK(convert(good, sizeof(good) - 1, b, why) == 0);
	x = slurp(a, &xl);
	y = slurp(b, &yl);
	CHECK(x && y && xl > 0 && xl == yl && !memcmp(x, y, xl));
	free(x);
	free(y);

	CHECK(convert("r\r\n\"x\r\n", 7, a, why) == -EINVAL);
	CHECK(!strcmp(why, "line 2: unterminated quote"));
	CHECK(convert("a\r\nb\xff\r\n", 7, a, why) == -EINVAL);
	CHECK(strstr(why, "invalid UTF-8") != NULL);

	/* a cell longer than a sheet's cell holds */
	big = malloc(40000);
	memcpy(big, "a\r\n", 3);
	memset(big + 3, 'x', 32768);
	memcpy(big + 3 + 32768, "\r\n", 2);
	CHECK(convert(big, 3 + 32768 + 2, a, why) == -EFBIG);
	CHECK(strstr(why, "row 2, column 1: a cell holds at most 32767") != NULL);
	free(big);
	unlink(a);
	unlink(b);
}

int main(void)
{
	test_names();
	test_types();
	test_convert();
	return check_done("test_xlsx");
}
