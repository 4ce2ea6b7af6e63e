/* csv.h - writing the generated CSV files exactly as docs/formats.md §1 says:
 * UTF-8 BOM, CRLF after every record, comma, minimal RFC 4180 quoting, text
 * cells neutralised against formula injection (OWASP). Output is a pure
 * function of the input. Also reading CSV exports (RFC 4180) line by line,
 * with FILE:LINE positions for errors. */
#ifndef FMFS_CSV_H
#define FMFS_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "money.h"

/* ---- writing ---- */

struct csv_writer {
	FILE *out;       /* not owned */
	size_t fields;   /* fields written in the current record */
	uint64_t rows;   /* records written, header included */
};

/* Start a file: writes the BOM. */
void csv_writer_init(struct csv_writer *w, FILE *out);
/* A text cell: control characters become a space; a value starting with
 * = + - @ TAB or CR gets a leading ' and is quoted. */
void csv_text(struct csv_writer *w, const char *s);
/* A validated value (id, enum, ts, date, e164, ccy): quoted only if needed. */
void csv_plain(struct csv_writer *w, const char *s);
void csv_int(struct csv_writer *w, int64_t v);
void csv_money(struct csv_writer *w, money_t v);
/* An empty field (not applicable). */
void csv_empty(struct csv_writer *w);
/* End the record with CRLF. */
void csv_end_row(struct csv_writer *w);
/* Write a whole header row of plain names, NULL-terminated. */
void csv_header(struct csv_writer *w, const char *const *names);

/* ---- reading ---- */

struct csv_reader {
	FILE *in;            /* not owned */
	const char *path;    /* for messages */
	uint64_t line;       /* line number where the current record started */
	char **fields;       /* valid until the next csv_read */
	size_t nfields;
	bool *quoted;        /* quoted[i]: field i was in quotes (same life) */
	/* private */
	char *buf;
	size_t cap, len;
	size_t *offs;
	size_t offcap;
	uint64_t next_line;
	char error[256];
};

void csv_reader_init(struct csv_reader *r, FILE *in, const char *path);
void csv_reader_release(struct csv_reader *r);
/* Read the next record (a leading BOM on the first one is skipped). Returns
 * 1 for a record, 0 at end of file, -1 on a malformed record (unterminated
 * quote, invalid UTF-8, NUL byte), with the reason in r->error. */
int csv_read(struct csv_reader *r);

/* ---- export headers (docs/formats.md §1 "Input headers") ---- */

/* Match a header record against names (NULL-terminated): idx[i] is the
 * field holding names[i], or -1 if no field does. Names match
 * case-insensitively after trimming spaces, in any order. Returns 0, or
 * -EINVAL with the reason in why when a name is given twice. */
int csv_header_match(char **fields, size_t n, const char *const *names,
		     int *idx, char *why, size_t whylen);
/* The header fields that no name matched (idx and nnames as matched by
 * csv_header_match), as "'a', 'b', (empty)" into out. Returns how many. */
size_t csv_header_extra(char **fields, size_t n, const int *idx, size_t nnames,
			char *out, size_t outlen);

#endif
