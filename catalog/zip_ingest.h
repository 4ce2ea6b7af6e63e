/* zip_ingest.h - reading an untrusted zip (zip_ingest.c): every entry
 * checked and extracted into a temp blob, or nothing. Library-internal;
 * which zips are unzipped, and where, the caller of ingest_add() says. */
#ifndef FMFS_ZIP_INGEST_H
#define FMFS_ZIP_INGEST_H

#include "catalog.h"

/* One extracted entry: its (NFC) archive name and its uncommitted blob. */
struct zip_entry_blob {
	char name[FM_NAME_MAX + 1];
	struct blob_tmp blob;
	/* private: from the central directory */
	uint64_t index;
	int64_t size, comp_size;
};

/* Limits, from the environment (defaults in zip_ingest.c):
 * FMFS_ZIP_MAX_BYTES (total uncompressed per zip), FMFS_ZIP_MAX_RATIO
 * (uncompressed / compressed, per entry and for the whole zip, beyond
 * 1 MiB), FMFS_ZIP_MAX_ENTRIES, FMFS_ZIP_MAX_TOTAL (uncompressed, every zip
 * of one ingest: *budget counts it). */

/* Check the zip file at path (zip slip, zip bomb, encryption, corruption,
 * duplicate names) and extract every entry into a temp blob of store, in
 * name order. Returns 0 with *out (caller frees with zip_entries_free) and
 * *count, or -errno with one line "why" in err; then no temp is left. */
int zip_extract(const char *store, const char *path, int64_t *budget,
		struct zip_entry_blob **out, size_t *count, char *err,
		size_t errlen);
/* Discard every temp blob not yet committed, and free. NULL is a no-op. */
void zip_entries_free(struct zip_entry_blob *e, size_t count);

#endif
