/* test_usage_merge.c - the external merge sort of fmctl usage: records come
 * back complete and in (type, month, start, record_id) order, through one
 * merge pass and through several (more runs than the fan-in). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../tools/billing/usage_merge.h"
#include "check.h"

struct seen {
	size_t n;
	struct usage_rec prev;
	char prev_rid[32];
	uint64_t sum;
	int bad;
};

static int each(void *arg, const struct usage_rec *r)
{
	struct seen *s = arg;
	char want[64];

	if (s->n) {
		const struct usage_rec *p = &s->prev;
		int c = p->type != r->type ? (p->type < r->type ? -1 : 1) :
			p->month != r->month ? (p->month < r->month ? -1 : 1) :
			p->start != r->start ? (p->start < r->start ? -1 : 1) :
			strcmp(s->prev_rid, r->rid);

		if (c > 0)
			s->bad++;
	}
	/* the row carries the record's own fields */
	snprintf(want, sizeof(want), "row of %s", r->rid);
	if (r->len != strlen(want) + 1 || memcmp(r->row, want, r->len) ||
	    r->h != (uint64_t)r->start * 7 || r->line != (uint64_t)r->start + 1)
		s->bad++;
	s->prev = *r;
	snprintf(s->prev_rid, sizeof(s->prev_rid), "%s", r->rid);
	s->sum += (uint64_t)r->start;
	s->n++;
	return 0;
}

static void run(size_t mem, size_t n)
{
	struct usage_merge *m;
	struct seen s = { 0 };
	uint64_t sum = 0;
	char dir[4096];

	snprintf(dir, sizeof(dir), "%s/test_usage_merge.XXXXXX", check_tmpdir());
	CHECK(mkdtemp(dir) != NULL);
	CHECK(usage_merge_open(dir, mem, &m) == 0);
	srand(7);
	for (size_t i = 0; i < n; i++) {
		char rid[32], row[64];
		struct usage_rec r = { 0 };

		snprintf(rid, sizeof(rid), "r%05d", rand() % 100000);
		snprintf(row, sizeof(row), "row of %s", rid);
		r.type = rand() % 2;
		r.month = 24320 + rand() % 3;
		r.start = rand() % 1000;
		r.h = (uint64_t)r.start * 7;
		r.line = (uint64_t)r.start + 1;
		r.rid = rid;
		r.row = row;
		r.len = strlen(row) + 1;
		sum += (uint64_t)r.start;
		CHECK(usage_merge_add(m, &r) == 0);
	}
	CHECK(usage_merge_each(m, each, &s) == 0);
	CHECK(s.n == n);
	CHECK(s.bad == 0);
	CHECK(s.sum == sum);
	usage_merge_close(m);
	CHECK(rmdir(dir) == 0); /* every run file removed */
}

static int stop_at_3(void *arg, const struct usage_rec *r)
{
	(void)r;
	return ++*(int *)arg == 3 ? 42 : 0;
}

int main(void)
{
	struct usage_merge *m;
	char dir[4096];
	int calls = 0;

	run(1 << 20, 3000);  /* one run */
	run(4096, 3000);     /* ~50 runs: one merge pass */
	run(2048, 10000);    /* ~400 runs: several passes */
	run(4096, 0);        /* nothing */

	/* the callback's value stops the walk and comes back */
	snprintf(dir, sizeof(dir), "%s/test_usage_merge.XXXXXX", check_tmpdir());
	CHECK(mkdtemp(dir) != NULL);
	CHECK(usage_merge_open(dir, 4096, &m) == 0);
	for (int i = 0; i < 500; i++) {
		struct usage_rec r = { .rid = "x", .row = "y", .len = 1, .start = i };

		CHECK(usage_merge_add(m, &r) == 0);
	}
	CHECK(usage_merge_each(m, stop_at_3, &calls) == 42);
	CHECK(calls == 3);
	usage_merge_close(m);
	CHECK(rmdir(dir) == 0);
	return check_done("test_usage_merge");
}
