/* fuzz_manifest.c - libFuzzer target: one manifest line (tools/fmctl/manifest.c).
 * Invariants: every field it returns points into the line, and a row has a
 * non-empty path. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../tools/fmctl/manifest.h"

static void inside(const char *p, const char *line, size_t len)
{
	if (p && (p < line || p > line + len))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = malloc(size + 1);
	struct manifest_row row;
	const char *why = NULL;

	if (!line)
		return 0;
	memcpy(line, data, size);
	line[size] = 0; /* cmd_ingest refuses lines with NUL before parsing */
	if (manifest_parse_line(line, &row, &why)) {
		inside(row.path, line, size);
		inside(row.org, line, size);
		inside(row.kind, line, size);
		inside(row.direction, line, size);
		inside(row.period, line, size);
		inside(row.date, line, size);
		inside(row.name, line, size);
		if (row.path && !*row.path)
			abort();
	} else if (!why || !*why) {
		abort();
	}
	free(line);
	return 0;
}
