/* test_usage_record.c - ISO-8601 times to UTC, months, and the record
 * checks of fmctl usage. */
#include <string.h>

#include "../../tools/billing/usage_record.h"
#include "check.h"

static int64_t t(const char *s)
{
	int64_t v = -1;

	return usage_time_parse(s, &v) ? v : -1;
}

static const char *month(const char *s)
{
	static char m[8];

	usage_month_name(usage_month_of(t(s)), m);
	return m;
}

int main(void)
{
	CHECK(t("1970-01-01T00:00:00Z") == 0);
	CHECK(t("2026-10-31T23:59:59Z") == 1793491199);
	CHECK(t("2026-11-01T07:59:59+08:00") == 1793491199);
	CHECK(t("2026-11-01T07:59:59+0800") == 1793491199);
	CHECK(t("2026-11-01T07:59:59+08") == 1793491199);
	CHECK(t("2026-10-31T18:29:59-05:30") == 1793491199);
	CHECK(t("2028-02-29T12:00:00Z") > 0);
	CHECK(t("2026-02-29T12:00:00Z") == -1);
	CHECK(t("2100-02-29T00:00:00Z") == -1);
	CHECK(t("2000-02-29T00:00:00Z") > 0);
	CHECK(t("2026-10-31T23:59:60Z") == -1);
	CHECK(t("2026-10-31T24:00:00Z") == -1);
	CHECK(t("2026-10-31T23:59:59") == -1);
	CHECK(t("2026-10-31 23:59:59Z") == -1);
	CHECK(t("2026-10-31T23:59:59.5Z") == -1);
	CHECK(t("2026-10-31T23:59:59z") == -1);
	CHECK(t("2026-10-31T23:59:59+8:00") == -1);
	CHECK(t("2026-10-31T23:59:59+08:") == -1);
	CHECK(t("2026-10-31T23:59:59+24:00") == -1);
	CHECK(t("2026-10-31T23:59:59Z ") == -1);
	CHECK(t("1969-12-31T23:59:59Z") == -1);
	CHECK(t("1970-01-01T00:59:59+01:00") == -1);
	CHECK(t("") == -1);

	CHECK(!strcmp(month("2026-10-31T23:59:59Z"), "2026-10"));
	CHECK(!strcmp(month("2026-11-01T07:59:59+08:00"), "2026-10"));
	CHECK(!strcmp(month("2026-11-01T00:00:00Z"), "2026-11"));
	CHECK(!strcmp(month("2027-01-01T00:59:59+01:00"), "2026-12"));
	CHECK(!strcmp(month("2028-02-29T23:59:59Z"), "2028-02"));
	CHECK(!strcmp(month("2028-03-01T00:00:00Z"), "2028-03"));
	CHECK(usage_month_start(usage_month_of(t("2026-12-15T00:00:00Z")) + 1) ==
	      t("2027-01-01T00:00:00Z"));
	CHECK(usage_month_start(usage_month_of(t("2028-02-10T00:00:00Z")) + 1) ==
	      t("2028-03-01T00:00:00Z"));

	CHECK(usage_type_parse("call") == USAGE_CALL);
	CHECK(usage_type_parse("dnc") == USAGE_DNC);
	CHECK(usage_type_parse("mms") == -1);
	return check_done("test_usage_record");
}
