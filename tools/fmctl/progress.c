/* progress.c - fmctl's progress display (progress.h): a thread that draws
 * one line on stderr at once, then five times a second (once a second into
 * a file or pipe), from the file counter the command
 * moves and the bytes the process has read (/proc/self/io rchar). */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "progress.h"

enum progress_mode progress_mode = PROGRESS_AUTO;

struct progress {
	const char *sub;
	const char *stage;         /* protected by lock */
	uint64_t total_files, total_bytes; /* protected by lock */
	uint64_t files;            /* atomic */
	uint64_t rchar0;           /* protected by lock: rchar at stage start */
	struct timespec t0;        /* protected by lock: stage start */
	bool tty;
	bool stop;                 /* protected by lock */
	bool drawn;                /* protected by lock: a line is on screen */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t thread;
};

static struct progress *current; /* for progress_clear(); one at a time */

/* Bytes read by this process so far (0 if /proc is not there). */
static uint64_t rchar(void)
{
	char line[128];
	uint64_t v = 0;
	FILE *f = fopen("/proc/self/io", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "rchar: %" SCNu64, &v) == 1)
			break;
	fclose(f);
	return v;
}

static double since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* 1536 -> "1.5 KiB" */
static void human(uint64_t v, char *out, size_t len)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	double d = (double)v;
	int u = 0;

	while (d >= 1024 && u < 5) {
		d /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(out, len, "%" PRIu64 " B", v);
	else
		snprintf(out, len, "%.1f %s", d, unit[u]);
}

static void duration(double s, char *out, size_t len)
{
	unsigned long t = s < 0 ? 0 : (unsigned long)(s + 0.5);

	if (t >= 3600)
		snprintf(out, len, "%lu:%02lu:%02lu", t / 3600, t / 60 % 60, t % 60);
	else
		snprintf(out, len, "%lu:%02lu", t / 60, t % 60);
}

/* The line, without the terminal's control characters. Under p->lock. */
static void format_line(struct progress *p, char *out, size_t len)
{
	uint64_t files = __atomic_load_n(&p->files, __ATOMIC_RELAXED);
	uint64_t bytes = rchar() - p->rchar0;
	double t = since(&p->t0), rate = t > 0 ? (double)bytes / t : 0, eta = -1;
	char b[32], tb[32], r[32], e[32], el[32];
	int n;

	human(bytes, b, sizeof(b));
	human((uint64_t)rate, r, sizeof(r));
	n = snprintf(out, len, "fmctl %s: %s", p->sub, p->stage);
	if (p->total_files)
		n += snprintf(out + n, len - (size_t)n, " %" PRIu64 "/%" PRIu64 " files", files,
			      p->total_files);
	else if (files)
		n += snprintf(out + n, len - (size_t)n, " %" PRIu64 " files", files);
	if (p->total_bytes) {
		human(p->total_bytes, tb, sizeof(tb));
		n += snprintf(out + n, len - (size_t)n, ", %s/%s", b, tb);
	} else {
		n += snprintf(out + n, len - (size_t)n, ", %s", b);
	}
	n += snprintf(out + n, len - (size_t)n, ", %s/s", r);
	if (p->total_bytes && rate > 0 && bytes <= p->total_bytes)
		eta = (double)(p->total_bytes - bytes) / rate;
	else if (p->total_files && files && files <= p->total_files)
		eta = t * (double)(p->total_files - files) / (double)files;
	if (eta >= 0) {
		duration(eta, e, sizeof(e));
		snprintf(out + n, len - (size_t)n, ", ETA %s", e);
	} else {
		duration(t, el, sizeof(el));
		snprintf(out + n, len - (size_t)n, ", %s", el);
	}
}

/* Under p->lock. */
static void draw(struct progress *p, bool last)
{
	char line[256];
	struct winsize ws;
	size_t width = sizeof(line) - 1;

	format_line(p, line, sizeof(line));
	if (!p->tty) {
		fprintf(stderr, "%s%s\n", line, last ? " (done)" : "");
		return;
	}
	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1 && ws.ws_col - 1u < width)
		width = ws.ws_col - 1u; /* a wrapped line could not be redrawn */
	line[width] = 0;
	fprintf(stderr, "\r%s\033[K", line);
	fflush(stderr);
	p->drawn = true;
}

static void clear_line(struct progress *p)
{
	if (p->tty && p->drawn) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
		p->drawn = false;
	}
}

static void *progress_main(void *arg)
{
	struct progress *p = arg;
	long step_ns = p->tty ? 200000000L : 1000000000L;
	struct timespec next;

	pthread_mutex_lock(&p->lock);
	clock_gettime(CLOCK_REALTIME, &next);
	draw(p, false); /* at once: a short run's line is cleared again at once */
	while (!p->stop) {
		next.tv_nsec += step_ns;
		while (next.tv_nsec >= 1000000000L) {
			next.tv_sec++;
			next.tv_nsec -= 1000000000L;
		}
		while (!p->stop && pthread_cond_timedwait(&p->cond, &p->lock, &next) != ETIMEDOUT)
			;
		if (!p->stop)
			draw(p, false);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

bool progress_wanted(void)
{
	const char *term = getenv("TERM");
	bool tty = isatty(STDERR_FILENO) && !(term && !strcmp(term, "dumb"));

	return progress_mode == PROGRESS_ALWAYS || (progress_mode == PROGRESS_AUTO && tty);
}

struct progress *progress_start(const char *sub, const char *stage, uint64_t total_files,
				uint64_t total_bytes)
{
	struct progress *p;

	if (!progress_wanted() || current)
		return NULL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->sub = sub;
	p->tty = isatty(STDERR_FILENO);
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cond, NULL);
	progress_stage(p, stage, total_files, total_bytes);
	if (pthread_create(&p->thread, NULL, progress_main, p) != 0) {
		pthread_cond_destroy(&p->cond);
		pthread_mutex_destroy(&p->lock);
		free(p);
		return NULL;
	}
	current = p;
	return p;
}

void progress_stage(struct progress *p, const char *stage, uint64_t total_files,
		    uint64_t total_bytes)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->stage = stage;
	p->total_files = total_files;
	p->total_bytes = total_bytes;
	__atomic_store_n(&p->files, 0, __ATOMIC_RELAXED);
	p->rchar0 = rchar();
	clock_gettime(CLOCK_MONOTONIC, &p->t0);
	pthread_mutex_unlock(&p->lock);
}

void progress_file(struct progress *p)
{
	if (p)
		__atomic_add_fetch(&p->files, 1, __ATOMIC_RELAXED);
}

void progress_clear(void)
{
	struct progress *p = current;

	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	clear_line(p);
	pthread_mutex_unlock(&p->lock);
}

void progress_stop(struct progress *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->stop = true;
	pthread_cond_signal(&p->cond);
	pthread_mutex_unlock(&p->lock);
	pthread_join(p->thread, NULL);
	if (p->tty)
		clear_line(p);
	else
		draw(p, true);
	current = NULL;
	pthread_cond_destroy(&p->cond);
	pthread_mutex_destroy(&p->lock);
	free(p);
}
