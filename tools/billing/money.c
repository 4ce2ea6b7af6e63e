/* money.c - exact money in int64 micro-units: parsing, formatting and the
 * overflow-checked arithmetic of docs/formats.md §1 (no floating point). */
#include <string.h>

#include "money.h"

static bool money_in_range(__int128 v)
{
	return v >= -(__int128)MONEY_MAX && v <= (__int128)MONEY_MAX;
}

bool money_parse(const char *s, money_t *out)
{
	const char *p = s;
	bool neg = false;
	__int128 v = 0;
	int decimals = 0;

	if (!s)
		return false;
	if (*p == '-') {
		neg = true;
		p++;
	}
	if (*p < '0' || *p > '9')
		return false;
	if (*p == '0' && p[1] >= '0' && p[1] <= '9')
		return false; /* leading zero */
	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (*p - '0');
		if (v > MONEY_MAX)
			return false;
	}
	if (*p == '.') {
		p++;
		for (; *p >= '0' && *p <= '9'; p++) {
			if (++decimals > 6)
				return false;
			v = v * 10 + (*p - '0');
		}
		if (!decimals)
			return false;
	}
	if (*p)
		return false;
	for (; decimals < 6; decimals++)
		v *= 10;
	if (neg)
		v = -v;
	if (!money_in_range(v))
		return false;
	*out = (money_t)v;
	return true;
}

char *money_format(money_t v, char out[MONEY_STR])
{
	char tmp[MONEY_STR];
	uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	uint64_t whole = mag / MONEY_SCALE, frac = mag % MONEY_SCALE;
	int n = 0, i = 0;

	if (v < 0)
		out[i++] = '-';
	do {
		tmp[n++] = (char)('0' + whole % 10);
		whole /= 10;
	} while (whole);
	while (n)
		out[i++] = tmp[--n];
	out[i++] = '.';
	for (int d = 5; d >= 0; d--) {
		out[i + d] = (char)('0' + frac % 10);
		frac /= 10;
	}
	out[i + 6] = '\0';
	return out;
}

bool money_add(money_t a, money_t b, money_t *out)
{
	__int128 r = (__int128)a + b;

	if (!money_in_range(r))
		return false;
	*out = (money_t)r;
	return true;
}

bool money_mul_int(money_t v, int64_t n, money_t *out)
{
	__int128 r = (__int128)v * n;

	if (!money_in_range(r))
		return false;
	*out = (money_t)r;
	return true;
}

bool money_mul_div(money_t v, int64_t num, int64_t den, money_t *out)
{
	__int128 p = (__int128)v * num, q, r, d = den;
	bool neg;

	if (den == 0)
		return false;
	neg = (p < 0) != (d < 0);
	if (p < 0)
		p = -p;
	if (d < 0)
		d = -d;
	q = p / d;
	r = p % d;
	if (r * 2 >= d)
		q++;
	if (neg)
		q = -q;
	if (!money_in_range(q))
		return false;
	*out = (money_t)q;
	return true;
}
