/* test_csv.c - the CSV writer (bytes exactly as docs/formats.md §1) and the
 * RFC 4180 reader (quotes, CRLF, embedded newlines, bad input). */
#include <stdlib.h>
#include <string.h>

#include "../../tools/billing/csv.h"
#include "check.h"

/* Write one row of text cells and return the bytes after the BOM. */
static char *row_text(const char *s)
{
	static char out[512];
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct csv_writer w;

	csv_writer_init(&w, f);
	csv_text(&w, s);
	csv_end_row(&w);
	fclose(f);
	snprintf(out, sizeof(out), "%s", len >= 3 ? buf + 3 : "");
	free(buf);
	return out;
}

static char *row_plain(const char *s)
{
	static char out[512];
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct csv_writer w;

	csv_writer_init(&w, f);
	csv_plain(&w, s);
	csv_end_row(&w);
	fclose(f);
	snprintf(out, sizeof(out), "%s", buf + 3);
	free(buf);
	return out;
}

static void test_writer(void)
{
	static const char *const hdr[] = { "a", "b", "c", NULL };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct csv_writer w;
	const char *want = "\xEF\xBB\xBF" "a,b,c\r\n"
			   "-5,-1.500000,\r\n"
			   "0.000000,x,\"'=1+2\"\r\n";

	csv_writer_init(&w, f);
	csv_header(&w, hdr);
	csv_int(&w, -5);
	csv_money(&w, -1500000);
	csv_empty(&w);
	csv_end_row(&w);
	csv_money(&w, 0);
	csv_plain(&w, "x");
	csv_text(&w, "=1+2");
	csv_end_row(&w);
	fclose(f);
	CHECK(len == strlen(want) && !memcmp(buf, want, len));
	CHECK(w.rows == 3);
	free(buf);

	/* OWASP */
	CHECK(!strcmp(row_text("=cmd|' /C calc'!A0"), "\"'=cmd|' /C calc'!A0\"\r\n"));
	CHECK(!strcmp(row_text("+1"), "\"'+1\"\r\n"));
	CHECK(!strcmp(row_text("-1"), "\"'-1\"\r\n"));
	CHECK(!strcmp(row_text("@SUM(A1)"), "\"'@SUM(A1)\"\r\n"));
	CHECK(!strcmp(row_text("\tx"), "\"' x\"\r\n"));
	CHECK(!strcmp(row_text("\rx"), "\"' x\"\r\n"));
	CHECK(!strcmp(row_text("a=b"), "a=b\r\n"));
	/* plain values are never prefixed: a negative int stays a number */
	CHECK(!strcmp(row_plain("-1"), "-1\r\n"));
	CHECK(!strcmp(row_plain("+15551234567"), "+15551234567\r\n"));
	/* quoting */
	CHECK(!strcmp(row_text("a,b"), "\"a,b\"\r\n"));
	CHECK(!strcmp(row_text("say \"hi\""), "\"say \"\"hi\"\"\"\r\n"));
	CHECK(!strcmp(row_plain("a\"b"), "\"a\"\"b\"\r\n"));
	CHECK(!strcmp(row_plain("a\r\nb"), "\"a\r\nb\"\r\n"));
	CHECK(!strcmp(row_plain(" lead"), "\" lead\"\r\n"));
	CHECK(!strcmp(row_plain("trail "), "\"trail \"\r\n"));
	CHECK(!strcmp(row_plain("mid dle"), "mid dle\r\n"));
	CHECK(!strcmp(row_plain(""), "\r\n"));
	/* text: control characters become a space, so a newline is not quoted */
	CHECK(!strcmp(row_text("line1\nline2"), "line1 line2\r\n"));
	CHECK(!strcmp(row_text("a\x7f" "b"), "a b\r\n"));
	CHECK(!strcmp(row_text("a\xc2\x85" "b"), "a b\r\n"));
	CHECK(!strcmp(row_text("x\n"), "\"x \"\r\n"));
	/* non-ASCII passes through */
	CHECK(!strcmp(row_text("Zoë Ångström 東京"), "Zoë Ångström 東京\r\n"));
	CHECK(!strcmp(row_text("=Zoë"), "\"'=Zoë\"\r\n"));
	CHECK(!strcmp(row_text(""), "\r\n"));
	/* a long cell (beyond the writer's stack buffer) is handled the same */
	{
		char longcell[400], want[420];

		memset(longcell, 'x', sizeof(longcell) - 1);
		longcell[0] = '=';
		longcell[10] = '\n';
		longcell[sizeof(longcell) - 1] = '\0';
		snprintf(want, sizeof(want), "\"'%s\"\r\n", longcell);
		want[12] = ' ';
		CHECK(!strcmp(row_text(longcell), want));
	}
}

struct rd {
	FILE *f;
	struct csv_reader r;
};

static void rd_open(struct rd *d, const char *s, size_t n)
{
	d->f = fmemopen((void *)s, n, "r");
	csv_reader_init(&d->r, d->f, "mem.csv");
}

static void rd_close(struct rd *d)
{
	csv_reader_release(&d->r);
	fclose(d->f);
}

static void test_reader(void)
{
	struct rd d;
	const char *s;

	/* BOM, CRLF, quotes, embedded newline, doubled quote, non-ASCII */
	s = "\xEF\xBB\xBF" "id,name\r\n"
	    "1,\"a,b\"\r\n"
	    "2,\"multi\r\nline\"\r\n"
	    "3,\"say \"\"hi\"\"\"\r\n"
	    "4,Zoë\n"
	    "5,\n"
	    "6,\"\"";
	rd_open(&d, s, strlen(s));
	CHECK(csv_read(&d.r) == 1 && d.r.nfields == 2 && d.r.line == 1);
	CHECK(!strcmp(d.r.fields[0], "id") && !strcmp(d.r.fields[1], "name"));
	CHECK(csv_read(&d.r) == 1 && d.r.line == 2 && !strcmp(d.r.fields[1], "a,b"));
	CHECK(csv_read(&d.r) == 1 && d.r.line == 3 &&
	      !strcmp(d.r.fields[1], "multi\r\nline"));
	CHECK(csv_read(&d.r) == 1 && d.r.line == 5 &&
	      !strcmp(d.r.fields[1], "say \"hi\""));
	CHECK(csv_read(&d.r) == 1 && d.r.line == 6 && !strcmp(d.r.fields[1], "Zoë"));
	CHECK(csv_read(&d.r) == 1 && d.r.line == 7 && d.r.nfields == 2 &&
	      !strcmp(d.r.fields[1], ""));
	CHECK(csv_read(&d.r) == 1 && d.r.line == 8 && d.r.nfields == 2 &&
	      !strcmp(d.r.fields[1], ""));
	CHECK(csv_read(&d.r) == 0);
	rd_close(&d);

	/* no BOM, blank lines skipped, line numbers still right */
	s = "a\r\n\r\nb\r\n";
	rd_open(&d, s, strlen(s));
	CHECK(csv_read(&d.r) == 1 && !strcmp(d.r.fields[0], "a") && d.r.line == 1);
	CHECK(csv_read(&d.r) == 1 && !strcmp(d.r.fields[0], "b") && d.r.line == 3);
	CHECK(csv_read(&d.r) == 0);
	rd_close(&d);

	/* empty file */
	rd_open(&d, "", 0);
	CHECK(csv_read(&d.r) == 0);
	rd_close(&d);

	/* unterminated quote: error at the record's first line */
	s = "a,b\r\n1,\"open\r\nstill\r\n";
	rd_open(&d, s, strlen(s));
	CHECK(csv_read(&d.r) == 1);
	CHECK(csv_read(&d.r) == -1 && d.r.line == 2 &&
	      strstr(d.r.error, "unterminated quote"));
	rd_close(&d);

	/* bad UTF-8 */
	s = "a\r\nx\xff" "y\r\n";
	rd_open(&d, s, strlen(s));
	CHECK(csv_read(&d.r) == 1);
	CHECK(csv_read(&d.r) == -1 && d.r.line == 2 && strstr(d.r.error, "UTF-8"));
	rd_close(&d);
	s = "\xc0\xaf\r\n"; /* overlong */
	rd_open(&d, s, strlen(s));
	CHECK(csv_read(&d.r) == -1 && strstr(d.r.error, "UTF-8"));
	rd_close(&d);
	s = "\xed\xa0\x80\r\n"; /* surrogate */
	rd_open(&d, s, strlen(s));
	CHECK(csv_read(&d.r) == -1 && strstr(d.r.error, "UTF-8"));
	rd_close(&d);

	/* NUL byte */
	rd_open(&d, "a\0b\r\n", 5);
	CHECK(csv_read(&d.r) == -1 && strstr(d.r.error, "NUL"));
	rd_close(&d);

	/* garbage after a closing quote, quote in an unquoted field, stray CR */
	s = "\"a\"b\r\n";
	rd_open(&d, s, strlen(s));
	CHECK(csv_read(&d.r) == -1 && strstr(d.r.error, "after closing quote"));
	rd_close(&d);
	s = "a\"b\r\n";
	rd_open(&d, s, strlen(s));
	CHECK(csv_read(&d.r) == -1 && strstr(d.r.error, "quote"));
	rd_close(&d);
	s = "a\rb\r\n";
	rd_open(&d, s, strlen(s));
	CHECK(csv_read(&d.r) == -1 && strstr(d.r.error, "CR"));
	rd_close(&d);
}

/* What the writer writes, the reader reads back unchanged (text cells
 * aside, which are sanitised on purpose). */
static void test_roundtrip(void)
{
	const char *vals[] = { "plain", "a,b", "q\"q", "x\r\ny", " sp ", "", "Zoë" };
	size_t n = sizeof(vals) / sizeof(vals[0]);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct csv_writer w;
	struct rd d;

	csv_writer_init(&w, f);
	for (size_t i = 0; i < n; i++)
		csv_plain(&w, vals[i]);
	csv_end_row(&w);
	fclose(f);
	rd_open(&d, buf, len);
	CHECK(csv_read(&d.r) == 1 && d.r.nfields == n);
	for (size_t i = 0; i < n && i < d.r.nfields; i++)
		CHECK(!strcmp(d.r.fields[i], vals[i]));
	CHECK(csv_read(&d.r) == 0);
	rd_close(&d);
	free(buf);
}

int main(void)
{
	test_writer();
	test_reader();
	test_roundtrip();
	return check_done("test_csv");
}
