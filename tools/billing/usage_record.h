/* usage_record.h - the four usage record layouts of docs/formats.md §3 (call,
 * sms, fax, dnc): reading an export's header, validating one record and
 * turning it into its normalised output row (UTC times, exact money). */
#ifndef FMFS_USAGE_RECORD_H
#define FMFS_USAGE_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "csv.h"

enum usage_type { USAGE_CALL, USAGE_SMS, USAGE_FAX, USAGE_DNC, USAGE_NTYPES };

#define USAGE_COLS_MAX 32

/* "call", "sms", "fax", "dnc". */
const char *usage_type_name(int type);
/* The type called s, or -1. */
int usage_type_parse(const char *s);

/* How an export's columns map onto its type's columns. */
struct usage_layout {
	int type;
	size_t ncols;                /* columns of the type */
	size_t nfields;              /* fields of the export's header and records */
	size_t src[USAGE_COLS_MAX];  /* src[i]: export column holding column i */
	size_t nextra;               /* export columns the type does not have */
	char extra[256];             /* ...named: "'a', 'b', (empty)" */
};

/* Match an export's header row against the types (only want, if >= 0), as
 * docs/formats.md §1 "Input headers" says: names case-insensitive and trimmed,
 * in any order, each column of the type once; other columns (and empty
 * ones) are ignored and listed in extra for the caller to mention. Returns
 * 0 or -EINVAL with the reason in why. */
int usage_layout_init(struct usage_layout *l, int want, char **fields,
		      size_t n, char *why, size_t whylen);

/* Write the header of type's generated file. */
void usage_header_write(struct csv_writer *w, int type);

/* One validated record: its identity (docs/formats.md §3) and its month. */
struct usage_row {
	int type;
	const char *record_id; /* points into the input fields */
	const char *txn_id;    /* calls: the leg's (txn_id, leg_id); else NULL */
	const char *leg_id;
	uint64_t fp;           /* fingerprint of the rated fields by meaning */
	int64_t start;         /* the time that decides the month, UTC microseconds */
	int month;             /* year * 12 + month - 1 of start */
};

/* Validate one export record (its fields, then status and charge, docs/formats.md
 * §3) and write its output row (no BOM, ending in CRLF) to w. Returns 0 or
 * -EINVAL with the reason in why. */
int usage_record_convert(const struct usage_layout *l, char **fields,
			 size_t n, struct csv_writer *w, struct usage_row *row,
			 char *why, size_t whylen);

/* The identity of one archived record (a row of a usage file in the
 * archive, generated or ingested by hand): its fields are read for their
 * meaning only (times, money and numbers parsed; no cross-checks, so rows
 * archived under older rules still count). Returns 0 or -EINVAL with why. */
int usage_record_identify(const struct usage_layout *l, char **fields,
			  size_t n, struct usage_row *row, char *why,
			  size_t whylen);

/* The month index (year * 12 + month - 1) of a UTC time, and back. */
int usage_month_of(int64_t t);
int64_t usage_month_start(int month);
/* "YYYY-MM" of a month index into out[8]. */
void usage_month_name(int month, char out[8]);

#endif
