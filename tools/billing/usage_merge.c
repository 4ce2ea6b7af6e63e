/* usage_merge.c - fmctl usage's external merge sort: records fill one of two
 * arenas; a full one is sorted and written as a run file by a helper thread
 * while the other fills; the runs are merged (128 at a time, in more passes
 * if there are more) into one ordered stream. Memory is the two arenas plus
 * one buffer per merged run. */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "usage_merge.h"

#define MERGE_FANIN 128
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

struct arena {
	char *mem;
	size_t used;
	struct rec_hdr **recs;   /* the records in it */
	size_t nrecs, caprecs;
};

/* Sorting and writing one full arena as run id (in the helper thread). */
struct flush_job {
	pthread_t thread;
	bool busy;               /* thread started, not yet joined */
	struct arena *a;
	char path[4200];
	int rc;
	char error[4608];
};

struct usage_merge {
	char dir[4096];
	struct arena ar[2];
	int cur;                 /* the arena being filled */
	size_t size;             /* of each arena */
	struct flush_job job;
	int *runs;               /* ids of the run files not yet merged */
	size_t nruns, capruns;
	int next_run;
	char error[4608];         /* why the last -EIO */
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
	int c;

	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	if (a->month != b->month)
		return a->month < b->month ? -1 : 1;
	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	c = strcmp(rec_rid(a), rec_rid(b));
	if (c)
		return c;
	/* copies of one record: a fixed order whatever the input order, so
	 * the copy kept (and the bytes written) never depend on it */
	if (a->rowlen != b->rowlen)
		return a->rowlen < b->rowlen ? -1 : 1;
	return memcmp(rec_rid(a) + a->ridlen + 1, rec_rid(b) + b->ridlen + 1, a->rowlen);
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
	m->size = mem / 2;
	m->ar[0].mem = malloc(m->size);
	m->ar[1].mem = malloc(m->size);
	if (!m->ar[0].mem || !m->ar[1].mem) {
		free(m->ar[0].mem);
		free(m->ar[1].mem);
		free(m);
		return -ENOMEM;
	}
	*out = m;
	return 0;
}

/* Wait for the helper thread; its result. */
static int job_wait(struct usage_merge *m)
{
	if (!m->job.busy)
		return 0;
	pthread_join(m->job.thread, NULL);
	m->job.busy = false;
	if (m->job.rc < 0)
		snprintf(m->error, sizeof(m->error), "%s", m->job.error);
	return m->job.rc;
}

static void arenas_free(struct usage_merge *m)
{
	for (int i = 0; i < 2; i++) {
		free(m->ar[i].mem);
		free(m->ar[i].recs);
		memset(&m->ar[i], 0, sizeof(m->ar[i]));
	}
}

void usage_merge_close(struct usage_merge *m)
{
	char path[4200];

	if (!m)
		return;
	job_wait(m);
	for (size_t i = 0; i < m->nruns; i++) {
		run_path(m, m->runs[i], path, sizeof(path));
		unlink(path);
	}
	arenas_free(m);
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

const char *usage_merge_error(const struct usage_merge *m)
{
	return m->error;
}

/* A run file that cannot be written: the reason kept in err, -EIO. */
static int write_error(char *err, size_t errlen, const char *path)
{
	snprintf(err, errlen, "%s: cannot write: %s", path,
		 strerror(errno ? errno : EIO));
	return -EIO;
}

/* Sort an arena and write it to job->path (the helper thread's work). */
static void *job_run(void *arg)
{
	struct flush_job *job = arg;
	struct arena *a = job->a;
	FILE *f;
	int rc = 0;

	qsort(a->recs, a->nrecs, sizeof(*a->recs), rec_ptr_cmp);
	f = fopen(job->path, "w");
	if (!f) {
		job->rc = write_error(job->error, sizeof(job->error), job->path);
		goto out_reset;
	}
	for (size_t i = 0; rc == 0 && i < a->nrecs; i++)
		if (fwrite(a->recs[i], rec_size(a->recs[i]), 1, f) != 1)
			rc = write_error(job->error, sizeof(job->error), job->path);
	if (fclose(f) && rc == 0)
		rc = write_error(job->error, sizeof(job->error), job->path);
	job->rc = rc;
out_reset:
	a->nrecs = 0;
	a->used = 0;
	return NULL;
}

/* Hand the current arena to the helper thread (after the previous job is
 * done) and fill the other one; wait: do it here and now. */
static int arena_flush(struct usage_merge *m, bool wait)
{
	struct arena *a = &m->ar[m->cur];
	int id, rc = job_wait(m);

	if (rc < 0 || !a->nrecs)
		return rc;
	id = m->next_run++;
	rc = runs_push(m, id);
	if (rc < 0)
		return rc;
	m->job.a = a;
	m->job.rc = 0;
	run_path(m, id, m->job.path, sizeof(m->job.path));
	if (!wait && pthread_create(&m->job.thread, NULL, job_run, &m->job) == 0) {
		m->job.busy = true;
		m->cur ^= 1;
		return 0;
	}
	job_run(&m->job);
	if (m->job.rc < 0)
		snprintf(m->error, sizeof(m->error), "%s", m->job.error);
	return m->job.rc;
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

	struct arena *a = &m->ar[m->cur];

	if (aligned > m->size)
		return -E2BIG;
	if (a->used + aligned > m->size) {
		rc = arena_flush(m, false);
		if (rc < 0)
			return rc;
		a = &m->ar[m->cur];
	}
	if (a->nrecs == a->caprecs) {
		size_t cap = a->caprecs ? a->caprecs * 2 : 4096;
		struct rec_hdr **recs = realloc(a->recs, cap * sizeof(*recs));

		if (!recs)
			return -ENOMEM;
		a->recs = recs;
		a->caprecs = cap;
	}
	p = a->mem + a->used;
	memcpy(p, &h, sizeof(h));
	memcpy(p + sizeof(h), r->rid, h.ridlen + 1);
	if (r->len)
		memcpy(p + sizeof(h) + h.ridlen + 1, r->row, r->len);
	a->recs[a->nrecs++] = (struct rec_hdr *)p;
	a->used += aligned;
	return 0;
}

/* ---- merging ---- */

struct run_in {
	struct usage_merge *m;
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
	snprintf(in->m->error, sizeof(in->m->error), "%s: temp run file short or unreadable",
		 in->path);
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
		ins[i].m = m;
		run_path(m, ids[i], ins[i].path, sizeof(ins[i].path));
		ins[i].f = fopen(ins[i].path, "r");
		if (!ins[i].f) {
			snprintf(m->error, sizeof(m->error), "%s: %s", ins[i].path,
				 strerror(errno));
			rc = -EIO;
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
				rc = write_error(m->error, sizeof(m->error), outpath);
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
	int rc = arena_flush(m, true);

	arenas_free(m);
	/* more runs than one pass merges: merge the oldest into one, again */
	while (rc == 0 && m->nruns > MERGE_FANIN) {
		int id = m->next_run++;
		FILE *out;

		run_path(m, id, path, sizeof(path));
		out = fopen(path, "w");
		if (!out)
			return write_error(m->error, sizeof(m->error), path);
		rc = merge_runs(m, m->runs, MERGE_FANIN, out, path, NULL, NULL);
		if (fclose(out) && rc == 0)
			rc = write_error(m->error, sizeof(m->error), path);
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
