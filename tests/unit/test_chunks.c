/* test_chunks.c - per-chunk checksums: computed while a blob is written
 * (across chunk boundaries and short writes), recorded with the ingest,
 * read back, recomputed by blob_scan_fd, and append-only in SQLite. */
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../catalog/catalog.h"
#include "check.h"

static char store[4096];

/* Sums of buf as fmfs expects them: one XXH3-64 per FM_CHUNK_SIZE bytes. */
static size_t expected_sums(const char *buf, size_t len, uint64_t *out)
{
	size_t n = 0;

	for (size_t off = 0; off < len; off += FM_CHUNK_SIZE)
		out[n++] = blob_chunk_sum(buf + off, len - off < FM_CHUNK_SIZE ?
					  len - off : FM_CHUNK_SIZE);
	return n;
}

static void test_sizes(struct catalog *cat)
{
	static const size_t sizes[] = { 0, 1, FM_CHUNK_SIZE - 1, FM_CHUNK_SIZE,
					FM_CHUNK_SIZE + 1, 3 * FM_CHUNK_SIZE + 12345 };
	size_t max = 3 * FM_CHUNK_SIZE + 12345;
	char *buf = malloc(max), name[32];
	uint64_t want[8], *got = NULL;

	for (size_t i = 0; i < max; i++)
		buf[i] = (char)(i * 2654435761u >> 13);
	for (size_t s = 0; s < sizeof(sizes) / sizeof(*sizes); s++) {
		struct ingest_item item = {
			.org = "chunks.example", .kind = "usage", .period = "2026-01",
			.name = name, .doc_date = 0, .data = buf, .len = sizes[s],
		};
		struct blob_scan scan;
		struct ingest *in;
		uint32_t chunk_size = 0;
		size_t n = 0, nwant;
		char sha[FM_SHA256_HEX + 1], path[4096];
		int fd;

		snprintf(name, sizeof(name), "f%zu.csv", sizes[s]);
		buf[0] ^= (char)s; /* distinct content per size */
		nwant = expected_sums(buf, sizes[s], want);
		CHECK(ingest_open(cat, "test", &in) == 0);
		CHECK(ingest_add(in, &item) == 0);
		CHECK(ingest_commit(in, NULL, NULL) == 0);
		ingest_close(in);
		sha256_hex(buf, sizes[s], sha);
		CHECK(chunks_get(cat, sha, &chunk_size, &got, &n) == 0);
		CHECK(chunk_size == FM_CHUNK_SIZE);
		CHECK(n == nwant && n == chunks_count((int64_t)sizes[s], FM_CHUNK_SIZE));
		CHECK(n == 0 || !memcmp(got, want, n * sizeof(*want)));
		free(got);
		got = NULL;
		/* the scrub recomputes the same, in one pass */
		blob_path(store, sha, path, sizeof(path));
		fd = open(path, O_RDONLY);
		CHECK(fd >= 0 && blob_scan_fd(fd, &scan) == 0);
		CHECK(!strcmp(scan.sha256, sha) && scan.size == (int64_t)sizes[s]);
		CHECK(scan.nsums == nwant && (nwant == 0 || !memcmp(scan.sums, want, nwant * 8)));
		free(scan.sums);
		close(fd);
	}
	free(buf);
}

static void test_append_only(void)
{
	char path[4200];
	sqlite3 *db;

	snprintf(path, sizeof(path), "%s/catalog.db", store);
	CHECK(sqlite3_open(path, &db) == SQLITE_OK);
	CHECK(sqlite3_exec(db, "UPDATE chunks SET chunk_size = 1", NULL, NULL, NULL) != SQLITE_OK);
	CHECK(sqlite3_exec(db, "DELETE FROM chunks", NULL, NULL, NULL) != SQLITE_OK);
	CHECK(sqlite3_exec(db, "INSERT INTO chunks VALUES ('x', 1048576, x'0102')", NULL, NULL,
			   NULL) != SQLITE_OK); /* not a whole number of sums */
	sqlite3_close(db);
}

int main(void)
{
	struct catalog *cat;
	char err[512];

	snprintf(store, sizeof(store), "%s/chunks-store", check_tmpdir());
	CHECK(catalog_open(store, CATALOG_CREATE, &cat, err, sizeof(err)) == 0);
	test_sizes(cat);
	CHECK(chunks_get(cat, "0000", &(uint32_t){ 0 }, &(uint64_t *){ NULL },
			 &(size_t){ 0 }) == -ENOENT);
	catalog_close(cat);
	test_append_only();
	return check_done("test_chunks");
}
