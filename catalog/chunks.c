/* chunks.c - the per-chunk checksums of each blob: XXH3-64 (schema v2; one
 * row per blob, the sums packed as little-endian 64-bit values, recorded at
 * ingest in the same transaction as the node, read by fmfs at open) and
 * SHA-256 (schema v3; recorded at publish, what a remote client checks each
 * chunk it fetches against). */
#include <endian.h>
#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db_internal.h"
#include "publication.h"

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
	/* a crafted catalog: the one chunk size, whole sums only */
	if (sqlite3_column_int64(st, 0) != FM_CHUNK_SIZE || bytes % 8 || (bytes && !raw)) {
		fm_log(FM_LOG_ERROR, "%s/catalog.db: chunks of %s: chunk size %lld, %d "
		       "bytes of sums: out of range (a damaged or crafted catalog)",
		       cat->store, sha256, (long long)sqlite3_column_int64(st, 0), bytes);
		sqlite3_reset(st);
		return -EIO;
	}
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

/* ---- per-chunk SHA-256 (schema v3, publication.h) ------------------------ */

int chunk_sha_get(struct catalog *cat, const char *sha256, uint32_t *chunk_size,
		  unsigned char **sums, size_t *n)
{
	sqlite3_stmt *st;
	unsigned char *out;
	int rc = sqlite3_prepare_v2(cat->db, "SELECT chunk_size,sums FROM chunk_sha256"
				    " WHERE sha256=?1", -1, &st, NULL);
	int bytes;

	if (rc != SQLITE_OK)
		return -EIO;
	sqlite3_bind_text(st, 1, sha256, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(st);
		return rc == SQLITE_DONE ? -ENOENT : -EIO;
	}
	bytes = sqlite3_column_bytes(st, 1);
	out = malloc(bytes ? (size_t)bytes : 1);
	if (!out) {
		sqlite3_finalize(st);
		return -ENOMEM;
	}
	if (bytes)
		memcpy(out, sqlite3_column_blob(st, 1), (size_t)bytes);
	*chunk_size = (uint32_t)sqlite3_column_int64(st, 0);
	*n = (size_t)bytes / 32;
	*sums = out;
	sqlite3_finalize(st);
	return 0;
}

int chunk_sha_put(struct catalog *cat, const char *sha256, uint32_t chunk_size,
		  const unsigned char *sums, size_t n)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(cat->db, "INSERT OR IGNORE INTO chunk_sha256"
				    "(sha256,chunk_size,sums) VALUES (?1,?2,?3)", -1,
				    &st, NULL);

	if (rc != SQLITE_OK)
		return -EIO;
	sqlite3_bind_text(st, 1, sha256, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, chunk_size);
	sqlite3_bind_blob(st, 3, n ? (const void *)sums : "", (int)(n * 32), SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : sqlite_to_errno(rc) ? sqlite_to_errno(rc) : -EIO;
}

int blob_chunk_hashes(int fd, char sha256[FM_SHA256_HEX + 1], int64_t *size,
		      uint64_t **xxh, unsigned char **sha, size_t *n)
{
	EVP_MD_CTX *whole = EVP_MD_CTX_new();
	unsigned char *buf = malloc(FM_CHUNK_SIZE), md[EVP_MAX_MD_SIZE];
	uint64_t *x = NULL;
	unsigned char *s = NULL;
	size_t count = 0, cap = 0;
	int64_t total = 0;
	unsigned int mdlen;
	int rc = whole && buf && EVP_DigestInit_ex(whole, EVP_sha256(), NULL) ? 0 : -ENOMEM;

	while (rc == 0) {
		size_t fill = 0;

		while (fill < FM_CHUNK_SIZE) {
			ssize_t got = pread(fd, buf + fill, FM_CHUNK_SIZE - fill,
					    (off_t)(total + (int64_t)fill));

			if (got < 0 && errno == EINTR)
				continue;
			if (got < 0)
				rc = -errno;
			if (got <= 0)
				break;
			fill += (size_t)got;
		}
		if (rc < 0 || fill == 0)
			break;
		if (count == cap) {
			uint64_t *nx = realloc(x, (cap ? cap * 2 : 16) * 8);
			unsigned char *ns = nx ? realloc(s, (cap ? cap * 2 : 16) * 32) : NULL;

			if (nx)
				x = nx;
			if (!ns) {
				rc = -ENOMEM;
				break;
			}
			s = ns;
			cap = cap ? cap * 2 : 16;
		}
		x[count] = blob_chunk_sum(buf, fill);
		EVP_Digest(buf, fill, s + 32 * count, &mdlen, EVP_sha256(), NULL);
		EVP_DigestUpdate(whole, buf, fill);
		count++;
		total += (int64_t)fill;
		if (fill < FM_CHUNK_SIZE)
			break;
	}
	if (rc == 0 && EVP_DigestFinal_ex(whole, md, &mdlen)) {
		for (int i = 0; i < 32; i++)
			snprintf(sha256 + 2 * i, 3, "%02x", md[i]);
		*size = total;
		*xxh = x;
		*sha = s;
		*n = count;
	} else {
		free(x);
		free(s);
		if (rc == 0)
			rc = -EIO;
	}
	EVP_MD_CTX_free(whole);
	free(buf);
	return rc;
}
