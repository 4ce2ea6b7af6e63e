/* manifest.c - parse one line of an ingest manifest (TSV, 7 columns); what
 * a whole manifest adds up to. */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

void manifest_totals(const char *manifest, uint64_t *files, uint64_t *bytes)
{
	char *line = NULL, *copy = strdup(manifest), *dir = copy ? dirname(copy) : ".";
	char path[4096];
	size_t cap = 0;
	FILE *f = fopen(manifest, "r");
	struct stat st;

	*files = *bytes = 0;
	while (f && getline(&line, &cap, f) >= 0) {
		struct manifest_row row;
		const char *why;

		line[strcspn(line, "\n")] = 0;
		if (!manifest_parse_line(line, &row, &why) || !row.path)
			continue;
		snprintf(path, sizeof(path), "%s%s%s", row.path[0] == '/' ? "" : dir,
			 row.path[0] == '/' ? "" : "/", row.path);
		++*files;
		if (stat(path, &st) == 0)
			*bytes += (uint64_t)st.st_size;
	}
	if (f)
		fclose(f);
	free(line);
	free(copy);
}
