/* fuzz_zip.c - libFuzzer target: the revenue zip ingest path
 * (catalog/zip_ingest.c's zip_extract) on untrusted bytes. Invariants: it
 * either extracts entries with valid names or fails saying why, and in both
 * cases leaves no temp file in the store once the entries are freed. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../catalog/zip_ingest.h"

static char store[64] = "/tmp/fmfs-fuzz-zip.XXXXXX", zip[128];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char objects[128];

	(void)argc, (void)argv;
	if (!mkdtemp(store))
		abort();
	snprintf(objects, sizeof(objects), "%s/objects", store);
	snprintf(zip, sizeof(zip), "%s/input.zip", store);
	mkdir(objects, 0700);
	setenv("FMFS_ZIP_MAX_BYTES", "8388608", 0); /* keep bombs cheap */
	return 0;
}

static size_t temps_left(void)
{
	char objects[128];
	struct dirent *e;
	size_t n = 0;
	DIR *d;

	snprintf(objects, sizeof(objects), "%s/objects", store);
	d = opendir(objects);
	while (d && (e = readdir(d)))
		n += !strncmp(e->d_name, "tmp-", 4);
	if (d)
		closedir(d);
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct zip_entry_blob *e = NULL;
	size_t count = 0;
	char err[512] = "";
	FILE *f = fopen(zip, "wb");
	int rc;

	if (!f)
		abort();
	fwrite(data, 1, size, f);
	fclose(f);
	rc = zip_extract(store, zip, &(int64_t){ 0 }, &e, &count, err, sizeof(err));
	if (rc < 0 && !err[0])
		abort();
	for (size_t i = 0; rc == 0 && i < count; i++)
		if (!name_is_valid(e[i].name))
			abort();
	zip_entries_free(e, rc == 0 ? count : 0);
	if (temps_left())
		abort();
	unlink(zip);
	return 0;
}
