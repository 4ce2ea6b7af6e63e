/* progress.h - progress of a long fmctl run on stderr: files, bytes, rate
 * and ETA, redrawn in place on a terminal, silent otherwise; the global
 * options --progress (always; one line a second when stderr is not a
 * terminal) and --quiet (never) override. Bytes are what the process has
 * read (its rchar in /proc/self/io), so a loop inside a library (a big
 * file's copy, the scrub, a sort) moves the figure without knowing about
 * it; files are counted by the command layer with progress_file().
 *
 *	struct progress *p = progress_start("verify", "blobs", nblobs, nbytes);
 *	... progress_file(p) after each file ...
 *	progress_stage(p, "writing", 0, 0);   // a new stage; 0 = total unknown
 *	progress_stop(p);                      // clears the line
 */
#ifndef FMFS_FMCTL_PROGRESS_H
#define FMFS_FMCTL_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

enum progress_mode {
	PROGRESS_AUTO,   /* when stderr is a terminal (default) */
	PROGRESS_ALWAYS, /* --progress */
	PROGRESS_NEVER,  /* --quiet */
};
extern enum progress_mode progress_mode;

struct progress;

/* Would progress_start() show anything? (Skip counting totals if not.) */
bool progress_wanted(void);

/* Start showing the progress of sub's stage ("reading") toward total_files
 * and total_bytes (0: unknown). NULL when nothing is shown; every call
 * takes NULL. Caller ends it with progress_stop(). */
struct progress *progress_start(const char *sub, const char *stage, uint64_t total_files,
				uint64_t total_bytes);
/* A new stage: counters restart, with new totals. */
void progress_stage(struct progress *p, const char *stage, uint64_t total_files,
		    uint64_t total_bytes);
/* One more file of the stage done. */
void progress_file(struct progress *p);
/* Stop and clear the line (a terminal) or print the last line (--progress
 * into a file or pipe); frees p. */
void progress_stop(struct progress *p);
/* Clear the progress line, if one is shown, before other output to stderr. */
void progress_clear(void);

#endif
