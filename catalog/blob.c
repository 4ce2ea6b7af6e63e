/* blob.c - the content-addressed blob store: STORE/objects/ab/cdef… named by
 * the SHA-256 of their bytes (OpenSSL EVP), mode 0444. A blob is written to a
 * temp file while being hashed (and checksummed per chunk, XXH3-64), fsynced,
 * linked into place and its folder fsynced; only then may a catalog row refer
 * to it. A batch is made durable with two syncfs() (bytes, then names).
 * Nothing on disk is trusted: every name is used beneath an fd of objects/
 * that was opened without following a symbolic link, and a blob is opened
 * only if it is a regular file of its catalogued size (blob_openat). */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <xxhash.h>

#include "catalog.h"

#define COPY_CHUNK (1 << 20)
#define WRITEBACK_CHUNK (8 << 20)
#define PIPE_MIN (16 << 20) /* sources this big are hashed in a second thread */
#define MEM_SAME_MAX (1 << 20) /* stored copies this small are compared, not rewritten */

static void hex(const unsigned char *md, char out[FM_SHA256_HEX + 1])
{
	static const char digits[] = "0123456789abcdef";

	for (int i = 0; i < 32; i++) {
		out[2 * i] = digits[md[i] >> 4];
		out[2 * i + 1] = digits[md[i] & 15];
	}
	out[FM_SHA256_HEX] = 0;
}

void sha256_hex(const void *buf, size_t len, char out[FM_SHA256_HEX + 1])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	EVP_Digest(buf, len, md, &mdlen, EVP_sha256(), NULL);
	hex(md, out);
}

bool sha256_is_valid(const char *s)
{
	for (int i = 0; i < FM_SHA256_HEX; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return s[FM_SHA256_HEX] == 0;
}

void blob_path(const char *store, const char *sha256, char *out, size_t outlen)
{
	snprintf(out, outlen, "%s/objects/%.2s/%s", store, sha256, sha256 + 2);
}

int blob_dir_open(const char *store)
{
	int dir = open(store, O_PATH | O_DIRECTORY | O_CLOEXEC), fd;

	if (dir < 0)
		return -errno;
	fd = openat(dir, "objects", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		fd = errno == ENOTDIR ? -ELOOP : -errno; /* O_PATH|O_NOFOLLOW: the link itself */
	close(dir);
	return fd;
}

/* "ab/cdef…" beneath objects/, no symbolic link followed: fd or -errno. */
static int open_beneath(int objects, const char *sha256)
{
	static int no_openat2; /* the kernel (or a seccomp filter) lacks it */
	struct open_how how = {
		.flags = O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	char rel[FM_SHA256_HEX + 2];
	int fd, sub;

	snprintf(rel, sizeof(rel), "%.2s/%s", sha256, sha256 + 2);
	if (!__atomic_load_n(&no_openat2, __ATOMIC_RELAXED)) {
		fd = (int)syscall(SYS_openat2, objects, rel, &how, sizeof(how));
		if (fd >= 0)
			return fd;
		if (errno != ENOSYS && errno != EPERM)
			return -errno;
		__atomic_store_n(&no_openat2, 1, __ATOMIC_RELAXED);
	}
	/* both components are hex digits (no '..'): O_NOFOLLOW on each is
	 * what RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS would check */
	sub = openat(objects, (char[3]){ sha256[0], sha256[1], 0 },
		     O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (sub < 0)
		return errno == ENOTDIR ? -ELOOP : -errno;
	fd = openat(sub, sha256 + 2, how.flags | O_NOFOLLOW);
	close(sub);
	return fd < 0 ? -errno : fd;
}

int blob_openat(int objects, const char *sha256, int64_t size)
{
	struct stat st;
	int fd, rc = 0;

	if (!sha256_is_valid(sha256))
		return -EINVAL;
	fd = open_beneath(objects, sha256);
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0)
		rc = -errno;
	else if (!S_ISREG(st.st_mode))
		rc = -EMEDIUMTYPE;
	else if (size >= 0 && st.st_size != size)
		rc = -EBADMSG;
	else if (fcntl(fd, F_SETFL, O_RDONLY) < 0) /* clears O_NONBLOCK */
		rc = -errno;
	if (rc < 0) {
		close(fd);
		return rc;
	}
	return fd;
}

int blob_open(const char *store, const char *sha256, int64_t size)
{
	int dir, fd;

	if (!sha256_is_valid(sha256))
		return -EINVAL;
	dir = blob_dir_open(store);
	if (dir < 0)
		return dir;
	fd = blob_openat(dir, sha256, size);
	close(dir);
	return fd;
}

const char *blob_strerror(int rc)
{
	switch (-rc) {
	case EINVAL:
		return "not a blob name (64 lowercase hex digits)";
	case ELOOP:
	case EXDEV:
		return "a symbolic link or a path outside objects/ on the way: refused";
	case EMEDIUMTYPE:
		return "not a regular file: refused";
	case EBADMSG:
		return "damaged: its size or content differs from the catalog";
	default:
		return strerror(-rc);
	}
}

int blob_open_verified(const char *store, const char *sha256, int64_t size)
{
	int fd = blob_open(store, sha256, size), rc;

	if (fd < 0)
		return fd;
	rc = blob_verify_fd(fd, sha256);
	if (rc == 0 && lseek(fd, 0, SEEK_SET) < 0)
		rc = -errno;
	if (rc < 0) {
		close(fd);
		return rc;
	}
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	return fd;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

uint64_t blob_chunk_sum(const void *buf, size_t len)
{
	return XXH3_64bits(buf, len);
}

/* A new temp file objects/tmp-XXXXXX, created beneath objects/ (never
 * through a symbolic link) with its final mode 0444: fd or -errno. */
static int tmp_open(const char *store, char name[32])
{
	static const char chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	int dir = blob_dir_open(store), fd = -EEXIST;

	if (dir < 0)
		return dir;
	for (int tries = 0; fd == -EEXIST && tries < 100; tries++) {
		unsigned char r[12];

		if (getrandom(r, sizeof(r), 0) != sizeof(r)) {
			fd = -errno;
			break;
		}
		memcpy(name, "tmp-", 4);
		for (int i = 0; i < 12; i++)
			name[4 + i] = chars[r[i] % (sizeof(chars) - 1)];
		name[16] = 0;
		fd = openat(dir, name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			    0444);
		if (fd < 0)
			fd = -errno;
	}
	close(dir);
	return fd;
}

static int tmp_create(const char *store, struct blob_tmp *out)
{
	out->sums = NULL;
	out->nsums = 0;
	out->chunk_fill = 0;
	out->size = 0;
	out->created = false;
	out->replace = false;
	out->chunk_state = XXH3_createState();
	/* fmctl verify --repair leaves it alone: the ingest that makes it
	 * holds the store's ingest lock (blob_ingest_lock) until it is done */
	out->fd = out->chunk_state ? tmp_open(store, out->name) : -ENOMEM;
	if (out->fd < 0) {
		int rc = out->fd;

		XXH3_freeState(out->chunk_state);
		out->chunk_state = NULL;
		out->tmp[0] = 0;
		out->name[0] = 0;
		return rc;
	}
	snprintf(out->tmp, sizeof(out->tmp), "%s/objects/%s", store, out->name);
	XXH3_64bits_reset(out->chunk_state);
	return 0;
}

/* Open STORE/.ingest-lock (made if missing), never through a symbolic
 * link, never blocking on something that is not a file. */
static int lock_open(const char *store)
{
	char path[4096];
	struct stat st;
	int fd;

	snprintf(path, sizeof(path), "%s/.ingest-lock", store);
	fd = open(path, O_RDONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY |
		  O_CLOEXEC, 0640);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EMEDIUMTYPE;
	}
	return fd;
}

int blob_ingest_lock_excl(const char *store)
{
	int fd = lock_open(store);

	if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int rc = -errno;

		close(fd);
		return rc;
	}
	return fd;
}

int blob_ingest_lock(const char *store)
{
	int fd = lock_open(store);

	if (fd >= 0 && flock(fd, LOCK_SH) < 0) {
		int rc = -errno;

		close(fd);
		return rc;
	}
	return fd;
}

static int sums_push(uint64_t **sums, size_t *n, uint64_t v)
{
	if ((*n & (*n - 1)) == 0) { /* 0, 1, 2, 4, …: grow */
		uint64_t *more = realloc(*sums, (*n ? *n * 2 : 1) * sizeof(**sums));

		if (!more)
			return -ENOMEM;
		*sums = more;
	}
	(*sums)[(*n)++] = v;
	return 0;
}

/* Feed bytes to the chunk checksums: one XXH3-64 per FM_CHUNK_SIZE bytes. */
static int chunks_update(struct blob_tmp *b, const char *buf, size_t len)
{
	while (len) {
		size_t take = FM_CHUNK_SIZE - b->chunk_fill;
		int rc;

		if (take > len)
			take = len;
		XXH3_64bits_update(b->chunk_state, buf, take);
		b->chunk_fill += (uint32_t)take;
		buf += take;
		len -= take;
		if (b->chunk_fill < FM_CHUNK_SIZE)
			break;
		rc = sums_push(&b->sums, &b->nsums, XXH3_64bits_digest(b->chunk_state));
		if (rc < 0)
			return rc;
		XXH3_64bits_reset(b->chunk_state);
		b->chunk_fill = 0;
	}
	return 0;
}

/* Feed one chunk to the hashes and the temp file. */
static int tmp_append(struct blob_tmp *b, EVP_MD_CTX *md, const void *buf,
		      size_t len)
{
	int rc;

	if (!EVP_DigestUpdate(md, buf, len))
		return -EIO;
	rc = chunks_update(b, buf, len);
	if (rc < 0)
		return rc;
	b->size += (int64_t)len;
	return write_all(b->fd, buf, len);
}

static int tmp_finish(struct blob_tmp *b, EVP_MD_CTX *md)
{
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	int rc = 0;

	if (!EVP_DigestFinal_ex(md, digest, &len))
		return -EIO;
	hex(digest, b->sha256);
	if (b->chunk_fill)
		rc = sums_push(&b->sums, &b->nsums, XXH3_64bits_digest(b->chunk_state));
	XXH3_freeState(b->chunk_state);
	b->chunk_state = NULL;
	/* written: the name is what blob_commit_many needs, not an open fd (a batch
	 * of any size holds no descriptors) */
	if (rc == 0 && close(b->fd) < 0)
		rc = -errno;
	b->fd = -1;
	return rc;
}

/* Start writing back what was appended since *flushed (every 8 MiB), so the
 * disk works while the rest is hashed instead of all of it at fsync time. */
static void writeback_start(struct blob_tmp *b, int64_t *flushed)
{
	if (b->size - *flushed < WRITEBACK_CHUNK)
		return;
	sync_file_range(b->fd, *flushed, b->size - *flushed, SYNC_FILE_RANGE_WRITE);
	*flushed = b->size;
}

static ssize_t read_retry(int fd, char *buf, size_t len)
{
	ssize_t n;

	do
		n = read(fd, buf, len);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : n;
}

/* Big sources: a second thread hashes (SHA-256 and the chunk sums) buffer k
 * while this one reads and writes buffer k+1. The two buffers are handed over
 * through semaphores, so the bytes hashed are exactly the bytes written (one
 * pass over the source); 1 GiB ingest: hash time instead of hash + copy. */
struct hash_pipe {
	struct blob_tmp *b; /* its sums and chunk state belong to the hasher */
	EVP_MD_CTX *md;
	char *buf[2];
	size_t len[2]; /* 0: the end */
	sem_t full[2], empty[2];
	int rc;
};

static void *hash_main(void *arg)
{
	struct hash_pipe *hp = arg;

	for (unsigned k = 0;; k++) {
		int i = k & 1;

		sem_wait(&hp->full[i]);
		if (hp->len[i] == 0)
			break;
		if (!EVP_DigestUpdate(hp->md, hp->buf[i], hp->len[i]))
			hp->rc = -EIO;
		else if (hp->rc == 0)
			hp->rc = chunks_update(hp->b, hp->buf[i], hp->len[i]);
		sem_post(&hp->empty[i]);
	}
	return NULL;
}

static int copy_piped(int src, struct blob_tmp *out, EVP_MD_CTX *md, char *buf)
{
	struct hash_pipe hp = { .b = out, .md = md, .buf = { buf, buf + COPY_CHUNK } };
	int64_t flushed = 0;
	pthread_t tid;
	int rc = 0;

	for (int i = 0; i < 2; i++) {
		sem_init(&hp.full[i], 0, 0);
		sem_init(&hp.empty[i], 0, 1);
	}
	if (pthread_create(&tid, NULL, hash_main, &hp) != 0) {
		rc = -EAGAIN;
		goto out_sems;
	}
	for (unsigned k = 0;; k++) {
		int i = k & 1;
		ssize_t n;

		sem_wait(&hp.empty[i]);
		n = rc < 0 ? 0 : read_retry(src, hp.buf[i], COPY_CHUNK);
		if (n < 0) {
			rc = (int)n;
			n = 0;
		}
		if (n > 0) {
			rc = write_all(out->fd, hp.buf[i], (size_t)n);
			out->size += n;
			writeback_start(out, &flushed);
		}
		hp.len[i] = rc < 0 ? 0 : (size_t)n;
		sem_post(&hp.full[i]);
		if (hp.len[i] == 0)
			break;
	}
	pthread_join(tid, NULL);
out_sems:
	for (int i = 0; i < 2; i++) {
		sem_destroy(&hp.full[i]);
		sem_destroy(&hp.empty[i]);
	}
	return rc < 0 ? rc : hp.rc;
}

static int copy_simple(int src, struct blob_tmp *out, EVP_MD_CTX *md, char *buf)
{
	int64_t flushed = 0;

	for (;;) {
		ssize_t n = read_retry(src, buf, COPY_CHUNK);
		int rc;

		if (n <= 0)
			return (int)n;
		rc = tmp_append(out, md, buf, (size_t)n);
		if (rc < 0)
			return rc;
		writeback_start(out, &flushed);
	}
}

/* Start a temp blob and its SHA-256: 0 with *md to pass to tmp_end(), or
 * -errno (nothing left behind). */
static int tmp_begin(const char *store, struct blob_tmp *out, EVP_MD_CTX **md)
{
	int rc;

	*md = EVP_MD_CTX_new();
	if (!*md)
		return -ENOMEM;
	rc = EVP_DigestInit_ex(*md, EVP_sha256(), NULL) ? tmp_create(store, out) : -EIO;
	if (rc < 0) {
		EVP_MD_CTX_free(*md);
		*md = NULL;
	}
	return rc;
}

/* End a temp blob whose bytes were written with result rc: named by its
 * hash, or removed on error. Frees md; returns 0 or -errno. */
static int tmp_end(struct blob_tmp *out, EVP_MD_CTX *md, int rc)
{
	if (rc == 0)
		rc = tmp_finish(out, md);
	if (rc < 0)
		blob_discard(out);
	EVP_MD_CTX_free(md);
	return rc;
}

int blob_write_fd(const char *store, int src, struct blob_tmp *out)
{
	char *buf = malloc(2 * COPY_CHUNK);
	EVP_MD_CTX *md;
	struct stat st;
	int rc = buf ? tmp_begin(store, out, &md) : -ENOMEM;

	if (rc == 0) {
		posix_fadvise(src, 0, 0, POSIX_FADV_SEQUENTIAL);
		if (fstat(src, &st) == 0 && st.st_size >= PIPE_MIN)
			rc = copy_piped(src, out, md, buf);
		else
			rc = copy_simple(src, out, md, buf);
		rc = tmp_end(out, md, rc);
	}
	free(buf);
	return rc;
}

int blob_write_cb(const char *store, blob_fill_fn fill, void *arg,
		  struct blob_tmp *out)
{
	char *buf = malloc(COPY_CHUNK);
	EVP_MD_CTX *md;
	int rc = buf ? tmp_begin(store, out, &md) : -ENOMEM;

	if (rc < 0) {
		free(buf);
		return rc;
	}
	for (;;) {
		ssize_t n = fill(arg, buf, COPY_CHUNK);

		if (n <= 0) {
			rc = (int)n;
			break;
		}
		rc = tmp_append(out, md, buf, (size_t)n);
		if (rc < 0)
			break;
	}
	free(buf);
	return tmp_end(out, md, rc);
}

/* Does blob sha256 hold exactly these len bytes? */
static bool blob_holds(const char *store, const char *sha256, const void *buf,
		       size_t len)
{
	char *got = malloc(len ? len : 1);
	int fd = blob_open(store, sha256, (int64_t)len);
	bool same = got && fd >= 0 && read_retry(fd, got, len) == (ssize_t)len &&
		    !memcmp(got, buf, len);

	if (fd >= 0)
		close(fd);
	free(got);
	return same;
}

/* Content already stored under its name needs no temp file: only its sums
 * (the catalog records them if it does not have them yet). */
static bool mem_stored(const char *store, const void *buf, size_t len,
		       struct blob_tmp *out)
{
	sha256_hex(buf, len, out->sha256);
	if (len > MEM_SAME_MAX || !blob_holds(store, out->sha256, buf, len))
		return false; /* a damaged copy is healed by the temp (replace) */
	out->replace = false;
	out->fd = -1;
	out->tmp[0] = 0;
	out->name[0] = 0;
	out->size = (int64_t)len;
	out->created = false;
	out->sums = NULL;
	out->nsums = 0;
	out->chunk_state = NULL;
	out->chunk_fill = 0;
	for (size_t off = 0; off < len; off += FM_CHUNK_SIZE) {
		size_t n = len - off < FM_CHUNK_SIZE ? len - off : FM_CHUNK_SIZE;

		if (sums_push(&out->sums, &out->nsums,
			      blob_chunk_sum((const char *)buf + off, n)) < 0) {
			free(out->sums);
			out->sums = NULL;
			out->nsums = 0;
			return false;
		}
	}
	return true;
}

int blob_write_mem(const char *store, const void *buf, size_t len,
		   struct blob_tmp *out)
{
	EVP_MD_CTX *md;
	int rc;

	if (mem_stored(store, buf, len, out))
		return 0;
	rc = tmp_begin(store, out, &md);
	if (rc < 0)
		return rc;
	return tmp_end(out, md, tmp_append(out, md, buf, len));
}

/* Remove temp name beneath STORE/objects (never through a link). */
static void tmp_unlink(const char *store, const char *name)
{
	int dir = blob_dir_open(store);

	if (dir < 0)
		return;
	unlinkat(dir, name, 0);
	close(dir);
}

void blob_discard(struct blob_tmp *b)
{
	if (b->fd >= 0)
		close(b->fd);
	b->fd = -1;
	if (b->tmp[0] && b->name[0]) {
		/* tmp is STORE/objects/NAME: the store is what precedes it */
		char store[4096];
		size_t len = strlen(b->tmp) - strlen(b->name) - strlen("/objects/");

		snprintf(store, sizeof(store), "%.*s", (int)len, b->tmp);
		tmp_unlink(store, b->name);
	}
	b->tmp[0] = 0;
	b->name[0] = 0;
	XXH3_freeState(b->chunk_state);
	b->chunk_state = NULL;
	free(b->sums);
	b->sums = NULL;
	b->nsums = 0;
}

void blob_move(struct blob_tmp *to, struct blob_tmp *from)
{
	*to = *from;
	from->fd = -1;
	from->tmp[0] = 0;
	from->name[0] = 0;
	from->sums = NULL;
	from->nsums = 0;
	from->chunk_state = NULL;
}

/* The fan-out folder objects/ab of sha256 (made if missing: *newdir set),
 * never through a symbolic link: fd or -errno. */
static int fanout_open(int objects, const char *sha256, bool *newdir)
{
	char sub[3] = { sha256[0], sha256[1], 0 };
	int fd;

	if (mkdirat(objects, sub, 0750) == 0)
		*newdir = true;
	else if (errno != EEXIST)
		return -errno;
	fd = openat(objects, sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	return fd < 0 ? (errno == ENOTDIR ? -ELOOP : -errno) : fd;
}

/* Does the blob named like b, already in objects/, hold what its name says?
 * A damaged copy (wrong size, wrong bytes, not a regular file) does not. */
static bool stored_good(int objects, const struct blob_tmp *b)
{
	int fd = blob_openat(objects, b->sha256, b->size);
	bool good = fd >= 0 && blob_verify_fd(fd, b->sha256) == 0;

	if (fd >= 0)
		close(fd);
	return good;
}

/* Give the synced temp b its name objects/ab/cdef…; *fan is the fd of
 * objects/ab for the caller to fsync. An existing blob of that name stands
 * only if its bytes are good: ingest never trusts a blob it did not just
 * verify. */
static int tmp_link(int objects, struct blob_tmp *b, bool *newdir, int *fan)
{
	*fan = fanout_open(objects, b->sha256, newdir);
	if (*fan < 0)
		return *fan;
	if (linkat(objects, b->name, *fan, b->sha256 + 2, 0) == 0) {
		b->created = true;
		return 0;
	}
	if (errno != EEXIST)
		return -errno;
	if (b->replace || !stored_good(objects, b)) {
		/* a damaged copy under the right name: put the good bytes back */
		fm_log(FM_LOG_WARNING, "objects/%.2s/%s: damaged: replaced by a good copy",
		       b->sha256, b->sha256 + 2);
		if (renameat(objects, b->name, *fan, b->sha256 + 2) < 0)
			return -errno;
		b->tmp[0] = 0;
		b->name[0] = 0;
	}
	return 0;
}

/* One blob: fsync it, link it, fsync its folder (and objects/ if the
 * folder is new). */
static int commit_one(int objects, struct blob_tmp *b)
{
	bool newdir = false;
	int rc = 0, fan = -1, fd = openat(objects, b->name,
					  O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0 || fsync(fd) < 0)
		rc = -errno;
	if (fd >= 0)
		close(fd);
	if (rc == 0)
		rc = tmp_link(objects, b, &newdir, &fan);
	if (rc == 0 && newdir) {
		int dir = openat(objects, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		rc = dir < 0 || fsync(dir) < 0 ? -errno : 0;
		if (dir >= 0)
			close(dir);
	}
	if (rc == 0 && fsync(fan) < 0)
		rc = -errno;
	if (fan >= 0)
		close(fan);
	return rc;
}

/* Many blobs: one syncfs() makes every temp's bytes durable, then they are
 * linked, then a second syncfs() makes the names durable: two journal
 * commits instead of two fsyncs per blob (10k small files: 3.5x the files/s).
 * syncfs also flushes what others wrote to that filesystem meanwhile. */
static int commit_many(int objects, struct blob_tmp *const *b, size_t n)
{
	bool newdir = false;
	int rc = 0;

	if (syncfs(objects) < 0)
		rc = -errno;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		int fan = -1;

		if (b[i]->tmp[0])
			rc = tmp_link(objects, b[i], &newdir, &fan);
		if (fan >= 0)
			close(fan);
	}
	if (rc == 0 && syncfs(objects) < 0)
		rc = -errno;
	return rc;
}

int blob_commit_many(const char *store, struct blob_tmp *const *b, size_t n)
{
	size_t temps = 0, last = 0;
	int rc = 0, objects = blob_dir_open(store), dir = -1;

	if (objects >= 0) {
		/* O_PATH cannot be fsynced or syncfs'd: a real fd of the same folder */
		dir = openat(objects, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dir < 0)
			rc = -errno;
	} else {
		rc = objects;
	}
	for (size_t i = 0; i < n; i++) {
		if (!b[i]->tmp[0])
			continue; /* already stored: nothing to write */
		temps++;
		last = i;
	}
	if (rc == 0 && temps == 1)
		rc = commit_one(dir, b[last]);
	else if (rc == 0 && temps > 1)
		rc = commit_many(dir, b, n);
	for (size_t i = 0; i < n; i++) {
		if (b[i]->tmp[0] && dir >= 0)
			unlinkat(dir, b[i]->name, 0);
		b[i]->tmp[0] = 0;
		b[i]->name[0] = 0;
	}
	if (dir >= 0)
		close(dir);
	if (objects >= 0)
		close(objects);
	return rc;
}

int blob_scan_fd(int fd, struct blob_scan *out)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	char *buf = malloc(FM_CHUNK_SIZE);
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	int rc = md && buf ? 0 : -ENOMEM;

	memset(out, 0, sizeof(*out));
	if (rc == 0 && !EVP_DigestInit_ex(md, EVP_sha256(), NULL))
		rc = -EIO;
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	while (rc == 0) {
		size_t fill = 0;

		while (fill < FM_CHUNK_SIZE) { /* one whole chunk, or up to EOF */
			ssize_t n = read(fd, buf + fill, FM_CHUNK_SIZE - fill);

			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				rc = -EIO;
				break;
			}
			if (n == 0)
				break;
			fill += (size_t)n;
		}
		if (rc < 0 || fill == 0)
			break;
		EVP_DigestUpdate(md, buf, fill);
		out->size += (int64_t)fill;
		rc = sums_push(&out->sums, &out->nsums, blob_chunk_sum(buf, fill));
		if (fill < FM_CHUNK_SIZE)
			break;
	}
	if (rc == 0 && EVP_DigestFinal_ex(md, digest, &len))
		hex(digest, out->sha256);
	if (rc < 0) {
		free(out->sums);
		out->sums = NULL;
		out->nsums = 0;
	}
	EVP_MD_CTX_free(md);
	free(buf);
	return rc;
}

int blob_verify_fd(int fd, const char *sha256)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	char *buf = malloc(COPY_CHUNK), got[FM_SHA256_HEX + 1];
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	off_t off = 0;
	int rc = 0;

	if (!md || !buf || !EVP_DigestInit_ex(md, EVP_sha256(), NULL)) {
		rc = -ENOMEM;
		goto out;
	}
	for (;;) {
		ssize_t n = pread(fd, buf, COPY_CHUNK, off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = -EIO;
			goto out;
		}
		if (n == 0)
			break;
		EVP_DigestUpdate(md, buf, (size_t)n);
		off += n;
	}
	EVP_DigestFinal_ex(md, digest, &len);
	hex(digest, got);
	rc = strcmp(got, sha256) ? -EBADMSG : 0;
out:
	EVP_MD_CTX_free(md);
	free(buf);
	return rc;
}

int blob_verify(const char *store, const char *sha256)
{
	int fd = blob_open(store, sha256, -1), rc;

	if (fd < 0)
		return fd;
	rc = blob_verify_fd(fd, sha256);
	close(fd);
	return rc;
}
