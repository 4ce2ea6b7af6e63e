/* remote_cli.c - drives the remote share's transport (catalog/remote.h) and
 * cache (catalog/cache.h) from the tests and benchmarks:
 *   remote_cli [OPTIONS] get KEY [SHA256|-] [OFF LEN] [OUT]   (OUT default: stdout)
 *   remote_cli [OPTIONS] manifest KEY [ETAG]                  (prints the ETag, then the body)
 *   remote_cli [OPTIONS] head KEY
 *   remote_cli [OPTIONS] put KEY FILE
 *   remote_cli [OPTIONS] put-dir DIR PREFIX [THREADS]         (every regular file in DIR)
 *   remote_cli [OPTIONS] get-list FILE [THREADS]  (lines "KEY SHA256": each got and verified)
 *   remote_cli [OPTIONS] cache CACHEDIR MAX SHA256 KEY OFF LEN [READERS [HOLD_MS]]
 *       READERS threads get the unit through the cache at once; each checks
 *       what it reads; HOLD_MS keeps the pins that long before release
 *   remote_cli [OPTIONS] cache-stress CACHEDIR MAX LIST THREADS ROUNDS
 *       each thread gets ROUNDS random units of LIST ("KEY SHA256" lines,
 *       whole objects) through the cache and checks each
 * OPTIONS: --url URL (repeat for mirrors), --endpoint, --region,
 * --credentials FILE, --cacert FILE, --connect-ms N, --io-ms N,
 * --low-speed-s N, --retries N. Prints "requests N" on stderr at the end;
 * errors are one line, exit 1 (2: usage). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../../catalog/cache.h"
#include "../../catalog/remote.h"

static struct remote *rem;

static int usage(void)
{
	fprintf(stderr,
		"usage: remote_cli [--url URL]... [options] get|manifest|head|put|put-dir|cache ...\n");
	return 2;
}

static int unhex(const char *s, unsigned char out[32])
{
	if (strlen(s) != 64)
		return -1;
	for (int i = 0; i < 32; i++)
		if (sscanf(s + 2 * i, "%2hhx", &out[i]) != 1)
			return -1;
	return 0;
}

static int write_all(int fd, const unsigned char *p, size_t n)
{
	while (n) {
		ssize_t k = write(fd, p, n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -1;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

static int cmd_get(int argc, char **argv)
{
	unsigned char sha[32];
	const char *out = argc > 5 ? argv[5] : argc == 4 ? argv[3] : NULL;
	uint64_t off = 0, len = 0, got = 0;
	char why[1024];
	int fd = 1, rc;

	if (argc < 2 || argc > 6)
		return usage();
	if (argc > 2 && strcmp(argv[2], "-") != 0 && unhex(argv[2], sha) < 0)
		return usage();
	if (argc >= 5) {
		off = strtoull(argv[3], NULL, 10);
		len = strtoull(argv[4], NULL, 10);
	}
	if (out && (fd = open(out, O_RDWR | O_CREAT | O_TRUNC, 0644)) < 0) {
		fprintf(stderr, "remote_cli: %s: %s\n", out, strerror(errno));
		return 1;
	}
	if (fd == 1) { /* stdout may be a pipe: through memory */
		struct remote_body b;

		rc = remote_get(rem, argv[1], off, len, 1 << 30,
				argc > 2 && strcmp(argv[2], "-") ? sha : NULL, &b, why,
				sizeof(why));
		if (rc == 0) {
			write_all(1, b.data, b.len);
			remote_body_release(&b);
		}
	} else {
		rc = remote_get_fd(rem, argv[1], off, len,
				   argc > 2 && strcmp(argv[2], "-") ? sha : NULL, fd, &got, why,
				   sizeof(why));
		close(fd);
	}
	if (rc < 0) {
		fprintf(stderr, "remote_cli: %s (%s)\n", why, strerror(-rc));
		return 1;
	}
	return 0;
}

static int cmd_manifest(int argc, char **argv)
{
	char etag[REMOTE_ETAG_MAX] = "", why[1024];
	struct remote_body b;
	int rc;

	if (argc < 2 || argc > 3)
		return usage();
	if (argc == 3)
		snprintf(etag, sizeof(etag), "%s", argv[2]);
	rc = remote_get_manifest(rem, argv[1], 1 << 20, etag, &b, why, sizeof(why));
	if (rc < 0) {
		fprintf(stderr, "remote_cli: %s (%s)\n", why, strerror(-rc));
		return 1;
	}
	if (rc == 1) {
		printf("not modified\n");
		return 0;
	}
	printf("%s\n", etag);
	fflush(stdout);
	write_all(1, b.data, b.len);
	remote_body_release(&b);
	return 0;
}

static int cmd_head(int argc, char **argv)
{
	char why[1024];
	uint64_t size = 0;
	int rc;

	if (argc != 2)
		return usage();
	rc = remote_head(rem, argv[1], &size, why, sizeof(why));
	if (rc < 0) {
		fprintf(stderr, "remote_cli: %s (%s)\n", why, strerror(-rc));
		return 1;
	}
	printf("%" PRIu64 "\n", size);
	return 0;
}

static int put_file(const char *key, const char *path, char *why, size_t whylen)
{
	struct stat st;
	int fd = open(path, O_RDONLY), rc;

	if (fd < 0 || fstat(fd, &st) < 0) {
		rc = -errno;
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return rc;
	}
	rc = remote_put_fd(rem, key, fd, (uint64_t)st.st_size, NULL, why, whylen);
	close(fd);
	return rc;
}

static int cmd_put(int argc, char **argv)
{
	char why[1024];
	int rc;

	if (argc != 3)
		return usage();
	rc = put_file(argv[1], argv[2], why, sizeof(why));
	if (rc < 0) {
		fprintf(stderr, "remote_cli: %s (%s)\n", why, strerror(-rc));
		return 1;
	}
	return 0;
}

struct put_dir {
	const char *dir, *prefix;
	char **names;
	size_t n, next; /* protected by lock */
	pthread_mutex_t lock;
	int rc;
	char why[1024];
};

static void *put_dir_worker(void *arg)
{
	struct put_dir *p = arg;
	char key[1024], path[4096], why[1024];

	for (;;) {
		size_t i;
		int rc;

		pthread_mutex_lock(&p->lock);
		i = p->next++;
		pthread_mutex_unlock(&p->lock);
		if (i >= p->n)
			return NULL;
		snprintf(key, sizeof(key), "%s/%s", p->prefix, p->names[i]);
		snprintf(path, sizeof(path), "%s/%s", p->dir, p->names[i]);
		rc = put_file(key, path, why, sizeof(why));
		if (rc < 0) {
			pthread_mutex_lock(&p->lock);
			if (!p->rc) {
				p->rc = rc;
				snprintf(p->why, sizeof(p->why), "%s", why);
			}
			pthread_mutex_unlock(&p->lock);
			return NULL;
		}
	}
}

static int cmd_put_dir(int argc, char **argv)
{
	struct put_dir p = { .lock = PTHREAD_MUTEX_INITIALIZER };
	int nthreads = argc > 3 ? atoi(argv[3]) : 1;
	pthread_t th[64];
	struct dirent *e;
	DIR *d;

	if (argc < 3 || argc > 4 || nthreads < 1 || nthreads > 64)
		return usage();
	p.dir = argv[1];
	p.prefix = argv[2];
	d = opendir(p.dir);
	if (!d) {
		fprintf(stderr, "remote_cli: %s: %s\n", p.dir, strerror(errno));
		return 1;
	}
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		p.names = realloc(p.names, (p.n + 1) * sizeof(*p.names));
		p.names[p.n++] = strdup(e->d_name);
	}
	closedir(d);
	for (int i = 0; i < nthreads; i++)
		pthread_create(&th[i], NULL, put_dir_worker, &p);
	for (int i = 0; i < nthreads; i++)
		pthread_join(th[i], NULL);
	for (size_t i = 0; i < p.n; i++)
		free(p.names[i]);
	free(p.names);
	if (p.rc < 0) {
		fprintf(stderr, "remote_cli: %s (%s)\n", p.why, strerror(-p.rc));
		return 1;
	}
	return 0;
}

struct get_list {
	char **keys;
	unsigned char (*shas)[32];
	size_t n, next; /* protected by lock */
	pthread_mutex_t lock;
	int rc;
	char why[1024];
};

static void *get_list_worker(void *arg)
{
	struct get_list *g = arg;
	struct remote_body b;
	char why[1024];

	for (;;) {
		size_t i;
		int rc;

		pthread_mutex_lock(&g->lock);
		i = g->next++;
		pthread_mutex_unlock(&g->lock);
		if (i >= g->n)
			return NULL;
		rc = remote_get(rem, g->keys[i], 0, 0, 1 << 30, g->shas[i], &b, why, sizeof(why));
		if (rc < 0) {
			pthread_mutex_lock(&g->lock);
			if (!g->rc) {
				g->rc = rc;
				snprintf(g->why, sizeof(g->why), "%s", why);
			}
			pthread_mutex_unlock(&g->lock);
			return NULL;
		}
		remote_body_release(&b);
	}
}

static int cmd_get_list(int argc, char **argv)
{
	struct get_list g = { .lock = PTHREAD_MUTEX_INITIALIZER };
	int nthreads = argc > 2 ? atoi(argv[2]) : 1;
	char key[600], hex[80];
	pthread_t th[64];
	FILE *f;

	if (argc < 2 || argc > 3 || nthreads < 1 || nthreads > 64)
		return usage();
	f = fopen(argv[1], "r");
	if (!f) {
		fprintf(stderr, "remote_cli: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	while (fscanf(f, "%599s %79s", key, hex) == 2) {
		g.keys = realloc(g.keys, (g.n + 1) * sizeof(*g.keys));
		g.shas = realloc(g.shas, (g.n + 1) * sizeof(*g.shas));
		g.keys[g.n] = strdup(key);
		if (unhex(hex, g.shas[g.n++]) < 0)
			return usage();
	}
	fclose(f);
	for (int i = 0; i < nthreads; i++)
		pthread_create(&th[i], NULL, get_list_worker, &g);
	for (int i = 0; i < nthreads; i++)
		pthread_join(th[i], NULL);
	for (size_t i = 0; i < g.n; i++)
		free(g.keys[i]);
	free(g.keys);
	free(g.shas);
	if (g.rc < 0) {
		fprintf(stderr, "remote_cli: %s (%s)\n", g.why, strerror(-g.rc));
		return 1;
	}
	return 0;
}

struct flight {
	struct cache *cache;
	unsigned char sha[32];
	const char *key;
	uint64_t off, len;
	long hold_ms;
	int rc;
	char why[1024];
};

static void *flight_reader(void *arg)
{
	struct flight *f = arg;
	unsigned char md[EVP_MAX_MD_SIZE], buf[65536];
	unsigned int mdlen = 0;
	struct cache_ref ref;
	uint64_t pos = 0;
	EVP_MD_CTX *ctx;
	char why[1024];
	int rc;

	rc = cache_get(f->cache, f->sha, rem, f->key, f->off, f->len, &ref, why, sizeof(why));
	if (rc < 0) {
		f->rc = rc;
		snprintf(f->why, sizeof(f->why), "%s", why);
		return NULL;
	}
	ctx = EVP_MD_CTX_new();
	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	for (;;) {
		ssize_t n = pread(ref.fd, buf, sizeof(buf), (off_t)pos);

		if (n <= 0)
			break;
		EVP_DigestUpdate(ctx, buf, (size_t)n);
		pos += (uint64_t)n;
	}
	EVP_DigestFinal_ex(ctx, md, &mdlen);
	EVP_MD_CTX_free(ctx);
	if (memcmp(md, f->sha, 32) != 0 || pos != ref.size) {
		f->rc = -EIO;
		snprintf(f->why, sizeof(f->why), "the cache served other bytes (%" PRIu64 ")", pos);
	}
	if (f->hold_ms) {
		struct timespec ts = { f->hold_ms / 1000, (f->hold_ms % 1000) * 1000000L };

		nanosleep(&ts, NULL);
	}
	cache_release(f->cache, &ref);
	return NULL;
}

static int cmd_cache(int argc, char **argv)
{
	int readers = argc > 7 ? atoi(argv[7]) : 1, rc;
	struct flight *f;
	pthread_t th[64];
	struct cache *c;
	char why[1024];

	if (argc < 7 || argc > 9 || readers < 1 || readers > 64)
		return usage();
	rc = cache_open(argv[1], strtoull(argv[2], NULL, 10), &c, why, sizeof(why));
	if (rc < 0) {
		fprintf(stderr, "remote_cli: %s\n", why);
		return 1;
	}
	f = calloc((size_t)readers, sizeof(*f));
	for (int i = 0; i < readers; i++) {
		if (unhex(argv[3], f[i].sha) < 0)
			return usage();
		f[i].cache = c;
		f[i].key = argv[4];
		f[i].off = strtoull(argv[5], NULL, 10);
		f[i].len = strtoull(argv[6], NULL, 10);
		f[i].hold_ms = argc > 8 ? atol(argv[8]) : 0;
		pthread_create(&th[i], NULL, flight_reader, &f[i]);
	}
	rc = 0;
	for (int i = 0; i < readers; i++) {
		pthread_join(th[i], NULL);
		if (f[i].rc < 0 && rc == 0) {
			fprintf(stderr, "remote_cli: %s (%s)\n", f[i].why, strerror(-f[i].rc));
			rc = 1;
		}
	}
	printf("cache bytes %" PRIu64 "\n", cache_bytes(c));
	free(f);
	cache_close(c);
	return rc;
}

struct stress {
	struct cache *cache;
	char **keys;
	unsigned char (*shas)[32];
	size_t n;
	int rounds;
	unsigned seed;
	int rc;
	char why[1024];
};

static void *stress_worker(void *arg)
{
	struct stress *st = arg;

	for (int i = 0; i < st->rounds && st->rc == 0; i++) {
		size_t u = (size_t)rand_r(&st->seed) % st->n;
		struct flight f = { .cache = st->cache, .key = st->keys[u] };

		memcpy(f.sha, st->shas[u], 32);
		flight_reader(&f);
		if (f.rc < 0) {
			st->rc = f.rc;
			snprintf(st->why, sizeof(st->why), "%s", f.why);
		}
	}
	return NULL;
}

static int cmd_cache_stress(int argc, char **argv)
{
	int nthreads = argc == 6 ? atoi(argv[4]) : 0, rc = 0;
	struct stress st[64];
	char **keys = NULL, key[600], hex[80];
	unsigned char(*shas)[32] = NULL;
	pthread_t th[64];
	struct cache *c;
	char why[1024];
	size_t n = 0;
	FILE *f;

	if (argc != 6 || nthreads < 1 || nthreads > 64)
		return usage();
	f = fopen(argv[3], "r");
	if (!f) {
		fprintf(stderr, "remote_cli: %s: %s\n", argv[3], strerror(errno));
		return 1;
	}
	while (fscanf(f, "%599s %79s", key, hex) == 2) {
		keys = realloc(keys, (n + 1) * sizeof(*keys));
		shas = realloc(shas, (n + 1) * sizeof(*shas));
		keys[n] = strdup(key);
		if (unhex(hex, shas[n++]) < 0)
			return usage();
	}
	fclose(f);
	if (n == 0 || cache_open(argv[1], strtoull(argv[2], NULL, 10), &c, why, sizeof(why)) < 0) {
		fprintf(stderr, "remote_cli: %s\n", n ? why : "an empty list");
		return 1;
	}
	for (int i = 0; i < nthreads; i++) {
		st[i] = (struct stress){ .cache = c,
					 .keys = keys,
					 .shas = shas,
					 .n = n,
					 .rounds = atoi(argv[5]),
					 .seed = (unsigned)i + 1 };
		pthread_create(&th[i], NULL, stress_worker, &st[i]);
	}
	for (int i = 0; i < nthreads; i++) {
		pthread_join(th[i], NULL);
		if (st[i].rc < 0 && rc == 0) {
			fprintf(stderr, "remote_cli: %s (%s)\n", st[i].why, strerror(-st[i].rc));
			rc = 1;
		}
	}
	printf("cache bytes %" PRIu64 "\n", cache_bytes(c));
	cache_close(c);
	for (size_t i = 0; i < n; i++)
		free(keys[i]);
	free(keys);
	free(shas);
	return rc;
}

int main(int argc, char **argv)
{
	struct remote_opts o;
	const char *urls[16];
	char why[1024];
	int i, rc;

	remote_opts_init(&o);
	o.urls = urls;
	for (i = 1; i + 1 < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
		const char *opt = argv[i] + 2, *v = argv[i + 1];

		if (strcmp(opt, "url") == 0 && o.nurls < 16)
			urls[o.nurls++] = v;
		else if (strcmp(opt, "endpoint") == 0)
			o.endpoint = v;
		else if (strcmp(opt, "region") == 0)
			o.region = v;
		else if (strcmp(opt, "credentials") == 0)
			o.credentials = v;
		else if (strcmp(opt, "cacert") == 0)
			o.cacert = v;
		else if (strcmp(opt, "connect-ms") == 0)
			o.connect_timeout_ms = atol(v);
		else if (strcmp(opt, "io-ms") == 0)
			o.io_timeout_ms = atol(v);
		else if (strcmp(opt, "low-speed-s") == 0)
			o.low_speed_time_s = atol(v);
		else if (strcmp(opt, "retries") == 0)
			o.retries = atoi(v);
		else
			return usage();
	}
	if (i >= argc)
		return usage();
	/* cache without --url: only what is cached */
	rc = o.nurls == 0 && strcmp(argv[i], "cache") == 0 ?
		     0 :
		     remote_open(&o, &rem, why, sizeof(why));
	if (rc < 0) {
		fprintf(stderr, "remote_cli: %s\n", why);
		return 1;
	}
	argc -= i;
	argv += i;
	if (strcmp(argv[0], "get") == 0)
		rc = cmd_get(argc, argv);
	else if (strcmp(argv[0], "manifest") == 0)
		rc = cmd_manifest(argc, argv);
	else if (strcmp(argv[0], "head") == 0)
		rc = cmd_head(argc, argv);
	else if (strcmp(argv[0], "put") == 0)
		rc = cmd_put(argc, argv);
	else if (strcmp(argv[0], "put-dir") == 0)
		rc = cmd_put_dir(argc, argv);
	else if (strcmp(argv[0], "get-list") == 0)
		rc = cmd_get_list(argc, argv);
	else if (strcmp(argv[0], "cache") == 0)
		rc = cmd_cache(argc, argv);
	else if (strcmp(argv[0], "cache-stress") == 0)
		rc = cmd_cache_stress(argc, argv);
	else
		rc = usage();
	if (rem)
		fprintf(stderr, "requests %" PRIu64 "\n", remote_requests(rem));
	remote_close(rem);
	return rc;
}
