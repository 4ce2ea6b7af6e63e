/* bread.c - the benchmark's own reader (bench only, not installed): sequential
 * reads of files by N threads (aggregate MB/s), random 4 KiB reads of one file
 * (reads/s), and stat of a list of paths (mean microseconds per stat). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SEQ_CHUNK (1 << 20)

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

struct seq_job {
	char **files;
	int nfiles, stride, first;
	uint64_t bytes;
	int rc;
};

static void *seq_thread(void *arg)
{
	struct seq_job *j = arg;
	char *buf = malloc(SEQ_CHUNK);

	for (int i = j->first; buf && i < j->nfiles; i += j->stride) {
		int fd = open(j->files[i], O_RDONLY);
		ssize_t n;

		if (fd < 0) {
			fprintf(stderr, "bread: %s: %s\n", j->files[i], strerror(errno));
			j->rc = 1;
			break;
		}
		while ((n = read(fd, buf, SEQ_CHUNK)) > 0)
			j->bytes += (uint64_t)n;
		if (n < 0) {
			fprintf(stderr, "bread: %s: %s\n", j->files[i], strerror(errno));
			j->rc = 1;
		}
		close(fd);
	}
	free(buf);
	return NULL;
}

/* bread seq THREADS FILE...: MB/s (10^6 bytes) of all threads together. */
static int cmd_seq(int threads, int nfiles, char **files)
{
	struct seq_job *jobs = calloc((size_t)threads, sizeof(*jobs));
	pthread_t *tids = calloc((size_t)threads, sizeof(*tids));
	uint64_t bytes = 0;
	double t0 = now(), t;
	int rc = 0;

	for (int i = 0; i < threads; i++) {
		jobs[i] = (struct seq_job){ files, nfiles, threads, i, 0, 0 };
		pthread_create(&tids[i], NULL, seq_thread, &jobs[i]);
	}
	for (int i = 0; i < threads; i++) {
		pthread_join(tids[i], NULL);
		bytes += jobs[i].bytes;
		rc |= jobs[i].rc;
	}
	t = now() - t0;
	printf("%.1f\n", bytes / t / 1e6);
	free(jobs);
	free(tids);
	return rc;
}

/* bread rand FILE COUNT: 4 KiB preads at random aligned offsets, reads/s. */
static int cmd_rand(const char *file, long count)
{
	char buf[4096];
	struct stat st;
	uint64_t x = 88172645463325252ULL, pages;
	double t0;
	int fd = open(file, O_RDONLY);

	if (fd < 0 || fstat(fd, &st) < 0 || st.st_size < 4096) {
		fprintf(stderr, "bread: %s: cannot open or too small\n", file);
		return 1;
	}
	posix_fadvise(fd, 0, 0, POSIX_FADV_RANDOM);
	pages = (uint64_t)st.st_size / 4096;
	t0 = now();
	for (long i = 0; i < count; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17; /* xorshift64 */
		if (pread(fd, buf, sizeof(buf), (off_t)((x % pages) * 4096)) != sizeof(buf)) {
			fprintf(stderr, "bread: %s: short read\n", file);
			return 1;
		}
	}
	printf("%.0f\n", count / (now() - t0));
	close(fd);
	return 0;
}

/* bread stat LIST: stat each path (one a line), mean microseconds. */
static int cmd_stat(const char *list)
{
	FILE *f = fopen(list, "r");
	char line[4096];
	struct stat st;
	double t = 0;
	long n = 0;

	if (!f) {
		fprintf(stderr, "bread: %s: %s\n", list, strerror(errno));
		return 1;
	}
	while (fgets(line, sizeof(line), f)) {
		double t0;

		line[strcspn(line, "\n")] = 0;
		t0 = now();
		if (stat(line, &st) < 0) {
			fprintf(stderr, "bread: %s: %s\n", line, strerror(errno));
			fclose(f);
			return 1;
		}
		t += now() - t0;
		n++;
	}
	fclose(f);
	printf("%.1f\n", n ? t / n * 1e6 : 0);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 4 && !strcmp(argv[1], "seq"))
		return cmd_seq(atoi(argv[2]), argc - 3, argv + 3);
	if (argc == 4 && !strcmp(argv[1], "rand"))
		return cmd_rand(argv[2], atol(argv[3]));
	if (argc == 3 && !strcmp(argv[1], "stat"))
		return cmd_stat(argv[2]);
	fprintf(stderr, "usage: bread seq THREADS FILE... | rand FILE COUNT | stat LIST\n");
	return 2;
}
