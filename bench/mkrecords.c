/* mkrecords.c - bench only: give ORG in STORE an archive of N usage record
 * identities through the catalog library directly (record_put, sorted, in
 * transactions of 1M), as if N call legs had been archived by fmctl usage:
 * record_ids c%06d-%09d spread over the same key range as bench/usage.sh's
 * export (suffixes from 10,000,000, so none collides), their legs (t%09d,
 * l2..l11) beside the export's (t%09d, l1). One header-only usage file
 * holds them. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"

#define BATCH 1000000

static const char header[] =
	"\xEF\xBB\xBFrecord_id,org_id,org_name,wallet_id,txn_id,leg_id,direction,start_time,"
	"answer_time,end_time,duration_s,talk_s,billable_s,caller,callee,status,dest_country,"
	"rate_per_min,price,cost,currency\r\n";

static int die(const char *what, int rc)
{
	fprintf(stderr, "mkrecords: %s: %s\n", what, strerror(-rc));
	return 1;
}

/* Commit every BATCH puts. */
static int tick(struct catalog *cat, uint64_t k)
{
	int rc = 0;

	if (k % BATCH == 0 && k) {
		rc = record_batch_end(cat, true);
		if (rc == 0)
			rc = record_batch_begin(cat);
		if (k % (10 * BATCH) == 0)
			fprintf(stderr, "mkrecords: %" PRIu64 "\n", k);
	}
	return rc;
}

int main(int argc, char **argv)
{
	char err[512], path[600], rid[48], txn[32], leg[16];
	struct ingest_item item = {
		.kind = "usage", .period = "2025-01", .doc_date = 1738368000,
		.data = header, .len = sizeof(header) - 1,
	};
	struct catalog *cat;
	struct ingest *in;
	struct node file;
	uint64_t n, org, k = 0;
	int rc;

	if (argc != 4 || (n = strtoull(argv[3], NULL, 10)) == 0 || n % 1000000) {
		fprintf(stderr, "usage: mkrecords STORE ORG N (N a multiple of 1,000,000)\n");
		return 2;
	}
	if (catalog_open(argv[1], 0, &cat, err, sizeof(err)) < 0) {
		fprintf(stderr, "mkrecords: %s\n", err);
		return 1;
	}
	snprintf(path, sizeof(path), "%s-2025-01-call.csv", argv[2]);
	item.org = argv[2];
	item.name = item.source = path;
	rc = ingest_open(cat, "bench", &in);
	if (rc == 0)
		rc = ingest_add(in, &item);
	if (rc == 0)
		rc = ingest_commit(in, NULL, NULL);
	ingest_close(in);
	if (rc < 0)
		return die("ingest", rc);
	snprintf(path, sizeof(path), "%s/Usage/2025-01/%s-2025-01-call.csv", argv[2], argv[2]);
	rc = node_resolve(cat, path, &file);
	if (rc == 0)
		rc = node_org(cat, argv[2], &org);
	if (rc == 0)
		rc = record_batch_begin(cat);
	if (rc < 0)
		return die(path, rc);
	/* records, in key order: prefix p, then the suffix */
	for (uint64_t p = 0; rc == 0 && p < 1000000; p++) {
		uint64_t per = n / 1000000;

		for (uint64_t j = 0; rc == 0 && j < per; j++, k++) {
			snprintf(rid, sizeof(rid), "c%06" PRIu64 "-%09" PRIu64, p,
				 10000000 + p * 1000 + j);
			rc = record_put(cat, org, rid, k * 0x9E3779B97F4A7C15ull, file.id, NULL, NULL);
			if (rc == 0)
				rc = tick(cat, k + 1);
		}
	}
	if (rc == 0)
		rc = record_batch_end(cat, true);
	if (rc == 0)
		rc = record_batch_begin(cat);
	/* legs, in key order: (t%09d, l10), (l11), (l2) .. (l9) of n/10 calls;
	 * the legs table only (record_put with txn also puts the record) */
	for (uint64_t t = 0; rc == 0 && t < n / 10; t++) {
		static const int legs[] = { 10, 11, 2, 3, 4, 5, 6, 7, 8, 9 };

		snprintf(txn, sizeof(txn), "t%09" PRIu64, t);
		for (int l = 0; rc == 0 && l < 10; l++, k++) {
			snprintf(leg, sizeof(leg), "l%d", legs[l]);
			uint64_t r = t * 10 + (uint64_t)l, per = n / 1000000;

			snprintf(rid, sizeof(rid), "c%06" PRIu64 "-%09" PRIu64, r / per,
				 10000000 + r / per * 1000 + r % per);
			rc = record_leg_put(cat, org, txn, leg, rid);
			if (rc == 0)
				rc = tick(cat, k + 1);
		}
	}
	if (rc == 0)
		rc = record_file_mark(cat, file.id);
	if (rc == 0)
		rc = record_batch_end(cat, true);
	else
		record_batch_end(cat, false);
	catalog_close(cat);
	if (rc < 0)
		return die("records", rc);
	printf("%" PRIu64 " records and %" PRIu64 " call legs archived for %s\n", n, n, argv[2]);
	return 0;
}
