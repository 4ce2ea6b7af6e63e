/* test_name.c - name, org, period and date validation, NFC normalisation. */
#include <string.h>

#include "../../catalog/catalog.h"
#include "check.h"

int main(void)
{
	char long_name[300], out[FM_NAME_MAX + 1];
	int year = 0, month = 0;
	int64_t t = 0;

	CHECK(name_is_valid("INV-2026-10-0001.pdf"));
	CHECK(name_is_valid("Überweisung März.pdf"));
	CHECK(name_is_valid("with space.csv"));
	CHECK(!name_is_valid(""));
	CHECK(!name_is_valid("."));
	CHECK(!name_is_valid(".."));
	CHECK(name_is_valid("..."));
	CHECK(!name_is_valid("a/b"));
	CHECK(!name_is_valid("tab\there"));
	CHECK(!name_is_valid("new\nline"));
	CHECK(!name_is_valid("del\x7f"));
	CHECK(!name_is_valid("c1\xc2\x85"));           /* U+0085, a C1 control */
	CHECK(!name_is_valid("bad\xff utf8"));
	CHECK(!name_is_valid("overlong \xc0\xaf"));   /* overlong '/' */
	CHECK(!name_is_valid("surrogate \xed\xa0\x80"));
	/* names that show as other names (Unicode categories Cf, Zl, Zp) */
	CHECK(!name_is_valid("invoice\xe2\x80\xae" "fdp.exe"));  /* U+202E RLO */
	CHECK(!name_is_valid("a\xe2\x81\xa6" "b.pdf"));          /* U+2066 LRI */
	CHECK(!name_is_valid("zero\xe2\x80\x8b" "width.pdf"));   /* U+200B ZWSP */
	CHECK(!name_is_valid("\xef\xbb\xbf" "bom.pdf"));         /* U+FEFF BOM */
	CHECK(!name_is_valid("line\xe2\x80\xa8sep.pdf"));     /* U+2028 */
	CHECK(!name_is_valid("para\xe2\x80\xa9sep.pdf"));     /* U+2029 */
	CHECK(name_is_valid("no\xc2\xa0" "break.pdf"));           /* U+00A0: a space */
	CHECK(name_is_valid("\xd9\x81\xd8\xa7\xd8\xaa\xd9\x88\xd8\xb1\xd8\xa9.pdf")); /* Arabic */
	memset(long_name, 'a', 255);
	long_name[255] = 0;
	CHECK(name_is_valid(long_name));
	long_name[255] = 'a';
	long_name[256] = 0;
	CHECK(!name_is_valid(long_name));
	CHECK(!strcmp(name_invalid_reason("a/b"), "name contains '/'"));

	/* NFC: "e" + combining acute becomes the precomposed é */
	CHECK(name_normalize("caf\x65\xcc\x81.pdf", out) == 0);
	CHECK(!strcmp(out, "caf\xc3\xa9.pdf"));
	CHECK(name_normalize("caf\xc3\xa9.pdf", out) == 0);
	CHECK(!strcmp(out, "caf\xc3\xa9.pdf"));
	CHECK(name_normalize("a/b", out) < 0);

	CHECK(org_is_valid("acme.example"));
	CHECK(org_is_valid("a-1.example"));
	CHECK(!org_is_valid("Acme.example"));
	CHECK(!org_is_valid(""));
	CHECK(!org_is_valid("../etc"));
	CHECK(!org_is_valid(".hidden"));
	CHECK(!org_is_valid("a..b"));
	CHECK(!org_is_valid("a b"));

	CHECK(period_parse("2026-10", &year, &month) && year == 2026 && month == 10);
	CHECK(!period_parse("2026-13", &year, &month));
	CHECK(!period_parse("2026-00", &year, &month));
	CHECK(!period_parse("2026-1", &year, &month));
	CHECK(!period_parse("2026-10-01", &year, &month));
	CHECK(!period_parse("1969-12", &year, &month));
	CHECK(!period_parse("20x6-10", &year, &month));

	CHECK(date_parse("2026-11-01", &t) && t == 1793491200);
	CHECK(date_parse("2028-02-29", &t));
	CHECK(!date_parse("2026-02-29", &t));
	CHECK(!date_parse("2100-02-29", &t));
	CHECK(date_parse("2000-02-29", &t));
	CHECK(!date_parse("2026-04-31", &t));
	CHECK(!date_parse("2026-11-1", &t));
	return check_done("test_name");
}
