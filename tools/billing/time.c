/* time.c - ISO-8601 input times (docs/formats.md §1: one parser for every
 * export, offsets required, fractions kept to the microsecond), UTC output
 * times and dates, and proleptic Gregorian day arithmetic. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "fields.h"
#include "time.h"

/* The last instant accepted: 9999-12-31T23:59:59.999999Z (10000-01-01 is
 * day 2932897). */
#define TIME_MAX_US ((INT64_C(2932897) * TIME_DAY) * TIME_US - 1)

static int why_set(char *why, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int why_set(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (why && len) {
		va_start(ap, fmt);
		vsnprintf(why, len, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

int64_t time_days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void time_civil_from_days(int64_t z, int *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

int time_days_in_month(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : days[m - 1];
}

/* "YYYY-MM-DD" at s (not necessarily NUL-terminated after it) into days. */
static int date_at(const char *s, int64_t *days, char *why, size_t len)
{
	int y, m, d;

	if (s[4] != '-' || s[7] != '-' || !field_digits(s, 4, &y) ||
	    !field_digits(s + 5, 2, &m) || !field_digits(s + 8, 2, &d))
		return why_set(why, len, "not a date YYYY-MM-DD");
	if (y < 1970 || m < 1 || m > 12 || d < 1 || d > time_days_in_month(y, m))
		return why_set(why, len, "%.10s is not a date that exists", s);
	*days = time_days_from_civil(y, m, d);
	return 0;
}

int time_date_parse(const char *s, int64_t *sec, char *why, size_t whylen)
{
	int64_t days;
	int rc;

	if (strlen(s) != 10)
		return why_set(why, whylen, "not a date YYYY-MM-DD");
	rc = date_at(s, &days, why, whylen);
	if (rc == 0)
		*sec = days * TIME_DAY;
	return rc;
}

/* The offset at p: Z, z, ±HH:MM, ±HHMM or ±HH, then the end. */
static int offset_at(const char *p, int *offset, char *why, size_t len)
{
	int sign, oh, om = 0;

	if ((p[0] == 'Z' || p[0] == 'z') && !p[1]) {
		*offset = 0;
		return 0;
	}
	if (!*p)
		return why_set(why, len, "no offset (Z or +HH:MM): the instant is unknown");
	if (*p != '+' && *p != '-')
		return why_set(why, len, "bad offset '%.16s' (Z or +HH:MM)", p);
	sign = *p == '+' ? 1 : -1;
	if (!field_digits(p + 1, 2, &oh))
		return why_set(why, len, "bad offset '%.16s' (Z or +HH:MM)", p);
	p += 3;
	if (*p == ':')
		p++;
	if (*p || p[-1] == ':') {
		if (!field_digits(p, 2, &om) || p[2])
			return why_set(why, len, "bad offset (Z, +HH:MM, +HHMM or +HH)");
	}
	if (oh > 23 || om > 59)
		return why_set(why, len, "offset out of range");
	*offset = sign * (oh * 3600 + om * 60);
	return 0;
}

int time_parse(const char *s, int64_t *us, int *offset, char *why, size_t whylen)
{
	int h, mi, sec, off = 0, rc;
	int64_t days, frac = 0, t;
	const char *p = s + 19;

	if (strnlen(s, 20) < 19 || (s[10] != 'T' && s[10] != ' ') || s[13] != ':' ||
	    s[16] != ':' || !field_digits(s + 11, 2, &h) ||
	    !field_digits(s + 14, 2, &mi) || !field_digits(s + 17, 2, &sec))
		return why_set(why, whylen, "not a time YYYY-MM-DDTHH:MM:SS+HH:MM");
	rc = date_at(s, &days, why, whylen);
	if (rc < 0)
		return rc;
	if (h > 23 || mi > 59 || sec > 59)
		return why_set(why, whylen, "%.8s is not a time of day", s + 11);
	if (*p == '.') {
		int n = 0;

		for (p++; *p >= '0' && *p <= '9'; p++, n++)
			if (n < 6)
				frac = frac * 10 + (*p - '0');
		if (n < 1 || n > 9)
			return why_set(why, whylen, "a fraction of a second has 1 to 9 digits");
		for (; n < 6; n++)
			frac *= 10;
	}
	rc = offset_at(p, &off, why, whylen);
	if (rc < 0)
		return rc;
	t = (days * TIME_DAY + h * 3600 + mi * 60 + sec - off) * TIME_US + frac;
	if (t < 0 || t > TIME_MAX_US)
		return why_set(why, whylen, "the instant is outside 1970..9999");
	*us = t;
	if (offset)
		*offset = off;
	return 0;
}

static void put2(char *p, int v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
}

char *time_date_format(int64_t sec, char out[DATE_STR])
{
	int y, m, d;

	time_civil_from_days(sec >= 0 ? sec / TIME_DAY : (sec - TIME_DAY + 1) / TIME_DAY,
			     &y, &m, &d);
	put2(out, y / 100 % 100);
	put2(out + 2, y % 100);
	out[4] = '-';
	put2(out + 5, m);
	out[7] = '-';
	put2(out + 8, d);
	out[10] = '\0';
	return out;
}

char *time_format(int64_t us, char out[TIME_STR])
{
	int64_t sec = us / TIME_US;
	int frac = (int)(us % TIME_US), sod = (int)(sec % TIME_DAY), n = 19;

	time_date_format(sec, out);
	out[10] = 'T';
	put2(out + 11, sod / 3600);
	out[13] = ':';
	put2(out + 14, sod / 60 % 60);
	out[16] = ':';
	put2(out + 17, sod % 60);
	if (frac) {
		out[n++] = '.';
		for (int div = 100000; div && frac; div /= 10) {
			out[n++] = (char)('0' + frac / div);
			frac %= div;
		}
	}
	out[n++] = 'Z';
	out[n] = '\0';
	return out;
}
