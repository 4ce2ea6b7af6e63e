/* usage_sort.c - fmctl usage's scratch space: records go through the
 * external merge sort of usage_merge.c; a throwaway SQLite file in the temp
 * folder (never the catalog) holds the rows whose record_id may come twice,
 * so memory stays flat at any input size. Errors: -errno, the reason in
 * usage_sort_error(). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include <unistd.h>
#include <xxhash.h>

#include "usage_merge.h"
#include "usage_sort.h"

/* The memory the records are sorted in (the rest goes to disk). */
#define MERGE_MEM (64 << 20)

/* Duplicate record_ids without sorting the input by record_id: a Bloom
 * filter of the (type, record_id) read (16 MiB whatever the input size, about
 * 1% false positives at 10 million records) and a second one of those it
 * saw twice (8 MiB). The ordered walk of usage_sort_each() copies the rows
 * the second one knows into the small table suspect, and only that is
 * grouped by record_id. */
#define SEEN_BITS (UINT64_C(1) << 27)
#define TWICE_BITS (UINT64_C(1) << 26)
#define BLOOM_HASHES 4

struct usage_sort {
	sqlite3 *db;
	sqlite3_stmt *suspect_insert;
	struct usage_merge *merge;
	uint64_t *seen, *twice;
	char path[4096];
	char error[4608];
};

static const char schema[] =
	"PRAGMA page_size=65536;"
	"PRAGMA threads=1;" /* one helper thread for the sorter */
	"PRAGMA journal_mode=OFF;"
	"PRAGMA synchronous=OFF;"
	"PRAGMA locking_mode=EXCLUSIVE;"
	"PRAGMA temp_store=FILE;"
	"PRAGMA cache_size=-8192;" /* 8 MiB: the tables here stay small */
	"CREATE TABLE suspect(type INT, rid TEXT, h INT, file INT, line INT);"
	"BEGIN;";

int usage_sort_open(const char *dir, struct usage_sort **out, char *err,
		    size_t errlen)
{
	struct usage_sort *s = calloc(1, sizeof(*s));
	int rc;

	if (!s)
		return -ENOMEM;
	s->seen = calloc(SEEN_BITS / 64, sizeof(*s->seen));
	s->twice = calloc(TWICE_BITS / 64, sizeof(*s->twice));
	if (!s->seen || !s->twice) {
		free(s->seen);
		free(s->twice);
		free(s);
		return -ENOMEM;
	}
	if (usage_merge_open(dir, MERGE_MEM, &s->merge) < 0) {
		free(s->seen);
		free(s->twice);
		free(s);
		return -ENOMEM;
	}
	snprintf(s->path, sizeof(s->path), "%s/scratch.db", dir);
	rc = sqlite3_open_v2(s->path, &s->db,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
				     SQLITE_OPEN_NOMUTEX, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(s->db, schema, NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(s->db,
					"INSERT INTO suspect VALUES(?,?,?,?,?)", -1,
					&s->suspect_insert, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", s->path,
			 s->db ? sqlite3_errmsg(s->db) : "cannot open");
		usage_sort_close(s);
		return -EIO;
	}
	*out = s;
	return 0;
}

void usage_sort_close(struct usage_sort *s)
{
	if (!s)
		return;
	sqlite3_finalize(s->suspect_insert);
	sqlite3_close(s->db);
	unlink(s->path);
	usage_merge_close(s->merge);
	free(s->seen);
	free(s->twice);
	free(s);
}

const char *usage_sort_error(const struct usage_sort *s)
{
	return s->error;
}

/* A scratch database error: the reason kept, -EIO. */
static int sql_error(struct usage_sort *s)
{
	snprintf(s->error, sizeof(s->error), "%s: %s", s->path, sqlite3_errmsg(s->db));
	return -EIO;
}

static int step_done(struct usage_sort *s, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : sql_error(s);
}

/* Is (type, rid) maybe in the filter? With set, adds it too. A blocked
 * Bloom filter: the key's bits all lie in one 64-byte block (one cache miss). */
static bool bloom_test(uint64_t *bits, uint64_t nbits, int type, const char *rid,
		       bool set)
{
	uint64_t k = XXH64(rid, strlen(rid), (uint64_t)type);
	uint64_t *block = bits + (uint32_t)k % (nbits / 512) * 8;
	bool in = true;

	k >>= 32;
	for (int i = 0; i < BLOOM_HASHES; i++, k >>= 9) {
		unsigned bit = (unsigned)(k & 511);
		uint64_t mask = UINT64_C(1) << (bit % 64);

		if (!(block[bit / 64] & mask)) {
			in = false;
			if (!set)
				break;
			block[bit / 64] |= mask;
		}
	}
	return in;
}

int usage_sort_add(struct usage_sort *s, int type, int month, int64_t start,
		   const char *rid, uint64_t h, const void *row, size_t len,
		   int file, uint64_t line)
{
	struct usage_rec r = {
		.type = type, .month = month, .start = start, .h = h, .file = file,
		.line = line, .rid = rid, .row = row, .len = len,
	};
	int rc;

	if (bloom_test(s->seen, SEEN_BITS, type, rid, true))
		bloom_test(s->twice, TWICE_BITS, type, rid, true);
	rc = usage_merge_add(s->merge, &r);
	if (rc < 0)
		snprintf(s->error, sizeof(s->error), "sorting: %s",
			 rc == -EIO ? usage_merge_error(s->merge) : strerror(-rc));
	return rc;
}

int usage_sort_end_input(struct usage_sort *s)
{
	if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		return sql_error(s);
	return 0;
}

/* Where the copies of (type, rid) were read: the first one and the first
 * that differs from it. */
static int conflict_where(struct usage_sort *s, int type, const char *rid,
			  int *file, uint64_t *line, int *file0, uint64_t *line0)
{
	sqlite3_stmt *st;
	sqlite3_int64 h0 = 0;
	bool first = true;
	int rc;

	rc = sqlite3_prepare_v2(s->db,
				"SELECT h, file, line FROM suspect WHERE type=? AND rid=?"
				" ORDER BY file, line",
				-1, &st, NULL);
	if (rc != SQLITE_OK)
		return -EIO;
	sqlite3_bind_int(st, 1, type);
	sqlite3_bind_text(st, 2, rid, -1, SQLITE_TRANSIENT);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (first) {
			h0 = sqlite3_column_int64(st, 0);
			*file0 = sqlite3_column_int(st, 1);
			*line0 = (uint64_t)sqlite3_column_int64(st, 2);
			first = false;
		} else if (sqlite3_column_int64(st, 0) != h0) {
			*file = sqlite3_column_int(st, 1);
			*line = (uint64_t)sqlite3_column_int64(st, 2);
			break;
		}
	}
	sqlite3_finalize(st);
	return 0;
}

int usage_sort_conflict(struct usage_sort *s, char *rid, size_t ridlen,
			int *file, uint64_t *line, int *file0, uint64_t *line0)
{
	sqlite3_stmt *st;
	int rc, type;

	rc = sqlite3_prepare_v2(s->db,
				"SELECT type, rid FROM suspect GROUP BY type, rid"
				" HAVING min(h) <> max(h) LIMIT 1",
				-1, &st, NULL);
	if (rc != SQLITE_OK)
		goto out_sql;
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		sqlite3_finalize(st);
		return 0;
	}
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(st);
		goto out_sql;
	}
	type = sqlite3_column_int(st, 0);
	snprintf(rid, ridlen, "%s", (const char *)sqlite3_column_text(st, 1));
	sqlite3_finalize(st);
	if (conflict_where(s, type, rid, file, line, file0, line0) < 0)
		goto out_sql;
	return -EEXIST;
out_sql:
	return sql_error(s);
}

/* Note a row whose record_id the input may hold twice. */
static int suspect_add(struct usage_sort *s, const struct usage_rec *r)
{
	sqlite3_stmt *st = s->suspect_insert;

	sqlite3_bind_int(st, 1, r->type);
	sqlite3_bind_text(st, 2, r->rid, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)r->h);
	sqlite3_bind_int(st, 4, r->file);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)r->line);
	return step_done(s, st);
}

struct walk {
	struct usage_sort *s;
	usage_row_fn fn;
	void *arg;
	int prev_type;
	char prev[128];
};

static int walk_rec(void *arg, const struct usage_rec *r)
{
	struct walk *w = arg;
	int rc;

	if (bloom_test(w->s->twice, TWICE_BITS, r->type, r->rid, false)) {
		rc = suspect_add(w->s, r);
		if (rc)
			return rc;
	}
	/* copies of a record are adjacent: keep the first (copies that differ
	 * are found by usage_sort_conflict()) */
	if (r->type == w->prev_type && !strcmp(r->rid, w->prev))
		return 0;
	w->prev_type = r->type;
	snprintf(w->prev, sizeof(w->prev), "%s", r->rid);
	return w->fn(w->arg, r);
}

int usage_sort_each(struct usage_sort *s, usage_row_fn fn, void *arg)
{
	struct walk w = { .s = s, .fn = fn, .arg = arg, .prev_type = -1 };
	int ret;

	if (sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		goto out_sql;
	ret = usage_merge_each(s->merge, walk_rec, &w);
	if (ret == -EIO && !s->error[0])
		snprintf(s->error, sizeof(s->error), "%s", usage_merge_error(s->merge));
	if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK && !ret)
		goto out_sql;
	return ret;
out_sql:
	return sql_error(s);
}
