/* name.c - what a valid archive name, org domain, period and date are.
 * Names are one path component of valid UTF-8, stored in Unicode NFC, with
 * nothing that makes them show as another name. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <utf8proc.h>

#include "catalog.h"

const char *name_invalid_reason(const char *name)
{
	size_t len = strlen(name);
	utf8proc_int32_t cp;
	const unsigned char *p = (const unsigned char *)name;

	if (len == 0)
		return "name is empty";
	if (len > FM_NAME_MAX)
		return "name is longer than 255 bytes";
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return "name is '.' or '..'";
	while (*p) {
		utf8proc_ssize_t n = utf8proc_iterate(p, -1, &cp);

		if (n < 0)
			return "name is not valid UTF-8";
		if (cp == '/')
			return "name contains '/'";
		if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0))
			return "name contains a control character";
		/* Unicode's own categories, not a hand list: format characters
		 * (bidirectional overrides such as U+202E, zero-width characters,
		 * the BOM) make a name show as another; line and paragraph
		 * separators break it in two */
		switch (utf8proc_category(cp)) {
		case UTF8PROC_CATEGORY_CF:
			return "name contains an invisible format character (bidirectional "
			       "control, zero-width character or BOM)";
		case UTF8PROC_CATEGORY_ZL:
		case UTF8PROC_CATEGORY_ZP:
			return "name contains a line or paragraph separator";
		default:
			break;
		}
		p += n;
	}
	return NULL;
}

bool name_is_valid(const char *name)
{
	return name_invalid_reason(name) == NULL;
}

int name_normalize(const char *name, char out[FM_NAME_MAX + 1])
{
	utf8proc_uint8_t *nfc;

	if (!name_is_valid(name))
		return -EINVAL;
	nfc = utf8proc_NFC((const utf8proc_uint8_t *)name);
	if (!nfc)
		return -EINVAL;
	if (!name_is_valid((char *)nfc)) {
		free(nfc);
		return -EINVAL;
	}
	strcpy(out, (char *)nfc);
	free(nfc);
	return 0;
}

bool org_is_valid(const char *org)
{
	size_t len = strlen(org);

	if (len == 0 || len > 253 || org[0] == '.' || org[0] == '-' ||
	    org[len - 1] == '.' || strstr(org, ".."))
		return false;
	for (const char *c = org; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ||
		      *c == '.' || *c == '-'))
			return false;
	return true;
}

static bool digits(const char *s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

bool period_parse(const char *s, int *year, int *month)
{
	int y, m;

	if (strlen(s) != 7 || s[4] != '-' || !digits(s, 4, &y) ||
	    !digits(s + 5, 2, &m))
		return false;
	if (y < 1970 || m < 1 || m > 12)
		return false;
	*year = y;
	*month = m;
	return true;
}

static int days_in_month(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : days[m - 1];
}

bool date_parse(const char *s, int64_t *out)
{
	int y, m, d;
	struct tm tm = { 0 };

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-' || !digits(s, 4, &y) ||
	    !digits(s + 5, 2, &m) || !digits(s + 8, 2, &d))
		return false;
	if (y < 1970 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
		return false;
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	*out = timegm(&tm);
	return true;
}
