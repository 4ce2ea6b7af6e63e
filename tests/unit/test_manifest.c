/* test_manifest.c - the ingest manifest line parser. */
#include <string.h>

#include "../../tools/fmctl/manifest.h"
#include "check.h"

int main(void)
{
	struct manifest_row r;
	const char *why = NULL;
	char l1[] = "a.pdf\tacme.example\tinvoice\tincoming\t2026-10\t2026-11-01\tA.pdf";
	char l2[] = "b.csv\tacme.example\tusage\t-\t2026-10";
	char l3[] = "# comment";
	char l4[] = "";
	char l5[] = "a\tb\tc";
	char l6[] = "a\tb\tc\td\te\tf\tg\th";
	char l7[] = MANIFEST_HEADER;
	char l8[] = "c.csv\tacme.example\tusage\t\t2026-10\t\t\r";
	char l9[] = "\tacme.example\tusage\t\t2026-10";

	CHECK(manifest_parse_line(l1, &r, &why));
	CHECK(!strcmp(r.path, "a.pdf") && !strcmp(r.org, "acme.example") &&
	      !strcmp(r.kind, "invoice") && !strcmp(r.direction, "incoming") &&
	      !strcmp(r.period, "2026-10") && !strcmp(r.date, "2026-11-01") &&
	      !strcmp(r.name, "A.pdf"));
	CHECK(manifest_parse_line(l2, &r, &why) && r.direction == NULL && r.date == NULL &&
	      r.name == NULL);
	CHECK(manifest_parse_line(l3, &r, &why) && r.path == NULL);
	CHECK(manifest_parse_line(l4, &r, &why) && r.path == NULL);
	CHECK(!manifest_parse_line(l5, &r, &why) && strstr(why, "expected"));
	CHECK(!manifest_parse_line(l6, &r, &why) && strstr(why, "more than 7"));
	CHECK(manifest_parse_line(l7, &r, &why) && r.path == NULL);
	CHECK(manifest_parse_line(l8, &r, &why) && r.direction == NULL && r.name == NULL &&
	      !strcmp(r.period, "2026-10"));
	CHECK(!manifest_parse_line(l9, &r, &why) && strstr(why, "empty path"));
	return check_done("test_manifest");
}
