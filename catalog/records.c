/* records.c - the per-org index of archived usage record identities
 * (docs/formats.md §3): record_id -> the fingerprint of its rated fields and the
 * file that holds it, and call legs (txn_id, leg_id) -> record_id, so a
 * record is checked against the org's whole archive with one B-tree lookup
 * whatever its size. The usage files already indexed are listed too, so a
 * file archived before the index existed (or ingested by hand) is added
 * once, the first time fmctl usage meets its org. What a fingerprint means
 * is the billing code's business; the catalog only stores it. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "db_internal.h"

static int step(struct catalog *cat, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		return rc;
	rc = sqlite_to_errno(rc);
	if (rc != -EEXIST)
		fm_log(FM_LOG_ERROR, "%s/catalog.db: %s: %s", cat->store, what,
		       sqlite3_errmsg(cat->db));
	return rc;
}

int record_get(struct catalog *cat, uint64_t org, const char *rid,
	       uint64_t *fp, uint64_t *node)
{
	sqlite3_stmt *st = catalog_stmt(cat, STMT_RECORD_GET);
	int rc;

	if (!st)
		return -EIO;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)org);
	sqlite3_bind_text(st, 2, rid, -1, SQLITE_STATIC);
	rc = step(cat, st, "record_get");
	if (rc == SQLITE_ROW) {
		*fp = (uint64_t)sqlite3_column_int64(st, 0);
		*node = (uint64_t)sqlite3_column_int64(st, 1);
		rc = 0;
	} else if (rc == SQLITE_DONE) {
		rc = -ENOENT;
	}
	sqlite3_reset(st);
	return rc;
}

int record_leg_get(struct catalog *cat, uint64_t org, const char *txn,
		   const char *leg, char *rid, size_t ridlen)
{
	sqlite3_stmt *st = catalog_stmt(cat, STMT_RECORD_LEG_GET);
	int rc;

	if (!st)
		return -EIO;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)org);
	sqlite3_bind_text(st, 2, txn, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, leg, -1, SQLITE_STATIC);
	rc = step(cat, st, "record_leg_get");
	if (rc == SQLITE_ROW) {
		snprintf(rid, ridlen, "%s", (const char *)sqlite3_column_text(st, 0));
		rc = 0;
	} else if (rc == SQLITE_DONE) {
		rc = -ENOENT;
	}
	sqlite3_reset(st);
	return rc;
}

int record_put(struct catalog *cat, uint64_t org, const char *rid, uint64_t fp,
	       uint64_t node, const char *txn, const char *leg)
{
	sqlite3_stmt *st = catalog_stmt(cat, STMT_RECORD_PUT);
	int rc;

	if (!st)
		return -EIO;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)org);
	sqlite3_bind_text(st, 2, rid, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)fp);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)node);
	rc = step(cat, st, "record_put");
	sqlite3_reset(st);
	if (rc < 0 || !txn)
		return rc < 0 ? rc : 0;
	return record_leg_put(cat, org, txn, leg, rid);
}

int record_leg_put(struct catalog *cat, uint64_t org, const char *txn,
		   const char *leg, const char *rid)
{
	sqlite3_stmt *st = catalog_stmt(cat, STMT_RECORD_LEG_PUT);
	int rc;

	if (!st)
		return -EIO;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)org);
	sqlite3_bind_text(st, 2, txn, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, leg, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, rid, -1, SQLITE_STATIC);
	rc = step(cat, st, "record_leg_put");
	sqlite3_reset(st);
	return rc < 0 ? (rc == -EEXIST ? -EADDRINUSE : rc) : 0;
}

int record_file_indexed(struct catalog *cat, uint64_t node)
{
	sqlite3_stmt *st = catalog_stmt(cat, STMT_RECORD_FILE_GET);
	int rc;

	if (!st)
		return -EIO;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)node);
	rc = step(cat, st, "record_file_indexed");
	sqlite3_reset(st);
	return rc < 0 ? rc : rc == SQLITE_ROW;
}

int record_file_mark(struct catalog *cat, uint64_t node)
{
	sqlite3_stmt *st = catalog_stmt(cat, STMT_RECORD_FILE_PUT);
	int rc;

	if (!st)
		return -EIO;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)node);
	rc = step(cat, st, "record_file_mark");
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

int record_batch_begin(struct catalog *cat)
{
	return catalog_exec(cat, "BEGIN IMMEDIATE", "record index");
}

int record_batch_end(struct catalog *cat, bool commit)
{
	if (commit)
		return catalog_exec(cat, "COMMIT", "record index");
	sqlite3_exec(cat->db, "ROLLBACK", NULL, NULL, NULL);
	return 0;
}
