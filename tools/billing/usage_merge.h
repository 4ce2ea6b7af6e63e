/* usage_merge.h - the external merge sort under fmctl usage: records are
 * gathered in a fixed memory arena, sorted and written out as runs in a
 * temp folder, then merged back in (type, month, start, record_id) order. */
#ifndef FMFS_USAGE_MERGE_H
#define FMFS_USAGE_MERGE_H

#include <stddef.h>
#include <stdint.h>

struct usage_rec {
	int type, month;
	int64_t start;
	uint64_t h;          /* hash of row */
	int file;            /* index of the export it was read from */
	uint64_t line;
	const char *rid;     /* NUL-terminated */
	const void *row;
	size_t len;
};

struct usage_merge; /* caller frees with usage_merge_close() */

/* Runs go to DIR/run-N; mem is the arena size. 0 or -errno. */
int usage_merge_open(const char *dir, size_t mem, struct usage_merge **out);
/* Removes the run files. NULL is a no-op. */
void usage_merge_close(struct usage_merge *m);
/* Why the last -EIO (a run file that cannot be written or read), one line. */
const char *usage_merge_error(const struct usage_merge *m);
/* Copy one record in. 0 or -errno (-EIO: see usage_merge_error()). */
int usage_merge_add(struct usage_merge *m, const struct usage_rec *r);
/* Every record added, in order; the pointers are valid during the call.
 * fn returning non-zero stops the walk and is returned. Call once. */
typedef int (*usage_rec_fn)(void *arg, const struct usage_rec *r);
int usage_merge_each(struct usage_merge *m, usage_rec_fn fn, void *arg);

#endif
