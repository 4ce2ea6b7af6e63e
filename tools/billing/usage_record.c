/* usage_record.c - the column tables of the four usage types (docs/formats.md
 * §3), ISO-8601 times normalised to UTC, and the per-record checks that turn
 * one export row into one output row. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#define XXH_STATIC_LINKING_ONLY /* XXH3_state_t on the stack */
#include <xxhash.h>

#include "fields.h"
#include "time.h"
#include "usage_record.h"

enum col_kind {
	COL_ID, COL_TEXT, COL_ENUM, COL_TS, COL_INT, COL_MONEY, COL_CCY,
	COL_COUNTRY, COL_DATE,
};

struct column {
	const char *name;
	enum col_kind kind;
	bool optional;        /* may be empty */
	const char *values;   /* enums: "a|b|c" */
};

#define HEAD { "record_id", COL_ID, false, NULL }, { "org_id", COL_ID, false, NULL }, \
	{ "org_name", COL_TEXT, false, NULL }, { "wallet_id", COL_ID, false, NULL }
#define TAIL { "price", COL_MONEY, false, NULL }, { "cost", COL_MONEY, false, NULL }, \
	{ "currency", COL_CCY, false, NULL }, { NULL, 0, false, NULL }

static const struct column call_cols[] = {
	HEAD,
	{ "txn_id", COL_ID, false, NULL },
	{ "leg_id", COL_ID, false, NULL },
	{ "direction", COL_ENUM, false, "incoming|outgoing|forwarding" },
	{ "start_time", COL_TS, false, NULL },
	{ "answer_time", COL_TS, true, NULL },
	{ "end_time", COL_TS, false, NULL },
	{ "duration_s", COL_INT, false, NULL },
	{ "talk_s", COL_INT, false, NULL },
	{ "billable_s", COL_INT, false, NULL },
	{ "caller", COL_TEXT, false, NULL },
	{ "callee", COL_TEXT, false, NULL },
	{ "status", COL_ENUM, false, "answered|unanswered|busy|cancel|blocked|failed" },
	{ "dest_country", COL_COUNTRY, true, NULL },
	{ "rate_per_min", COL_MONEY, false, NULL },
	TAIL,
};

static const struct column sms_cols[] = {
	HEAD,
	{ "direction", COL_ENUM, false, "outgoing|incoming" },
	{ "submit_time", COL_TS, false, NULL },
	{ "sender", COL_TEXT, false, NULL },
	{ "recipient", COL_TEXT, false, NULL },
	{ "dest_country", COL_COUNTRY, true, NULL },
	{ "encoding", COL_ENUM, false, "gsm7|ucs2" },
	{ "segments", COL_INT, false, NULL },
	{ "status", COL_ENUM, false, "delivered|failed|rejected|expired|pending|received" },
	{ "rate_per_segment", COL_MONEY, false, NULL },
	TAIL,
};

static const struct column fax_cols[] = {
	HEAD,
	{ "direction", COL_ENUM, false, "outgoing|incoming" },
	{ "start_time", COL_TS, false, NULL },
	{ "end_time", COL_TS, false, NULL },
	{ "duration_s", COL_INT, false, NULL },
	{ "sender", COL_TEXT, false, NULL },
	{ "recipient", COL_TEXT, false, NULL },
	{ "dest_country", COL_COUNTRY, true, NULL },
	{ "pages", COL_INT, false, NULL },
	{ "status", COL_ENUM, false, "success|partial|failed|busy|no_answer" },
	{ "rate_per_page", COL_MONEY, false, NULL },
	TAIL,
};

static const struct column dnc_cols[] = {
	HEAD,
	{ "check_time", COL_TS, false, NULL },
	{ "batch_id", COL_ID, false, NULL },
	{ "channel", COL_ENUM, false, "voice|sms|fax" },
	{ "number", COL_TEXT, false, NULL },
	{ "result", COL_ENUM, false, "clear|blocked|invalid" },
	{ "valid_until", COL_DATE, false, NULL },
	TAIL,
};

static const struct {
	const char *name;
	const struct column *cols;
	const char *start; /* the column whose time decides the month */
} types[USAGE_NTYPES] = {
	[USAGE_CALL] = { "call", call_cols, "start_time" },
	[USAGE_SMS] = { "sms", sms_cols, "submit_time" },
	[USAGE_FAX] = { "fax", fax_cols, "start_time" },
	[USAGE_DNC] = { "dnc", dnc_cols, "check_time" },
};

const char *usage_type_name(int type)
{
	return type >= 0 && type < USAGE_NTYPES ? types[type].name : "?";
}

int usage_type_parse(const char *s)
{
	for (int t = 0; t < USAGE_NTYPES; t++)
		if (!strcmp(s, types[t].name))
			return t;
	return -1;
}

static size_t type_ncols(int type)
{
	size_t n = 0;

	while (types[type].cols[n].name)
		n++;
	return n;
}

static int col_index(int type, const char *name)
{
	for (int i = 0; types[type].cols[i].name; i++)
		if (!strcmp(types[type].cols[i].name, name))
			return i;
	return -1;
}

static int why_set(char *why, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int why_set(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Match the header against type's columns; *present counts those found. */
static int layout_try(struct usage_layout *l, int type, char **fields,
		      size_t n, size_t *present, char *why, size_t whylen)
{
	const char *names[USAGE_COLS_MAX + 1];
	int idx[USAGE_COLS_MAX];
	size_t ncols = type_ncols(type);
	const char *missing = NULL;
	int rc;

	*present = 0;
	for (size_t c = 0; c < ncols; c++)
		names[c] = types[type].cols[c].name;
	names[ncols] = NULL;
	rc = csv_header_match(fields, n, names, idx, why, whylen);
	if (rc < 0)
		return -EEXIST; /* a column given twice: no other type helps */
	for (size_t c = 0; c < ncols; c++) {
		if (idx[c] < 0) {
			if (!missing)
				missing = names[c];
			continue;
		}
		(*present)++;
		l->src[c] = (size_t)idx[c];
	}
	if (missing)
		return why_set(why, whylen, "%s column '%s' missing", types[type].name,
			       missing);
	l->type = type;
	l->ncols = ncols;
	l->nfields = n;
	l->nextra = csv_header_extra(fields, n, idx, ncols, l->extra, sizeof(l->extra));
	return 0;
}

int usage_layout_init(struct usage_layout *l, int want, char **fields,
		      size_t n, char *why, size_t whylen)
{
	struct usage_layout try;
	size_t present, best = 0;
	int found = -1, rc;
	char bestwhy[256] = "";

	if (want >= 0) {
		rc = layout_try(l, want, fields, n, &present, why, whylen);
		return rc < 0 ? -EINVAL : 0;
	}
	for (int t = 0; t < USAGE_NTYPES; t++) {
		rc = layout_try(&try, t, fields, n, &present, why, whylen);
		if (rc == -EEXIST)
			return -EINVAL;
		if (rc == 0 && found >= 0)
			return why_set(why, whylen,
				       "header has the columns of both %s and %s; give --type",
				       usage_type_name(found), usage_type_name(t));
		if (rc == 0) {
			found = t;
			*l = try;
		} else if (present > best) {
			best = present;
			snprintf(bestwhy, sizeof(bestwhy), "%s", why);
		}
	}
	if (found >= 0)
		return 0;
	if (best > 1)
		return why_set(why, whylen, "header matches no usage type: %s", bestwhy);
	return why_set(why, whylen, "header matches no usage type (call, sms, fax, dnc)");
}

void usage_header_write(struct csv_writer *w, int type)
{
	for (const struct column *c = types[type].cols; c->name; c++)
		csv_plain(w, c->name);
	csv_end_row(w);
}

/* ---- months ---- */

int usage_month_of(int64_t t)
{
	int y, m, d;

	time_civil_from_days(t / TIME_DAY, &y, &m, &d);
	return y * 12 + m - 1;
}

int64_t usage_month_start(int month)
{
	return time_days_from_civil(month / 12, month % 12 + 1, 1) * TIME_DAY;
}

void usage_month_name(int month, char out[8])
{
	unsigned m = (unsigned)month;

	snprintf(out, 8, "%04u-%02u", m / 12 % 10000, m % 12 + 1);
}

/* ---- values ---- */

static bool enum_has(const char *values, const char *s)
{
	size_t n = strlen(s);

	if (!n)
		return false;
	for (const char *p = values; p;) {
		const char *bar = strchr(p, '|');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);

		if (len == n && !memcmp(p, s, n))
			return true;
		p = bar ? bar + 1 : NULL;
	}
	return false;
}

/* Parsed values of one record, by column. */
struct parsed {
	int64_t v[USAGE_COLS_MAX]; /* ts (us), int, money (micro-units), date (s) */
	int offset[USAGE_COLS_MAX]; /* ts: the offset the export wrote, seconds */
	bool set[USAGE_COLS_MAX];
};

/* The index of a column named by a literal, looked up once per call site. */
#define COL(type, name) ({ static int c_ = -1; if (c_ < 0) c_ = col_index(type, name); c_; })

static int64_t val_at(const struct parsed *p, int c, bool *set)
{
	*set = p->set[c];
	return p->v[c];
}

#define val(p, type, name, set) val_at(p, COL(type, name), set)

/* Does a whole number of seconds s stand for the span us (microseconds)?
 * With fractions in the times, s may be the span rounded either way. */
static bool span_is(int64_t s, int64_t us)
{
	return s * TIME_US > us - TIME_US && s * TIME_US < us + TIME_US;
}

static const char *status_of(char **fields, const struct usage_layout *l, int c)
{
	return fields[l->src[c]];
}

/* Price and cost 0 (an unbilled row), or why not. */
static int check_unbilled(const struct parsed *p, int type, const char *what,
			  char *why, size_t len)
{
	bool s;
	int64_t price = val_at(p, col_index(type, "price"), &s);
	int64_t cost = val_at(p, col_index(type, "cost"), &s);

	if (price || cost)
		return why_set(why, len, "%s has price and cost 0", what);
	return 0;
}

static int check_call(const struct parsed *p, char **fields,
		      const struct usage_layout *l, char *why, size_t len)
{
	bool s, has_answer;
	int64_t start = val(p, USAGE_CALL, "start_time", &s);
	int64_t answer = val(p, USAGE_CALL, "answer_time", &has_answer);
	int64_t end = val(p, USAGE_CALL, "end_time", &s);
	int64_t duration = val(p, USAGE_CALL, "duration_s", &s);
	int64_t talk = val(p, USAGE_CALL, "talk_s", &s);
	int64_t billable = val(p, USAGE_CALL, "billable_s", &s);
	const char *status = status_of(fields, l, COL(USAGE_CALL, "status"));
	char what[64];

	if (end < start)
		return why_set(why, len, "end_time is before start_time");
	if (!span_is(duration, end - start))
		return why_set(why, len, "duration_s %" PRId64 " is not end_time - start_time (%" PRId64 ")",
			       duration, (end - start) / TIME_US);
	if (strcmp(status, "answered")) {
		snprintf(what, sizeof(what), "a call with status %s", status);
		if (has_answer)
			return why_set(why, len, "%s has no answer_time", what);
		if (talk)
			return why_set(why, len, "%s has talk_s 0 (not %" PRId64 ")", what, talk);
		return check_unbilled(p, USAGE_CALL, what, why, len);
	}
	if (!has_answer)
		return why_set(why, len, "an answered call has an answer_time");
	if (answer < start || answer > end)
		return why_set(why, len, "answer_time is not between start_time and end_time");
	if (!span_is(talk, end - answer))
		return why_set(why, len, "talk_s %" PRId64 " is not end_time - answer_time (%" PRId64 ")",
			       talk, (end - answer) / TIME_US);
	if (billable < talk)
		return why_set(why, len, "billable_s %" PRId64 " is less than talk_s %" PRId64,
			       billable, talk);
	return 0;
}

static int check_sms(const struct parsed *p, char **fields,
		     const struct usage_layout *l, char *why, size_t len)
{
	bool s;
	int64_t segments = val(p, USAGE_SMS, "segments", &s);
	int64_t rate = val(p, USAGE_SMS, "rate_per_segment", &s);
	int64_t price = val(p, USAGE_SMS, "price", &s);
	const char *status = status_of(fields, l, COL(USAGE_SMS, "status"));
	money_t want;

	if (!strcmp(status, "rejected"))
		return check_unbilled(p, USAGE_SMS, "a rejected sms", why, len);
	if (price == 0)
		return 0; /* not billed (yet): pending, failed, free */
	if (!money_mul_int(rate, segments, &want))
		return why_set(why, len, "segments x rate_per_segment overflows");
	if (price != want) {
		char a[MONEY_STR], b[MONEY_STR];

		return why_set(why, len, "price %s is neither 0 nor segments x rate_per_segment (%s)",
			       money_format(price, a), money_format(want, b));
	}
	return 0;
}

static int check_fax(const struct parsed *p, char **fields,
		     const struct usage_layout *l, char *why, size_t len)
{
	bool s;
	int64_t start = val(p, USAGE_FAX, "start_time", &s);
	int64_t end = val(p, USAGE_FAX, "end_time", &s);
	int64_t duration = val(p, USAGE_FAX, "duration_s", &s);
	int64_t pages = val(p, USAGE_FAX, "pages", &s);
	const char *status = status_of(fields, l, COL(USAGE_FAX, "status"));
	char what[64];

	if (end < start)
		return why_set(why, len, "end_time is before start_time");
	if (!span_is(duration, end - start))
		return why_set(why, len, "duration_s %" PRId64 " is not end_time - start_time (%" PRId64 ")",
			       duration, (end - start) / TIME_US);
	if (!strcmp(status, "failed") || !strcmp(status, "busy") ||
	    !strcmp(status, "no_answer")) {
		snprintf(what, sizeof(what), "a fax with status %s", status);
		if (pages)
			return why_set(why, len, "%s has pages 0 (not %" PRId64 ")", what, pages);
		return check_unbilled(p, USAGE_FAX, what, why, len);
	}
	return 0;
}

/* valid_until is the check's calendar date in the offset the export wrote
 * (not the UTC date), + 21 days. */
static int check_dnc(const struct parsed *p, char *why, size_t len)
{
	bool s;
	int c = COL(USAGE_DNC, "check_time");
	int64_t check = val_at(p, c, &s) / TIME_US + p->offset[c];
	int64_t until = val(p, USAGE_DNC, "valid_until", &s);
	int64_t want = (check / TIME_DAY + 21) * TIME_DAY;
	char d[DATE_STR];

	if (until != want)
		return why_set(why, len, "valid_until is not the check date + 21 days (%s)",
			       time_date_format(want, d));
	return 0;
}

/* Usage is never negative: price, cost and the rates (docs/formats.md §3). */
static int check_not_negative(const struct parsed *p, int type, char *why, size_t len)
{
	for (int c = 0; types[type].cols[c].name; c++)
		if (types[type].cols[c].kind == COL_MONEY && p->set[c] && p->v[c] < 0)
			return why_set(why, len, "%s is negative (usage is never negative: corrections go through the ledger)",
				       types[type].cols[c].name);
	return 0;
}

/* Validate the cell of column c; fill p. */
static int cell_parse(const struct column *col, int c, const char *s,
		      struct parsed *p, char *why, size_t len)
{
	char tw[128];

	p->set[c] = false;
	if (!*s) {
		if (col->optional || col->kind == COL_TEXT)
			return 0;
		return why_set(why, len, "%s is empty", col->name);
	}
	switch (col->kind) {
	case COL_ID:
		if (!field_is_id(s))
			return why_set(why, len, "bad %s '%.80s'", col->name, s);
		break;
	case COL_TEXT:
		break;
	case COL_ENUM:
		if (!enum_has(col->values, s))
			return why_set(why, len, "bad %s '%.80s' (one of %s)", col->name, s,
				       col->values);
		break;
	case COL_TS:
		if (time_parse(s, &p->v[c], &p->offset[c], tw, sizeof(tw)) < 0)
			return why_set(why, len, "bad %s '%.80s': %s", col->name, s, tw);
		break;
	case COL_INT:
		if (!field_int(s, &p->v[c]) || p->v[c] < 0)
			return why_set(why, len, "bad %s '%.80s'", col->name, s);
		break;
	case COL_MONEY:
		if (!money_parse(s, &p->v[c]))
			return why_set(why, len, "bad %s '%.80s'", col->name, s);
		break;
	case COL_CCY:
		if (!field_is_ccy(s))
			return why_set(why, len, "bad %s '%.80s'", col->name, s);
		break;
	case COL_COUNTRY:
		if (!field_is_country(s))
			return why_set(why, len, "bad %s '%.80s'", col->name, s);
		break;
	case COL_DATE:
		if (time_date_parse(s, &p->v[c], tw, sizeof(tw)) < 0)
			return why_set(why, len, "bad %s '%.80s': %s", col->name, s, tw);
		break;
	}
	p->set[c] = true;
	return 0;
}

static void cell_write(struct csv_writer *w, const struct column *col,
		       const char *s, const struct parsed *p, int c)
{
	char buf[TIME_STR];

	if (!*s) {
		csv_empty(w);
		return;
	}
	switch (col->kind) {
	case COL_TEXT:
		/* a bare E.164 number is validated by its pattern, not prefixed */
		if (field_is_e164(s))
			csv_plain(w, s);
		else
			csv_text(w, s);
		break;
	case COL_TS:
		time_format(p->v[c], buf);
		csv_plain(w, buf);
		break;
	case COL_INT:
		csv_int(w, p->v[c]);
		break;
	case COL_MONEY:
		csv_money(w, p->v[c]);
		break;
	default:
		csv_plain(w, s);
		break;
	}
}

/* A text cell as it reads, whether raw from an export or neutralised in a
 * generated file (csv_text): control characters as spaces, without the
 * leading ' that guards a formula. */
static void text_meaning(XXH3_state_t *st, const char *s)
{
	char buf[256];
	size_t n = 0;

	if (s[0] == '\'' && s[1] && strchr("=+-@ ", s[1]))
		s++;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		unsigned char ch = *p;

		if (ch == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			p++;
			ch = ' ';
		} else if (ch < 0x20 || ch == 0x7f) {
			ch = ' ';
		}
		buf[n++] = (char)ch;
		if (n == sizeof(buf)) {
			XXH3_64bits_update(st, buf, n);
			n = 0;
		}
	}
	buf[n++] = '\0';
	XXH3_64bits_update(st, buf, n);
}

/* The fingerprint of a record's rated fields by meaning (docs/formats.md §3):
 * its type, then every column but org_name (descriptive), times as
 * instants, money and numbers as values, text as it reads. */
static uint64_t fingerprint(const struct usage_layout *l, char **fields,
			    const struct parsed *p)
{
	const struct column *cols = types[l->type].cols;
	XXH3_state_t st;
	unsigned char tag = (unsigned char)l->type;

	XXH3_64bits_reset(&st);
	XXH3_64bits_update(&st, &tag, 1);
	for (size_t c = 0; c < l->ncols; c++) {
		const char *s = fields[l->src[c]];

		if (cols[c].kind == COL_TEXT && !strcmp(cols[c].name, "org_name"))
			continue;
		tag = !*s ? 0xff : (unsigned char)cols[c].kind;
		XXH3_64bits_update(&st, &tag, 1);
		if (!*s)
			continue;
		if (p->set[c] && (cols[c].kind == COL_TS || cols[c].kind == COL_INT ||
				  cols[c].kind == COL_MONEY || cols[c].kind == COL_DATE))
			XXH3_64bits_update(&st, &p->v[c], sizeof(p->v[c]));
		else if (cols[c].kind == COL_TEXT)
			text_meaning(&st, s);
		else
			XXH3_64bits_update(&st, s, strlen(s) + 1);
	}
	return XXH3_64bits_digest(&st);
}

static void row_fill(const struct usage_layout *l, char **fields,
		     const struct parsed *p, int start, struct usage_row *row)
{
	row->type = l->type;
	row->record_id = fields[l->src[0]];
	row->txn_id = row->leg_id = NULL;
	if (l->type == USAGE_CALL) {
		row->txn_id = fields[l->src[COL(USAGE_CALL, "txn_id")]];
		row->leg_id = fields[l->src[COL(USAGE_CALL, "leg_id")]];
	}
	row->fp = fingerprint(l, fields, p);
	row->start = p->v[start];
	row->month = usage_month_of(row->start / TIME_US);
}

int usage_record_convert(const struct usage_layout *l, char **fields,
			 size_t n, struct csv_writer *w, struct usage_row *row,
			 char *why, size_t whylen)
{
	const struct column *cols = types[l->type].cols;
	struct parsed p;
	static int start_col[USAGE_NTYPES] = { -1, -1, -1, -1 };
	int rc = 0, start;

	if (start_col[l->type] < 0)
		start_col[l->type] = col_index(l->type, types[l->type].start);
	start = start_col[l->type];
	if (n != l->nfields)
		return why_set(why, whylen, "%zu fields, the header has %zu", n, l->nfields);
	for (size_t c = 0; c < l->ncols; c++) {
		rc = cell_parse(&cols[c], (int)c, fields[l->src[c]], &p, why, whylen);
		if (rc < 0)
			return rc;
	}
	rc = check_not_negative(&p, l->type, why, whylen);
	if (rc < 0)
		return rc;
	switch (l->type) {
	case USAGE_CALL:
		rc = check_call(&p, fields, l, why, whylen);
		break;
	case USAGE_SMS:
		rc = check_sms(&p, fields, l, why, whylen);
		break;
	case USAGE_FAX:
		rc = check_fax(&p, fields, l, why, whylen);
		break;
	case USAGE_DNC:
		rc = check_dnc(&p, why, whylen);
		break;
	}
	if (rc < 0)
		return rc;
	for (size_t c = 0; c < l->ncols; c++)
		cell_write(w, &cols[c], fields[l->src[c]], &p, (int)c);
	csv_end_row(w);
	row_fill(l, fields, &p, start, row);
	return 0;
}

/* The meaning of a cell for the identity: times, money, numbers and dates
 * parsed; other kinds are compared as they are written. */
static int cell_meaning(const struct column *col, int c, const char *s,
			struct parsed *p, char *why, size_t len)
{
	char tw[128];
	int rc = 0;

	p->set[c] = false;
	if (!*s)
		return 0;
	switch (col->kind) {
	case COL_TS:
		rc = time_parse(s, &p->v[c], &p->offset[c], tw, sizeof(tw));
		break;
	case COL_INT:
		rc = field_int(s, &p->v[c]) ? 0 : -EINVAL;
		snprintf(tw, sizeof(tw), "not a whole number");
		break;
	case COL_MONEY:
		rc = money_parse(s, &p->v[c]) ? 0 : -EINVAL;
		snprintf(tw, sizeof(tw), "not an amount");
		break;
	case COL_DATE:
		rc = time_date_parse(s, &p->v[c], tw, sizeof(tw));
		break;
	default:
		return 0;
	}
	if (rc < 0)
		return why_set(why, len, "bad %s '%.80s': %s", col->name, s, tw);
	p->set[c] = true;
	return 0;
}

int usage_record_identify(const struct usage_layout *l, char **fields,
			  size_t n, struct usage_row *row, char *why,
			  size_t whylen)
{
	const struct column *cols = types[l->type].cols;
	struct parsed p;
	int rc, start = col_index(l->type, types[l->type].start);

	if (n != l->nfields)
		return why_set(why, whylen, "%zu fields, the header has %zu", n, l->nfields);
	for (size_t c = 0; c < l->ncols; c++) {
		rc = cell_meaning(&cols[c], (int)c, fields[l->src[c]], &p, why, whylen);
		if (rc < 0)
			return rc;
	}
	if (!p.set[start] || !*fields[l->src[0]])
		return why_set(why, whylen, "no %s or no record_id", types[l->type].start);
	row_fill(l, fields, &p, start, row);
	return 0;
}
