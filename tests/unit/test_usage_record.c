/* test_usage_record.c - the UTC month of a record's time, and the usage
 * type names (the times themselves: test_time.c). */
#include <string.h>

#include "../../tools/billing/time.h"
#include "../../tools/billing/usage_record.h"
#include "check.h"

static int64_t t(const char *s)
{
	int64_t v = -1;

	return time_parse(s, &v, NULL, NULL, 0) == 0 ? v / TIME_US : -1;
}

static const char *month(const char *s)
{
	static char m[8];

	usage_month_name(usage_month_of(t(s)), m);
	return m;
}

int main(void)
{
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
