/* test_fields.c - the field types of docs/formats.md §1: ids, ints, E.164 and
 * the real currency and country lists. */
#include <string.h>

#include "../../tools/billing/fields.h"
#include "check.h"

int main(void)
{
	int64_t v;
	int d;

	CHECK(field_digits("2026x", 4, &d) && d == 2026);
	CHECK(!field_digits("20a6", 4, &d));

	CHECK(field_is_id("CDR-2026-10-000001"));
	CHECK(field_is_id("a.b_c:d-e"));
	CHECK(!field_is_id(""));
	CHECK(!field_is_id("with space"));
	CHECK(!field_is_id("ümlaut"));
	CHECK(field_is_id("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
	CHECK(!field_is_id("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));

	CHECK(field_int("0", &v) && v == 0);
	CHECK(field_int("-42", &v) && v == -42);
	CHECK(field_int("999999999999999999", &v) && v == 999999999999999999);
	CHECK(!field_int("9999999999999999999", &v));
	CHECK(!field_int("", &v) && !field_int("-", &v) && !field_int("1.0", &v));
	CHECK(!field_int("+1", &v) && !field_int(" 1", &v));

	CHECK(field_is_e164("+6561234567"));
	CHECK(field_is_e164("+12"));
	CHECK(!field_is_e164("+1"));
	CHECK(!field_is_e164("+0123"));
	CHECK(!field_is_e164("6561234567"));
	CHECK(!field_is_e164("+1234567890123456"));

	CHECK(field_is_ccy("SGD") && field_is_ccy("IDR") && field_is_ccy("VND"));
	CHECK(field_is_ccy("EUR") && field_is_ccy("USD") && field_is_ccy("XCG"));
	CHECK(!field_is_ccy("ABC"));  /* the pattern, not a currency */
	CHECK(!field_is_ccy("XYZ"));
	CHECK(!field_is_ccy("HRK"));  /* withdrawn 2023 */
	CHECK(!field_is_ccy("XXX"));  /* no currency */
	CHECK(!field_is_ccy("sgd") && !field_is_ccy("SG") && !field_is_ccy("SGDX"));

	CHECK(field_is_country("SG") && field_is_country("US") && field_is_country("XK"));
	CHECK(field_is_country("AD") && field_is_country("ZW"));
	CHECK(!field_is_country("UK"));  /* GB is the code */
	CHECK(!field_is_country("ZZ") && !field_is_country("XX"));
	CHECK(!field_is_country("sg") && !field_is_country("SGP") && !field_is_country(""));

	CHECK(field_enum("b", (const char *const[]){ "a", "b", NULL }) == 1);
	CHECK(field_enum("c", (const char *const[]){ "a", "b", NULL }) == -1);
	return check_done("test_fields");
}
