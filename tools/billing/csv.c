/* csv.c - the generated CSV files of docs/formats.md §1 (BOM, CRLF, minimal
 * RFC 4180 quoting, OWASP-neutralised text cells) and a strict RFC 4180
 * reader for the platform's exports, one record at a time. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <utf8proc.h>

#include "csv.h"

/* A record longer than this is refused: it keeps the reader's memory flat. */
#define CSV_RECORD_MAX (1 << 20)

/* ---- writing ---- */

void csv_writer_init(struct csv_writer *w, FILE *out)
{
	w->out = out;
	w->fields = 0;
	w->rows = 0;
	fputs_unlocked("\xEF\xBB\xBF", out);
}

static void csv_sep(struct csv_writer *w)
{
	if (w->fields++)
		putc_unlocked(',', w->out);
}

static bool csv_needs_quotes(const char *s)
{
	size_t n = strlen(s);

	if (!n)
		return false;
	if (s[0] == ' ' || s[n - 1] == ' ')
		return true;
	return strpbrk(s, ",\"\r\n") != NULL;
}

static void csv_put_quoted(FILE *out, const char *prefix, const char *s)
{
	putc_unlocked('"', out);
	fputs_unlocked(prefix, out);
	for (; *s; s++) {
		if (*s == '"')
			putc_unlocked('"', out);
		putc_unlocked(*s, out);
	}
	putc_unlocked('"', out);
}

void csv_plain(struct csv_writer *w, const char *s)
{
	csv_sep(w);
	if (!s)
		return;
	if (csv_needs_quotes(s))
		csv_put_quoted(w->out, "", s);
	else
		fputs_unlocked(s, w->out);
}

/* Is the byte at s the start of a control character (C0, DEL or C1)?
 * Sets *len to its length in bytes. */
static bool csv_is_control(const unsigned char *s, size_t *len)
{
	*len = 1;
	if (*s < 0x20 || *s == 0x7f)
		return true;
	if (s[0] == 0xc2 && s[1] >= 0x80 && s[1] <= 0x9f) {
		*len = 2;
		return true;
	}
	return false;
}

void csv_text(struct csv_writer *w, const char *s)
{
	const unsigned char *p;
	char small[256], *clean = small, *q;
	bool inject;
	size_t len, n;

	csv_sep(w);
	if (!s || !*s)
		return;
	inject = strchr("=+-@\t\r", s[0]) != NULL;
	n = strlen(s);
	if (n >= sizeof(small))
		clean = malloc(n + 1);
	if (!clean) {
		/* cannot happen in practice; never emit an unsanitised cell */
		fputs_unlocked("\"'\"", w->out);
		return;
	}
	for (p = (const unsigned char *)s, q = clean; *p; p += len) {
		if (csv_is_control(p, &len)) {
			*q++ = ' ';
		} else {
			*q++ = (char)*p;
		}
	}
	*q = '\0';
	if (inject)
		csv_put_quoted(w->out, "'", clean);
	else if (csv_needs_quotes(clean))
		csv_put_quoted(w->out, "", clean);
	else
		fputs_unlocked(clean, w->out);
	if (clean != small)
		free(clean);
}

void csv_int(struct csv_writer *w, int64_t v)
{
	csv_sep(w);
	fprintf(w->out, "%" PRId64, v);
}

void csv_money(struct csv_writer *w, money_t v)
{
	char buf[MONEY_STR];

	csv_sep(w);
	fputs_unlocked(money_format(v, buf), w->out);
}

void csv_empty(struct csv_writer *w)
{
	csv_sep(w);
}

void csv_end_row(struct csv_writer *w)
{
	fputs_unlocked("\r\n", w->out);
	w->fields = 0;
	w->rows++;
}

void csv_header(struct csv_writer *w, const char *const *names)
{
	for (; *names; names++)
		csv_plain(w, *names);
	csv_end_row(w);
}

/* ---- reading ---- */

void csv_reader_init(struct csv_reader *r, FILE *in, const char *path)
{
	memset(r, 0, sizeof(*r));
	r->in = in;
	r->path = path;
	r->next_line = 1;
}

void csv_reader_release(struct csv_reader *r)
{
	free(r->buf);
	free(r->offs);
	free(r->fields);
	free(r->quoted);
	r->buf = NULL;
	r->offs = NULL;
	r->fields = NULL;
	r->quoted = NULL;
	r->cap = r->offcap = r->len = r->nfields = 0;
}

static int csv_fail(struct csv_reader *r, const char *why)
{
	snprintf(r->error, sizeof(r->error), "%s", why);
	return -1;
}

static int csv_grow(struct csv_reader *r)
{
	size_t cap = r->cap ? r->cap * 2 : 4096;
	char *b;

	if (r->cap >= CSV_RECORD_MAX)
		return csv_fail(r, "record longer than 1 MiB");
	b = realloc(r->buf, cap);
	if (!b)
		return csv_fail(r, "out of memory");
	r->buf = b;
	r->cap = cap;
	return 0;
}

static inline int csv_putc(struct csv_reader *r, char c)
{
	if (r->len == r->cap && csv_grow(r) < 0)
		return -1;
	r->buf[r->len++] = c;
	return 0;
}

/* Start a new field at the current end of the buffer. */
static int csv_field_start(struct csv_reader *r)
{
	if (r->nfields == r->offcap) {
		size_t cap = r->offcap ? r->offcap * 2 : 32;
		size_t *o = realloc(r->offs, cap * sizeof(*o));
		bool *q;
		char **f;

		if (!o)
			return csv_fail(r, "out of memory");
		r->offs = o;
		f = realloc(r->fields, cap * sizeof(*f));
		if (!f)
			return csv_fail(r, "out of memory");
		r->fields = f;
		q = realloc(r->quoted, cap * sizeof(*q));
		if (!q)
			return csv_fail(r, "out of memory");
		r->quoted = q;
		r->offcap = cap;
	}
	r->quoted[r->nfields] = false;
	r->offs[r->nfields++] = r->len;
	return 0;
}

static int csv_record_finish(struct csv_reader *r)
{
	for (size_t i = 0; i < r->nfields; i++) {
		const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)r->buf + r->offs[i];
		utf8proc_ssize_t n = (utf8proc_ssize_t)strlen((const char *)p);
		utf8proc_int32_t cp;

		r->fields[i] = r->buf + r->offs[i];
		while (n > 0) {
			utf8proc_ssize_t k;

			if (*p < 0x80) { /* ASCII: no need to ask utf8proc */
				p++;
				n--;
				continue;
			}
			k = utf8proc_iterate(p, n, &cp);

			if (k <= 0 || cp < 0)
				return csv_fail(r, "invalid UTF-8");
			p += k;
			n -= k;
		}
	}
	return 1;
}

enum csv_state { CSV_FIELD, CSV_UNQUOTED, CSV_QUOTED, CSV_QUOTE_SEEN };

int csv_read(struct csv_reader *r)
{
	enum csv_state st = CSV_FIELD;
	bool first = r->line == 0, empty = true;
	int c;

	r->len = 0;
	r->nfields = 0;
	r->error[0] = '\0';
	r->line = r->next_line;
	if (first) {
		c = getc_unlocked(r->in);
		if (c == 0xEF) {
			if (getc_unlocked(r->in) != 0xBB || getc_unlocked(r->in) != 0xBF)
				return csv_fail(r, "invalid UTF-8");
		} else if (c != EOF) {
			ungetc(c, r->in);
		}
	}
	if (csv_field_start(r) < 0)
		return -1;
	for (;;) {
		c = getc_unlocked(r->in);
		if (c == 0)
			return csv_fail(r, "NUL byte");
		if (empty && (c == '\n' || c == '\r' || c == EOF)) {
			/* blank lines between records are skipped */
			if (c == EOF)
				return 0;
			if (c == '\r' && getc_unlocked(r->in) != '\n')
				return csv_fail(r, "stray CR");
			r->line = ++r->next_line;
			continue;
		}
		empty = false;
		switch (st) {
		case CSV_FIELD:
			if (c == '"') {
				r->quoted[r->nfields - 1] = true;
				st = CSV_QUOTED;
				continue;
			}
			st = CSV_UNQUOTED;
			/* fall through */
		case CSV_UNQUOTED:
		case CSV_QUOTE_SEEN:
			if (c == ',') {
				if (csv_putc(r, '\0') < 0 || csv_field_start(r) < 0)
					return -1;
				st = CSV_FIELD;
				continue;
			}
			if (c == '\r') {
				if (getc_unlocked(r->in) != '\n')
					return csv_fail(r, "stray CR");
				c = '\n';
			}
			if (c == '\n' || c == EOF) {
				if (c == '\n')
					r->next_line++;
				if (csv_putc(r, '\0') < 0)
					return -1;
				return csv_record_finish(r);
			}
			if (st == CSV_QUOTE_SEEN)
				return csv_fail(r, "character after closing quote");
			if (c == '"')
				return csv_fail(r, "quote inside unquoted field");
			if (csv_putc(r, (char)c) < 0)
				return -1;
			continue;
		case CSV_QUOTED:
			if (c == EOF)
				return csv_fail(r, "unterminated quote");
			if (c == '"') {
				c = getc_unlocked(r->in);
				if (c == '"') {
					if (csv_putc(r, '"') < 0)
						return -1;
					continue;
				}
				if (c != EOF)
					ungetc(c, r->in);
				st = CSV_QUOTE_SEEN;
				continue;
			}
			if (c == '\n')
				r->next_line++;
			if (csv_putc(r, (char)c) < 0)
				return -1;
			continue;
		}
	}
}

/* ---- export headers ---- */

/* s without its leading and trailing spaces: start and length. */
static const char *trimmed(const char *s, size_t *len)
{
	size_t n;

	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	*len = n;
	return s;
}

int csv_header_match(char **fields, size_t n, const char *const *names,
		     int *idx, char *why, size_t whylen)
{
	for (size_t i = 0; names[i]; i++) {
		size_t want = strlen(names[i]);

		idx[i] = -1;
		for (size_t f = 0; f < n; f++) {
			size_t len;
			const char *s = trimmed(fields[f], &len);

			if (len != want || strncasecmp(s, names[i], len))
				continue;
			if (idx[i] >= 0) {
				snprintf(why, whylen, "column '%s' given twice", names[i]);
				return -EINVAL;
			}
			idx[i] = (int)f;
		}
	}
	return 0;
}

size_t csv_header_extra(char **fields, size_t n, const int *idx, size_t nnames,
			char *out, size_t outlen)
{
	size_t extra = 0, used = 0;

	if (outlen)
		out[0] = '\0';
	for (size_t f = 0; f < n; f++) {
		size_t i = 0, len;
		const char *s = trimmed(fields[f], &len);
		int w;

		while (i < nnames && idx[i] != (int)f)
			i++;
		if (i < nnames)
			continue;
		w = len ? snprintf(out + used, outlen - used, "%s'%.*s'", extra ? ", " : "",
				   (int)(len > 64 ? 64 : len), s) :
			  snprintf(out + used, outlen - used, "%s(empty)", extra ? ", " : "");
		extra++;
		if (w > 0 && used + (size_t)w < outlen)
			used += (size_t)w;
		else
			used = outlen ? outlen - 1 : 0;
	}
	return extra;
}
