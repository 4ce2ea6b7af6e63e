/* month.c - what the monthly generators (revenue, report) share: their
 * --org/--period/FOLDER arguments and the ingest of what they generated. */
#include <getopt.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "fmctl.h"

/* Parse --org, --period and the one folder argument (shared with report). */
int fmctl_month_args(const char *sub, int argc, char **argv, const char **org,
		     const char **period, const char **dir, int64_t *start,
		     int64_t *end)
{
	static const struct option longopts[] = {
		{ "org", required_argument, NULL, 'o' },
		{ "period", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 }
	};
	struct tm tm = { 0 };
	int c, year, month;

	*org = *period = NULL;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		if (c == 'o')
			*org = optarg;
		else if (c == 'p')
			*period = optarg;
		else
			return -1;
	}
	if (!*org || !*period || optind != argc - 1)
		return -1;
	*dir = argv[optind];
	if (!org_is_valid(*org)) {
		fmctl_error(sub, "--org %s: not a valid domain name", *org);
		return -2;
	}
	if (!period_parse(*period, &year, &month)) {
		fmctl_error(sub, "--period %s: not a month YYYY-MM", *period);
		return -2;
	}
	tm.tm_year = year - 1900;
	tm.tm_mon = month - 1;
	tm.tm_mday = 1;
	*start = timegm(&tm);
	tm.tm_mon++;
	*end = timegm(&tm);
	return 0;
}

void fmctl_notes(const char *sub, const char *notes)
{
	while (*notes) {
		size_t len = strcspn(notes, "\n");

		fmctl_error(sub, "%.*s", (int)len, notes);
		notes += len + (notes[len] == '\n');
	}
}

/* Ingest one generated file (path) as org/kind/period/name dated doc_date,
 * a zip also unzipped into unzip_into when that is not NULL. */
int fmctl_ingest_generated(const char *sub, struct catalog *cat, const char *org,
			   const char *kind, const char *period, const char *name,
			   const char *path, int64_t doc_date, const char *unzip_into)
{
	struct ingest_item item = {
		.org = org, .kind = kind, .period = period, .name = name,
		.doc_date = doc_date, .source = name, .path = path,
		.unzip_into = unzip_into,
	};
	struct ingest *in = NULL;
	size_t added = 0, same = 0;
	int rc = fmctl_ingest_open(cat, &in);

	if (rc == 0)
		rc = ingest_add(in, &item);
	if (rc == 0)
		rc = ingest_commit(in, &added, &same);
	if (rc < 0)
		fmctl_error(sub, "%s", in ? ingest_error(in) : strerror(-rc));
	else if (added)
		printf("ingested %s (%zu file(s) new, %zu unchanged)\n", name, added, same);
	else
		printf("nothing to do: %s is already archived with identical content\n", name);
	ingest_close(in);
	return rc < 0 ? -1 : 0;
}
