/* remote.c - the remote share's failure ladder (remote.h): for each request,
 * the mirrors in order from the one that last answered well; on a mirror,
 * retries with jittered backoff (or the server's Retry-After, bounded) for
 * resets, short transfers, 5xx and 429; bytes that do not match their hash
 * once more with no-cache, then the next mirror; then -errno and one line
 * naming the object and every host tried. Also the options and the keys. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "catalog.h"
#include "remote_internal.h"

#define MIRRORS_MAX 16
#define KEY_MAX 512
#define BACKOFF_FIRST_MS 200
#define BACKOFF_MAX_MS 3000
#define RETRY_AFTER_MAX_MS 5000
#define PRIMARY_AGAIN_MS 60000 /* after leaving the primary, try it first again after this */

void remote_opts_init(struct remote_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->connect_timeout_ms = 5000;
	o->low_speed_time_s = 10;
	o->io_timeout_ms = 120000;
	o->retries = 2;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void hex_encode(const unsigned char *md, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[md[i] >> 4];
		out[2 * i + 1] = digits[md[i] & 15];
	}
	out[2 * n] = 0;
}

static bool key_is_valid(const char *key)
{
	size_t n = strlen(key), comp = 0;

	if (n == 0 || n > KEY_MAX || key[0] == '/' || key[n - 1] == '/')
		return false;
	for (const char *p = key;; p++) {
		if (*p == '/' || *p == 0) {
			const char *c = p - comp;

			if (comp == 0 || (comp == 1 && c[0] == '.') ||
			    (comp == 2 && c[0] == '.' && c[1] == '.'))
				return false;
			if (*p == 0)
				return true;
			comp = 0;
			continue;
		}
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' || *p == '-'))
			return false;
		comp++;
	}
}

static void mirror_release(struct mirror *m)
{
	free(m->url);
	free(m->base);
	free(m->host);
}

void remote_close(struct remote *r)
{
	if (!r)
		return;
	http_release(r);
	for (size_t i = 0; i < r->nmirrors; i++)
		mirror_release(&r->mirrors[i]);
	free(r->mirrors);
	free(r->cacert);
	free(r->netrc);
	free(r->sigv4);
	if (r->s3_key)
		OPENSSL_clear_free(r->s3_key, strlen(r->s3_key));
	if (r->s3_secret)
		OPENSSL_clear_free(r->s3_secret, strlen(r->s3_secret));
	free(r);
}

static int mirror_parse(struct remote *r, const char *url, struct mirror *m, char *why,
			size_t whylen)
{
	const char *scheme_end = strstr(url, "://");

	m->url = strdup(url);
	if (!m->url)
		return -ENOMEM;
	if (!scheme_end || strncmp(url, "file://", 7) == 0) {
		m->kind = MIRROR_FOLDER;
		return folder_mirror(url, m, why, whylen);
	}
	if (strncmp(url, "s3://", 5) == 0) {
		m->kind = MIRROR_S3;
		return s3_mirror(r, url, m, why, whylen);
	}
	if (strncmp(url, "https://", 8) == 0 || strncmp(url, "http://", 7) == 0) {
		m->kind = MIRROR_HTTP;
		return http_check_url(url, m, why, whylen);
	}
	snprintf(why, whylen, "%.*s: unknown scheme (https, http, s3 or file)",
		 (int)(scheme_end - url), url);
	return -EINVAL;
}

int remote_open(const struct remote_opts *o, struct remote **out, char *why, size_t whylen)
{
	struct remote *r;
	bool any_s3 = false;
	int rc;

	if (o->nurls == 0 || o->nurls > MIRRORS_MAX) {
		snprintf(why, whylen, "remote: %zu URLs (1 to %d)", o->nurls, MIRRORS_MAX);
		return -EINVAL;
	}
	if (o->connect_timeout_ms <= 0 || o->low_speed_time_s <= 0 || o->io_timeout_ms <= 0 ||
	    o->retries < 0) {
		snprintf(why, whylen, "remote: timeouts must be positive, retries not negative");
		return -EINVAL;
	}
	for (size_t i = 0; i < o->nurls; i++)
		any_s3 |= strncmp(o->urls[i], "s3://", 5) == 0;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->opts = *o;
	r->opts.urls = NULL;
	rc = http_init(r, why, whylen);
	if (rc < 0) {
		free(r);
		return rc;
	}
	if (o->cacert && !(r->cacert = strdup(o->cacert)))
		rc = -ENOMEM;
	if (rc == 0 && o->cacert && access(o->cacert, R_OK) < 0) {
		rc = -errno;
		snprintf(why, whylen, "cacert: %s: %s", o->cacert, strerror(-rc));
	}
	if (rc == 0 && o->credentials) {
		if (any_s3)
			rc = credentials_read_aws(o->credentials, &r->s3_key, &r->s3_secret, why,
						  whylen);
		else if ((rc = credentials_check(o->credentials, why, whylen)) == 0 &&
			 !(r->netrc = strdup(o->credentials)))
			rc = -ENOMEM;
	}
	if (rc == 0 && !(r->mirrors = calloc(o->nurls, sizeof(*r->mirrors))))
		rc = -ENOMEM;
	for (size_t i = 0; rc == 0 && i < o->nurls; i++) {
		rc = mirror_parse(r, o->urls[i], &r->mirrors[i], why, whylen);
		r->nmirrors = i + 1;
	}
	if (rc < 0) {
		if (rc == -ENOMEM)
			snprintf(why, whylen, "remote: %s", strerror(ENOMEM));
		remote_close(r);
		return rc;
	}
	*out = r;
	return 0;
}

void remote_body_release(struct remote_body *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
}

uint64_t remote_requests(const struct remote *r)
{
	return __atomic_load_n(&r->requests, __ATOMIC_RELAXED);
}

const char *remote_mirror(const struct remote *r)
{
	return r->mirrors[__atomic_load_n(&r->current, __ATOMIC_RELAXED)].url;
}

int req_sink(struct req *q, const void *data, size_t len)
{
	uint64_t limit = q->len ? q->len : q->fd >= 0 ? UINT64_MAX : q->max;

	if (len > limit - q->got) {
		q->too_long = true;
		return -EFBIG;
	}
	EVP_DigestUpdate(q->md, data, len);
	if (q->fd >= 0) {
		const char *p = data;
		size_t left = len;

		while (left) {
			ssize_t n = pwrite(q->fd, p, left, (off_t)(q->got + (len - left)));

			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				q->sink_errno = errno;
				return -errno;
			}
			p += n;
			left -= (size_t)n;
		}
	} else {
		if (q->got + len > q->cap) {
			size_t cap = q->cap ? q->cap : 65536;
			unsigned char *nb;

			while (cap < q->got + len)
				cap *= 2;
			if (cap > limit)
				cap = (size_t)limit;
			nb = realloc(q->buf, cap);
			if (!nb) {
				q->sink_errno = ENOMEM;
				return -ENOMEM;
			}
			q->buf = nb;
			q->cap = cap;
		}
		memcpy(q->buf + q->got, data, len);
	}
	q->got += len;
	return 0;
}

/* One attempt on mirror m, its bytes checked: length, then hash. */
static enum req_result attempt(struct remote *r, const struct mirror *m, struct req *q)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	enum req_result res;

	__atomic_add_fetch(&r->requests, 1, __ATOMIC_RELAXED);
	q->got = 0;
	q->src_pos = 0;
	q->status = 0;
	q->retry_after_s = -1;
	q->etag[0] = 0;
	q->err_len = 0;
	q->too_long = false;
	q->sink_errno = 0;
	q->why[0] = 0;
	if (q->fd >= 0 && ftruncate(q->fd, 0) < 0 && errno != EINVAL) { /* EINVAL: /dev/null */
		q->sink_errno = errno;
		snprintf(q->why, sizeof(q->why), "cannot truncate the download: %s",
			 strerror(errno));
		return RES_LOCAL;
	}
	EVP_DigestInit_ex(q->md, EVP_sha256(), NULL);
	res = m->kind == MIRROR_FOLDER ? folder_perform(r, m, q) : http_perform(r, m, q);
	if (res != RES_OK || q->method != REQ_GET || q->status == 304)
		return res;
	if (q->len && q->got != q->len) {
		snprintf(q->why, sizeof(q->why), "short body: %llu of %llu bytes",
			 (unsigned long long)q->got, (unsigned long long)q->len);
		return RES_BAD_DATA;
	}
	if (q->expect) {
		EVP_DigestFinal_ex(q->md, md, &mdlen);
		if (CRYPTO_memcmp(md, q->expect, 32) != 0) {
			snprintf(q->why, sizeof(q->why), "sha256 mismatch");
			return RES_BAD_DATA;
		}
	}
	return RES_OK;
}

static void backoff(long retry_after_s, int tries)
{
	static __thread unsigned seed;
	long ms;
	struct timespec ts;

	if (!seed)
		seed = (unsigned)now_ms() ^ (unsigned)getpid() ^ (unsigned)(uintptr_t)&ms;
	if (retry_after_s >= 0) {
		ms = retry_after_s > RETRY_AFTER_MAX_MS / 1000 ? RETRY_AFTER_MAX_MS :
								 retry_after_s * 1000;
	} else {
		ms = BACKOFF_FIRST_MS << (tries < 5 ? tries : 5);
		if (ms > BACKOFF_MAX_MS)
			ms = BACKOFF_MAX_MS;
		ms = ms / 2 + (long)(rand_r(&seed) % (unsigned)(ms / 2 + 1));
	}
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static size_t first_mirror(struct remote *r)
{
	size_t cur = __atomic_load_n(&r->current, __ATOMIC_RELAXED);

	if (cur != 0 &&
	    now_ms() - __atomic_load_n(&r->switched_ms, __ATOMIC_RELAXED) > PRIMARY_AGAIN_MS) {
		__atomic_store_n(&r->current, 0, __ATOMIC_RELAXED);
		cur = 0;
	}
	return cur;
}

/* q on each mirror in turn until one answers well. 0 or -errno with why. */
static int ladder(struct remote *r, struct req *q, char *why, size_t whylen)
{
	size_t start = first_mirror(r);
	char failed[1024] = "";
	size_t flen = 0;
	bool all_missing = true, denied = false, bad_data = false;
	int rc;

	q->md = EVP_MD_CTX_new();
	if (!q->md) {
		snprintf(why, whylen, "%s: %s", q->key, strerror(ENOMEM));
		return -ENOMEM;
	}
	for (size_t k = 0; k < r->nmirrors; k++) {
		size_t i = (start + k) % r->nmirrors;
		const struct mirror *m = &r->mirrors[i];
		bool nocache = q->nocache;
		enum req_result res;
		int tries = 0;

		for (;;) {
			res = attempt(r, m, q);
			if (res == RES_RETRY && tries < r->opts.retries) {
				backoff(q->retry_after_s, tries++);
				continue;
			}
			if (res == RES_BAD_DATA && !q->nocache) {
				q->nocache = true;
				continue;
			}
			break;
		}
		q->nocache = nocache;
		if (res == RES_OK) {
			if (i != start) {
				__atomic_store_n(&r->switched_ms, now_ms(), __ATOMIC_RELAXED);
				__atomic_store_n(&r->current, i, __ATOMIC_RELAXED);
			}
			if (flen)
				fm_log(FM_LOG_WARNING, "%s: %s; served by %s", q->key, failed,
				       m->host);
			EVP_MD_CTX_free(q->md);
			return 0;
		}
		if (res == RES_LOCAL) {
			rc = -q->sink_errno;
			snprintf(why, whylen, "%s: %s", q->key, q->why);
			EVP_MD_CTX_free(q->md);
			return rc;
		}
		all_missing &= res == RES_NOT_FOUND;
		denied |= res == RES_DENIED;
		bad_data |= res == RES_BAD_DATA;
		if (flen < sizeof(failed) - 1)
			flen += (size_t)snprintf(failed + flen, sizeof(failed) - flen, "%s%s: %s",
						 flen ? "; " : "", m->host, q->why);
	}
	EVP_MD_CTX_free(q->md);
	snprintf(why, whylen, "%s: %s", q->key, failed);
	return all_missing ? -ENOENT : denied && !bad_data ? -EACCES : -EIO;
}

static int check_key(const char *key, char *why, size_t whylen)
{
	if (key_is_valid(key))
		return 0;
	snprintf(why, whylen, "%.80s: not a valid object key", key);
	return -EINVAL;
}

int remote_get(struct remote *r, const char *key, uint64_t off, uint64_t len, size_t max,
	       const unsigned char expect_sha256[32], struct remote_body *out, char *why,
	       size_t whylen)
{
	struct req q = { .method = REQ_GET,
			 .key = key,
			 .off = off,
			 .len = len,
			 .max = max,
			 .expect = expect_sha256,
			 .fd = -1,
			 .src_fd = -1 };
	int rc = check_key(key, why, whylen);

	if (rc < 0)
		return rc;
	rc = ladder(r, &q, why, whylen);
	if (rc < 0) {
		free(q.buf);
		return rc;
	}
	out->data = q.buf;
	out->len = q.got;
	return 0;
}

int remote_get_fd(struct remote *r, const char *key, uint64_t off, uint64_t len,
		  const unsigned char expect_sha256[32], int fd, uint64_t *got, char *why,
		  size_t whylen)
{
	struct req q = { .method = REQ_GET,
			 .key = key,
			 .off = off,
			 .len = len,
			 .expect = expect_sha256,
			 .fd = fd,
			 .src_fd = -1 };
	int rc = check_key(key, why, whylen);

	if (rc < 0)
		return rc;
	rc = ladder(r, &q, why, whylen);
	if (rc == 0 && got)
		*got = q.got;
	return rc;
}

int remote_get_manifest(struct remote *r, const char *key, size_t max, char etag[REMOTE_ETAG_MAX],
			struct remote_body *out, char *why, size_t whylen)
{
	struct req q = { .method = REQ_GET,
			 .key = key,
			 .max = max,
			 .nocache = true,
			 .if_none_match = etag[0] ? etag : NULL,
			 .fd = -1,
			 .src_fd = -1 };
	int rc = check_key(key, why, whylen);

	if (rc < 0)
		return rc;
	rc = ladder(r, &q, why, whylen);
	if (rc < 0) {
		free(q.buf);
		return rc;
	}
	if (q.status == 304) {
		free(q.buf);
		return 1;
	}
	snprintf(etag, REMOTE_ETAG_MAX, "%s", q.etag);
	out->data = q.buf;
	out->len = q.got;
	return 0;
}

int remote_head(struct remote *r, const char *key, uint64_t *size, char *why, size_t whylen)
{
	struct req q = { .method = REQ_HEAD, .key = key, .fd = -1, .src_fd = -1 };
	int rc = check_key(key, why, whylen);

	if (rc < 0)
		return rc;
	rc = ladder(r, &q, why, whylen);
	if (rc == 0 && size)
		*size = q.size;
	return rc;
}

/* The SHA-256 of fd's first len bytes, for S3's x-amz-content-sha256. */
static int hash_fd(int fd, uint64_t len, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE], *buf = malloc(1 << 20);
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	uint64_t pos = 0;
	int rc = 0;

	if (!buf || !ctx)
		rc = -ENOMEM;
	if (rc == 0)
		EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	while (rc == 0 && pos < len) {
		size_t want = len - pos < (1 << 20) ? (size_t)(len - pos) : (1 << 20);
		ssize_t n = pread(fd, buf, want, (off_t)pos);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = n < 0 ? -errno : -EIO;
			break;
		}
		EVP_DigestUpdate(ctx, buf, (size_t)n);
		pos += (uint64_t)n;
	}
	if (rc == 0) {
		EVP_DigestFinal_ex(ctx, md, &mdlen);
		hex_encode(md, 32, out);
	}
	EVP_MD_CTX_free(ctx);
	free(buf);
	return rc;
}

static int put(struct remote *r, struct req *q, const unsigned char sha256[32], char *why,
	       size_t whylen)
{
	int rc = check_key(q->key, why, whylen);

	if (rc < 0)
		return rc;
	if (r->nmirrors != 1) {
		snprintf(why, whylen, "%s: writing needs one destination, not %zu", q->key,
			 r->nmirrors);
		return -EINVAL;
	}
	for (size_t i = 0; i < r->nmirrors; i++) {
		if (r->mirrors[i].kind == MIRROR_HTTP) {
			snprintf(why, whylen,
				 "%s: %s: writing over http(s) is not supported "
				 "(publish to a folder the web server serves, or to s3://)",
				 q->key, r->mirrors[i].host);
			return -EOPNOTSUPP;
		}
		if (r->mirrors[i].kind != MIRROR_S3)
			continue;
		if (sha256) {
			hex_encode(sha256, 32, q->payload_sha);
		} else if (q->src_fd >= 0) {
			rc = hash_fd(q->src_fd, q->src_len, q->payload_sha);
			if (rc < 0) {
				snprintf(why, whylen, "%s: cannot read the source: %s", q->key,
					 strerror(-rc));
				return rc;
			}
		} else {
			unsigned char md[EVP_MAX_MD_SIZE];
			unsigned int mdlen = 0;

			EVP_Digest(q->src_buf, q->src_len, md, &mdlen, EVP_sha256(), NULL);
			hex_encode(md, 32, q->payload_sha);
		}
		break;
	}
	return ladder(r, q, why, whylen);
}

int remote_put_fd(struct remote *r, const char *key, int fd, uint64_t len,
		  const unsigned char sha256[32], char *why, size_t whylen)
{
	struct req q = { .method = REQ_PUT, .key = key, .fd = -1, .src_fd = fd, .src_len = len };

	return put(r, &q, sha256, why, whylen);
}

int remote_put_buf(struct remote *r, const char *key, const void *buf, size_t len, char *why,
		   size_t whylen)
{
	struct req q = {
		.method = REQ_PUT, .key = key, .fd = -1, .src_fd = -1, .src_buf = buf, .src_len = len
	};

	return put(r, &q, NULL, why, whylen);
}
