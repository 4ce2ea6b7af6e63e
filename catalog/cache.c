/* cache.c - the remote share's local cache (cache.h). DIR/objects/ab/<62 hex>
 * holds a unit named by its SHA-256, mode 0444; a download goes to
 * DIR/objects/tmp-XXXXXX, is verified while it arrives (remote_get_fd) and
 * renamed into place, so after a crash of the process at any point a unit's
 * name is a complete file (or absent), and temps are removed at the next
 * open. Nothing is fsynced: a unit a power cut leaves short or empty is
 * caught because each unit is hashed again the first time it is served after
 * an open, and fetched anew. In memory: a hash table of entries and an LRU
 * list; mtime carries the last use across restarts (updated at most once a
 * minute per unit). A unit's fd is shared by the readers holding it and kept
 * open for the IDLE_FDS units released last, so hot units cost no open().
 * One mutex guards the table, the lists and the byte count; no I/O but
 * unlink and close runs under it. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cache.h"
#include "remote_internal.h" /* hex_encode */

#define TOUCH_EVERY_S 60
#define IDLE_FDS 64
#define HASH_BUF (1 << 20)

enum entry_state {
	ENTRY_READY,   /* on disk, in the LRU list */
	ENTRY_LOADING, /* one thread checks or fetches it; others wait on c->done */
	ENTRY_FAILED,  /* out of the table; the last waiter frees it */
};

struct cache_entry {
	unsigned char sha[32];
	enum entry_state state;
	bool verified; /* hashed since this open */
	int pins;
	int waiters;
	int fd; /* -1, or open: shared by the holders, or on the idle list */
	uint64_t size;
	int64_t touched; /* last mtime update, seconds */
	int rc;		 /* ENTRY_FAILED: the error, and why */
	char *why;
	struct cache_entry *hnext;	   /* the hash chain */
	struct cache_entry *prev, *next;   /* the LRU list, ENTRY_READY only */
	struct cache_entry *iprev, *inext; /* the idle-fd list: fd open, no pins */
};

struct cache {
	char *dir; /* DIR/objects */
	int lockfd;
	uint64_t max;
	pthread_mutex_t lock;
	pthread_cond_t done; /* a load finished */
	/* protected by lock: */
	uint64_t total;
	struct cache_entry **table;
	size_t nbuckets, count;
	struct cache_entry lru;	 /* sentinel: lru.next is the most recently used */
	struct cache_entry idle; /* sentinel: idle.inext released last */
	size_t nidle;
};

static int64_t now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec;
}

static size_t bucket_of(const unsigned char *sha, size_t nbuckets)
{
	uint64_t h;

	memcpy(&h, sha, sizeof(h));
	return (size_t)(h % nbuckets);
}

static size_t bucket(const struct cache *c, const unsigned char *sha)
{
	return bucket_of(sha, c->nbuckets);
}

static struct cache_entry *find(struct cache *c, const unsigned char *sha)
{
	for (struct cache_entry *e = c->table[bucket(c, sha)]; e; e = e->hnext)
		if (memcmp(e->sha, sha, 32) == 0)
			return e;
	return NULL;
}

static int table_add(struct cache *c, struct cache_entry *e)
{
	size_t b;

	if (c->count + 1 > c->nbuckets) {
		size_t n = c->nbuckets * 2;
		struct cache_entry **t = calloc(n, sizeof(struct cache_entry *));

		if (!t)
			return -ENOMEM;
		for (size_t i = 0; i < c->nbuckets; i++) {
			struct cache_entry *x = c->table[i], *next;

			for (; x; x = next) {
				next = x->hnext;
				x->hnext = t[bucket_of(x->sha, n)];
				t[bucket_of(x->sha, n)] = x;
			}
		}
		free(c->table);
		c->table = t;
		c->nbuckets = n;
	}
	b = bucket(c, e->sha);
	e->hnext = c->table[b];
	c->table[b] = e;
	c->count++;
	return 0;
}

static void table_remove(struct cache *c, struct cache_entry *e)
{
	struct cache_entry **p = &c->table[bucket(c, e->sha)];

	while (*p && *p != e)
		p = &(*p)->hnext;
	if (*p) {
		*p = e->hnext;
		c->count--;
	}
}

static void lru_unlink(struct cache_entry *e)
{
	if (!e->prev)
		return;
	e->prev->next = e->next;
	e->next->prev = e->prev;
	e->prev = e->next = NULL;
}

static void lru_front(struct cache *c, struct cache_entry *e)
{
	lru_unlink(e);
	e->next = c->lru.next;
	e->prev = &c->lru;
	c->lru.next->prev = e;
	c->lru.next = e;
}

static void lru_back(struct cache *c, struct cache_entry *e)
{
	e->prev = c->lru.prev;
	e->next = &c->lru;
	c->lru.prev->next = e;
	c->lru.prev = e;
}

static void idle_unlink(struct cache *c, struct cache_entry *e)
{
	if (!e->iprev)
		return;
	e->iprev->inext = e->inext;
	e->inext->iprev = e->iprev;
	e->iprev = e->inext = NULL;
	c->nidle--;
}

/* e's fd stays open for a while; the fd released longest ago is closed. */
static void idle_add(struct cache *c, struct cache_entry *e)
{
	struct cache_entry *old;

	e->inext = c->idle.inext;
	e->iprev = &c->idle;
	c->idle.inext->iprev = e;
	c->idle.inext = e;
	if (++c->nidle <= IDLE_FDS)
		return;
	old = c->idle.iprev;
	idle_unlink(c, old);
	close(old->fd);
	old->fd = -1;
}

static void entry_free(struct cache *c, struct cache_entry *e)
{
	idle_unlink(c, e);
	if (e->fd >= 0)
		close(e->fd);
	free(e->why);
	free(e);
}

static void unit_path(const struct cache *c, const unsigned char *sha, char *out, size_t outlen)
{
	char hex[65];

	hex_encode(sha, 32, hex);
	snprintf(out, outlen, "%s/%.2s/%s", c->dir, hex, hex + 2);
}

/* Drop least recently used units no one holds until the cache fits. */
static void evict(struct cache *c)
{
	struct cache_entry *e = c->lru.prev, *prev;
	char path[PATH_MAX];

	for (; c->total > c->max && e != &c->lru; e = prev) {
		prev = e->prev;
		if (e->pins > 0 || e->waiters > 0) /* waiters are about to look at it */
			continue;
		unit_path(c, e->sha, path, sizeof(path));
		if (unlink(path) < 0 && errno != ENOENT)
			continue;
		lru_unlink(e);
		table_remove(c, e);
		c->total -= e->size;
		entry_free(c, e);
	}
}

static bool is_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return s[n] == 0;
}

struct found {
	struct cache_entry *e;
	int64_t mtime_ns;
};

static int by_mtime(const void *a, const void *b)
{
	const struct found *x = a, *y = b;

	return x->mtime_ns < y->mtime_ns ? 1 : x->mtime_ns > y->mtime_ns ? -1 : 0;
}

/* Read DIR/objects: temps and strangers removed, units into the table and,
 * most recent first, the LRU list. */
static int scan(struct cache *c, char *why, size_t whylen)
{
	struct found *found = NULL;
	size_t nfound = 0, cap = 0;
	char path[PATH_MAX];
	struct dirent *d, *u;
	DIR *top, *sub;
	int rc = 0;

	top = opendir(c->dir);
	if (!top) {
		rc = -errno;
		snprintf(why, whylen, "cache: %s: %s", c->dir, strerror(-rc));
		return rc;
	}
	while (rc == 0 && (d = readdir(top))) {
		if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0 ||
		    strcmp(d->d_name, ".lock") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", c->dir, d->d_name);
		if (strlen(d->d_name) != 2 || !is_hex(d->d_name, 2)) {
			unlink(path); /* a temp of a download a crash cut short */
			continue;
		}
		sub = opendir(path);
		if (!sub) {
			if (errno == ENOTDIR)
				unlink(path);
			continue;
		}
		while (rc == 0 && (u = readdir(sub))) {
			char file[PATH_MAX + 256], hex[2 + 256];
			struct cache_entry *e;
			struct stat st;

			if (u->d_name[0] == '.' && (!u->d_name[1] || strcmp(u->d_name, "..") == 0))
				continue;
			snprintf(file, sizeof(file), "%s/%s", path, u->d_name);
			snprintf(hex, sizeof(hex), "%s%s", d->d_name, u->d_name);
			if (strlen(u->d_name) != 62 || !is_hex(hex, 64) || lstat(file, &st) < 0 ||
			    !S_ISREG(st.st_mode)) {
				unlink(file);
				continue;
			}
			e = calloc(1, sizeof(*e));
			if (!e || (nfound == cap &&
				   !(found = reallocarray(found, cap = cap ? cap * 2 : 1024,
							  sizeof(*found))))) {
				free(e);
				rc = -ENOMEM;
				break;
			}
			for (int i = 0; i < 32; i++)
				sscanf(hex + 2 * (size_t)i, "%2hhx", &e->sha[i]);
			e->fd = -1;
			e->size = (uint64_t)st.st_size;
			e->touched = st.st_mtim.tv_sec;
			if (table_add(c, e) < 0) {
				free(e);
				rc = -ENOMEM;
				break;
			}
			c->total += e->size;
			found[nfound].e = e;
			found[nfound++].mtime_ns =
				(int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
		}
		closedir(sub);
	}
	closedir(top);
	if (rc == 0) {
		if (nfound)
			qsort(found, nfound, sizeof(*found), by_mtime);
		for (size_t i = 0; i < nfound; i++)
			lru_back(c, found[i].e);
	} else {
		snprintf(why, whylen, "cache: %s: %s", c->dir, strerror(-rc));
	}
	free(found);
	return rc;
}

static int mkdirs(char *path, char *why, size_t whylen)
{
	for (char *p = path + 1;; p++) {
		if (*p && *p != '/')
			continue;
		char was = *p;

		*p = 0;
		if (mkdir(path, 0700) < 0 && errno != EEXIST) {
			int rc = -errno;

			snprintf(why, whylen, "cache: %s: cannot create: %s", path, strerror(-rc));
			*p = was;
			return rc;
		}
		*p = was;
		if (!was)
			return 0;
	}
}

static void free_all(struct cache *c)
{
	for (size_t i = 0; c->table && i < c->nbuckets; i++) {
		struct cache_entry *e = c->table[i], *next;

		for (; e; e = next) {
			next = e->hnext;
			entry_free(c, e);
		}
	}
	free(c->table);
}

int cache_open(const char *dir, uint64_t max_bytes, struct cache **out, char *why, size_t whylen)
{
	char lockpath[PATH_MAX];
	struct cache *c;
	struct stat st;
	int rc;

	if (!*dir) {
		snprintf(why, whylen, "cache: an empty folder name");
		return -EINVAL;
	}
	c = calloc(1, sizeof(*c));
	if (!c || asprintf(&c->dir, "%s/objects", dir) < 0) {
		free(c);
		snprintf(why, whylen, "cache: %s", strerror(ENOMEM));
		return -ENOMEM;
	}
	c->lockfd = -1;
	c->max = max_bytes;
	c->lru.next = c->lru.prev = &c->lru;
	c->idle.inext = c->idle.iprev = &c->idle;
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->done, NULL);
	rc = mkdirs(c->dir, why, whylen);
	if (rc == 0 && (stat(c->dir, &st) < 0 || !S_ISDIR(st.st_mode))) {
		rc = errno ? -errno : -ENOTDIR;
		snprintf(why, whylen, "cache: %s: %s", c->dir, strerror(-rc));
	}
	snprintf(lockpath, sizeof(lockpath), "%s/.lock", c->dir);
	if (rc == 0 && (c->lockfd = open(lockpath, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0) {
		rc = -errno;
		snprintf(why, whylen, "cache: %s: %s", lockpath, strerror(-rc));
	}
	if (rc == 0 && flock(c->lockfd, LOCK_EX | LOCK_NB) < 0) {
		rc = errno == EWOULDBLOCK ? -EBUSY : -errno;
		snprintf(why, whylen, "cache: %s: %s", dir,
			 rc == -EBUSY ? "in use by another process" : strerror(-rc));
	}
	if (rc == 0) {
		c->nbuckets = 1024;
		c->table = calloc(c->nbuckets, sizeof(struct cache_entry *));
		rc = c->table ? scan(c, why, whylen) : -ENOMEM;
	}
	if (rc < 0) {
		if (rc == -ENOMEM)
			snprintf(why, whylen, "cache: %s", strerror(ENOMEM));
		cache_close(c);
		return rc;
	}
	evict(c);
	*out = c;
	return 0;
}

void cache_close(struct cache *c)
{
	if (!c)
		return;
	free_all(c);
	if (c->lockfd >= 0)
		close(c->lockfd);
	pthread_mutex_destroy(&c->lock);
	pthread_cond_destroy(&c->done);
	free(c->dir);
	free(c);
}

uint64_t cache_bytes(struct cache *c)
{
	uint64_t n;

	pthread_mutex_lock(&c->lock);
	n = c->total;
	pthread_mutex_unlock(&c->lock);
	return n;
}

/* Does fd hold bytes whose SHA-256 is sha? */
static bool file_matches(int fd, const unsigned char *sha)
{
	unsigned char md[EVP_MAX_MD_SIZE], *buf = malloc(HASH_BUF);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int mdlen = 0;
	bool ok = false;
	off_t pos = 0;
	ssize_t n;

	if (buf && ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL)) {
		while ((n = pread(fd, buf, HASH_BUF, pos)) > 0) {
			EVP_DigestUpdate(ctx, buf, (size_t)n);
			pos += n;
		}
		ok = n == 0 && EVP_DigestFinal_ex(ctx, md, &mdlen) &&
		     CRYPTO_memcmp(md, sha, 32) == 0;
	}
	EVP_MD_CTX_free(ctx);
	free(buf);
	return ok;
}

/* Download the unit into a temp file, verified, then into place. The open
 * fd or -errno with why. */
static int fetch(struct cache *c, const unsigned char *sha, struct remote *r, const char *key,
		 uint64_t off, uint64_t len, uint64_t *size, char *why, size_t whylen)
{
	char tmp[PATH_MAX], path[PATH_MAX], *slash;
	int fd, rc;

	snprintf(tmp, sizeof(tmp), "%s/tmp-XXXXXX", c->dir);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		snprintf(why, whylen, "%s: cache: %s: %s", key, c->dir, strerror(-rc));
		return rc;
	}
	rc = remote_get_fd(r, key, off, len, sha, fd, size, why, whylen);
	if (rc == 0 && fchmod(fd, 0444) < 0) {
		rc = -errno;
		snprintf(why, whylen, "%s: cache: %s: %s", key, tmp, strerror(-rc));
	}
	unit_path(c, sha, path, sizeof(path));
	slash = strrchr(path, '/');
	*slash = 0;
	if (rc == 0 && mkdir(path, 0700) < 0 && errno != EEXIST) {
		rc = -errno;
		snprintf(why, whylen, "%s: cache: %s: %s", key, path, strerror(-rc));
	}
	*slash = '/';
	if (rc == 0 && rename(tmp, path) < 0) {
		rc = -errno;
		snprintf(why, whylen, "%s: cache: %s: %s", key, path, strerror(-rc));
	}
	if (rc < 0) {
		unlink(tmp);
		close(fd);
		return rc;
	}
	close(fd);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		snprintf(why, whylen, "%s: cache: %s: %s", key, path, strerror(-rc));
	}
	return fd < 0 ? rc : fd;
}

/* As the loader of e (ENTRY_LOADING): check the file there, or fetch it.
 * The fd or -errno with why. */
static int load(struct cache *c, struct cache_entry *e, bool on_disk, struct remote *r,
		const char *key, uint64_t off, uint64_t len, uint64_t *size, char *why,
		size_t whylen)
{
	char path[PATH_MAX];
	struct stat st;
	int fd;

	unit_path(c, e->sha, path, sizeof(path));
	if (on_disk) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0 && fstat(fd, &st) == 0 && file_matches(fd, e->sha)) {
			*size = (uint64_t)st.st_size;
			return fd;
		}
		if (fd >= 0)
			close(fd);
		unlink(path); /* damaged or gone: fetched again */
		pthread_mutex_lock(&c->lock);
		c->total -= e->size;
		e->size = 0;
		pthread_mutex_unlock(&c->lock);
	}
	if (!r) {
		snprintf(why, whylen, "%s: not in the cache", key);
		return -ENOENT;
	}
	return fetch(c, e->sha, r, key, off, len, size, why, whylen);
}

int cache_get(struct cache *c, const unsigned char sha256[32], struct remote *r, const char *key,
	      uint64_t off, uint64_t len, struct cache_ref *ref, char *why, size_t whylen)
{
	struct cache_entry *e;
	bool on_disk = false;
	uint64_t size = 0;
	int fd, rc;

	pthread_mutex_lock(&c->lock);
	for (;;) {
		e = find(c, sha256);
		if (!e || e->state != ENTRY_LOADING)
			break;
		e->waiters++;
		while (e->state == ENTRY_LOADING)
			pthread_cond_wait(&c->done, &c->lock);
		e->waiters--;
		if (e->state == ENTRY_FAILED) {
			rc = e->rc;
			snprintf(why, whylen, "%s", e->why ? e->why : strerror(-rc));
			if (e->waiters == 0) {
				free(e->why);
				free(e);
			}
			pthread_mutex_unlock(&c->lock);
			return rc;
		}
	}
	if (e && e->verified) {
		char path[PATH_MAX];
		bool touch = now_s() - e->touched >= TOUCH_EVERY_S;

		if (e->pins++ == 0)
			idle_unlink(c, e);
		lru_front(c, e);
		if (touch)
			e->touched = now_s();
		fd = e->fd;
		pthread_mutex_unlock(&c->lock);
		if (fd < 0) {
			unit_path(c, sha256, path, sizeof(path));
			fd = open(path, O_RDONLY | O_CLOEXEC);
			if (fd < 0) { /* someone removed it behind our back */
				rc = -errno;
				snprintf(why, whylen, "%s: cache: %s: %s", key, path,
					 strerror(-rc));
				cache_release(c, &(struct cache_ref){ .fd = -1, .entry = e });
				return rc;
			}
			pthread_mutex_lock(&c->lock);
			if (e->fd < 0) {
				e->fd = fd;
			} else { /* another holder opened it first */
				close(fd);
				fd = e->fd;
			}
			pthread_mutex_unlock(&c->lock);
		}
		if (touch)
			futimens(fd, NULL);
		ref->fd = fd;
		ref->size = e->size;
		ref->entry = e;
		return 0;
	}
	if (e) { /* on disk, not yet checked since the open: this thread checks it */
		on_disk = true;
		lru_unlink(e);
	} else {
		e = calloc(1, sizeof(*e));
		if (e) {
			memcpy(e->sha, sha256, 32);
			e->fd = -1;
		}
		if (!e || table_add(c, e) < 0) {
			free(e);
			pthread_mutex_unlock(&c->lock);
			snprintf(why, whylen, "%s: cache: %s", key, strerror(ENOMEM));
			return -ENOMEM;
		}
	}
	e->state = ENTRY_LOADING;
	pthread_mutex_unlock(&c->lock);

	fd = load(c, e, on_disk, r, key, off, len, &size, why, whylen);

	pthread_mutex_lock(&c->lock);
	if (fd < 0) {
		table_remove(c, e);
		e->state = ENTRY_FAILED;
		e->rc = fd;
		e->why = strdup(why);
		pthread_cond_broadcast(&c->done);
		if (e->waiters == 0) {
			free(e->why);
			free(e);
		}
		pthread_mutex_unlock(&c->lock);
		return fd;
	}
	if (!on_disk || e->size == 0) {
		c->total += size;
		e->touched = now_s();
	}
	e->size = size;
	e->state = ENTRY_READY;
	e->verified = true;
	e->pins = 1;
	e->fd = fd;
	lru_front(c, e);
	evict(c);
	pthread_cond_broadcast(&c->done);
	pthread_mutex_unlock(&c->lock);
	ref->fd = fd;
	ref->size = size;
	ref->entry = e;
	return 0;
}

void cache_release(struct cache *c, struct cache_ref *ref)
{
	struct cache_entry *e = ref->entry;

	if (!e)
		return;
	pthread_mutex_lock(&c->lock);
	if (--e->pins == 0) {
		if (e->fd >= 0)
			idle_add(c, e);
		if (c->total > c->max)
			evict(c);
	}
	pthread_mutex_unlock(&c->lock);
	ref->fd = -1;
	ref->entry = NULL;
}
