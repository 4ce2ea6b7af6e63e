/* manifest.h - one line of an ingest manifest (TSV): the parser is separate
 * so that it can be unit-tested and fuzzed. */
#ifndef FMFS_MANIFEST_H
#define FMFS_MANIFEST_H

#include <stdbool.h>
#include <stdint.h>

/* Columns, tab-separated: path org kind direction period date name.
 * direction, date and name may be empty or "-". */
struct manifest_row {
	char *path, *org, *kind, *direction, *period, *date, *name;
};

/* The header line every manifest may start with. */
#define MANIFEST_HEADER "path\torg\tkind\tdirection\tperiod\tdate\tname"

/* Split line (modified in place; no trailing newline) into row. Returns true
 * for a row, false with *why set for an error; a blank or '#' line is a row
 * with path NULL. */
bool manifest_parse_line(char *line, struct manifest_row *row, const char **why);

/* How many files a manifest names and their total size (for the progress
 * display; unreadable lines and files count as nothing). */
void manifest_totals(const char *manifest, uint64_t *files, uint64_t *bytes);

#endif
