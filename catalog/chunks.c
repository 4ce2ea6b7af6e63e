/* chunks.c - the per-chunk XXH3-64 checksums of each blob (schema v2): one
 * row per blob, the sums packed as little-endian 64-bit values. Recorded at
 * ingest in the same transaction as the node; read by fmfs at open. */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "db_internal.h"

int chunks_get(struct catalog *cat, const char *sha256, uint32_t *chunk_size,
	       uint64_t **sums, size_t *n)
{
	sqlite3_stmt *st = catalog_stmt(cat, STMT_CHUNKS_GET);
	const unsigned char *raw;
	uint64_t *out;
	size_t count;
	int rc, bytes;

	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, sha256, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		if (rc == SQLITE_DONE)
			return -ENOENT;
		fm_log(FM_LOG_ERROR, "%s/catalog.db: chunks of %s: %s", cat->store,
		       sha256, sqlite3_errmsg(cat->db));
		return -EIO;
	}
	raw = sqlite3_column_blob(st, 1);
	bytes = sqlite3_column_bytes(st, 1);
	count = (size_t)bytes / 8;
	out = malloc(count ? count * 8 : 1);
	if (!out) {
		sqlite3_reset(st);
		return -ENOMEM;
	}
	for (size_t i = 0; i < count; i++) {
		uint64_t v;

		memcpy(&v, raw + 8 * i, 8);
		out[i] = le64toh(v);
	}
	*chunk_size = (uint32_t)sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	*sums = out;
	*n = count;
	return 0;
}

int chunks_put(struct catalog *cat, const char *sha256, uint32_t chunk_size,
	       const uint64_t *sums, size_t n)
{
	sqlite3_stmt *st = catalog_stmt(cat, STMT_CHUNKS_PUT);
	unsigned char *raw = malloc(n ? n * 8 : 1);
	int rc;

	if (!st || !raw) {
		free(raw);
		return st ? -ENOMEM : -EIO;
	}
	for (size_t i = 0; i < n; i++) {
		uint64_t v = htole64(sums[i]);

		memcpy(raw + 8 * i, &v, 8);
	}
	sqlite3_bind_text(st, 1, sha256, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, chunk_size);
	sqlite3_bind_blob(st, 3, raw, (int)(n * 8), SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	free(raw);
	if (rc != SQLITE_DONE) {
		fm_log(FM_LOG_ERROR, "%s/catalog.db: record chunks of %s: %s", cat->store,
		       sha256, sqlite3_errmsg(cat->db));
		return sqlite_to_errno(rc) ? sqlite_to_errno(rc) : -EIO;
	}
	return 0;
}
