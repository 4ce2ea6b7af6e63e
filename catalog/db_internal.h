/* db_internal.h - what the library's own files share: the catalog struct,
 * its prepared statements and the SQLite-to-errno mapping. Not installed. */
#ifndef FMFS_DB_INTERNAL_H
#define FMFS_DB_INTERNAL_H

#include <sqlite3.h>

#include "catalog.h"

enum stmt_id {
	STMT_NODE_GET,
	STMT_NODE_LOOKUP,
	STMT_NODE_LIST,
	STMT_NODE_SINCE,
	STMT_MAX_ID,
	STMT_STATS,
	STMT_DOCUMENT_GET,
	STMT_CHUNKS_GET,
	STMT_CHUNKS_PUT,
	STMT_RECORD_GET,
	STMT_RECORD_LEG_GET,
	STMT_RECORD_PUT,
	STMT_RECORD_LEG_PUT,
	STMT_RECORD_FILE_GET,
	STMT_RECORD_FILE_PUT,
	STMT__COUNT
};

struct catalog {
	sqlite3 *db;
	char *store;
	int flags;
	sqlite3_stmt *stmt[STMT__COUNT]; /* prepared on first use */
	int64_t limit_ms;  /* a statement's time to yield a row; 0: none */
	int64_t start_ms;  /* when the running statement started or last
			    * yielded a row; 0: not yet timed */
};

/* The prepared statement id of cat, reset and unbound; NULL on error (logged). */
sqlite3_stmt *catalog_stmt(struct catalog *cat, enum stmt_id id);
/* Map a SQLite result code to -errno (one place for it). */
int sqlite_to_errno(int rc);
/* Set the per-row time limit (ms; 0: none) and return the old one: a
 * scrub's PRAGMA quick_check may run long on a big catalog. */
int64_t catalog_time_limit(struct catalog *cat, int64_t ms);
/* Run SQL without results; 0 or -errno (logged with what). */
int catalog_exec(struct catalog *cat, const char *sql, const char *what);

#endif
