/* revenue.h - the monthly revenue zip (docs/formats.md §4): its ten CSVs
 * built in memory from the ledger (revenue_files.c), the identities I1-I7
 * checked on those very bytes (revenue_check.c), the deterministic zip
 * (revenue_zip.c) and where the archive keeps it and its revisions
 * (revision.c). Every function returns 0 or -errno with a one-line reason
 * in err; none prints. */
#ifndef FMFS_REVENUE_H
#define FMFS_REVENUE_H

#include <stddef.h>
#include <stdint.h>

#include "../../catalog/catalog.h"
#include "ledger.h"

#define REVENUE_MAX_ROWS 1000000 /* data rows per file (docs/formats.md §1) */

struct rev_file {
	char name[256];
	char kind[128]; /* the name without "DOMAIN-YYYY-MM-", "-partNNN", ".csv" */
	int part;       /* 1, 2 ... when split (docs/formats.md §1 Size), else 0 */
	char *buf; /* the CSV bytes */
	size_t len;
};

struct rev_files {
	struct rev_file *f;
	size_t n;
};

/* Build every file for org and period ("YYYY-MM") from the ledger (whose
 * per-customer sums it sorts by SKU and type). 0, -ENOMEM, or -EOVERFLOW
 * naming the file, key and column of a sum out of the money range. Release
 * with revenue_files_release (also after an error). */
int revenue_files_build(const struct ledger *l, const char *org,
			const char *period, struct rev_files *out, char *err,
			size_t errlen);
void revenue_files_release(struct rev_files *rf);
/* The file of kind ("date-summary", "wallet-W1"), or its first part; NULL
 * if none. The other parts follow it in rf->f. */
const struct rev_file *revenue_file(const struct rev_files *rf, const char *kind);

/* Check I1-I7 on the built files (usage totals and last month's wallet
 * closings come from l). 0, or -EINVAL with "In: FILE:LINE: key: why". */
int revenue_check(const struct rev_files *rf, const struct ledger *l,
		  char *err, size_t errlen);

/* Write the files as a zip at path: sorted names, every mtime = mtime (as a
 * DOS time in UTC and as the UTC extended timestamp, so unzip restores it
 * in any time zone), deflate level 6, fixed attributes: same files, same
 * bytes. 0 or -errno. */
int revenue_zip_write(const struct rev_files *rf, const char *path,
		      int64_t mtime, char *err, size_t errlen);

/* From the archive of org: the month's usage totals per customer and type
 * (every usage file of Usage/YYYY-MM, supplements included) into l's
 * customers, and each partner wallet's closing balance of last month's
 * latest revenue revision. 0 or -errno. */
int revenue_archive_read(struct catalog *cat, struct ledger *l, const char *org,
			 const char *period, char *err, size_t errlen);

#endif
