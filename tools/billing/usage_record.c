/* usage_record.c - the column tables of the four usage types (docs/formats.md
 * §3), ISO-8601 times normalised to UTC, and the per-record checks that turn
 * one export row into one output row. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

static int layout_try(struct usage_layout *l, int type, char **fields,
		      size_t n, char *why, size_t whylen)
{
	size_t ncols = type_ncols(type);
	bool seen[USAGE_COLS_MAX] = { false };

	for (size_t i = 0; i < n; i++) {
		int c = col_index(type, fields[i]);

		if (c < 0)
			return why_set(why, whylen, "unknown %s column '%s'",
				       types[type].name, fields[i]);
		if (seen[c])
			return why_set(why, whylen, "column '%s' given twice", fields[i]);
		seen[c] = true;
		l->src[c] = i;
	}
	for (size_t c = 0; c < ncols; c++)
		if (!seen[c])
			return why_set(why, whylen, "%s column '%s' missing",
				       types[type].name, types[type].cols[c].name);
	l->type = type;
	l->ncols = ncols;
	return 0;
}

int usage_layout_init(struct usage_layout *l, int want, char **fields,
		      size_t n, char *why, size_t whylen)
{
	if (want >= 0)
		return layout_try(l, want, fields, n, why, whylen);
	for (int t = 0; t < USAGE_NTYPES; t++) {
		if (layout_try(l, t, fields, n, why, whylen) == 0)
			return 0;
	}
	return why_set(why, whylen,
		       "header matches no usage type (call, sms, fax, dnc); give --type to see why");
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

static int check_call(const struct parsed *p, char *why, size_t len)
{
	bool s, has_answer;
	int64_t start = val(p, USAGE_CALL, "start_time", &s);
	int64_t answer = val(p, USAGE_CALL, "answer_time", &has_answer);
	int64_t end = val(p, USAGE_CALL, "end_time", &s);
	int64_t duration = val(p, USAGE_CALL, "duration_s", &s);
	int64_t talk = val(p, USAGE_CALL, "talk_s", &s);
	int64_t billable = val(p, USAGE_CALL, "billable_s", &s);

	if (end < start)
		return why_set(why, len, "end_time is before start_time");
	if (!span_is(duration, end - start))
		return why_set(why, len, "duration_s %" PRId64 " is not end_time - start_time (%" PRId64 ")",
			       duration, (end - start) / TIME_US);
	if (has_answer && (answer < start || answer > end))
		return why_set(why, len, "answer_time is not between start_time and end_time");
	if (!span_is(talk, has_answer ? end - answer : 0))
		return why_set(why, len, "talk_s %" PRId64 " is not end_time - answer_time (%" PRId64 ")",
			       talk, has_answer ? (end - answer) / TIME_US : 0);
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
	const char *status = fields[l->src[COL(USAGE_SMS, "status")]];
	money_t want;

	if (segments < 0)
		return why_set(why, len, "segments is negative");
	if (!strcmp(status, "rejected"))
		return 0;
	if (!money_mul_int(rate, segments, &want))
		return why_set(why, len, "segments x rate_per_segment overflows");
	if (price != want) {
		char a[MONEY_STR], b[MONEY_STR];

		return why_set(why, len, "price %s is not segments x rate_per_segment (%s)",
			       money_format(price, a), money_format(want, b));
	}
	return 0;
}

static int check_fax(const struct parsed *p, char *why, size_t len)
{
	bool s;
	int64_t start = val(p, USAGE_FAX, "start_time", &s);
	int64_t end = val(p, USAGE_FAX, "end_time", &s);
	int64_t duration = val(p, USAGE_FAX, "duration_s", &s);
	int64_t pages = val(p, USAGE_FAX, "pages", &s);

	if (end < start)
		return why_set(why, len, "end_time is before start_time");
	if (!span_is(duration, end - start))
		return why_set(why, len, "duration_s %" PRId64 " is not end_time - start_time (%" PRId64 ")",
			       duration, (end - start) / TIME_US);
	if (pages < 0)
		return why_set(why, len, "pages is negative");
	return 0;
}

static int check_dnc(const struct parsed *p, char *why, size_t len)
{
	bool s;
	int64_t check = val(p, USAGE_DNC, "check_time", &s);
	int64_t until = val(p, USAGE_DNC, "valid_until", &s);

	if (until != (check / TIME_US / TIME_DAY + 21) * TIME_DAY)
		return why_set(why, len, "valid_until is not the check date + 21 days");
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
	if (n != l->ncols)
		return why_set(why, whylen, "%zu fields, the header has %zu", n, l->ncols);
	for (size_t c = 0; c < l->ncols; c++) {
		rc = cell_parse(&cols[c], (int)c, fields[l->src[c]], &p, why, whylen);
		if (rc < 0)
			return rc;
	}
	switch (l->type) {
	case USAGE_CALL:
		rc = check_call(&p, why, whylen);
		break;
	case USAGE_SMS:
		rc = check_sms(&p, fields, l, why, whylen);
		break;
	case USAGE_FAX:
		rc = check_fax(&p, why, whylen);
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
	row->record_id = fields[l->src[0]];
	row->start = p.v[start];
	row->month = usage_month_of(row->start / TIME_US);
	return 0;
}
