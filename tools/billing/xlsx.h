/* xlsx.h - the spreadsheet view of a generated CSV (docs/formats.md §6): one
 * typed sheet made from the CSV's bytes with libxlsxwriter, so that a
 * spreadsheet keeps E.164 numbers, leading zeros and long ids as text and
 * shows times, dates, money and counts as what they are. */
#ifndef FMFS_XLSX_H
#define FMFS_XLSX_H

#include <stddef.h>
#include <stdio.h>

#include "layout.h"

/* The time written as the workbook's creation and modification time: fixed,
 * so that the same CSV always gives the same bytes (1980-01-01T00:00:00Z,
 * the time libxlsxwriter gives every entry of the zip container). */
#define XLSX_CREATED 315532800

/* Read the CSV from in (as archived: UTF-8 BOM, CRLF, RFC 4180) and write
 * its view, laid out as l, to a new file at path; the library's own temp
 * files go into tmpdir (NULL: the system's). The same bytes in give the
 * same bytes out. A column is typed by its header name (an unknown column
 * is text); a value that does not have its column's exact form stays text,
 * as it is. Returns 0, or -errno with one line in why: -EINVAL (not valid
 * CSV: the line and why), -EFBIG (more rows or columns than a sheet holds,
 * a value longer than a cell holds), -EIO, -ENOMEM. path may be left
 * half-written on error: the caller removes it. */
int xlsx_from_csv(FILE *in, const struct layout *l, const char *path,
		  const char *tmpdir, char *why, size_t whylen);

#endif
