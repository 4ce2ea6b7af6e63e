/* xlsx.c - a generated CSV as a typed spreadsheet (docs/formats.md §6), written
 * with libxlsxwriter in its constant-memory mode (rows go to a temp file as
 * they come, so a million-row CSV needs no more memory than a small one).
 * Deterministic: fixed document times, and libxlsxwriter dates every entry
 * of the zip container 1980-01-01. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

#include "csv.h"
#include "xlsx.h"

#define WIDTH_MAX 60       /* a column is never wider than this (characters) */
#define WIDTH_MIN 6
#define SIG_DIGITS_MAX 15  /* what a double holds exactly */
#define CELL_CHARS_MAX 32767

struct sheet {
	lxw_workbook *wb;
	lxw_worksheet *ws;
	lxw_format *bold, *f_int, *f_money, *f_ts, *f_ts_ms, *f_date;
	enum cell_type *types; /* per column, from the header */
	unsigned *width;       /* per column, characters */
	size_t ncols;
	lxw_row_t row;
	char *why;
	size_t whylen;
};

static int fail(struct sheet *s, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct sheet *s, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->why, s->whylen, fmt, ap);
	va_end(ap);
	return rc;
}

static int lxw_errno(lxw_error e)
{
	switch (e) {
	case LXW_NO_ERROR:
		return 0;
	case LXW_ERROR_MEMORY_MALLOC_FAILED:
		return -ENOMEM;
	case LXW_ERROR_MAX_STRING_LENGTH_EXCEEDED:
	case LXW_ERROR_WORKSHEET_INDEX_OUT_OF_RANGE:
		return -EFBIG;
	default:
		return -EIO;
	}
}

/* ---- recognising values: only the exact forms of docs/formats.md §1 ---- */

static bool digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* Significant digits of an unsigned decimal "D+[.D+]" of n bytes. */
static size_t sig_digits(const char *s, size_t n)
{
	size_t first = 0, last = n;

	while (first < n && (s[first] == '0' || s[first] == '.'))
		first++;
	while (last > first && (s[last - 1] == '0' || s[last - 1] == '.'))
		last--;
	if (first == last)
		return 0;
	return last - first - (memchr(s + first, '.', last - first) != NULL);
}

/* -?(0|[1-9][0-9]*), not -0, that a double holds exactly. */
static bool int_form(const char *v)
{
	const char *d = v + (*v == '-');
	size_t n = strlen(d);

	if (!n || !digits(d, n) || (d[0] == '0' && (n > 1 || d != v)))
		return false;
	return sig_digits(d, n) <= SIG_DIGITS_MAX;
}

/* -?(0|[1-9][0-9]*)\.[0-9]{6}, not -0.000000, at most 15 significant
 * digits (more stay text, so that no digit is lost). */
static bool money_form(const char *v)
{
	const char *d = v + (*v == '-');
	size_t n = strlen(d), k = n - 7;

	if (n < 8 || d[k] != '.' || !digits(d, k) || !digits(d + k + 1, 6) ||
	    (d[0] == '0' && k > 1))
		return false;
	if (d != v && sig_digits(d, n) == 0)
		return false;
	return sig_digits(d, n) <= SIG_DIGITS_MAX;
}

static int num(const char *s, size_t n)
{
	int v = 0;

	for (size_t i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

/* Days from 1970-01-01 to a civil date (H. Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

static bool is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* "YYYY-MM-DD" (a real date from 1900-03-01 on) into the spreadsheet's day
 * number (days since 1899-12-30, which the 1900 system counts from). */
static bool date_form(const char *v, int64_t *day)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, m, d;

	if (!digits(v, 4) || v[4] != '-' || !digits(v + 5, 2) || v[7] != '-' ||
	    !digits(v + 8, 2))
		return false;
	y = num(v, 4);
	m = num(v + 5, 2);
	d = num(v + 8, 2);
	if (y < 1901 || m < 1 || m > 12 || d < 1 ||
	    d > mdays[m - 1] + (m == 2 && is_leap(y)))
		return false;
	*day = days_from_civil(y, m, d) - days_from_civil(1899, 12, 30);
	return true;
}

/* "YYYY-MM-DDTHH:MM:SS[.f{1,6}]Z" into the spreadsheet's date-time number;
 * *fraction tells whether it had a fraction. */
static bool ts_form(const char *v, double *serial, bool *fraction)
{
	int64_t day, us = 0;
	size_t n = strlen(v), f = 0;
	int h, mi, s;

	if (n < 20 || v[10] != 'T' || v[13] != ':' || v[16] != ':' ||
	    !digits(v + 11, 2) || !digits(v + 14, 2) || !digits(v + 17, 2) ||
	    v[n - 1] != 'Z' || !date_form(v, &day))
		return false;
	if (n > 20) {
		f = n - 21;
		if (v[19] != '.' || f < 1 || f > 6 || !digits(v + 20, f))
			return false;
		us = num(v + 20, f);
		for (size_t i = f; i < 6; i++)
			us *= 10;
	}
	h = num(v + 11, 2);
	mi = num(v + 14, 2);
	s = num(v + 17, 2);
	if (h > 23 || mi > 59 || s > 59)
		return false;
	*serial = (double)day +
		  (double)((int64_t)(h * 3600 + mi * 60 + s) * 1000000 + us) / 86400e6;
	*fraction = f > 0;
	return true;
}

/* Characters of UTF-8 s (what a column's width counts). */
static unsigned chars(const char *s)
{
	unsigned n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* ---- the sheet ---- */

static void widen(struct sheet *s, lxw_col_t col, unsigned w)
{
	if (col < s->ncols && w > s->width[col])
		s->width[col] = w;
}

/* Does s hold "_xHHHH_", which a spreadsheet reads as an escaped character? */
static bool has_escape(const char *s)
{
	for (; (s = strstr(s, "_x")); s += 2)
		if (strspn(s + 2, "0123456789abcdefABCDEF") >= 4 && s[6] == '_')
			return true;
	return false;
}

/* v with the '_' of every "_xHHHH_" written as _x005F_ (ECMA-376's escape of
 * the escape), so the cell reads back as v. Caller frees; NULL: no memory. */
static char *escape_escapes(const char *v)
{
	char *out = malloc(strlen(v) * 7 + 1), *o = out;

	if (!out)
		return NULL;
	for (const char *p = v; *p; p++) {
		if (p[0] == '_' && p[1] == 'x' && strspn(p + 2, "0123456789abcdefABCDEF") >= 4 &&
		    p[6] == '_') {
			memcpy(o, "_x005F", 6);
			o += 6;
		}
		*o++ = *p;
	}
	*o = 0;
	return out;
}

static int text_write(struct sheet *s, lxw_col_t col, const char *v,
		      lxw_format *fmt)
{
	char *esc = NULL;
	int rc;

	if (strlen(v) > CELL_CHARS_MAX)
		return fail(s, -EFBIG, "row %u, column %u: a cell holds at most %d characters",
			    (unsigned)s->row + 1, (unsigned)col + 1, CELL_CHARS_MAX);
	widen(s, col, chars(v));
	if (has_escape(v)) {
		esc = escape_escapes(v);
		if (!esc)
			return fail(s, -ENOMEM, "out of memory");
		if (strlen(esc) > CELL_CHARS_MAX) {
			free(esc);
			return fail(s, -EFBIG, "row %u, column %u: a cell holds at most %d characters",
				    (unsigned)s->row + 1, (unsigned)col + 1, CELL_CHARS_MAX);
		}
	}
	rc = lxw_errno(worksheet_write_string(s->ws, s->row, col, esc ? esc : v, fmt));
	free(esc);
	return rc;
}

static int cell_write(struct sheet *s, lxw_col_t col, const char *v, bool quoted)
{
	enum cell_type t = col < s->ncols ? s->types[col] : CELL_TEXT;
	lxw_error e = LXW_NO_ERROR;
	bool frac;
	double ts;
	int64_t day;

	if (!*v)
		return 0; /* not applicable: a blank cell */
	switch (t) {
	case CELL_INT:
		if (!int_form(v))
			break;
		widen(s, col, (unsigned)strlen(v));
		e = worksheet_write_number(s->ws, s->row, col, strtod(v, NULL), s->f_int);
		return lxw_errno(e);
	case CELL_MONEY:
		if (!money_form(v))
			break;
		widen(s, col, (unsigned)strlen(v));
		e = worksheet_write_number(s->ws, s->row, col, strtod(v, NULL), s->f_money);
		return lxw_errno(e);
	case CELL_TS:
		if (!ts_form(v, &ts, &frac))
			break;
		widen(s, col, frac ? 23 : 19);
		e = worksheet_write_number(s->ws, s->row, col, ts, frac ? s->f_ts_ms : s->f_ts);
		return lxw_errno(e);
	case CELL_DATE:
		if (!date_form(v, &day) || v[10])
			break;
		widen(s, col, 10);
		e = worksheet_write_number(s->ws, s->row, col, (double)day, s->f_date);
		return lxw_errno(e);
	case CELL_BOOL:
		if (strcmp(v, "true") != 0 && strcmp(v, "false") != 0)
			break;
		widen(s, col, 5);
		e = worksheet_write_boolean(s->ws, s->row, col, v[0] == 't', NULL);
		return lxw_errno(e);
	case CELL_TEXT:
		/* the CSV's guard against formula injection: quoted, a ' then
		 * = + - @ or the space a TAB or CR became */
		if (quoted && v[0] == '\'' && v[1] && strchr("=+-@ ", v[1]))
			v++;
		break;
	case CELL_ID:
	case CELL_E164:
	case CELL_ENUM:
	case CELL_CCY:
		break;
	}
	return text_write(s, col, v, NULL);
}

/* The header row: bold; a ts column says its times are UTC. */
static int header_write(struct sheet *s, const struct layout *l, char **names,
			size_t n)
{
	int rc = 0;

	s->types = calloc(n ? n : 1, sizeof(*s->types));
	s->width = calloc(n ? n : 1, sizeof(*s->width));
	if (!s->types || !s->width)
		return fail(s, -ENOMEM, "out of memory");
	s->ncols = n;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		char *name = names[i];

		s->types[i] = layout_col_type(l, names[i]);
		if (s->types[i] == CELL_TS && asprintf(&name, "%s (UTC)", names[i]) < 0)
			return fail(s, -ENOMEM, "out of memory");
		rc = text_write(s, (lxw_col_t)i, name, s->bold);
		if (name != names[i])
			free(name);
		/* room for the autofilter's button */
		s->width[i] += 2;
	}
	return rc;
}

static int sheet_open(struct sheet *s, const struct layout *l, const char *path,
		      const char *tmpdir)
{
	lxw_workbook_options opt = { .constant_memory = LXW_TRUE,
				     .tmpdir = (char *)tmpdir };
	lxw_doc_properties props = { .created = XLSX_CREATED };

	s->wb = workbook_new_opt(path, &opt);
	if (!s->wb)
		return fail(s, -ENOMEM, "cannot start a workbook");
	if (workbook_set_properties(s->wb, &props) != LXW_NO_ERROR)
		return fail(s, -ENOMEM, "cannot set the workbook's properties");
	s->ws = workbook_add_worksheet(s->wb, l->name);
	s->bold = workbook_add_format(s->wb);
	s->f_int = workbook_add_format(s->wb);
	s->f_money = workbook_add_format(s->wb);
	s->f_ts = workbook_add_format(s->wb);
	s->f_ts_ms = workbook_add_format(s->wb);
	s->f_date = workbook_add_format(s->wb);
	if (!s->ws || !s->bold || !s->f_int || !s->f_money || !s->f_ts ||
	    !s->f_ts_ms || !s->f_date)
		return fail(s, -ENOMEM, "out of memory");
	format_set_bold(s->bold);
	format_set_num_format(s->f_int, "0");
	format_set_num_format(s->f_money, "0.000000");
	format_set_num_format(s->f_ts, "yyyy-mm-dd hh:mm:ss");
	format_set_num_format(s->f_ts_ms, "yyyy-mm-dd hh:mm:ss.000");
	format_set_num_format(s->f_date, "yyyy-mm-dd");
	return 0;
}

/* Widths, frozen header, autofilter; then the file is written. */
static int sheet_finish(struct sheet *s)
{
	lxw_error e = LXW_NO_ERROR;

	for (size_t i = 0; e == LXW_NO_ERROR && i < s->ncols; i++) {
		unsigned w = s->width[i] + 1;

		w = w < WIDTH_MIN ? WIDTH_MIN : w > WIDTH_MAX ? WIDTH_MAX : w;
		e = worksheet_set_column(s->ws, (lxw_col_t)i, (lxw_col_t)i, w, NULL);
	}
	worksheet_freeze_panes(s->ws, 1, 0);
	if (e == LXW_NO_ERROR && s->ncols)
		e = worksheet_autofilter(s->ws, 0, 0, s->row,
					 (lxw_col_t)(s->ncols - 1));
	if (e != LXW_NO_ERROR)
		return fail(s, lxw_errno(e), "cannot lay out the sheet: %s",
			    lxw_strerror(e));
	return 0;
}

static int rows_write(struct sheet *s, struct csv_reader *r)
{
	int got, rc = 0;

	while (rc == 0 && (got = csv_read(r)) == 1) {
		if (s->row + 1 >= LXW_ROW_MAX)
			return fail(s, -EFBIG, "line %llu: more rows than a sheet holds (%d)",
				    (unsigned long long)r->line, LXW_ROW_MAX);
		if (r->nfields > LXW_COL_MAX)
			return fail(s, -EFBIG, "line %llu: more columns than a sheet holds (%d)",
				    (unsigned long long)r->line, LXW_COL_MAX);
		s->row++;
		for (size_t i = 0; rc == 0 && i < r->nfields; i++)
			rc = cell_write(s, (lxw_col_t)i, r->fields[i], r->quoted[i]);
		if (rc < 0 && !s->why[0])
			fail(s, rc, "line %llu: cannot write the sheet: %s",
			     (unsigned long long)r->line, strerror(-rc));
	}
	if (rc == 0 && got < 0)
		rc = fail(s, -EINVAL, "line %llu: %s", (unsigned long long)r->line,
			  r->error);
	return rc;
}

int xlsx_from_csv(FILE *in, const struct layout *l, const char *path,
		  const char *tmpdir, char *why, size_t whylen)
{
	struct sheet s = { .why = why, .whylen = whylen };
	struct csv_reader r;
	lxw_error e;
	int got, rc;

	why[0] = 0;
	csv_reader_init(&r, in, path);
	rc = sheet_open(&s, l, path, tmpdir);
	if (rc == 0) {
		got = csv_read(&r);
		if (got < 0) {
			rc = fail(&s, -EINVAL, "line %llu: %s",
				  (unsigned long long)r.line, r.error);
		} else if (got == 0) {
			/* an empty file: the layout's header */
			char *names[64];

			for (size_t i = 0; i < l->ncols && i < 64; i++)
				names[i] = (char *)l->cols[i].name;
			rc = header_write(&s, l, names, l->ncols);
		} else if (r.nfields > LXW_COL_MAX) {
			rc = fail(&s, -EFBIG, "more columns than a sheet holds (%d)",
				  LXW_COL_MAX);
		} else {
			rc = header_write(&s, l, r.fields, r.nfields);
			if (rc == 0)
				rc = rows_write(&s, &r);
		}
	}
	if (rc == 0)
		rc = sheet_finish(&s);
	if (rc == 0 && ferror(in))
		rc = fail(&s, -EIO, "read error");
	if (s.wb) {
		/* also on error: it frees the workbook and its temp files */
		e = workbook_close(s.wb);
		if (rc == 0 && e != LXW_NO_ERROR)
			rc = fail(&s, lxw_errno(e), "cannot write the workbook: %s",
				  lxw_strerror(e));
	}
	csv_reader_release(&r);
	free(s.types);
	free(s.width);
	return rc;
}
