/* fmctl.h - what the subcommands share: the store they act on, the
 * subcommand signature and the error helpers (git's die/usage style:
 * one line, exit 1 for failures, exit 2 for usage). */
#ifndef FMFS_FMCTL_H
#define FMFS_FMCTL_H

#include <stdbool.h>
#include <stdint.h>

#include "../../catalog/catalog.h"

#define EXIT_USAGE 2

/* The store chosen by -s or FMFS_STORE; NULL if neither. */
extern const char *fmctl_store;

/* Print "fmctl SUB: message" to stderr. */
void fmctl_error(const char *sub, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Open the store's catalog or print why; 0 or -errno. */
int fmctl_open(const char *sub, int flags, struct catalog **out);
/* "name(uid)@host" for the audit log (who ingested): the real uid and
 * its passwd name, never the environment's claims. */
const char *fmctl_who(void);
/* Format t as YYYY-MM-DDTHH:MM:SSZ into out[21]. */
void fmctl_time(int64_t t, char out[21]);

/* month.c: parse "--org D --period YYYY-MM DIR" into org, period, dir and
 * the period [start, end). 0, -1 (usage: caller prints it), -2 (printed). */
int fmctl_month_args(const char *sub, int argc, char **argv, const char **org,
		     const char **period, const char **dir, int64_t *start,
		     int64_t *end);
/* Ingest the generated file at path as org/kind/period/name dated doc_date
 * (a zip also unzipped into the org-relative folder unzip_into, unless
 * NULL), saying what happened on stdout. 0 or -1 (printed). */
int fmctl_ingest_generated(const char *sub, struct catalog *cat, const char *org,
			   const char *kind, const char *period, const char *name,
			   const char *path, int64_t doc_date, const char *unzip_into);

/* Remove every argument equal to flag (before a "--") from argv, shrinking
 * *argc; true if there was one. For options every subcommand parses the
 * same way, such as --json. */
bool fmctl_flag(int *argc, char **argv, const char *flag);

/* view.c: ingest_open() for fmctl, with the spreadsheet view of every new
 * CSV of a known layout (unless FMFS_XLSX_VIEW=0). 0 or -errno. */
int fmctl_ingest_open(struct catalog *cat, struct ingest **out);

/* Show each line of a library's notes (ignored columns ...) on stderr as
 * "fmctl SUB: line". */
void fmctl_notes(const char *sub, const char *notes);

/* tmpdir.c: make $TMPDIR/fmctl-SUB.XXXXXX (or in /tmp) into out, locked
 * for the life of this run: the lock's fd (give it to fmctl_tmpdir_remove)
 * or -errno. */
int fmctl_tmpdir_make(const char *sub, char *out, size_t len);
/* Remove folder dir and all in it (links not followed), then drop lock. */
void fmctl_tmpdir_remove(const char *dir, int lock);
/* Remove the temp folders of our killed runs (unlocked): how many. */
int fmctl_tmpdir_sweep(void);
/* Sweep, saying on stderr what was removed (for the subcommands). */
void fmctl_tmpdir_sweep_say(const char *sub);

int cmd_init(int argc, char **argv);
int cmd_ingest(int argc, char **argv);
int cmd_ls(int argc, char **argv);
int cmd_stat(int argc, char **argv);
int cmd_cat(int argc, char **argv);
int cmd_log(int argc, char **argv);
int cmd_usage(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_revenue(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_keygen(int argc, char **argv);
int cmd_publish(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_clone(int argc, char **argv);
/* verify_remote.c: fmctl verify --remote URL … */
int fmctl_verify_remote(int argc, char **argv);

#endif
