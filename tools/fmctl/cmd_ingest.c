/* cmd_ingest.c - fmctl ingest: add files (given on the command line or in a
 * manifest) to the archive in one all-or-nothing batch. */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fmctl.h"
#include "manifest.h"
#include "progress.h"
#include "../billing/policy.h"

static struct progress *progress; /* files copied so far, when shown */

struct ingest_args {
	const char *org, *kind, *direction, *period, *date, *name, *manifest;
};

static int parse_date(const char *date, int64_t *out)
{
	if (!date) {
		*out = INT64_MIN; /* the source file's mtime */
		return 0;
	}
	return date_parse(date, out) ? 0 : -EINVAL;
}

static char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return (char *)(slash ? slash + 1 : path);
}

static int add_files(struct ingest *in, const struct ingest_args *a, int n,
		     char **files)
{
	struct ingest_item item = {
		.org = a->org, .kind = a->kind, .direction = a->direction,
		.period = a->period,
	};

	if (parse_date(a->date, &item.doc_date) < 0) {
		fmctl_error("ingest", "--date %s: not a real date YYYY-MM-DD", a->date);
		return EXIT_USAGE;
	}
	for (int i = 0; i < n; i++) {
		char unzip[64];

		item.path = files[i];
		item.source = files[i];
		item.name = a->name ? a->name : base_name(files[i]);
		item.unzip_into = policy_unzip_folder(item.kind, item.period, item.name, unzip,
						      sizeof(unzip)) ? unzip : NULL;
		if (ingest_add(in, &item) < 0) {
			fmctl_error("ingest", "%s", ingest_error(in));
			return 1;
		}
		progress_file(progress);
	}
	return 0;
}

static int add_manifest(struct ingest *in, const char *manifest)
{
	char *line = NULL, *copy = strdup(manifest), *dir = copy ? dirname(copy) : ".";
	char path[4096], source[4200];
	size_t cap = 0;
	ssize_t len;
	unsigned lineno = 0;
	int rc = 0;
	const char *cause;
	FILE *f = input_fopen(manifest, &cause);

	if (!f) {
		fmctl_error("ingest", "%s: cannot open: %s", manifest, cause);
		free(copy);
		return 1;
	}
	while (rc == 0 && (len = getline(&line, &cap, f)) >= 0) {
		struct manifest_row row;
		struct ingest_item item = { 0 };
		char unzip[64];
		const char *why;

		lineno++;
		if (strlen(line) != (size_t)len) {
			fmctl_error("ingest", "%s:%u: line contains a NUL byte", manifest, lineno);
			rc = 1;
			break;
		}
		if (len && line[len - 1] == '\n')
			line[len - 1] = 0;
		if (!manifest_parse_line(line, &row, &why)) {
			fmctl_error("ingest", "%s:%u: %s", manifest, lineno, why);
			rc = 1;
			break;
		}
		if (!row.path)
			continue;
		if (parse_date(row.date, &item.doc_date) < 0) {
			fmctl_error("ingest", "%s:%u: date '%s' is not a real date YYYY-MM-DD",
				    manifest, lineno, row.date);
			rc = 1;
			break;
		}
		if (row.path[0] == '/')
			snprintf(path, sizeof(path), "%s", row.path);
		else
			snprintf(path, sizeof(path), "%s/%s", dir, row.path);
		snprintf(source, sizeof(source), "%s:%u: %s", manifest, lineno, row.path);
		item.org = row.org;
		item.kind = row.kind;
		item.direction = row.direction;
		item.period = row.period;
		item.path = path;
		item.source = source;
		item.name = row.name ? row.name : base_name(row.path);
		item.unzip_into = policy_unzip_folder(item.kind, item.period, item.name, unzip,
						      sizeof(unzip)) ? unzip : NULL;
		if (ingest_add(in, &item) < 0) {
			fmctl_error("ingest", "%s", ingest_error(in));
			rc = 1;
		}
		progress_file(progress);
	}
	if (rc == 0 && ferror(f)) {
		fmctl_error("ingest", "%s: read error", manifest);
		rc = 1;
	}
	fclose(f);
	free(line);
	free(copy);
	return rc;
}

/* The progress display (if shown) with the batch's files and bytes. */
static struct progress *start_progress(const struct ingest_args *a, int n, char **files)
{
	uint64_t nfiles = (uint64_t)n, bytes = 0;
	struct stat st;

	if (!progress_wanted())
		return NULL;
	if (a->manifest)
		manifest_totals(a->manifest, &nfiles, &bytes);
	for (int i = 0; !a->manifest && i < n; i++)
		if (stat(files[i], &st) == 0)
			bytes += (uint64_t)st.st_size;
	return progress_start("ingest", "copying", nfiles, bytes);
}

static int usage_error(const char *msg)
{
	fmctl_error("ingest", "%s", msg);
	fprintf(stderr, "usage: fmctl ingest --org DOMAIN --kind invoice|soa|usage|revenue|report "
		"[--direction incoming|outgoing] --period YYYY-MM [--date YYYY-MM-DD] "
		"[--name NAME] FILE...\n       fmctl ingest --manifest LIST.tsv\n");
	return EXIT_USAGE;
}

int cmd_ingest(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "org", required_argument, NULL, 'o' },
		{ "kind", required_argument, NULL, 'k' },
		{ "direction", required_argument, NULL, 'd' },
		{ "period", required_argument, NULL, 'p' },
		{ "date", required_argument, NULL, 't' },
		{ "name", required_argument, NULL, 'n' },
		{ "manifest", required_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 }
	};
	struct ingest_args a = { 0 };
	const char **slot[] = { ['o'] = &a.org, ['k'] = &a.kind, ['d'] = &a.direction,
				['p'] = &a.period, ['t'] = &a.date, ['n'] = &a.name,
				['m'] = &a.manifest };
	struct catalog *cat = NULL;
	struct ingest *in = NULL;
	size_t added = 0, same = 0;
	int c, rc;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		if (c == '?' || c == ':')
			return usage_error(optopt ? "an option is missing its value" :
					   "unknown option");
		if (*slot[c])
			return usage_error("an option is given twice");
		*slot[c] = optarg;
	}
	if (a.manifest && (a.org || a.kind || a.direction || a.period || a.date ||
			   a.name || optind < argc))
		return usage_error("--manifest takes no other options or files");
	if (!a.manifest) {
		if (optind >= argc)
			return usage_error("no FILE given");
		if (!a.org || !a.kind || !a.period)
			return usage_error("--org, --kind and --period are required");
		if (a.name && argc - optind > 1)
			return usage_error("--name needs exactly one FILE");
	}
	if (fmctl_open("ingest", 0, &cat) < 0)
		return 1;
	rc = fmctl_ingest_open(cat, &in) < 0 ? 1 : 0;
	if (rc == 0) {
		progress = start_progress(&a, argc - optind, argv + optind);
		rc = a.manifest ? add_manifest(in, a.manifest) :
		     add_files(in, &a, argc - optind, argv + optind);
	}
	progress_stage(progress, "committing", 0, 0);
	if (rc == 0 && ingest_commit(in, &added, &same) < 0) {
		fmctl_error("ingest", "%s", ingest_error(in));
		rc = 1;
	}
	progress_stop(progress);
	if (rc == 0 && added == 0)
		printf("nothing to do: %zu file(s) already archived with identical content\n", same);
	else if (rc == 0)
		printf("ingested %zu file(s)%s", added, same ? "" : "\n");
	if (rc == 0 && added && same)
		printf(", %zu already archived\n", same);
	ingest_close(in);
	catalog_close(cat);
	return rc;
}
