/* remote.c - fmfs URL MNT: a published org mounted from HTTPS mirrors or S3
 * (docs/remote.md). Before the mount: the options, the transport
 * (catalog/remote.h), the cache folder with its own catalog (same schema, so
 * ops.c serves it unchanged) brought to the newest signed revision. While
 * mounted: a thread polls the manifest (one conditional request when idle)
 * and applies new revisions; reads fetch only the chunks they touch, each
 * checked against its signed SHA-256 before it is served or cached; status
 * for the root's xattrs. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../catalog/publication.h"
#include "../catalog/cache.h"
#include "../catalog/remote.h"
#include "fmfs.h"

#define DEFAULT_POLL 60
#define MAX_MIRRORS 8

struct fmfs_remote {
	char url[1024];        /* the primary, as given (no credentials in it) */
	struct remote *net;
	struct cache *cache;
	EVP_PKEY *pub;
	unsigned poll_s;
	struct catalog *writer; /* the poll thread's (and the open's) connection */
	char etag[REMOTE_ETAG_MAX];
	pthread_t poller;
	bool polling;
	struct prefetch *prefetch; /* NULL: none (reads fetch their own chunks) */
	pthread_mutex_t lock;
	/* status, protected by lock */
	uint64_t revision;
	int64_t published, checked;
	char error[512];
};

struct prefetch;
static void prefetch_start(struct fmfs *fs);
static void prefetch_stop(struct fmfs_remote *r);

/* ---- options and opening -------------------------------------------------- */

static bool url_scheme_ok(const char *url)
{
	return !strncmp(url, "https://", 8) || !strncmp(url, "http://", 7) ||
	       !strncmp(url, "s3://", 5);
}

/* A URL fmfs can use: a known scheme, a host (or bucket), no spaces or
 * credentials in it. */
static bool url_is_valid(const char *url)
{
	const char *host = strstr(url, "://") + 3;

	return *host && *host != '/' && !strpbrk(url, " \t\n\"'<>\\@") &&
	       strlen(url) < 1000;
}

static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -EINVAL;
	switch (*end) {
	case 'k': case 'K': v <<= 10; end++; break;
	case 'm': case 'M': v <<= 20; end++; break;
	case 'g': case 'G': v <<= 30; end++; break;
	case 't': case 'T': v <<= 40; end++; break;
	default: break;
	}
	if (*end)
		return -EINVAL;
	*out = v;
	return 0;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path) < 0 ? -1 : 0;
}

static int mkdirs(const char *path, bool *created)
{
	char buf[4096];

	*created = false;
	if (mkdir(path, 0700) == 0) {
		*created = true;
		return 0;
	}
	if (errno == EEXIST)
		return 0;
	if (errno != ENOENT)
		return -errno;
	snprintf(buf, sizeof(buf), "%s", path);
	char *slash = strrchr(buf, '/');

	if (!slash || slash == buf)
		return -ENOENT;
	*slash = 0;
	bool up;
	int rc = mkdirs(buf, &up);

	if (rc < 0)
		return rc;
	if (mkdir(path, 0700) < 0)
		return -errno;
	*created = true;
	return 0;
}

static void set_error(struct fmfs_remote *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Record the last error; log it once (not again while it stays the same). */
static void set_error(struct fmfs_remote *r, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	bool same;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&r->lock);
	same = !strcmp(r->error, line);
	snprintf(r->error, sizeof(r->error), "%s", line);
	pthread_mutex_unlock(&r->lock);
	if (!same)
		fm_log(FM_LOG_ERROR, "%s: %s", r->url, line);
}

/* The pub_fetch_fn of follow_manifest: a delta, verified by its name. */
static int fetch_delta(void *arg, const char *key, const char *sha256, size_t max,
		       char **buf, size_t *len, char *err, size_t errlen)
{
	struct fmfs_remote *r = arg;
	unsigned char want[32];
	struct remote_body body = { 0 };
	int rc;

	for (int i = 0; i < 32; i++)
		sscanf(sha256 + 2 * i, "%2hhx", &want[i]);
	rc = remote_get(r->net, key, 0, 0, max, want, &body, err, errlen);
	if (rc < 0)
		return rc;
	*buf = malloc(body.len + 1);
	if (!*buf) {
		remote_body_release(&body);
		return -ENOMEM;
	}
	memcpy(*buf, body.data, body.len);
	(*buf)[body.len] = 0;
	*len = body.len;
	remote_body_release(&body);
	return 0;
}

/* One check of the manifest: 0 (same or applied), 1 (not modified), or
 * -errno with why (the catalog keeps its revision). */
static int check_once(struct fmfs_remote *r, char *why, size_t whylen)
{
	struct remote_body body = { 0 };
	enum follow_result res;
	struct manifest m;
	char etag[REMOTE_ETAG_MAX];
	int rc;

	memcpy(etag, r->etag, sizeof(etag));
	rc = remote_get_manifest(r->net, PUB_MANIFEST_KEY, PUB_MANIFEST_MAX, etag, &body,
				 why, whylen);
	if (rc < 0)
		return rc;
	if (rc == 1) {
		pthread_mutex_lock(&r->lock);
		r->checked = time(NULL);
		r->error[0] = 0;
		pthread_mutex_unlock(&r->lock);
		return 1;
	}
	rc = follow_manifest(r->writer, r->pub, (const char *)body.data, body.len,
			     time(NULL), fetch_delta, r, &m, &res, why, whylen);
	remote_body_release(&body);
	if (rc < 0)
		return rc;
	memcpy(r->etag, etag, sizeof(etag)); /* only a manifest we took */
	pthread_mutex_lock(&r->lock);
	r->revision = m.revision;
	r->published = m.published;
	r->checked = time(NULL);
	r->error[0] = 0;
	pthread_mutex_unlock(&r->lock);
	if (res == FOLLOW_APPLIED) {
		/* fold the new rows into the catalog file, so readers do not
		 * look them up through the write-ahead log (find over 100k
		 * files after a first mount); never waits for a reader */
		catalog_tx(r->writer, "PRAGMA wal_checkpoint(PASSIVE)");
		fm_log(FM_LOG_INFO, "%s: revision %" PRIu64 " applied", r->url, m.revision);
	}
	return 0;
}

/* The options as fuse_opt gave them; each NULL when not given. */
int fmfs_remote_open(struct fmfs *fs, const struct fmfs_remote_opts *o, char *why,
		     size_t whylen)
{
	const char *urls[1 + MAX_MIRRORS];
	char cache[4096] = "", mirrors[4096], err[1024];
	struct remote_state have;
	struct remote_opts ro;
	struct fmfs_remote *r;
	uint64_t cache_max = UINT64_MAX; /* no bound unless cache_max= */
	bool created = false, have_rev;
	size_t nurls = 0;
	int rc;

	if (!strstr(o->url, "://") || !url_scheme_ok(o->url)) {
		snprintf(why, whylen, "%s: unknown scheme (https://, http:// or s3://)", o->url);
		return -2;
	}
	if (strchr(o->url, '@')) { /* never echo what may be a password */
		snprintf(why, whylen, "malformed URL: user and password belong in "
			 "-o credentials=FILE, not in the URL");
		return -2;
	}
	if (!url_is_valid(o->url)) {
		snprintf(why, whylen, "%s: malformed URL", o->url);
		return -2;
	}
	if (!o->pubkey || !o->cache) {
		snprintf(why, whylen, "%s: -o pubkey=FILE and -o cache=FOLDER are required "
			 "for a remote source", o->url);
		return -2;
	}
	if (o->cache_max && parse_size(o->cache_max, &cache_max) < 0) {
		snprintf(why, whylen, "-o cache_max=%s: a size (bytes, or with K, M, G, T)",
			 o->cache_max);
		return -2;
	}
	r = calloc(1, sizeof(*r));
	if (!r)
		return -1;
	pthread_mutex_init(&r->lock, NULL);
	snprintf(r->url, sizeof(r->url), "%s", o->url);
	r->poll_s = DEFAULT_POLL;
	if (o->poll) {
		char *end;
		long v = strtol(o->poll, &end, 10);

		if (*end || v < 1 || v > 86400) {
			snprintf(why, whylen, "-o poll=%s: seconds, 1 to 86400", o->poll);
			free(r);
			return -2;
		}
		r->poll_s = (unsigned)v;
	}
	urls[nurls++] = o->url;
	if (o->mirrors) {
		snprintf(mirrors, sizeof(mirrors), "%s", o->mirrors);
		for (char *save, *m = strtok_r(mirrors, "|", &save); m;
		     m = strtok_r(NULL, "|", &save)) {
			if (nurls > MAX_MIRRORS || !strstr(m, "://") || !url_scheme_ok(m) ||
			    !url_is_valid(m)) {
				snprintf(why, whylen, "-o mirrors: %s: not a usable URL (at most %d)",
					 m, MAX_MIRRORS);
				free(r);
				return -2;
			}
			urls[nurls++] = m;
		}
	}
	if (pubkey_load_public(o->pubkey, &r->pub, err, sizeof(err)) < 0) {
		snprintf(why, whylen, "-o pubkey: %s", err);
		free(r);
		return -1;
	}
	remote_opts_init(&ro);
	ro.urls = urls;
	ro.nurls = nurls;
	ro.endpoint = o->endpoint;
	ro.region = o->region;
	ro.credentials = o->credentials;
	ro.cacert = o->cacert;
	rc = remote_open(&ro, &r->net, err, sizeof(err));
	if (rc < 0) {
		snprintf(why, whylen, "%s", err);
		goto fail;
	}
	rc = mkdirs(o->cache, &created);
	if (rc < 0 || !realpath(o->cache, cache)) {
		snprintf(why, whylen, "-o cache=%s: cannot create: %s", o->cache,
			 strerror(rc < 0 ? -rc : errno));
		rc = -1;
		goto fail;
	}
	rc = catalog_open(cache, 0, &r->writer, err, sizeof(err));
	if (rc == -ENOENT)
		rc = catalog_open(cache, CATALOG_CREATE, &r->writer, err, sizeof(err));
	if (rc == 0)
		rc = cache_open(cache, cache_max, &r->cache, err, sizeof(err));
	if (rc < 0) {
		snprintf(why, whylen, "-o cache=%s: %s", o->cache, err);
		rc = -1;
		goto fail;
	}
	have_rev = remote_state_get(r->writer, "source", &have) == 0;
	if (have_rev) {
		r->revision = have.revision;
		r->published = have.published;
	}
	rc = check_once(r, err, sizeof(err));
	if (rc < 0 && !have_rev) {
		snprintf(why, whylen, "%s: %s", o->url, err);
		rc = -1;
		goto fail;
	}
	if (rc < 0)
		set_error(r, "serving revision %" PRIu64 " from the cache: %s", have.revision,
			  err);
	rc = remote_state_get(r->writer, "source", &have);
	if (rc < 0) {
		snprintf(why, whylen, "%s: no revision", o->url);
		rc = -1;
		goto fail;
	}
	fs->store = strdup(cache);
	fs->org = strdup(have.org);
	fs->remote = r;
	return 0;
fail:
	cache_close(r->cache);
	catalog_close(r->writer);
	remote_close(r->net);
	EVP_PKEY_free(r->pub);
	free(r);
	if (created) /* nothing left behind */
		nftw(cache[0] ? cache : o->cache, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return rc == -EINVAL ? -2 : -1;
}

/* ---- polling ------------------------------------------------------------------ */

static bool wait_stop(struct fmfs *fs, unsigned seconds)
{
	struct timespec until;
	bool stop;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += seconds;
	pthread_mutex_lock(&fs->stop_lock);
	while (!fs->stop &&
	       pthread_cond_timedwait(&fs->stop_cond, &fs->stop_lock, &until) != ETIMEDOUT)
		;
	stop = fs->stop;
	pthread_mutex_unlock(&fs->stop_lock);
	return stop;
}

static void *poll_main(void *arg)
{
	struct fmfs *fs = arg;
	struct fmfs_remote *r = fs->remote;
	char why[1024];

	while (!wait_stop(fs, r->poll_s)) {
		int rc = check_once(r, why, sizeof(why));

		if (rc < 0)
			set_error(r, "%s", why);
	}
	return NULL;
}

int fmfs_remote_start(struct fmfs *fs)
{
	int rc;

	prefetch_start(fs);
	rc = pthread_create(&fs->remote->poller, NULL, poll_main, fs);

	fs->remote->polling = rc == 0;
	return -rc;
}

/* Call after fs->stop is set (fmfs_watch_stop). */
void fmfs_remote_close(struct fmfs *fs)
{
	struct fmfs_remote *r = fs->remote;

	if (!r)
		return;
	if (r->polling)
		pthread_join(r->poller, NULL);
	prefetch_stop(r);
	cache_close(r->cache);
	catalog_close(r->writer);
	remote_close(r->net);
	EVP_PKEY_free(r->pub);
	pthread_mutex_destroy(&r->lock);
	free(r);
	fs->remote = NULL;
}

/* ---- reading ------------------------------------------------------------------- */

/* Chunk c of f from the cache, fetched (Range) and checked if missing;
 * release it with cache_release(). 0 or -EIO (logged once). */
static int chunk_get(struct fmfs *fs, struct fmfs_file *f, size_t c, struct cache_ref *ref)
{
	struct fmfs_remote *r = fs->remote;
	uint64_t off = (uint64_t)c * f->chunk_size;
	uint64_t len = (uint64_t)f->size - off < f->chunk_size ? (uint64_t)f->size - off
								  : f->chunk_size;
	char key[128], why[1024];
	int rc;

	pub_blob_key(f->sha256, key, sizeof(key));
	rc = cache_get(r->cache, f->chunk_sha + 32 * c, r->net, key, off, len, ref, why,
		       sizeof(why));
	if (rc < 0) {
		set_error(r, "%s (inode %" PRIu64 ", chunk %zu): %s", key, f->id, c, why);
		return -EIO;
	}
	return 0;
}

int fmfs_remote_file_open(struct fmfs *fs, struct fmfs_file *f)
{
	struct catalog *cat = fmfs_catalog(fs);
	uint32_t cs = 0;
	size_t n = 0;
	int rc;

	if (!cat)
		return -EIO;
	rc = chunk_sha_get(cat, f->sha256, &cs, &f->chunk_sha, &n);
	if (rc < 0 || cs == 0 || n != chunks_count(f->size, cs)) {
		fm_log(FM_LOG_ERROR, "%s: blob %s (inode %" PRIu64 "): no chunk hashes in "
		       "the catalog", fs->remote->url, f->sha256, f->id);
		return -EIO;
	}
	f->chunk_size = cs;
	f->nchunks = n;
	if (n == 0) {
		f->fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	} else if (n == 1) {
		/* one chunk: the cached unit is the whole blob, held while the
		 * file is open; ops.c and prefill.c read it like a local one */
		rc = chunk_get(fs, f, 0, &f->unit);
		if (rc < 0)
			return rc;
		f->cache = fs->remote->cache;
		f->fd = f->unit.fd;
	}
	return 0;
}

/* ---- prefetch: the chunks after the one a reader waits for ----------------- */

/* A reader that needs chunk c queues c+1 .. c+PREFETCH_AHEAD: a few threads
 * fetch them into the cache meanwhile (the cache makes a reader that wants
 * one of them wait for that download, never start another), so a
 * sequential read has several requests in flight instead of one. */
#define PREFETCH_THREADS 4
#define PREFETCH_AHEAD 8
#define PREFETCH_QUEUE 64

struct prefetch_job {
	unsigned char sha[32];
	char key[128];
	uint64_t off, len;
};

struct prefetch {
	pthread_mutex_t lock;
	pthread_cond_t more;
	struct prefetch_job q[PREFETCH_QUEUE]; /* protected by lock */
	size_t head, count;                    /* protected by lock */
	bool stop;                             /* protected by lock */
	pthread_t threads[PREFETCH_THREADS];
	size_t nthreads;
};

static void *prefetch_main(void *arg)
{
	struct fmfs *fs = arg;
	struct fmfs_remote *r = fs->remote;
	struct prefetch *p = r->prefetch;

	for (;;) {
		struct prefetch_job job;
		struct cache_ref ref;
		char why[1024];

		pthread_mutex_lock(&p->lock);
		while (!p->stop && p->count == 0)
			pthread_cond_wait(&p->more, &p->lock);
		if (p->stop) {
			pthread_mutex_unlock(&p->lock);
			return NULL;
		}
		job = p->q[p->head];
		p->head = (p->head + 1) % PREFETCH_QUEUE;
		p->count--;
		pthread_mutex_unlock(&p->lock);
		/* a failure is the reader's to report, when it gets there */
		if (cache_get(r->cache, job.sha, r->net, job.key, job.off, job.len, &ref, why,
			      sizeof(why)) == 0)
			cache_release(r->cache, &ref);
	}
}

static void prefetch_start(struct fmfs *fs)
{
	struct prefetch *p = calloc(1, sizeof(*p));

	if (!p)
		return;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->more, NULL);
	fs->remote->prefetch = p;
	for (size_t i = 0; i < PREFETCH_THREADS; i++)
		if (pthread_create(&p->threads[p->nthreads], NULL, prefetch_main, fs) == 0)
			p->nthreads++;
}

static void prefetch_stop(struct fmfs_remote *r)
{
	struct prefetch *p = r->prefetch;

	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->stop = true;
	pthread_cond_broadcast(&p->more);
	pthread_mutex_unlock(&p->lock);
	for (size_t i = 0; i < p->nthreads; i++)
		pthread_join(p->threads[i], NULL);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->more);
	free(p);
	r->prefetch = NULL;
}

/* Queue the chunks after c that this open has not queued yet (a full queue
 * drops them: the reader fetches them itself). */
static void prefetch_after(struct fmfs *fs, struct fmfs_file *f, size_t c)
{
	struct prefetch *p = fs->remote->prefetch;
	size_t from = c + 1, to = c + PREFETCH_AHEAD;
	size_t done = __atomic_load_n(&f->prefetched, __ATOMIC_RELAXED);

	if (!p || to >= f->nchunks)
		to = f->nchunks - 1;
	if (!p || from > to || done >= to)
		return;
	if (done >= from)
		from = done + 1;
	__atomic_store_n(&f->prefetched, to, __ATOMIC_RELAXED);
	pthread_mutex_lock(&p->lock);
	for (size_t k = from; k <= to && p->count < PREFETCH_QUEUE; k++) {
		struct prefetch_job *j = &p->q[(p->head + p->count) % PREFETCH_QUEUE];
		uint64_t off = (uint64_t)k * f->chunk_size;

		memcpy(j->sha, f->chunk_sha + 32 * k, 32);
		pub_blob_key(f->sha256, j->key, sizeof(j->key));
		j->off = off;
		j->len = (uint64_t)f->size - off < f->chunk_size ? (uint64_t)f->size - off
								  : f->chunk_size;
		p->count++;
	}
	pthread_cond_broadcast(&p->more);
	pthread_mutex_unlock(&p->lock);
}

#define READ_MAX_CHUNKS 4 /* a FUSE read (<= 1 MiB) spans at most 2 chunks */

void fmfs_remote_reply_read(fuse_req_t req, struct fmfs *fs, struct fmfs_file *f,
			    size_t size, off_t off)
{
	struct {
		struct fuse_bufvec v;
		struct fuse_buf more[READ_MAX_CHUNKS - 1];
	} bv;
	struct cache_ref refs[READ_MAX_CHUNKS];
	struct fuse_buf *b = bv.v.buf; /* READ_MAX_CHUNKS of them: v's and more */
	size_t n = 0, done = 0;
	int rc = 0;

	if (off >= f->size) {
		fuse_reply_buf(req, NULL, 0);
		return;
	}
	if ((int64_t)(off + (off_t)size) > f->size)
		size = (size_t)(f->size - off);
	memset(&bv, 0, sizeof(bv));
	while (done < size && n < READ_MAX_CHUNKS) {
		off_t at = off + (off_t)done;
		size_t c = (size_t)(at / f->chunk_size);
		off_t in = at - (off_t)c * f->chunk_size;
		size_t want = f->chunk_size - (size_t)in;

		if (n == 0)
			prefetch_after(fs, f, c);
		rc = chunk_get(fs, f, c, &refs[n]);
		if (rc < 0)
			break;
		if (want > size - done)
			want = size - done;
		b[n].size = want;
		b[n].flags = FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK;
		b[n].fd = refs[n].fd;
		b[n].pos = in;
		n++;
		done += want;
	}
	if (rc < 0) {
		fuse_reply_err(req, -rc);
	} else {
		bv.v.count = n;
		fuse_reply_data(req, &bv.v, FUSE_BUF_SPLICE_MOVE);
	}
	for (size_t i = 0; i < n; i++)
		cache_release(fs->remote->cache, &refs[i]);
}

/* ---- status ------------------------------------------------------------------------ */

static const char *const status_names[] = {
	"user.fmfs.remote.url", "user.fmfs.remote.revision", "user.fmfs.remote.published",
	"user.fmfs.remote.mirror", "user.fmfs.remote.checked", "user.fmfs.remote.error",
	"user.fmfs.remote.cache_bytes",
};

static void iso(int64_t t, char *out, size_t outlen)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!t) {
		snprintf(out, outlen, "never");
		return;
	}
	gmtime_r(&tt, &tm);
	strftime(out, outlen, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int fmfs_remote_xattr(struct fmfs *fs, const char *name, char *out, size_t outlen)
{
	struct fmfs_remote *r = fs->remote;

	pthread_mutex_lock(&r->lock);
	if (!strcmp(name, status_names[0]))
		snprintf(out, outlen, "%s", r->url);
	else if (!strcmp(name, status_names[1]))
		snprintf(out, outlen, "%" PRIu64, r->revision);
	else if (!strcmp(name, status_names[2]))
		iso(r->published, out, outlen);
	else if (!strcmp(name, status_names[3]))
		snprintf(out, outlen, "%s", remote_mirror(r->net));
	else if (!strcmp(name, status_names[4]))
		iso(r->checked, out, outlen);
	else if (!strcmp(name, status_names[5]))
		snprintf(out, outlen, "%s", r->error[0] ? r->error : "none");
	else if (!strcmp(name, status_names[6]))
		snprintf(out, outlen, "%" PRIu64, cache_bytes(r->cache));
	else {
		pthread_mutex_unlock(&r->lock);
		return -ENODATA;
	}
	pthread_mutex_unlock(&r->lock);
	return 0;
}
