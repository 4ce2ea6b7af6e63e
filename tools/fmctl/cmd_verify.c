/* cmd_verify.c - fmctl verify [--repair] [--json]: scrub the store (the
 * weekly timer runs it). Damage, missing blobs, a failing catalog and modes
 * that let others in go to stderr and make it exit 1; leftovers of
 * interrupted ingests are reported, and with --repair removed (so are the
 * temp folders of killed fmctl runs). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "fmctl.h"
#include "json.h"
#include "progress.h"

static const char *const kind_name[] = {
	[SCRUB_CATALOG] = "catalog", [SCRUB_MODE] = "mode",
	[SCRUB_MISSING] = "missing", [SCRUB_DAMAGED] = "damaged",
	[SCRUB_ORPHAN] = "orphan", [SCRUB_TEMP] = "temp",
	[SCRUB_IN_USE] = "in use", [SCRUB_STRAY] = "stray",
	[SCRUB_SUMS] = "sums",
};

static void json_finding(struct json *j, const char *kind, const struct scrub_report *r,
			 bool failure)
{
	json_object_begin(j);
	json_kv_string(j, "kind", kind);
	json_kv_string(j, "path", r->path);
	json_kv_string(j, "detail", r->detail);
	json_kv_bool(j, "failure", failure);
	json_kv_bool(j, "repaired", r->repaired);
	json_object_end(j);
}

/* the totals, the verdict and the exit status: one JSON document */
static int json_totals(struct json *j, const struct scrub_totals *t, bool repair, int status)
{
	json_array_end(j);
	json_key(j, "totals");
	json_object_begin(j);
	json_kv_uint(j, "blobs", t->blobs);
	json_kv_uint(j, "bytes", t->bytes);
	json_kv_uint(j, "damaged", t->damaged);
	json_kv_uint(j, "missing", t->missing);
	json_kv_uint(j, "orphans", t->orphans);
	json_kv_uint(j, "temps", t->temps);
	json_kv_uint(j, "in_use", t->in_use);
	json_kv_uint(j, "strays", t->strays);
	json_kv_uint(j, "modes", t->modes);
	json_kv_uint(j, "sums_added", t->sums_added);
	json_object_end(j);
	json_kv_bool(j, "catalog_ok", !t->catalog_bad);
	json_kv_bool(j, "repair", repair);
	json_kv_bool(j, "ok", status == 0);
	return json_close(j, stdout);
}

/* The progress display (if shown), toward the bytes the archive lists (a
 * blob listed twice is read once: the ETA errs long). */
static struct progress *start_progress(struct catalog *cat)
{
	struct catalog_stats s = { 0 };

	if (!progress_wanted())
		return NULL;
	catalog_stats(cat, &s);
	return progress_start("verify", "reading blobs", 0, s.bytes);
}

static void print_finding(void *arg, const struct scrub_report *r)
{
	bool failure = r->kind == SCRUB_CATALOG || r->kind == SCRUB_MISSING ||
		       r->kind == SCRUB_DAMAGED || (r->kind == SCRUB_MODE && !r->repaired);

	if (arg) {
		json_finding(arg, kind_name[r->kind], r, failure);
		if (!failure)
			return;
	}
	progress_clear(); /* a finding goes on its own line, not after the progress */
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
	bool as_json = fmctl_flag(&argc, argv, "--json");
	struct scrub_totals t;
	struct catalog *cat;
	struct progress *p;
	struct json j;
	int c, repair = 0, rc, status;

	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--remote") || !strncmp(argv[i], "--remote=", 9))
			return fmctl_verify_remote(argc, argv);
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
	rc = as_json ? json_open(&j, "verify") : 0;
	if (rc < 0) {
		fmctl_error("verify", "%s: %s", fmctl_store, strerror(-rc));
		catalog_close(cat);
		return 1;
	}
	if (as_json) {
		json_key(&j, "findings");
		json_array_begin(&j);
	}
	p = start_progress(cat);
	if (repair) /* temp folders of killed fmctl runs (never a live run's) */
		fmctl_tmpdir_sweep_say("verify");
	rc = catalog_scrub(cat, repair, print_finding, as_json ? &j : NULL, &t);
	progress_stop(p);
	catalog_close(cat);
	if (rc < 0) {
		fmctl_error("verify", "%s: cannot scrub: %s", fmctl_store, strerror(-rc));
		if (as_json)
			json_discard(&j);
		return 1;
	}
	if (t.catalog_bad)
		fmctl_error("verify", "%s/catalog.db is damaged: restore it from a backup "
			    "(fmfs never repairs by dropping rows)", fmctl_store);
	status = t.catalog_bad || t.damaged || t.missing || (t.modes && !repair) ? 1 : 0;
	if (as_json) {
		rc = json_totals(&j, &t, repair, status);
		if (rc < 0)
			fmctl_error("verify", "stdout: %s", strerror(-rc));
		return rc < 0 ? 1 : status;
	}
	if (t.catalog_bad)
		return 1;
	printf("verified %llu blob(s), %llu bytes: %llu damaged, %llu missing, "
	       "%llu orphan(s), %llu temp file(s), %llu in use, %llu stray, "
	       "%llu bad mode(s)%s\n",
	       (unsigned long long)t.blobs, (unsigned long long)t.bytes,
	       (unsigned long long)t.damaged, (unsigned long long)t.missing,
	       (unsigned long long)t.orphans, (unsigned long long)t.temps,
	       (unsigned long long)t.in_use, (unsigned long long)t.strays,
	       (unsigned long long)t.modes, repair ? " (repaired what could be)" : "");
	return status;
}
