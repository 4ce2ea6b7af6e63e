/* cmd_usage.c - fmctl usage: turn the platform's usage exports into one CSV
 * per closed UTC month and type (docs/formats.md §2-3), supplements for records
 * that arrive late, all ingested in one all-or-nothing batch. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>

#include "../billing/csv.h"
#include "fmctl.h"
#include "../billing/time.h"
#include "../billing/usage_record.h"
#include "../billing/usage_sort.h"
#include "progress.h"

#define USAGE_MAX_ROWS 1000000 /* docs/formats.md §1: data rows per file */

static struct progress *progress; /* the exports read so far, when shown */

/* Records left for a later run, per type and open month. */
struct month_count {
	int type, month;
	uint64_t records;
};

struct usage_run {
	const char *org;
	int want_type;          /* --type, or -1 */
	int through;            /* last month index to write (--through) */
	int64_t now;
	uint64_t max_rows;
	char **files;
	int nfiles;
	uint64_t *open_records; /* per export: records of months not written */
	FILE *added;            /* the archive paths written, shown after commit */
	char *added_buf;
	size_t added_len;
	FILE *notes;            /* the per-month summary, shown after commit */
	char *notes_buf;
	size_t notes_len;
	struct catalog *cat;
	struct usage_sort *sort;
	struct ingest *ing;
	char tmpdir[4096];
	struct month_count *counts;
	size_t ncounts, capcounts;
	/* the group (type, month) being written */
	int type, month;
	bool archived;          /* the month already has files of this type */
	int supplement;         /* number of the supplement to write */
	uint64_t new_rows, old_rows;
	FILE *part;             /* open part, or NULL */
	int nparts;
	uint64_t part_rows;
};

static bool month_is_closed(const struct usage_run *u, int month)
{
	return month <= u->through && usage_month_start(month + 1) <= u->now;
}

static int count_month(void *arg, int type, int month)
{
	struct usage_run *u = arg;
	struct month_count *c;

	for (size_t i = u->ncounts; i-- > 0;) {
		c = &u->counts[i];
		if (c->type == type && c->month == month) {
			c->records++;
			return 0;
		}
	}
	if (u->ncounts == u->capcounts) {
		size_t cap = u->capcounts ? u->capcounts * 2 : 16;

		c = realloc(u->counts, cap * sizeof(*c));
		if (!c)
			return -ENOMEM;
		u->counts = c;
		u->capcounts = cap;
	}
	u->counts[u->ncounts++] = (struct month_count){ type, month, 1 };
	return 0;
}

/* ---- reading the exports ---- */

static int read_export(struct usage_run *u, int idx, FILE *rowf, char **rowbuf)
{
	const char *path = u->files[idx];
	struct csv_reader r;
	struct usage_layout l;
	struct csv_writer w = { .out = rowf };
	char why[512];
	int rc = 0, got;
	FILE *f = fopen(path, "r");

	if (!f) {
		rc = -errno;
		fmctl_error("usage", "%s: cannot open: %s", path, strerror(-rc));
		return rc;
	}
	csv_reader_init(&r, f, path);
	got = csv_read(&r);
	if (got == 0)
		goto out_close; /* an empty export: nothing to do */
	if (got < 0) {
		fmctl_error("usage", "%s:%" PRIu64 ": %s", path, r.line, r.error);
		rc = -EINVAL;
		goto out_close;
	}
	if (usage_layout_init(&l, u->want_type, r.fields, r.nfields, why, sizeof(why)) < 0) {
		fmctl_error("usage", "%s:%" PRIu64 ": %s", path, r.line, why);
		rc = -EINVAL;
		goto out_close;
	}
	while ((got = csv_read(&r)) == 1) {
		struct usage_row row;
		off_t len;

		fseeko(rowf, 0, SEEK_SET);
		w.fields = 0;
		if (usage_record_convert(&l, r.fields, r.nfields, &w, &row, why,
					 sizeof(why)) < 0) {
			fmctl_error("usage", "%s:%" PRIu64 ": %s", path, r.line, why);
			rc = -EINVAL;
			goto out_close;
		}
		len = ftello(rowf);
		fflush(rowf);
		if (!month_is_closed(u, row.month))
			u->open_records[idx]++;
		rc = usage_sort_add(u->sort, l.type, row.month, row.start, row.record_id,
				    XXH64(*rowbuf, (size_t)len, 0), *rowbuf, (size_t)len,
				    idx, r.line);
		if (rc < 0)
			goto out_close;
	}
	if (got < 0) {
		fmctl_error("usage", "%s:%" PRIu64 ": %s", path, r.line, r.error);
		rc = -EINVAL;
	}
out_close:
	csv_reader_release(&r);
	if (ferror(f) && rc == 0) {
		fmctl_error("usage", "%s: read error", path);
		rc = -EIO;
	}
	fclose(f);
	return rc;
}

static int read_exports(struct usage_run *u)
{
	char *rowbuf = NULL;
	size_t rowlen = 0;
	FILE *rowf = open_memstream(&rowbuf, &rowlen);
	int rc = 0;

	if (!rowf)
		return -ENOMEM;
	for (int i = 0; rc == 0 && i < u->nfiles; i++) {
		rc = read_export(u, i, rowf, &rowbuf);
		progress_file(progress);
	}
	fclose(rowf);
	free(rowbuf);
	if (rc == 0)
		rc = usage_sort_end_input(u->sort);
	return rc;
}

/* ---- what the archive already holds ---- */

/* Hash of a record's fields (each with its NUL), as the reader sees them. */
static uint64_t fields_hash(char **fields, size_t n)
{
	XXH64_state_t *st = XXH64_createState();
	uint64_t h;

	XXH64_reset(st, 0);
	for (size_t i = 0; i < n; i++)
		XXH64_update(st, fields[i], strlen(fields[i]) + 1);
	h = XXH64_digest(st);
	XXH64_freeState(st);
	return h;
}

/* The file name base "ORG-YYYY-MM-TYPE". */
static void group_base(const struct usage_run *u, int type, int month, char *out,
		       size_t len)
{
	char m[8];

	usage_month_name(month, m);
	snprintf(out, len, "%s-%s-%s", u->org, m, usage_type_name(type));
}

/* Is name one of base's files? Sets *supplement (0 for the original). */
static bool name_is_group_file(const char *name, const char *base, int *supplement)
{
	size_t n = strlen(base);
	const char *p = name + n;
	int s = 0;

	if (strncmp(name, base, n))
		return false;
	if (!strncmp(p, "-supplement-", 12) && p[12] >= '0' && p[12] <= '9' &&
	    p[13] >= '0' && p[13] <= '9') {
		s = (p[12] - '0') * 10 + (p[13] - '0');
		p += 14;
		if (s == 0)
			return false;
	}
	if (!strncmp(p, "-part", 5) && strspn(p + 5, "0123456789") == 3)
		p += 8;
	if (strcmp(p, ".csv"))
		return false;
	*supplement = s;
	return true;
}

struct arch_list {
	struct usage_run *u;
	const char *base;
	int type;
	int max_supplement;
	bool found;
	int rc;
	char name[FM_NAME_MAX + 1];
};

static int arch_load_file(struct usage_run *u, int type, const struct node *n)
{
	struct csv_reader r;
	int fd = blob_open(catalog_store(u->cat), n->sha256), got, rc = 0;
	FILE *f;

	if (fd < 0) {
		fmctl_error("usage", "%s: cannot open the archived file: %s", n->name,
			    strerror(-fd));
		return fd;
	}
	f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		return -errno;
	}
	csv_reader_init(&r, f, n->name);
	got = csv_read(&r);
	if (got == 1 && (r.nfields < 1 || strcmp(r.fields[0], "record_id")))
		got = -2;
	while (got == 1 && (got = csv_read(&r)) == 1) {
		rc = usage_sort_archived_add(u->sort, type, r.fields[0],
					     fields_hash(r.fields, r.nfields));
		if (rc < 0)
			break;
	}
	if (got < 0 && rc == 0) {
		fmctl_error("usage", "archived %s:%" PRIu64 ": %s", n->name, r.line,
			    got == -2 ? "does not start with record_id" : r.error);
		rc = -EINVAL;
	}
	csv_reader_release(&r);
	fclose(f);
	return rc;
}

static int arch_visit(void *arg, const struct node *n)
{
	struct arch_list *a = arg;
	int s;

	if (n->type != NODE_FILE || !name_is_group_file(n->name, a->base, &s))
		return 0;
	a->found = true;
	if (s > a->max_supplement)
		a->max_supplement = s;
	a->rc = arch_load_file(a->u, a->type, n);
	return a->rc;
}

/* Load the record_ids of what the archive holds for (type, month). */
static int group_load_archive(struct usage_run *u, int type, int month)
{
	char base[FM_NAME_MAX + 1], path[1024], m[8];
	struct arch_list a = { .u = u, .base = base, .type = type };
	struct node dir;
	int rc;

	usage_month_name(month, m);
	group_base(u, type, month, base, sizeof(base));
	snprintf(path, sizeof(path), "%s/Usage/%s", u->org, m);
	rc = node_resolve(u->cat, path, &dir);
	if (rc == -ENOENT || rc == -ENOTDIR)
		rc = 0;
	else if (rc == 0)
		rc = node_list(u->cat, dir.id, 0, arch_visit, &a);
	if (rc < 0) {
		if (rc != a.rc)
			fmctl_error("usage", "%s: cannot read the archive: %s", path,
				    strerror(-rc));
		return rc;
	}
	u->archived = a.found;
	u->supplement = a.found ? a.max_supplement + 1 : 0;
	return 0;
}

/* ---- writing the months ---- */

static void part_path(const struct usage_run *u, int n, char *out, size_t len)
{
	snprintf(out, len, "%s/part-%d.csv", u->tmpdir, n);
}

static int part_open(struct usage_run *u)
{
	char path[4200];
	struct csv_writer w;

	u->nparts++;
	part_path(u, u->nparts, path, sizeof(path));
	u->part = fopen(path, "w");
	if (!u->part) {
		int rc = -errno;

		fmctl_error("usage", "%s: %s", path, strerror(-rc));
		return rc;
	}
	csv_writer_init(&w, u->part);
	usage_header_write(&w, u->type);
	u->part_rows = 0;
	return 0;
}

static int part_close(struct usage_run *u)
{
	int rc = 0;

	if (!u->part)
		return 0;
	if (fflush(u->part) || ferror(u->part))
		rc = -EIO;
	if (fclose(u->part))
		rc = -EIO;
	u->part = NULL;
	if (rc < 0)
		fmctl_error("usage", "%s: cannot write a temp file", u->tmpdir);
	return rc;
}

/* Close the group: name its parts and add them to the batch. */
static int group_finish(struct usage_run *u)
{
	char base[FM_NAME_MAX + 1], name[FM_NAME_MAX + 64], supp[32] = "", part[16];
	char path[4200], m[8];
	int rc = part_close(u);

	if (u->type < 0)
		return rc;
	usage_month_name(u->month, m);
	group_base(u, u->type, u->month, base, sizeof(base));
	if (u->supplement)
		snprintf(supp, sizeof(supp), "-supplement-%02d", u->supplement);
	for (int i = 1; rc == 0 && i <= u->nparts; i++) {
		struct ingest_item item = {
			.org = u->org, .kind = "usage", .period = m, .name = name,
			/* the first instant after the month: the same every run */
			.doc_date = usage_month_start(u->month + 1),
			.source = name,
		};

		part[0] = 0;
		if (u->nparts > 1)
			snprintf(part, sizeof(part), "-part%03d", i);
		snprintf(name, sizeof(name), "%s%s%s.csv", base, supp, part);
		part_path(u, i, path, sizeof(path));
		item.path = path;
		rc = ingest_add(u->ing, &item);
		if (rc < 0)
			fmctl_error("usage", "%s", ingest_error(u->ing));
		else
			fprintf(u->added, "%s/Usage/%s/%s\n", u->org, m, name);
	}
	for (int i = 1; i <= u->nparts; i++) {
		part_path(u, i, path, sizeof(path));
		unlink(path);
	}
	if (rc == 0 && u->new_rows + u->old_rows)
		fprintf(u->notes, "%s %s: %" PRIu64 " new records%s, %" PRIu64 " already archived\n",
			m, usage_type_name(u->type), u->new_rows,
			u->supplement && u->new_rows ? " (supplement)" : "", u->old_rows);
	u->nparts = 0;
	u->type = -1;
	return rc;
}

static int group_start(struct usage_run *u, int type, int month)
{
	int rc = group_finish(u);

	if (rc < 0)
		return rc;
	u->type = type;
	u->month = month;
	u->new_rows = u->old_rows = 0;
	return group_load_archive(u, type, month);
}

/* Is this generated row the same record as the archived one (hash h)? */
static int row_matches(const void *row, size_t len, uint64_t h)
{
	struct csv_reader r;
	FILE *f = fmemopen((void *)row, len, "r");
	int got, same;

	if (!f)
		return -ENOMEM;
	csv_reader_init(&r, f, "row");
	r.line = 2; /* not the first record: no BOM to skip */
	got = csv_read(&r);
	same = got == 1 && fields_hash(r.fields, r.nfields) == h;
	csv_reader_release(&r);
	fclose(f);
	return same;
}

static int write_row(void *arg, int type, int month, const char *rid,
		     const void *row, size_t len, int file, uint64_t line)
{
	struct usage_run *u = arg;
	uint64_t h;
	int rc;

	if (!month_is_closed(u, month))
		return count_month(u, type, month); /* left for a later run */
	if (type != u->type || month != u->month) {
		rc = group_start(u, type, month);
		if (rc < 0)
			return rc;
	}
	if (u->archived) {
		rc = usage_sort_archived_get(u->sort, type, rid, &h);
		if (rc == 0) {
			rc = row_matches(row, len, h);
			if (rc < 0)
				return rc;
			if (!rc) {
				fmctl_error("usage", "%s:%" PRIu64 ": record_id %s is already archived with different fields",
					    u->files[file], line, rid);
				return -EEXIST;
			}
			u->old_rows++;
			return 0;
		}
		if (rc != -ENOENT)
			return rc;
	}
	if (!u->part || u->part_rows == u->max_rows) {
		rc = part_close(u);
		if (rc == 0)
			rc = part_open(u);
		if (rc < 0)
			return rc;
	}
	if (fwrite(row, 1, len, u->part) != len)
		return -EIO;
	u->part_rows++;
	u->new_rows++;
	return 0;
}

static int write_months(struct usage_run *u)
{
	int rc;

	u->type = -1;
	rc = usage_sort_each(u->sort, write_row, u);
	if (rc == 0)
		rc = group_finish(u);
	else
		part_close(u);
	for (int i = 1; i <= u->nparts; i++) {
		char path[4200];

		part_path(u, i, path, sizeof(path));
		unlink(path);
	}
	return rc;
}

/* ---- the command ---- */

/* The same record_id twice with different fields (after the walk). */
static int check_duplicates(struct usage_run *u)
{
	char rid[128];
	int file = 0, file0 = 0, rc;
	uint64_t line = 0, line0 = 0;

	rc = usage_sort_conflict(u->sort, rid, sizeof(rid), &file, &line, &file0, &line0);
	if (rc == -EEXIST)
		fmctl_error("usage", "%s:%" PRIu64 ": record_id %s seen before with different fields (%s:%" PRIu64 ")",
			    u->files[file], line, rid, u->files[file0], line0);
	return rc;
}

static void report_open(const struct usage_run *u)
{
	uint64_t left = 0;

	for (size_t i = 0; i < u->ncounts; i++) {
		const struct month_count *c = &u->counts[i];
		char m[8];

		if (month_is_closed(u, c->month))
			continue;
		usage_month_name(c->month, m);
		fprintf(stderr, "%s %s: %" PRIu64 " records left: the month is %s\n", m,
			usage_type_name(c->type), c->records,
			c->month > u->through ? "after --through" : "still open");
		left += c->records;
	}
	if (left)
		fprintf(stderr, "%" PRIu64 " records of open months left for a later run\n", left);
	/* stdout: the exports to keep for a later run (tools/usage-spool.sh) */
	for (int i = 0; i < u->nfiles; i++)
		if (u->open_records[i])
			printf("pending %s\n", u->files[i]);
}

/* With FMFS_USAGE_TIMES set, print how long each phase took (bench aid). */
static void phase(const char *what)
{
	static struct timespec t0;
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	if (getenv("FMFS_USAGE_TIMES") && (t0.tv_sec || t0.tv_nsec))
		fprintf(stderr, "phase %s: %.2fs\n", what,
			(double)(t.tv_sec - t0.tv_sec) + (double)(t.tv_nsec - t0.tv_nsec) / 1e9);
	t0 = t;
}

/* The progress display (if shown), toward the exports' files and bytes. */
static struct progress *start_progress(const struct usage_run *u)
{
	uint64_t bytes = 0;
	struct stat st;

	if (!progress_wanted())
		return NULL;
	for (int i = 0; i < u->nfiles; i++)
		if (stat(u->files[i], &st) == 0)
			bytes += (uint64_t)st.st_size;
	return progress_start("usage", "reading exports", (uint64_t)u->nfiles, bytes);
}

static int run(struct usage_run *u)
{
	char err[1024];
	const char *tmp = getenv("TMPDIR");
	size_t added = 0, unchanged = 0;
	int rc;

	snprintf(u->tmpdir, sizeof(u->tmpdir), "%s/fmctl-usage.XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(u->tmpdir)) {
		fmctl_error("usage", "%s: cannot make a temp folder: %s", u->tmpdir,
			    strerror(errno));
		return 1;
	}
	phase("start");
	u->open_records = calloc((size_t)u->nfiles, sizeof(*u->open_records));
	if (!u->open_records) {
		rc = -ENOMEM;
		goto out_rmdir;
	}
	rc = usage_sort_open(u->tmpdir, &u->sort, err, sizeof(err));
	if (rc < 0) {
		fmctl_error("usage", "%s", err);
		goto out_rmdir;
	}
	progress = start_progress(u);
	rc = read_exports(u);
	progress_stage(progress, "writing months", 0, 0);
	phase("read");
	if (rc < 0)
		goto out_sort;
	rc = fmctl_open("usage", 0, &u->cat);
	if (rc < 0)
		goto out_sort;
	u->added = open_memstream(&u->added_buf, &u->added_len);
	u->notes = open_memstream(&u->notes_buf, &u->notes_len);
	if (!u->added || !u->notes) {
		rc = -ENOMEM;
		goto out_streams;
	}
	rc = fmctl_ingest_open(u->cat, &u->ing);
	if (rc == 0)
		rc = write_months(u);
	if (rc == 0)
		rc = check_duplicates(u);
	phase("write");
	if (rc == 0) {
		rc = ingest_commit(u->ing, &added, &unchanged);
		if (rc < 0)
			fmctl_error("usage", "%s", ingest_error(u->ing));
	}
	fflush(u->added);
	fflush(u->notes);
	progress_stop(progress);
	progress = NULL;
	if (rc == 0) {
		fwrite(u->added_buf, 1, u->added_len, stdout);
		fwrite(u->notes_buf, 1, u->notes_len, stderr);
		report_open(u);
		fprintf(stderr, "%zu files added\n", added);
	}
	ingest_close(u->ing);
out_streams:
	if (u->added)
		fclose(u->added);
	if (u->notes)
		fclose(u->notes);
	catalog_close(u->cat);
out_sort:
	usage_sort_close(u->sort);
out_rmdir:
	progress_stop(progress);
	progress = NULL;
	rmdir(u->tmpdir);
	free(u->counts);
	free(u->open_records);
	free(u->added_buf);
	free(u->notes_buf);
	return rc < 0 ? 1 : 0;
}

static const char usage_line[] =
	"usage: fmctl [-s STORE] usage --org DOMAIN [--through YYYY-MM] "
	"[--type call|sms|fax|dnc] [--now TIME] EXPORT.csv...\n";

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "fmctl usage: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n%s", usage_line);
	return EXIT_USAGE;
}

int cmd_usage(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "org", required_argument, NULL, 'o' },
		{ "through", required_argument, NULL, 't' },
		{ "type", required_argument, NULL, 'y' },
		{ "now", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct usage_run u = { .want_type = -1, .through = INT_MAX, .max_rows = USAGE_MAX_ROWS };
	const char *now = getenv("FMFS_NOW"), *max = getenv("FMFS_CSV_MAX_ROWS");
	int c, y, m;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			u.org = optarg;
			break;
		case 't':
			if (!period_parse(optarg, &y, &m))
				return usage_error("--through '%s': not a month YYYY-MM", optarg);
			u.through = y * 12 + m - 1;
			break;
		case 'y':
			u.want_type = usage_type_parse(optarg);
			if (u.want_type < 0)
				return usage_error("--type '%s': one of call, sms, fax, dnc", optarg);
			break;
		case 'n':
			now = optarg;
			break;
		case 'h':
			fputs(usage_line, stdout);
			return 0;
		default:
			return usage_error("%s", "bad option");
		}
	}
	if (!u.org)
		return usage_error("%s", "--org DOMAIN is required");
	if (!org_is_valid(u.org)) {
		fmctl_error("usage", "org '%s' is not a valid domain name", u.org);
		return 1;
	}
	if (optind >= argc)
		return usage_error("%s", "no export given");
	u.now = time(NULL);
	if (now && *now) {
		int64_t us;

		if (time_parse(now, &us, NULL, NULL, 0) < 0)
			return usage_error("--now / FMFS_NOW '%s': not a time like 2026-12-01T00:00:00Z", now);
		u.now = us / TIME_US;
	}
	if (max && *max) {
		char *end;
		unsigned long long v = strtoull(max, &end, 10);

		if (*end || v < 1 || v > USAGE_MAX_ROWS)
			return usage_error("FMFS_CSV_MAX_ROWS '%s': 1 to 1000000", max);
		u.max_rows = v;
	}
	u.files = argv + optind;
	u.nfiles = argc - optind;
	return run(&u);
}
