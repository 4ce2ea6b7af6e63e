/* manifest.c - parse one line of an ingest manifest (TSV, 7 columns). */
#include <string.h>

#include "manifest.h"

static char *optional(char *field)
{
	return !*field || !strcmp(field, "-") ? NULL : field;
}

bool manifest_parse_line(char *line, struct manifest_row *row, const char **why)
{
	char *field[7];
	size_t n = 0, len = strlen(line);

	memset(row, 0, sizeof(*row));
	if (len && line[len - 1] == '\r')
		line[--len] = 0;
	if (!len || line[0] == '#' || !strcmp(line, MANIFEST_HEADER))
		return true;
	field[n++] = line;
	for (char *p = line; *p; p++) {
		if (*p != '\t')
			continue;
		if (n == 7) {
			*why = "more than 7 tab-separated columns";
			return false;
		}
		*p = 0;
		field[n++] = p + 1;
	}
	if (n < 5) {
		*why = "expected path, org, kind, direction, period[, date, name] separated by tabs";
		return false;
	}
	if (!*field[0]) {
		*why = "empty path";
		return false;
	}
	row->path = field[0];
	row->org = field[1];
	row->kind = field[2];
	row->direction = optional(field[3]);
	row->period = field[4];
	row->date = n > 5 ? optional(field[5]) : NULL;
	row->name = n > 6 ? optional(field[6]) : NULL;
	return true;
}
