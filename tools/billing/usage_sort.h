/* usage_sort.h - where fmctl usage keeps the records between reading and
 * writing: an external merge sort (usage_merge.c) for the records, Bloom
 * filters and a temporary SQLite file (not the catalog) for duplicate
 * record_ids. Memory stays flat. */
#ifndef FMFS_USAGE_SORT_H
#define FMFS_USAGE_SORT_H

#include <stddef.h>
#include <stdint.h>

#include "usage_merge.h"

struct usage_sort; /* caller frees with usage_sort_close() */

/* Create DIR/scratch.db. 0 or -errno with a reason in err. */
int usage_sort_open(const char *dir, struct usage_sort **out, char *err,
		    size_t errlen);
void usage_sort_close(struct usage_sort *s);
/* Why the last call failed with -EIO (or a sorting error), one line. */
const char *usage_sort_error(const struct usage_sort *s);

/* Add one record: h is the fingerprint of its rated fields (copies with
 * the same h are the same record), file/line where it was read. 0 or
 * -errno. */
int usage_sort_add(struct usage_sort *s, int type, int month, int64_t start,
		   const char *rid, uint64_t h, const void *row, size_t len,
		   int file, uint64_t line);
/* Done adding (commits). 0 or -EIO. */
int usage_sort_end_input(struct usage_sort *s);

/* After usage_sort_each(): a record_id given twice with different rows?
 * Returns 0 (none), -EIO, or -EEXIST setting rid, file and line (where the
 * second, differing copy was read) and file0 and line0 (the first). */
int usage_sort_conflict(struct usage_sort *s, char *rid, size_t ridlen,
			int *file, uint64_t *line, int *file0, uint64_t *line0);

/* Every record (copies once), ordered by type, month, start time, then
 * record_id. fn returning non-zero stops the walk and is returned. */
typedef int (*usage_row_fn)(void *arg, const struct usage_rec *r);
int usage_sort_each(struct usage_sort *s, usage_row_fn fn, void *arg);

#endif
