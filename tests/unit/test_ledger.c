/* test_ledger.c - the ledger's field parsers: ids, currencies, ISO 8601
 * times with offsets, integers and enums, as untrusted input. */
#include <string.h>

#include "../../tools/billing/ledger.h"
#include "../../tools/billing/time.h"
#include "check.h"

int main(void)
{
	int64_t t = 0, v = 0;

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

	CHECK(field_ts("2026-10-01T00:00:00Z", &t) && t == 1790812800 * TIME_US);
	CHECK(field_ts("2026-10-01T08:00:00+08:00", &t) && t == 1790812800 * TIME_US);
	CHECK(field_ts("2026-09-30T19:00:00-05:00", &t) && t == 1790812800 * TIME_US);
	CHECK(field_ts("2026-10-01 00:00:00Z", &t) && t == 1790812800 * TIME_US);
	CHECK(!field_ts("2026-10-01T00:00:00", &t));
	CHECK(!field_ts("2026-10-01T24:00:00Z", &t));
	CHECK(!field_ts("2026-02-29T00:00:00Z", &t));
	CHECK(field_ts("2026-10-01T08:00:00+0800", &t) && t == 1790812800 * TIME_US);
	CHECK(field_ts("2026-10-01T00:00:00.5z", &t) && t == 1790812800 * TIME_US + 500000);
	CHECK(!field_ts("2026-10-01T00:00:00Zjunk", &t));

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
