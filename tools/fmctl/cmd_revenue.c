/* cmd_revenue.c - fmctl revenue: the month's revenue zip from the ledger
 * export and the month's usage already archived (tools/billing does the
 * work); identities I1-I7 checked before anything is written, then the zip
 * ingested as the month's first revision or its next one, and so unzipped
 * into Revenue/YYYY-MM/ (or Revenue/YYYY-MM/revNN/). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fmctl.h"
#include "../billing/policy.h"
#include "../billing/revenue.h"
#include "../billing/revision.h"
#include "progress.h"

#define SUB "revenue"

static int usage_error(const char *msg)
{
	fmctl_error(SUB, "%s", msg);
	fprintf(stderr, "usage: fmctl revenue --org DOMAIN --period YYYY-MM LEDGER_DIR\n");
	return EXIT_USAGE;
}

/* Ingest the zip at path as the month's next revision, or say that the
 * latest already has these bytes. */
static int zip_archive(struct catalog *cat, const char *org, const char *period,
		       const char *path, int64_t end, char *err, size_t errlen)
{
	char folder[300], stem[300], name[FM_NAME_MAX + 1], unzip[64];
	bool same;
	int rev, rc;

	snprintf(folder, sizeof(folder), "/%s/Revenue", org);
	snprintf(stem, sizeof(stem), "%s-%s-revenue", org, period);
	rc = revision_next(cat, folder, stem, ".zip", path, &rev, &same, err, errlen);
	if (rc < 0)
		return rc;
	policy_revision_name(stem, ".zip", rev, name, sizeof(name));
	if (same) {
		printf("nothing to do: %s is already archived with identical content\n", name);
		return 0;
	}
	policy_unzip_folder("revenue", period, name, unzip, sizeof(unzip));
	rc = fmctl_ingest_generated(SUB, cat, org, "revenue", period, name, path, end,
				    unzip);
	err[0] = 0; /* printed */
	return rc;
}

int cmd_revenue(int argc, char **argv)
{
	const char *org, *period, *dir;
	char tmpdir[4096], zippath[4400], err[1024] = "";
	struct rev_files rf = { 0 };
	struct catalog *cat = NULL;
	struct progress *p;
	struct ledger l;
	int64_t start, end;
	int rc, lock = -1;

	rc = fmctl_month_args(SUB, argc, argv, &org, &period, &dir, &start, &end);
	if (rc == -1)
		return usage_error("--org, --period and one LEDGER_DIR are required");
	if (rc < 0)
		return EXIT_USAGE;
	p = progress_start(SUB, "reading the ledger", 0, 0);
	rc = ledger_read(&l, dir, start, end, err, sizeof(err));
	if (rc < 0) {
		progress_stop(p);
		fmctl_error(SUB, "%s", err);
		return 1;
	}
	fmctl_notes(SUB, l.notes);
	progress_stage(p, "reading the month's usage", 0, 0);
	if (fmctl_open(SUB, 0, &cat) < 0) {
		progress_stop(p);
		ledger_release(&l);
		return 1;
	}
	rc = revenue_archive_read(cat, &l, org, period, err, sizeof(err));
	progress_stage(p, "building and checking", 0, 0);
	if (rc == 0)
		rc = revenue_files_build(&l, org, period, &rf, err, sizeof(err));
	if (rc == 0)
		rc = revenue_check(&rf, &l, err, sizeof(err));
	if (rc == 0) {
		fmctl_tmpdir_sweep_say(SUB);
		lock = fmctl_tmpdir_make(SUB, tmpdir, sizeof(tmpdir));
		if (lock < 0) {
			rc = lock;
			snprintf(err, sizeof(err), "%.900s: cannot create: %s", tmpdir,
				 strerror(-lock));
		}
	}
	progress_stop(p);
	if (rc == 0) {
		snprintf(zippath, sizeof(zippath), "%s/%s-%s-revenue.zip", tmpdir, org, period);
		rc = revenue_zip_write(&rf, zippath, end, err, sizeof(err));
		if (rc == 0)
			rc = zip_archive(cat, org, period, zippath, end, err, sizeof(err));
		fmctl_tmpdir_remove(tmpdir, lock);
	}
	if (rc < 0 && err[0])
		fmctl_error(SUB, "%s", err);
	revenue_files_release(&rf);
	ledger_release(&l);
	catalog_close(cat);
	return rc < 0 ? 1 : 0;
}
