/* cmd_usage.c - fmctl usage: turn the platform's usage exports into one CSV
 * per closed UTC month and type (docs/formats.md §2-3), supplements for records
 * that arrive late, all ingested in one all-or-nothing batch. Each record is
 * checked against the org's whole archive through the catalog's record
 * index (records.c), which this batch extends in the same transaction. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../billing/csv.h"
#include "../billing/fields.h"
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
	uint64_t org_id;        /* the org's folder, 0 while it has none */
	struct usage_sort *sort;
	struct ingest *ing;
	size_t *part_items;     /* per part written (in order): its batch item */
	size_t nparts_all, cap_parts;
	size_t group_first;     /* the first part of the group being written */
	struct usage_merge *new_recs, *new_legs; /* identities of the new records */
	struct usage_merge *seen_recs, *seen_legs; /* the input's, for the archive check */
	uint64_t *nlines;       /* per export: its last line */
	uint64_t **old;         /* per export: by line, the records already archived */
	bool reported;          /* an error was printed already */
	uint64_t indexed_files, indexed_records; /* archived before the index */
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

/* Every record of a closed month, once by record_id and (calls) once by
 * (txn_id, leg_id): checked against the archive in key order before the
 * months are written (check_archive), so the index's pages are read in
 * order, each once, however large the archive. */
static int seen_add(struct usage_run *u, const struct usage_row *row, int file,
		    uint64_t line)
{
	char key[2 * ID_MAX + 2];
	int rc;

	rc = usage_merge_add(u->seen_recs, &(struct usage_rec){
		.h = row->fp, .file = file, .line = line, .rid = row->record_id });
	if (rc == 0 && row->txn_id) {
		/* "txn\1leg" sorts as (txn, leg) does: ids have no byte below '-' */
		snprintf(key, sizeof(key), "%s\1%s", row->txn_id, row->leg_id);
		rc = usage_merge_add(u->seen_legs, &(struct usage_rec){
			.file = file, .line = line, .rid = key, .row = row->record_id,
			.len = strlen(row->record_id) + 1 });
	}
	if (rc < 0)
		fmctl_error("usage", "%s: %s", u->tmpdir,
			    rc == -EIO ? usage_merge_error(u->seen_recs) : strerror(-rc));
	return rc;
}

static int read_export(struct usage_run *u, int idx, FILE *rowf, char **rowbuf)
{
	const char *path = u->files[idx];
	struct csv_reader r;
	struct usage_layout l;
	struct csv_writer w = { .out = rowf };
	char why[512];
	const char *cause;
	int rc = 0, got;
	FILE *f = input_fopen(path, &cause); /* a FIFO or device: refused at once */

	if (!f) {
		rc = -errno;
		fmctl_error("usage", "%s: cannot open: %s", path, cause);
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
	if (l.nextra)
		fmctl_error("usage", "%s:%" PRIu64 ": %s column%s ignored: %s", path, r.line,
			    usage_type_name(l.type), l.nextra > 1 ? "s" : "", l.extra);
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
		/* the call leg rides behind the output row: "txn\0leg\0" */
		fprintf(rowf, "%s%c%s%c", row.txn_id ? row.txn_id : "", 0,
			row.leg_id ? row.leg_id : "", 0);
		len = ftello(rowf);
		fflush(rowf);
		if (!month_is_closed(u, row.month))
			u->open_records[idx]++;
		rc = usage_sort_add(u->sort, l.type, row.month, row.start, row.record_id,
				    row.fp, *rowbuf, (size_t)len, idx, r.line);
		if (rc < 0) {
			fmctl_error("usage", "%s", usage_sort_error(u->sort));
			goto out_close;
		}
		if (month_is_closed(u, row.month))
			rc = seen_add(u, &row, idx, r.line);
		if (rc < 0)
			goto out_close;
	}
	if (got < 0) {
		fmctl_error("usage", "%s:%" PRIu64 ": %s", path, r.line, r.error);
		rc = -EINVAL;
	}
	u->nlines[idx] = r.line;
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
	const char *base;
	int max_supplement;
	bool found;
};

static int arch_visit(void *arg, const struct node *n)
{
	struct arch_list *a = arg;
	int s;

	if (n->type != NODE_FILE || !name_is_group_file(n->name, a->base, &s))
		return 0;
	a->found = true;
	if (s > a->max_supplement)
		a->max_supplement = s;
	return 0;
}

/* Does the archive hold files of (type, month) already, and which
 * supplement comes next? */
static int group_load_archive(struct usage_run *u, int type, int month)
{
	char base[FM_NAME_MAX + 1], path[1024], m[8];
	struct arch_list a = { .base = base };
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
		fmctl_error("usage", "%s: cannot read the archive: %s", path, strerror(-rc));
		return rc;
	}
	u->archived = a.found;
	u->supplement = a.found ? a.max_supplement + 1 : 0;
	return 0;
}

/* "ORG/Usage/YYYY-MM/NAME" of an archived file node, for messages. */
static void node_where(struct usage_run *u, uint64_t id, char *out, size_t len)
{
	struct node n, dir;

	if (node_get(u->cat, id, &n) < 0 || node_get(u->cat, n.parent, &dir) < 0) {
		snprintf(out, len, "node %" PRIu64, id);
		return;
	}
	snprintf(out, len, "%s/Usage/%s/%s", u->org, dir.name, n.name);
}

/* ---- indexing what was archived before the record index ---- */

/* Nodes gathered from one node_list() (which cannot be nested). */
struct node_vec {
	struct node *v;
	size_t n, cap;
};

static int node_vec_push(void *arg, const struct node *n)
{
	struct node_vec *nv = arg;

	if (nv->n == nv->cap) {
		size_t cap = nv->cap ? nv->cap * 2 : 32;
		struct node *v = realloc(nv->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		nv->v = v;
		nv->cap = cap;
	}
	nv->v[nv->n++] = *n;
	return 0;
}

/* Index one record of an archived file (its path in where). */
static int index_record(struct usage_run *u, const struct node *n, const char *where,
			uint64_t line, const struct usage_row *row)
{
	char other[1200], rid[ID_MAX + 1] = "?";
	uint64_t fp, node;
	int rc = record_put(u->cat, u->org_id, row->record_id, row->fp, n->id,
			    row->txn_id, row->leg_id);

	if (rc == -EEXIST && record_get(u->cat, u->org_id, row->record_id, &fp, &node) == 0) {
		if (fp == row->fp)
			return 0; /* the same record archived twice (by hand): one identity */
		node_where(u, node, other, sizeof(other));
		fmctl_error("usage", "archived %s:%" PRIu64 ": record_id %s differs from the one archived in %s: the archive disagrees with itself",
			    where, line, row->record_id, other);
		return -EEXIST;
	}
	if (rc == -EADDRINUSE) {
		record_leg_get(u->cat, u->org_id, row->txn_id, row->leg_id, rid, sizeof(rid));
		fmctl_error("usage", "archived %s:%" PRIu64 ": record_id %s rates call leg (txn_id %s, leg_id %s), also archived as record_id %s: the archive disagrees with itself",
			    where, line, row->record_id, row->txn_id, row->leg_id, rid);
		return -EEXIST;
	}
	return rc;
}

/* Index the records of one archived usage CSV (generated, or ingested by
 * hand with its own spelling of times and money). */
static int index_file(struct usage_run *u, const struct node *n, uint64_t *records)
{
	char where[1200], why[512];
	struct csv_reader r;
	struct usage_layout l;
	struct usage_row row;
	int fd, got, rc = 0;
	FILE *f;

	node_where(u, n->id, where, sizeof(where));
	/* verified before a record of it is trusted */
	fd = blob_open_verified(catalog_store(u->cat), n->sha256, n->size);
	if (fd < 0) {
		fmctl_error("usage", "%s: cannot open the archived file: %s", where,
			    blob_strerror(fd));
		return fd;
	}
	f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		return -errno;
	}
	csv_reader_init(&r, f, where);
	got = csv_read(&r);
	if (got == 1 && usage_layout_init(&l, -1, r.fields, r.nfields, why, sizeof(why)) < 0) {
		/* not a usage file (a note, a spreadsheet's CSV): no records */
		fmctl_error("usage", "%s: not indexed: %s", where, why);
		got = 0;
	}
	while (got == 1 && (got = csv_read(&r)) == 1) {
		if (usage_record_identify(&l, r.fields, r.nfields, &row, why, sizeof(why)) < 0) {
			fmctl_error("usage", "archived %s:%" PRIu64 ": %s", where, r.line, why);
			rc = -EINVAL;
			break;
		}
		rc = index_record(u, n, where, r.line, &row);
		if (rc < 0)
			break;
		(*records)++;
	}
	if (got < 0 && rc == 0) {
		fmctl_error("usage", "archived %s:%" PRIu64 ": %s", where, r.line, r.error);
		rc = -EINVAL;
	}
	csv_reader_release(&r);
	fclose(f);
	return rc < 0 ? rc : record_file_mark(u->cat, n->id);
}

static bool name_is_csv(const char *name)
{
	size_t len = strlen(name);

	return len > 4 && !strcasecmp(name + len - 4, ".csv");
}

/* Bring the record index up to date with the org's usage archive: every
 * CSV under ORG/Usage/ not indexed yet (archived before the index existed,
 * or ingested by hand since) is read once, in one transaction. */
static int index_archive(struct usage_run *u)
{
	struct node_vec months = { 0 }, files = { 0 };
	char path[1024];
	uint64_t nfiles = 0, records = 0;
	struct node usage;
	int rc;

	if (node_org(u->cat, u->org, &u->org_id) < 0) {
		u->org_id = 0; /* no folder yet: nothing archived */
		return 0;
	}
	snprintf(path, sizeof(path), "%s/Usage", u->org);
	rc = node_resolve(u->cat, path, &usage);
	if (rc == -ENOENT)
		return 0;
	if (rc == 0)
		rc = node_list(u->cat, usage.id, 0, node_vec_push, &months);
	if (rc == 0)
		rc = record_batch_begin(u->cat);
	if (rc < 0) {
		fmctl_error("usage", "%s: cannot read the archive: %s", path, strerror(-rc));
		free(months.v);
		return rc;
	}
	for (size_t m = 0; rc == 0 && m < months.n; m++) {
		files.n = 0;
		if (months.v[m].type != NODE_DIR)
			continue;
		rc = node_list(u->cat, months.v[m].id, 0, node_vec_push, &files);
		for (size_t i = 0; rc == 0 && i < files.n; i++) {
			const struct node *n = &files.v[i];

			if (n->type != NODE_FILE || !name_is_csv(n->name))
				continue;
			rc = record_file_indexed(u->cat, n->id);
			if (rc == 0) {
				rc = index_file(u, n, &records);
				nfiles++;
			} else if (rc == 1) {
				rc = 0;
			}
		}
	}
	if (rc == 0)
		rc = record_batch_end(u->cat, true);
	else
		record_batch_end(u->cat, false);
	u->indexed_files = nfiles;
	u->indexed_records = records;
	free(months.v);
	free(files.v);
	return rc;
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

	if (u->nparts_all == u->cap_parts) {
		size_t cap = u->cap_parts ? u->cap_parts * 2 : 64;
		size_t *v = realloc(u->part_items, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		u->part_items = v;
		u->cap_parts = cap;
	}
	if (!u->nparts)
		u->group_first = u->nparts_all;
	u->nparts_all++;
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
		u->part_items[u->group_first + (size_t)i - 1] = ingest_count(u->ing);
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

/* The identities of the new records wait for the commit in two external
 * sorts, by record_id and by (txn_id, leg_id): the index's B-trees are then
 * filled in key order, each page touched once, however large they are. */
#define IDENT_MEM (16 << 20) /* per sort */

static int ident_open(struct usage_run *u, const char *name, struct usage_merge **m)
{
	char dir[4200];

	snprintf(dir, sizeof(dir), "%s/%s", u->tmpdir, name);
	if (mkdir(dir, 0700) < 0 || usage_merge_open(dir, IDENT_MEM, m) < 0) {
		fmctl_error("usage", "%s: cannot make a temp folder: %s", dir, strerror(errno));
		return -EIO;
	}
	return 0;
}

static void ident_close(struct usage_run *u, const char *name, struct usage_merge *m)
{
	char dir[4200];

	usage_merge_close(m);
	snprintf(dir, sizeof(dir), "%s/%s", u->tmpdir, name);
	rmdir(dir);
}

/* Note a new record written to the current part. */
static int ident_put(struct usage_run *u, const struct usage_rec *r, const char *txn,
		     const char *leg)
{
	uint32_t part = (uint32_t)(u->nparts_all - 1);
	char key[2 * ID_MAX + 2];
	int rc;

	rc = usage_merge_add(u->new_recs, &(struct usage_rec){
		.h = r->h, .file = r->file, .line = r->line, .rid = r->rid,
		.row = &part, .len = sizeof(part) });
	if (rc == 0 && *txn) {
		/* "txn\1leg" sorts as (txn, leg) does: ids have no byte below '-' */
		snprintf(key, sizeof(key), "%s\1%s", txn, leg);
		rc = usage_merge_add(u->new_legs, &(struct usage_rec){
			.file = r->file, .line = r->line, .rid = key,
			.row = r->rid, .len = strlen(r->rid) + 1 });
	}
	if (rc < 0)
		fmctl_error("usage", "%s: %s", u->tmpdir,
			    rc == -EIO ? usage_merge_error(u->new_recs) : strerror(-rc));
	return rc;
}

static bool is_old(const struct usage_run *u, int file, uint64_t line)
{
	return u->old[file] && (u->old[file][line / 64] >> (line % 64) & 1);
}

/* An input record against the archive, in record_id order: the same by
 * meaning (the fingerprints match: docs/formats.md §3) is noted old;
 * changed is refused naming the archived file. */
static int check_rec(void *arg, const struct usage_rec *r)
{
	struct usage_run *u = arg;
	char where[1200];
	uint64_t fp, node;
	int rc = record_get(u->cat, u->org_id, r->rid, &fp, &node);

	if (rc == -ENOENT)
		return 0;
	if (rc < 0)
		return rc;
	if (fp == r->h) {
		if (!u->old[r->file]) {
			u->old[r->file] = calloc(u->nlines[r->file] / 64 + 1, sizeof(uint64_t));
			if (!u->old[r->file])
				return -ENOMEM;
		}
		u->old[r->file][r->line / 64] |= UINT64_C(1) << (r->line % 64);
		return 0;
	}
	node_where(u, node, where, sizeof(where));
	fmctl_error("usage", "%s:%" PRIu64 ": record_id %s is already archived in %s with different rated fields (records are never replaced)",
		    u->files[r->file], r->line, r->rid, where);
	u->reported = true;
	return -EEXIST;
}

/* An input call leg against the archive, in (txn_id, leg_id) order: rated
 * by another record_id already is refused. */
static int check_leg(void *arg, const struct usage_rec *r)
{
	struct usage_run *u = arg;
	char txn[ID_MAX + 1], other[ID_MAX + 1], where[1200];
	const char *leg = strchr(r->rid, '\1'), *rid = r->row;
	uint64_t fp, node;
	int rc;

	if (!leg || (size_t)(leg - r->rid) > ID_MAX)
		return -EIO;
	snprintf(txn, sizeof(txn), "%.*s", (int)(leg - r->rid), r->rid);
	leg++;
	rc = record_leg_get(u->cat, u->org_id, txn, leg, other, sizeof(other));
	if (rc == -ENOENT || (rc == 0 && !strcmp(other, rid)))
		return 0;
	if (rc < 0)
		return rc;
	if (record_get(u->cat, u->org_id, other, &fp, &node) == 0)
		node_where(u, node, where, sizeof(where));
	else
		snprintf(where, sizeof(where), "the archive");
	fmctl_error("usage", "%s:%" PRIu64 ": record_id %s rates call leg (txn_id %s, leg_id %s), already rated as record_id %s in %s (a leg is rated once)",
		    u->files[r->file], r->line, rid, txn, leg, other, where);
	u->reported = true;
	return -EEXIST;
}

/* Check the input against the org's archive in key order (see seen_add),
 * noting which records it holds already. */
static int check_archive(struct usage_run *u)
{
	int rc = 0;

	u->old = calloc((size_t)u->nfiles, sizeof(*u->old));
	if (!u->old)
		return -ENOMEM;
	if (u->org_id)
		rc = usage_merge_each(u->seen_recs, check_rec, u);
	if (rc == 0 && u->org_id)
		rc = usage_merge_each(u->seen_legs, check_leg, u);
	if (rc < 0 && !u->reported)
		fmctl_error("usage", "%s", rc == -EIO ? usage_merge_error(u->seen_recs) :
			    strerror(-rc));
	ident_close(u, "seen-records", u->seen_recs);
	ident_close(u, "seen-legs", u->seen_legs);
	u->seen_recs = u->seen_legs = NULL;
	return rc;
}

static int write_row(void *arg, const struct usage_rec *r)
{
	struct usage_run *u = arg;
	const char *row = r->row, *txn, *leg;
	size_t len;
	int rc;

	/* split the row from the call leg behind it */
	txn = memchr(row, 0, r->len);
	leg = txn + 1;
	while (txn > row && txn[-1] != '\n')
		txn--;
	len = (size_t)(txn - row);
	if (!month_is_closed(u, r->month))
		return count_month(u, r->type, r->month); /* left for a later run */
	if (r->type != u->type || r->month != u->month) {
		rc = group_start(u, r->type, r->month);
		if (rc < 0)
			return rc;
	}
	if (is_old(u, r->file, r->line)) {
		u->old_rows++;
		return 0;
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
	rc = ident_put(u, r, txn, leg);
	if (rc < 0)
		u->reported = true;
	return rc;
}

/* Where the commit's identities go (the ingest hook's state). */
struct put_walk {
	struct usage_run *u;
	struct catalog *cat;
	const uint64_t *ids;
	size_t n;
	uint64_t org;
	char *why;
	size_t whylen;
};

static int put_record(void *arg, const struct usage_rec *r)
{
	struct put_walk *w = arg;
	struct usage_run *u = w->u;
	char where[1200];
	uint64_t node, fp, other;
	uint32_t part;
	struct node n;
	int rc;

	memcpy(&part, r->row, sizeof(part));
	if (part >= u->nparts_all || u->part_items[part] >= w->n)
		return -EIO;
	node = w->ids[u->part_items[part]];
	if (!w->org) { /* the org's folder is new in this batch */
		rc = node_get(w->cat, node, &n);
		if (rc < 0)
			return rc;
		w->org = u->org_id = n.org;
	}
	rc = record_put(w->cat, w->org, r->rid, r->h, node, NULL, NULL);
	if (rc == -EEXIST) {
		if (record_get(w->cat, w->org, r->rid, &fp, &other) == 0)
			node_where(u, other, where, sizeof(where));
		else
			snprintf(where, sizeof(where), "this batch");
		snprintf(w->why, w->whylen, "%s:%" PRIu64 ": record_id %s is also in %s with another type or month (a record_id is archived once per org)",
			 u->files[r->file], r->line, r->rid, where);
	}
	return rc;
}

static int put_leg(void *arg, const struct usage_rec *r)
{
	struct put_walk *w = arg;
	char txn[ID_MAX + 1], other[ID_MAX + 1] = "?";
	const char *leg = strchr(r->rid, '\1');
	int rc;

	if (!leg || (size_t)(leg - r->rid) > ID_MAX)
		return -EIO;
	snprintf(txn, sizeof(txn), "%.*s", (int)(leg - r->rid), r->rid);
	leg++;
	rc = record_leg_put(w->cat, w->org, txn, leg, r->row);
	if (rc == -EADDRINUSE) {
		record_leg_get(w->cat, w->org, txn, leg, other, sizeof(other));
		snprintf(w->why, w->whylen, "%s:%" PRIu64 ": record_id %s rates call leg (txn_id %s, leg_id %s), also rated as record_id %s (a leg is rated once)",
			 w->u->files[r->file], r->line, (const char *)r->row, txn, leg, other);
	}
	return rc;
}

/* The ingest hook: index the new records under the nodes of their files,
 * in the batch's own transaction (so the index never disagrees with the
 * archive), each index in key order. */
static int index_new(void *arg, struct catalog *cat, const uint64_t *ids,
		     size_t n, char *why, size_t whylen)
{
	struct usage_run *u = arg;
	struct put_walk w = { .u = u, .cat = cat, .ids = ids, .n = n, .org = u->org_id,
			      .why = why, .whylen = whylen };
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < u->nparts_all; i++)
		rc = record_file_mark(cat, ids[u->part_items[i]]);
	if (rc == 0)
		rc = usage_merge_each(u->new_recs, put_record, &w);
	if (rc == -EIO && !why[0])
		snprintf(why, whylen, "%s", usage_merge_error(u->new_recs));
	if (rc == 0)
		rc = usage_merge_each(u->new_legs, put_leg, &w);
	if (rc == -EIO && !why[0])
		snprintf(why, whylen, "%s", usage_merge_error(u->new_legs));
	return rc;
}

static int write_months(struct usage_run *u)
{
	int rc;

	u->type = -1;
	rc = usage_sort_each(u->sort, write_row, u);
	if (rc < 0 && !u->reported && usage_sort_error(u->sort)[0])
		fmctl_error("usage", "%s", usage_sort_error(u->sort));
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
	size_t added = 0, unchanged = 0;
	int rc, lock;

	/* killed runs' folders go first (a run holds its folder's lock) */
	fmctl_tmpdir_sweep_say("usage");
	lock = fmctl_tmpdir_make("usage", u->tmpdir, sizeof(u->tmpdir));
	if (lock < 0) {
		fmctl_error("usage", "%s: cannot make a temp folder: %s", u->tmpdir,
			    strerror(-lock));
		return 1;
	}
	phase("start");
	u->open_records = calloc((size_t)u->nfiles, sizeof(*u->open_records));
	u->nlines = calloc((size_t)u->nfiles, sizeof(*u->nlines));
	if (!u->open_records || !u->nlines) {
		rc = -ENOMEM;
		goto out_rmdir;
	}
	rc = usage_sort_open(u->tmpdir, &u->sort, err, sizeof(err));
	if (rc < 0) {
		fmctl_error("usage", "%s", err);
		goto out_rmdir;
	}
	rc = ident_open(u, "seen-records", &u->seen_recs);
	if (rc == 0)
		rc = ident_open(u, "seen-legs", &u->seen_legs);
	if (rc < 0)
		goto out_sort;
	progress = start_progress(u);
	rc = read_exports(u);
	progress_stage(progress, "writing months", 0, 0);
	phase("read");
	if (rc < 0)
		goto out_sort;
	rc = fmctl_open("usage", 0, &u->cat);
	if (rc < 0)
		goto out_sort;
	/* lookups and the commit's inserts go through the index's upper pages
	 * over and over: keep them (a fixed size, whatever the archive) */
	catalog_cache_mib(u->cat, 64);
	rc = index_archive(u);
	phase("index");
	if (rc == 0)
		rc = check_archive(u);
	phase("archive");
	if (rc < 0)
		goto out_cat;
	rc = ident_open(u, "records", &u->new_recs);
	if (rc == 0)
		rc = ident_open(u, "legs", &u->new_legs);
	if (rc < 0)
		goto out_idents;
	u->added = open_memstream(&u->added_buf, &u->added_len);
	u->notes = open_memstream(&u->notes_buf, &u->notes_len);
	if (!u->added || !u->notes) {
		rc = -ENOMEM;
		goto out_streams;
	}
	rc = fmctl_ingest_open(u->cat, &u->ing);
	if (rc == 0) {
		ingest_set_hook(u->ing, index_new, u);
		rc = write_months(u);
	}
	if (rc == 0)
		rc = check_duplicates(u);
	phase("write");
	if (rc == 0) {
		rc = ingest_commit(u->ing, &added, &unchanged);
		if (rc < 0)
			fmctl_error("usage", "%s", ingest_error(u->ing));
		phase("commit");
	}
	fflush(u->added);
	fflush(u->notes);
	progress_stop(progress);
	progress = NULL;
	if (rc == 0) {
		fwrite(u->added_buf, 1, u->added_len, stdout);
		fwrite(u->notes_buf, 1, u->notes_len, stderr);
		if (u->indexed_files)
			fprintf(stderr, "%" PRIu64 " usage files archived before the record index, now indexed (%" PRIu64 " records)\n",
				u->indexed_files, u->indexed_records);
		report_open(u);
		fprintf(stderr, "%zu files added\n", added);
	}
	ingest_close(u->ing);
out_streams:
	if (u->added)
		fclose(u->added);
	if (u->notes)
		fclose(u->notes);
out_idents:
	ident_close(u, "records", u->new_recs);
	ident_close(u, "legs", u->new_legs);
out_cat:
	catalog_close(u->cat);
out_sort:
	ident_close(u, "seen-records", u->seen_recs);
	ident_close(u, "seen-legs", u->seen_legs);
	usage_sort_close(u->sort);
out_rmdir:
	progress_stop(progress);
	progress = NULL;
	fmctl_tmpdir_remove(u->tmpdir, lock);
	free(u->counts);
	free(u->part_items);
	for (int i = 0; u->old && i < u->nfiles; i++)
		free(u->old[i]);
	free(u->old);
	free(u->nlines);
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
