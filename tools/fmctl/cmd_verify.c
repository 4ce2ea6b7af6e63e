/* cmd_verify.c - fmctl verify [--repair]: scrub the store (the weekly timer
 * runs it). Damage, missing blobs, a failing catalog and modes that let
 * others in go to stderr and make it exit 1; leftovers of interrupted
 * ingests are reported, and with --repair removed. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "fmctl.h"

static const char *const kind_name[] = {
	[SCRUB_CATALOG] = "catalog", [SCRUB_MODE] = "mode",
	[SCRUB_MISSING] = "missing", [SCRUB_DAMAGED] = "damaged",
	[SCRUB_ORPHAN] = "orphan", [SCRUB_TEMP] = "temp",
	[SCRUB_IN_USE] = "in use", [SCRUB_STRAY] = "stray",
	[SCRUB_SUMS] = "sums",
};

static void print_finding(void *arg, const struct scrub_report *r)
{
	bool failure = r->kind == SCRUB_CATALOG || r->kind == SCRUB_MISSING ||
		       r->kind == SCRUB_DAMAGED || (r->kind == SCRUB_MODE && !r->repaired);

	(void)arg;
	if (failure)
		fmctl_error("verify", "%s: %s", r->path, r->detail);
	else
		printf("%s%s: %s: %s\n", r->repaired ? "repaired " : "",
		       kind_name[r->kind], r->path, r->detail);
}

int cmd_verify(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "repair", no_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 }
	};
	struct scrub_totals t;
	struct catalog *cat;
	int c, repair = 0, rc;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		if (c != 'r' || repair++) {
			fmctl_error("verify", "%s; usage: fmctl verify [--repair]",
				    c == 'r' ? "--repair given twice" : "unknown option");
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fmctl_error("verify", "unexpected argument '%s'; usage: fmctl verify [--repair]",
			    argv[optind]);
		return EXIT_USAGE;
	}
	if (fmctl_open("verify", repair ? 0 : CATALOG_READONLY, &cat) < 0)
		return 1;
	rc = catalog_scrub(cat, repair, print_finding, NULL, &t);
	catalog_close(cat);
	if (rc < 0) {
		fmctl_error("verify", "%s: cannot scrub: %s", fmctl_store, strerror(-rc));
		return 1;
	}
	if (t.catalog_bad) {
		fmctl_error("verify", "%s/catalog.db is damaged: restore it from a backup "
			    "(fmfs never repairs by dropping rows)", fmctl_store);
		return 1;
	}
	printf("verified %llu blob(s), %llu bytes: %llu damaged, %llu missing, "
	       "%llu orphan(s), %llu temp file(s), %llu in use, %llu stray, "
	       "%llu bad mode(s)%s\n",
	       (unsigned long long)t.blobs, (unsigned long long)t.bytes,
	       (unsigned long long)t.damaged, (unsigned long long)t.missing,
	       (unsigned long long)t.orphans, (unsigned long long)t.temps,
	       (unsigned long long)t.in_use, (unsigned long long)t.strays,
	       (unsigned long long)t.modes, repair ? " (repaired what could be)" : "");
	return t.damaged || t.missing || (t.modes && !repair) ? 1 : 0;
}
