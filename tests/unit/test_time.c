/* test_time.c - the one ISO-8601 input parser (every form docs/formats.md §1
 * allows, and what it refuses), the UTC ts and date formatters. */
#include <errno.h>
#include <string.h>

#include "../../tools/billing/time.h"
#include "check.h"

/* Seconds of s, or -1 if refused. */
static int64_t t(const char *s)
{
	int64_t v = -1;

	return time_parse(s, &v, NULL, NULL, 0) == 0 ? v / TIME_US : -1;
}

/* s parsed and formatted again, or "refused". */
static const char *norm(const char *s)
{
	static char out[TIME_STR];
	int64_t v;

	return time_parse(s, &v, NULL, NULL, 0) == 0 ? time_format(v, out) : "refused";
}

static int offset(const char *s)
{
	int64_t v;
	int off = -99999;

	time_parse(s, &v, &off, NULL, 0);
	return off;
}

int main(void)
{
	char why[128], d[DATE_STR];
	int64_t v;

	CHECK(t("1970-01-01T00:00:00Z") == 0);
	CHECK(t("2026-10-31T23:59:59Z") == 1793491199);
	CHECK(t("2026-11-01T07:59:59+08:00") == 1793491199);
	CHECK(t("2026-11-01T07:59:59+0800") == 1793491199);
	CHECK(t("2026-11-01T07:59:59+08") == 1793491199);
	CHECK(t("2026-10-31T18:29:59-05:30") == 1793491199);
	CHECK(t("2026-10-31T23:59:59z") == 1793491199);
	CHECK(t("2026-10-31 23:59:59Z") == 1793491199);
	CHECK(t("2026-11-01 07:59:59+0800") == 1793491199);
	CHECK(t("2028-02-29T12:00:00Z") > 0);
	CHECK(t("2000-02-29T00:00:00Z") > 0);
	CHECK(t("9999-12-31T23:59:59Z") > 0);

	/* refused: no offset, dates and times that do not exist, bad forms */
	CHECK(t("2026-10-31T23:59:59") == -1);
	CHECK(t("2026-10-31 23:59:59.250") == -1);
	CHECK(t("2026-02-29T12:00:00Z") == -1);
	CHECK(t("2100-02-29T00:00:00Z") == -1);
	CHECK(t("2026-04-31T00:00:00Z") == -1);
	CHECK(t("2026-10-31T23:59:60Z") == -1);
	CHECK(t("2026-10-31T24:00:00Z") == -1);
	CHECK(t("2026-10-31t23:59:59Z") == -1);
	CHECK(t("2026-10-31T23:59:59+8:00") == -1);
	CHECK(t("2026-10-31T23:59:59+08:") == -1);
	CHECK(t("2026-10-31T23:59:59+08:0") == -1);
	CHECK(t("2026-10-31T23:59:59+080") == -1);
	CHECK(t("2026-10-31T23:59:59+24:00") == -1);
	CHECK(t("2026-10-31T23:59:59+08:60") == -1);
	CHECK(t("2026-10-31T23:59:59Z ") == -1);
	CHECK(t("2026-10-31T23:59:59ZZ") == -1);
	CHECK(t("2026-10-31T23:59:59.Z") == -1);
	CHECK(t("2026-10-31T23:59:59.1234567890Z") == -1);
	CHECK(t("2026-10-31T23:59:59,5Z") == -1);
	CHECK(t("1969-12-31T23:59:59Z") == -1);
	CHECK(t("1970-01-01T00:59:59+01:00") == -1);
	CHECK(t("2026-10-31") == -1);
	CHECK(t("") == -1);
	CHECK(time_parse("2026-10-31T23:59:59", &v, NULL, why, sizeof(why)) == -EINVAL &&
	      strstr(why, "no offset"));
	CHECK(time_parse("2026-02-30T00:00:00Z", &v, NULL, why, sizeof(why)) == -EINVAL &&
	      strstr(why, "not a date that exists"));

	/* fractions: kept to the microsecond, trailing zeros dropped */
	CHECK(!strcmp(norm("2026-10-31T23:59:59Z"), "2026-10-31T23:59:59Z"));
	CHECK(!strcmp(norm("2026-10-31T23:59:59.000Z"), "2026-10-31T23:59:59Z"));
	CHECK(!strcmp(norm("2026-10-31T23:59:59.5Z"), "2026-10-31T23:59:59.5Z"));
	CHECK(!strcmp(norm("2026-10-31T23:59:59.250z"), "2026-10-31T23:59:59.25Z"));
	CHECK(!strcmp(norm("2026-10-31T23:59:59.123456Z"), "2026-10-31T23:59:59.123456Z"));
	CHECK(!strcmp(norm("2026-10-31T23:59:59.123456789Z"), "2026-10-31T23:59:59.123456Z"));
	CHECK(!strcmp(norm("2026-10-31T23:59:59.000000999Z"), "2026-10-31T23:59:59Z"));
	CHECK(!strcmp(norm("2026-11-01 07:30:00.010+0800"), "2026-10-31T23:30:00.01Z"));
	CHECK(!strcmp(norm("2026-11-01T00:15:00.5+01"), "2026-10-31T23:15:00.5Z"));

	/* the offset the export wrote */
	CHECK(offset("2026-11-01T07:59:59+08:00") == 8 * 3600);
	CHECK(offset("2026-11-01T07:59:59-0530") == -(5 * 3600 + 30 * 60));
	CHECK(offset("2026-11-01T07:59:59z") == 0);

	/* dates */
	CHECK(time_date_parse("2026-11-01", &v, NULL, 0) == 0 && v == 1793491200);
	CHECK(time_date_parse("2028-02-29", &v, NULL, 0) == 0);
	CHECK(time_date_parse("2026-02-29", &v, NULL, 0) == -EINVAL);
	CHECK(time_date_parse("2026-11-1", &v, NULL, 0) == -EINVAL);
	CHECK(time_date_parse("2026-11-01T", &v, NULL, 0) == -EINVAL);
	CHECK(!strcmp(time_date_format(1793491199, d), "2026-10-31"));
	CHECK(!strcmp(time_date_format(1793491200, d), "2026-11-01"));
	CHECK(time_days_in_month(2028, 2) == 29 && time_days_in_month(2100, 2) == 28);
	return check_done("test_time");
}
