/* usage_merge.c - fmctl usage's external merge sort: records fill a fixed
 * arena, which is sorted and written as a run file when full; the runs are
 * merged (64 at a time, in more passes if there are more) into one ordered
 * stream. Memory is the arena plus one buffer per merged run. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "usage_merge.h"

#define MERGE_FANIN 64
#define RUN_BUFSIZ (64 * 1024)

/* A record as stored in the arena and in run files: this header, the
 * record_id with its NUL, then the row. */
struct rec_hdr {
	int32_t type, month;
	int64_t start;
	uint64_t h;
	int32_t file;
	uint32_t ridlen;
	uint64_t line;
	uint64_t rowlen;
};

struct usage_merge {
	char dir[4096];
	char *arena;
	size_t mem, used;
	struct rec_hdr **recs;   /* the records in the arena */
	size_t nrecs, caprecs;
	int *runs;               /* ids of the run files not yet merged */
	size_t nruns, capruns;
	int next_run;
};

static size_t rec_size(const struct rec_hdr *r)
{
	return sizeof(*r) + r->ridlen + 1 + r->rowlen;
}

static const char *rec_rid(const struct rec_hdr *r)
{
	return (const char *)(r + 1);
}

static int rec_cmp(const struct rec_hdr *a, const struct rec_hdr *b)
{
	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	if (a->month != b->month)
		return a->month < b->month ? -1 : 1;
	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	return strcmp(rec_rid(a), rec_rid(b));
}

static int rec_ptr_cmp(const void *a, const void *b)
{
	return rec_cmp(*(struct rec_hdr *const *)a, *(struct rec_hdr *const *)b);
}

static void run_path(const struct usage_merge *m, int id, char *out, size_t len)
{
	snprintf(out, len, "%s/run-%d", m->dir, id);
}

int usage_merge_open(const char *dir, size_t mem, struct usage_merge **out)
{
	struct usage_merge *m = calloc(1, sizeof(*m));

	if (!m)
		return -ENOMEM;
	snprintf(m->dir, sizeof(m->dir), "%s", dir);
	m->mem = mem;
	m->arena = malloc(mem);
	if (!m->arena) {
		free(m);
		return -ENOMEM;
	}
	*out = m;
	return 0;
}

void usage_merge_close(struct usage_merge *m)
{
	char path[4200];

	if (!m)
		return;
	for (size_t i = 0; i < m->nruns; i++) {
		run_path(m, m->runs[i], path, sizeof(path));
		unlink(path);
	}
	free(m->arena);
	free(m->recs);
	free(m->runs);
	free(m);
}

static int runs_push(struct usage_merge *m, int id)
{
	if (m->nruns == m->capruns) {
		size_t cap = m->capruns ? m->capruns * 2 : 64;
		int *r = realloc(m->runs, cap * sizeof(*r));

		if (!r)
			return -ENOMEM;
		m->runs = r;
		m->capruns = cap;
	}
	m->runs[m->nruns++] = id;
	return 0;
}

static int write_error(const char *path)
{
	int rc = errno ? -errno : -EIO;

	fprintf(stderr, "fmctl usage: %s: cannot write: %s\n", path, strerror(-rc));
	return rc;
}

/* Sort the arena and write it as a new run. */
static int arena_flush(struct usage_merge *m)
{
	char path[4200];
	FILE *f;
	int id = m->next_run++, rc;

	if (!m->nrecs)
		return 0;
	qsort(m->recs, m->nrecs, sizeof(*m->recs), rec_ptr_cmp);
	run_path(m, id, path, sizeof(path));
	f = fopen(path, "w");
	if (!f)
		return write_error(path);
	rc = runs_push(m, id);
	for (size_t i = 0; rc == 0 && i < m->nrecs; i++)
		if (fwrite(m->recs[i], rec_size(m->recs[i]), 1, f) != 1)
			rc = write_error(path);
	if (fclose(f) && rc == 0)
		rc = write_error(path);
	m->nrecs = 0;
	m->used = 0;
	return rc;
}

int usage_merge_add(struct usage_merge *m, const struct usage_rec *r)
{
	struct rec_hdr h = {
		.type = r->type, .month = r->month, .start = r->start, .h = r->h,
		.file = r->file, .ridlen = (uint32_t)strlen(r->rid), .line = r->line,
		.rowlen = r->len,
	};
	size_t size = rec_size(&h), aligned = (size + 7) & ~(size_t)7;
	char *p;
	int rc;

	if (aligned > m->mem)
		return -E2BIG;
	if (m->used + aligned > m->mem) {
		rc = arena_flush(m);
		if (rc < 0)
			return rc;
	}
	if (m->nrecs == m->caprecs) {
		size_t cap = m->caprecs ? m->caprecs * 2 : 4096;
		struct rec_hdr **recs = realloc(m->recs, cap * sizeof(*recs));

		if (!recs)
			return -ENOMEM;
		m->recs = recs;
		m->caprecs = cap;
	}
	p = m->arena + m->used;
	memcpy(p, &h, sizeof(h));
	memcpy(p + sizeof(h), r->rid, h.ridlen + 1);
	memcpy(p + sizeof(h) + h.ridlen + 1, r->row, r->len);
	m->recs[m->nrecs++] = (struct rec_hdr *)p;
	m->used += aligned;
	return 0;
}

/* ---- merging ---- */

struct run_in {
	FILE *f;
	char *buf;      /* the current record (struct rec_hdr first) */
	size_t cap;
	char path[4200];
};

/* Read the next record of a run: 1, 0 at its end, or -errno. */
static int run_next(struct run_in *in)
{
	struct rec_hdr h;
	size_t size;

	if (fread(&h, sizeof(h), 1, in->f) != 1) {
		if (!ferror(in->f))
			return 0;
		goto out_short;
	}
	size = rec_size(&h);
	if (size > in->cap) {
		char *b = realloc(in->buf, size);

		if (!b)
			return -ENOMEM;
		in->buf = b;
		in->cap = size;
	}
	memcpy(in->buf, &h, sizeof(h));
	if (fread(in->buf + sizeof(h), size - sizeof(h), 1, in->f) != 1)
		goto out_short;
	return 1;
out_short:
	fprintf(stderr, "fmctl usage: %s: temp run file short or unreadable\n", in->path);
	return -EIO;
}

static const struct rec_hdr *run_rec(const struct run_in *in)
{
	return (const struct rec_hdr *)in->buf;
}

static void heap_down(struct run_in *ins, int *heap, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, min = i;
		int t;

		if (l < n && rec_cmp(run_rec(&ins[heap[l]]), run_rec(&ins[heap[min]])) < 0)
			min = l;
		if (r < n && rec_cmp(run_rec(&ins[heap[r]]), run_rec(&ins[heap[min]])) < 0)
			min = r;
		if (min == i)
			return;
		t = heap[i];
		heap[i] = heap[min];
		heap[min] = t;
		i = min;
	}
}

/* Merge runs ids[0..n) into the file out, or into fn when out is NULL. */
static int merge_runs(struct usage_merge *m, const int *ids, size_t n, FILE *out,
		      const char *outpath, usage_rec_fn fn, void *arg)
{
	struct run_in *ins = calloc(n, sizeof(*ins));
	int *heap = calloc(n, sizeof(*heap));
	size_t live = 0;
	int rc = 0;

	if (!ins || !heap) {
		rc = -ENOMEM;
		goto out_free;
	}
	for (size_t i = 0; i < n; i++) {
		run_path(m, ids[i], ins[i].path, sizeof(ins[i].path));
		ins[i].f = fopen(ins[i].path, "r");
		if (!ins[i].f) {
			rc = -errno;
			fprintf(stderr, "fmctl usage: %s: %s\n", ins[i].path, strerror(errno));
			goto out_close;
		}
		setvbuf(ins[i].f, NULL, _IOFBF, RUN_BUFSIZ);
		rc = run_next(&ins[i]);
		if (rc < 0)
			goto out_close;
		if (rc == 1)
			heap[live++] = (int)i;
		rc = 0;
	}
	for (size_t i = live / 2; i-- > 0;)
		heap_down(ins, heap, live, i);
	while (live) {
		struct run_in *in = &ins[heap[0]];
		const struct rec_hdr *h = run_rec(in);

		if (out) {
			if (fwrite(h, rec_size(h), 1, out) != 1) {
				rc = write_error(outpath);
				break;
			}
		} else {
			struct usage_rec r = {
				.type = h->type, .month = h->month, .start = h->start,
				.h = h->h, .file = h->file, .line = h->line,
				.rid = rec_rid(h), .row = rec_rid(h) + h->ridlen + 1,
				.len = h->rowlen,
			};

			rc = fn(arg, &r);
			if (rc)
				break;
		}
		rc = run_next(in);
		if (rc < 0)
			break;
		if (rc == 0)
			heap[0] = heap[--live];
		rc = 0;
		heap_down(ins, heap, live, 0);
	}
out_close:
	for (size_t i = 0; i < n; i++)
		if (ins[i].f)
			fclose(ins[i].f);
	for (size_t i = 0; i < n; i++)
		free(ins[i].buf);
out_free:
	free(ins);
	free(heap);
	return rc;
}

int usage_merge_each(struct usage_merge *m, usage_rec_fn fn, void *arg)
{
	char path[4200];
	int rc = arena_flush(m);

	free(m->arena);
	m->arena = NULL;
	free(m->recs);
	m->recs = NULL;
	m->caprecs = 0;
	/* more runs than one pass merges: merge the oldest into one, again */
	while (rc == 0 && m->nruns > MERGE_FANIN) {
		int id = m->next_run++;
		FILE *out;

		run_path(m, id, path, sizeof(path));
		out = fopen(path, "w");
		if (!out)
			return write_error(path);
		rc = merge_runs(m, m->runs, MERGE_FANIN, out, path, NULL, NULL);
		if (fclose(out) && rc == 0)
			rc = write_error(path);
		if (runs_push(m, id) < 0 && rc == 0)
			rc = -ENOMEM;
		for (size_t i = 0; i < MERGE_FANIN; i++) {
			char old[4200];

			run_path(m, m->runs[i], old, sizeof(old));
			unlink(old);
		}
		memmove(m->runs, m->runs + MERGE_FANIN,
			(m->nruns - MERGE_FANIN) * sizeof(*m->runs));
		m->nruns -= MERGE_FANIN;
	}
	if (rc == 0 && m->nruns)
		rc = merge_runs(m, m->runs, m->nruns, NULL, NULL, fn, arg);
	return rc;
}
