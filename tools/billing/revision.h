/* revision.h - revisions of a month's generated file (revision.c): archived
 * files are never replaced; when a month's inputs change, the generator's
 * new output becomes the next revision, and unchanged output is a no-op
 * (docs/formats.md §4 Revisions). */
#ifndef FMFS_REVISION_H
#define FMFS_REVISION_H

#include <stdbool.h>
#include <stddef.h>

#include "../../catalog/catalog.h"

/* The latest archived revision of stem+ext in the archive folder (an
 * absolute catalog path, "/org/Revenue"): *rev 0 if there is none, else
 * 1.. with its node in *n. 0 or -errno with the reason in err. */
int revision_latest(struct catalog *cat, const char *folder, const char *stem,
		    const char *ext, int *rev, struct node *n, char *err,
		    size_t errlen);
/* What the newly generated file at path becomes: *rev the revision to
 * ingest it as (1 for the month's first), *same true if the latest archived
 * revision already has these bytes (then *rev is that one). 0 or -errno. */
int revision_next(struct catalog *cat, const char *folder, const char *stem,
		  const char *ext, const char *path, int *rev, bool *same,
		  char *err, size_t errlen);

#endif
