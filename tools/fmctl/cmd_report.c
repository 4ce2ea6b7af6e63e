/* cmd_report.c - fmctl report subscription-billing: the month's report
 * (tools/billing/report.c) from the ledger export, reconciled with its
 * transactions (I8) before anything is written, then ingested into
 * Reports/YYYY-MM/ as the month's first revision or its next one. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fmctl.h"
#include "../billing/policy.h"
#include "../billing/report.h"
#include "../billing/revision.h"

#define SUB "report"

static int usage_error(const char *msg)
{
	fmctl_error(SUB, "%s", msg);
	fprintf(stderr, "usage: fmctl report subscription-billing --org DOMAIN"
		" --period YYYY-MM LEDGER_DIR\n");
	return EXIT_USAGE;
}

/* Write the report to a temp file and ingest it as the next revision. */
static int report_archive(const struct report *r, struct catalog *cat,
			  const char *org, const char *period, int64_t end,
			  char *err, size_t errlen)
{
	char tmpdir[4096], stem[300], folder[300], name[FM_NAME_MAX + 1], path[4400];
	bool same = false;
	int rev, rc = 0, lock;
	FILE *out;

	fmctl_tmpdir_sweep_say(SUB);
	lock = fmctl_tmpdir_make(SUB, tmpdir, sizeof(tmpdir));
	if (lock < 0) {
		snprintf(err, errlen, "%.900s: cannot create: %s", tmpdir, strerror(-lock));
		return lock;
	}
	snprintf(stem, sizeof(stem), "%s-%s-subscription-billing", org, period);
	snprintf(folder, sizeof(folder), "/%s/Reports/%s", org, period);
	snprintf(path, sizeof(path), "%s/%s.csv", tmpdir, stem);
	out = fopen(path, "w");
	if (!out)
		rc = -errno;
	if (rc == 0)
		rc = report_write(r, out, period, err, errlen);
	if (out && fclose(out) != 0 && rc == 0)
		rc = -errno;
	if (rc < 0 && !err[0])
		snprintf(err, errlen, "%.900s: %s", path, strerror(-rc));
	if (rc == 0)
		rc = revision_next(cat, folder, stem, ".csv", path, &rev, &same, err, errlen);
	if (rc == 0) {
		policy_revision_name(stem, ".csv", rev, name, sizeof(name));
		if (same)
			printf("nothing to do: %s is already archived with identical content\n",
			       name);
		else
			rc = fmctl_ingest_generated(SUB, cat, org, "report", period, name,
						    path, end, NULL);
		err[0] = 0; /* printed */
	}
	fmctl_tmpdir_remove(tmpdir, lock);
	return rc;
}

int cmd_report(int argc, char **argv)
{
	const char *org, *period, *dir;
	char err[1024] = "";
	struct report r = { 0 };
	struct catalog *cat = NULL;
	struct ledger l;
	int64_t start, end;
	int rc;

	if (argc < 2 || strcmp(argv[1], "subscription-billing"))
		return usage_error("the only report is subscription-billing");
	rc = fmctl_month_args(SUB, argc - 1, argv + 1, &org, &period, &dir, &start, &end);
	if (rc == -1)
		return usage_error("--org, --period and one LEDGER_DIR are required");
	if (rc < 0)
		return EXIT_USAGE;
	rc = ledger_read(&l, dir, start, end, err, sizeof(err));
	if (rc < 0) {
		fmctl_error(SUB, "%s", err);
		return 1;
	}
	fmctl_notes(SUB, l.notes);
	rc = report_read(&r, &l, dir, period, start, end, err, sizeof(err));
	fmctl_notes(SUB, r.notes);
	if (rc == 0)
		rc = report_reconcile(&r, &l, err, sizeof(err));
	if (rc == 0)
		rc = fmctl_open(SUB, 0, &cat) < 0 ? -EIO : 0;
	if (rc == 0)
		rc = report_archive(&r, cat, org, period, end, err, sizeof(err));
	if (rc < 0 && err[0])
		fmctl_error(SUB, "%s", err);
	report_release(&r);
	ledger_release(&l);
	catalog_close(cat);
	return rc < 0 ? 1 : 0;
}
