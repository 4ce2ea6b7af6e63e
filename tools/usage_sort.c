/* usage_sort.c - fmctl usage's scratch SQLite database: a throwaway file in
 * a temp folder (never the catalog) that sorts and groups the records on
 * disk, so memory stays flat however large the exports are. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include <unistd.h>
#include <xxhash.h>

#include "usage_sort.h"

/* A Bloom filter of the (type, record_id) seen: 16 MiB whatever the input
 * size (about 0.5% false positives at 10 million records); a hit puts the
 * record_id on the short list that the duplicate check sorts. */
#define BLOOM_BITS (UINT64_C(1) << 27)
#define BLOOM_HASHES 4

struct keep_ctx {
	usage_keep_fn keep;
	void *arg;
};

struct usage_sort {
	sqlite3 *db;
	sqlite3_stmt *insert, *cand_insert, *arch_insert, *arch_get;
	uint64_t *bloom;
	struct keep_ctx keep;
	char path[4096];
};

static const char schema[] =
	"PRAGMA page_size=65536;"
	"PRAGMA threads=1;" /* one helper thread for the sorter */
	"PRAGMA journal_mode=OFF;"
	"PRAGMA synchronous=OFF;"
	"PRAGMA locking_mode=EXCLUSIVE;"
	"PRAGMA temp_store=FILE;"
	"PRAGMA cache_size=-32768;" /* 32 MiB, also the sorter's memory */
	"CREATE TABLE rec(type INT, month INT, start INT, rid TEXT, h INT,"
	" file INT, line INT, row BLOB);"
	"CREATE TABLE arch(type INT, rid TEXT, h INT, PRIMARY KEY(type, rid))"
	" WITHOUT ROWID;"
	"CREATE TABLE cand(type INT, rid TEXT, PRIMARY KEY(type, rid)) WITHOUT ROWID;"
	"BEGIN;";

int usage_sort_open(const char *dir, struct usage_sort **out, char *err,
		    size_t errlen)
{
	struct usage_sort *s = calloc(1, sizeof(*s));
	int rc;

	if (!s)
		return -ENOMEM;
	s->bloom = calloc(BLOOM_BITS / 64, sizeof(*s->bloom));
	if (!s->bloom) {
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
					"INSERT INTO rec VALUES(?,?,?,?,?,?,?,?)", -1,
					&s->insert, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(s->db,
					"INSERT OR IGNORE INTO cand VALUES(?,?)", -1,
					&s->cand_insert, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(s->db,
					"INSERT OR IGNORE INTO arch VALUES(?,?,?)", -1,
					&s->arch_insert, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(s->db,
					"SELECT h FROM arch WHERE type=? AND rid=?", -1,
					&s->arch_get, NULL);
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
	sqlite3_finalize(s->insert);
	sqlite3_finalize(s->cand_insert);
	sqlite3_finalize(s->arch_insert);
	sqlite3_finalize(s->arch_get);
	sqlite3_close(s->db);
	unlink(s->path);
	free(s->bloom);
	free(s);
}

static int step_done(struct usage_sort *s, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		fprintf(stderr, "fmctl usage: scratch database: %s\n", sqlite3_errmsg(s->db));
		return -EIO;
	}
	return 0;
}

/* Was (type, rid) maybe seen before? Marks it seen. */
static bool bloom_test_set(struct usage_sort *s, int type, const char *rid)
{
	uint64_t k = XXH64(rid, strlen(rid), (uint64_t)type);
	uint32_t h1 = (uint32_t)k, h2 = (uint32_t)(k >> 32) | 1;
	bool seen = true;

	for (uint32_t i = 0; i < BLOOM_HASHES; i++) {
		uint64_t bit = (h1 + (uint64_t)i * h2) % BLOOM_BITS;
		uint64_t mask = UINT64_C(1) << (bit % 64);

		if (!(s->bloom[bit / 64] & mask)) {
			seen = false;
			s->bloom[bit / 64] |= mask;
		}
	}
	return seen;
}

int usage_sort_add(struct usage_sort *s, int type, int month, int64_t start,
		   const char *rid, uint64_t h, const void *row, size_t len,
		   int file, uint64_t line)
{
	sqlite3_stmt *st = s->insert;

	if (bloom_test_set(s, type, rid)) {
		sqlite3_bind_int(s->cand_insert, 1, type);
		sqlite3_bind_text(s->cand_insert, 2, rid, -1, SQLITE_STATIC);
		if (step_done(s, s->cand_insert) < 0)
			return -EIO;
	}

	sqlite3_bind_int(st, 1, type);
	sqlite3_bind_int(st, 2, month);
	sqlite3_bind_int64(st, 3, start);
	sqlite3_bind_text(st, 4, rid, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)h);
	sqlite3_bind_int(st, 6, file);
	sqlite3_bind_int64(st, 7, (sqlite3_int64)line);
	sqlite3_bind_blob(st, 8, row, (int)len, SQLITE_STATIC);
	return step_done(s, st);
}

int usage_sort_end_input(struct usage_sort *s)
{
	if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		fprintf(stderr, "fmctl usage: scratch database: %s\n", sqlite3_errmsg(s->db));
		return -EIO;
	}
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
				"SELECT h, file, line FROM rec WHERE type=? AND rid=? ORDER BY rowid",
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

int usage_sort_check(struct usage_sort *s, usage_month_fn open_fn, void *arg,
		     int *file, uint64_t *line, int *file0, uint64_t *line0,
		     char *rid, size_t ridlen)
{
	sqlite3_stmt *st;
	sqlite3_int64 h0 = 0;
	char prev[128] = "";
	int prev_type = -1, rc, ret = 0;

	rc = sqlite3_prepare_v2(s->db,
				"SELECT type, rid, month, h FROM rec"
				" WHERE (type, rid) IN (SELECT type, rid FROM cand)"
				" OR NOT keep(type, month) ORDER BY type, rid",
				-1, &st, NULL);
	if (rc != SQLITE_OK)
		goto out_sql;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int type = sqlite3_column_int(st, 0), month = sqlite3_column_int(st, 2);
		const char *r = (const char *)sqlite3_column_text(st, 1);
		sqlite3_int64 h = sqlite3_column_int64(st, 3);

		if (type == prev_type && !strcmp(r, prev)) {
			if (h == h0)
				continue;
			snprintf(rid, ridlen, "%s", r);
			sqlite3_finalize(st);
			if (conflict_where(s, type, rid, file, line, file0, line0) < 0)
				goto out_sql_final;
			return -EEXIST;
		}
		prev_type = type;
		snprintf(prev, sizeof(prev), "%s", r);
		h0 = h;
		if (!s->keep.keep(s->keep.arg, type, month)) {
			ret = open_fn(arg, type, month);
			if (ret)
				break;
		}
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		sqlite3_finalize(st);
		goto out_sql;
	}
	sqlite3_finalize(st);
	return ret;
out_sql:
	fprintf(stderr, "fmctl usage: scratch database: %s\n", sqlite3_errmsg(s->db));
out_sql_final:
	return -EIO;
}

int usage_sort_archived_add(struct usage_sort *s, int type, const char *rid,
			    uint64_t h)
{
	sqlite3_stmt *st = s->arch_insert;

	sqlite3_bind_int(st, 1, type);
	sqlite3_bind_text(st, 2, rid, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)h);
	return step_done(s, st);
}

int usage_sort_archived_get(struct usage_sort *s, int type, const char *rid,
			    uint64_t *h)
{
	sqlite3_stmt *st = s->arch_get;
	int rc;

	sqlite3_bind_int(st, 1, type);
	sqlite3_bind_text(st, 2, rid, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*h = (uint64_t)sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc == SQLITE_DONE)
		return -ENOENT;
	fprintf(stderr, "fmctl usage: scratch database: %s\n", sqlite3_errmsg(s->db));
	return -EIO;
}

/* SQL function keep(type, month): asks the caller's keep(). */
static void sql_keep(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct keep_ctx *k = sqlite3_user_data(ctx);

	(void)argc;
	sqlite3_result_int(ctx, k->keep(k->arg, sqlite3_value_int(argv[0]),
					sqlite3_value_int(argv[1])));
}

int usage_sort_set_keep(struct usage_sort *s, usage_keep_fn keep, void *arg)
{
	s->keep.keep = keep;
	s->keep.arg = arg;
	if (sqlite3_create_function(s->db, "keep", 2, SQLITE_UTF8, &s->keep, sql_keep,
				    NULL, NULL) != SQLITE_OK) {
		fprintf(stderr, "fmctl usage: scratch database: %s\n", sqlite3_errmsg(s->db));
		return -EIO;
	}
	return 0;
}

int usage_sort_each(struct usage_sort *s, usage_row_fn fn, void *arg)
{
	sqlite3_stmt *st = NULL;
	char prev[128] = "";
	int prev_type = -1, rc, ret = 0;

	rc = sqlite3_prepare_v2(s->db,
					"SELECT type, month, rid, row, file, line FROM rec WHERE keep(type, month)"
					" ORDER BY type, month, start, rid",
					-1, &st, NULL);
	if (rc != SQLITE_OK)
		goto out_sql;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int type = sqlite3_column_int(st, 0);
		const char *rid = (const char *)sqlite3_column_text(st, 2);

		/* identical copies of a record are adjacent: keep the first */
		if (type == prev_type && !strcmp(rid, prev))
			continue;
		prev_type = type;
		snprintf(prev, sizeof(prev), "%s", rid);
		ret = fn(arg, type, sqlite3_column_int(st, 1), rid,
			 sqlite3_column_blob(st, 3), (size_t)sqlite3_column_bytes(st, 3),
			 sqlite3_column_int(st, 4), (uint64_t)sqlite3_column_int64(st, 5));
		if (ret)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		goto out_sql;
	sqlite3_finalize(st);
	return ret;
out_sql:
	fprintf(stderr, "fmctl usage: scratch database: %s\n", sqlite3_errmsg(s->db));
	sqlite3_finalize(st);
	return -EIO;
}
