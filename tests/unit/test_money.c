/* test_money.c - money_t parsing, formatting and checked arithmetic. */
#include <string.h>

#include "../../tools/billing/money.h"
#include "check.h"

static const char *fmt(money_t v)
{
	static char buf[MONEY_STR];

	return money_format(v, buf);
}

static bool parses(const char *s, money_t want)
{
	money_t v = 12345;

	return money_parse(s, &v) && v == want;
}

static bool refused(const char *s)
{
	money_t v = 777;

	return !money_parse(s, &v) && v == 777;
}

int main(void)
{
	money_t v;

	/* parsing */
	CHECK(parses("0", 0));
	CHECK(parses("-0", 0));
	CHECK(parses("-0.000000", 0));
	CHECK(parses("1", 1000000));
	CHECK(parses("1.5", 1500000));
	CHECK(parses("0.000001", 1));
	CHECK(parses("-0.000001", -1));
	CHECK(parses("12.345678", 12345678));
	CHECK(parses("999999999.999999", INT64_C(999999999999999)));
	CHECK(parses("9223372036854.775807", MONEY_MAX));
	CHECK(parses("-9223372036854.775807", -MONEY_MAX));
	CHECK(refused("9223372036854.775808"));
	CHECK(refused("-9223372036854.775808"));
	CHECK(parses("-999999999.999999", -INT64_C(999999999999999)));
	CHECK(parses("1000000000", INT64_C(1000000000000000)));
	CHECK(parses("1000000000.000000", INT64_C(1000000000000000)));
	CHECK(refused("99999999999999999999999"));
	CHECK(refused("0.0000001"));
	CHECK(refused("1.2345678"));
	CHECK(refused(""));
	CHECK(refused("-"));
	CHECK(refused("."));
	CHECK(refused("1."));
	CHECK(refused(".5"));
	CHECK(refused("+1"));
	CHECK(refused("01"));
	CHECK(refused("1,000.00"));
	CHECK(refused("1e3"));
	CHECK(refused(" 1"));
	CHECK(refused("1 "));
	CHECK(refused("1.0x"));
	CHECK(refused("NaN"));
	CHECK(refused("--1"));
	CHECK(!money_parse(NULL, &v));

	/* formatting: 6 decimals, never -0.000000 */
	CHECK(!strcmp(fmt(0), "0.000000"));
	CHECK(!strcmp(fmt(-0), "0.000000"));
	CHECK(!strcmp(fmt(1), "0.000001"));
	CHECK(!strcmp(fmt(-1), "-0.000001"));
	CHECK(!strcmp(fmt(1500000), "1.500000"));
	CHECK(!strcmp(fmt(-1500000), "-1.500000"));
	CHECK(!strcmp(fmt(MONEY_MAX), "9223372036854.775807"));
	CHECK(!strcmp(fmt(-MONEY_MAX), "-9223372036854.775807"));
	CHECK(!strcmp(fmt(INT64_MIN), "-9223372036854.775808"));
	CHECK(parses(fmt(-123456789), -123456789));

	/* addition: overflow refused, *out untouched */
	CHECK(money_add(1, 2, &v) && v == 3);
	CHECK(money_add(MONEY_MAX, 0, &v) && v == MONEY_MAX);
	v = 9;
	CHECK(!money_add(MONEY_MAX, 1, &v) && v == 9);
	CHECK(!money_add(-MONEY_MAX, -1, &v) && v == 9);
	CHECK(!money_add(INT64_MAX, INT64_MAX, &v) && v == 9);
	CHECK(money_add(-5, 5, &v) && v == 0 && !strcmp(fmt(v), "0.000000"));

	/* multiplication by a quantity */
	CHECK(money_mul_int(1500000, 3, &v) && v == 4500000);
	CHECK(money_mul_int(-1500000, 3, &v) && v == -4500000);
	CHECK(money_mul_int(-1500000, 0, &v) && v == 0 && !strcmp(fmt(v), "0.000000"));
	v = 9;
	CHECK(!money_mul_int(MONEY_MAX, 2, &v) && v == 9);
	CHECK(!money_mul_int(INT64_MAX, INT64_MAX, &v) && v == 9);

	/* v × num / den, rounding half away from zero */
	CHECK(money_mul_div(1000000, 1, 3, &v) && v == 333333);
	CHECK(money_mul_div(2000000, 1, 3, &v) && v == 666667);
	CHECK(money_mul_div(-2000000, 1, 3, &v) && v == -666667);
	CHECK(money_mul_div(5, 1, 2, &v) && v == 3);        /* 2.5 → 3 */
	CHECK(money_mul_div(-5, 1, 2, &v) && v == -3);      /* -2.5 → -3 */
	CHECK(money_mul_div(5, -1, 2, &v) && v == -3);
	CHECK(money_mul_div(-5, -1, 2, &v) && v == 3);
	CHECK(money_mul_div(7, 1, 4, &v) && v == 2);        /* 1.75 → 2 */
	CHECK(money_mul_div(5, 1, 4, &v) && v == 1);        /* 1.25 → 1 */
	CHECK(money_mul_div(-1, 1, 3, &v) && v == 0 && !strcmp(fmt(v), "0.000000"));
	/* rate per minute × seconds / 60: 0.015 × 61 s */
	CHECK(money_mul_div(15000, 61, 60, &v) && v == 15250);
	/* a large intermediate product that does not fit int64 */
	CHECK(money_mul_div(MONEY_MAX, INT64_C(1000000000), INT64_C(1000000000), &v) &&
	      v == MONEY_MAX);
	v = 9;
	CHECK(!money_mul_div(1, 1, 0, &v) && v == 9);
	CHECK(!money_mul_div(MONEY_MAX, 2, 1, &v) && v == 9);
	return check_done("test_money");
}
