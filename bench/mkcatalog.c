/* mkcatalog.c - bench only: fill STORE with N small files through the catalog
 * library (ingest_open/ingest_add from memory, batches of 10,000), laid out as
 * scale.example/<Invoices|SOA>/<Incoming|Outgoing>/YYYY-MM/F0000000.pdf with
 * 1,000 files per folder; 64 distinct contents, so the blob store stays small. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"

#define PER_FOLDER 1000
#define BATCH 10000 /* a batch holds its temp files open: limit 20,000 */

int main(int argc, char **argv)
{
	static const char *const kinds[4][2] = {
		{ "invoice", "incoming" }, { "invoice", "outgoing" },
		{ "soa", "incoming" }, { "soa", "outgoing" },
	};
	char err[512], period[24], name[32], body[64];
	struct catalog *cat;
	struct ingest *in = NULL;
	long n;

	if (argc != 3 || (n = atol(argv[2])) <= 0) {
		fprintf(stderr, "usage: mkcatalog STORE NFILES\n");
		return 2;
	}
	if (catalog_open(argv[1], 0, &cat, err, sizeof(err)) < 0) {
		fprintf(stderr, "mkcatalog: %s\n", err);
		return 1;
	}
	for (long i = 0; i < n; i++) {
		long folder = i / PER_FOLDER;
		struct ingest_item item = { .org = "scale.example" };

		if (!in && ingest_open(cat, "mkcatalog", &in) < 0)
			return 1;
		snprintf(period, sizeof(period), "%04ld-%02ld", 2001 + folder / 4 / 12,
			 folder / 4 % 12 + 1);
		snprintf(name, sizeof(name), "F%07ld.pdf", i);
		snprintf(body, sizeof(body), "scale test document %ld\n", i % 64);
		item.kind = kinds[folder % 4][0];
		item.direction = kinds[folder % 4][1];
		item.period = period;
		item.name = name;
		item.doc_date = 978307200 + i;
		item.data = body;
		item.len = strlen(body);
		if (ingest_add(in, &item) < 0) {
			fprintf(stderr, "mkcatalog: %s\n", ingest_error(in));
			return 1;
		}
		if ((i + 1) % BATCH == 0 || i + 1 == n) {
			if (ingest_commit(in, NULL, NULL) < 0) {
				fprintf(stderr, "mkcatalog: %s\n", ingest_error(in));
				return 1;
			}
			ingest_close(in);
			in = NULL;
			fprintf(stderr, "\rmkcatalog: %ld files", i + 1);
		}
	}
	fprintf(stderr, "\n");
	catalog_close(cat);
	return 0;
}
