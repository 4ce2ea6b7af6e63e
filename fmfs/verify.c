/* verify.c - never serve wrong bytes: an open file carries its blob's chunk
 * sums from the catalog, and the first read that touches a chunk reads the
 * whole chunk, checks its XXH3-64 and marks it verified; later reads of it
 * are spliced straight from the blob's fd. A mismatch, a short blob or a
 * missing one is EIO and one log line naming the blob. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include "fmfs.h"

#define BITS (8 * sizeof(unsigned long))

static void blob_error(struct fmfs *fs, const struct fmfs_file *f,
		       const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void blob_error(struct fmfs *fs, const struct fmfs_file *f,
		       const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	fm_log(FM_LOG_ERROR, "%s/objects/%.2s/%s (inode %llu): %s", fs->store,
	       f->sha256, f->sha256 + 2, (unsigned long long)f->id, what);
}

void fmfs_file_close(struct fmfs_file *f)
{
	if (!f)
		return;
	if (f->cache)
		cache_release(f->cache, &f->unit);
	else if (f->fd >= 0)
		close(f->fd);
	free(f->sums);
	free(f->verified);
	free(f->chunk_sha);
	free(f);
}

/* A blob from a version-1 catalog has no chunk sums: check its SHA-256 once
 * per open (fmctl verify --repair records the sums). */
static int verify_whole(struct fmfs *fs, struct fmfs_file *f)
{
	struct blob_scan scan;
	int rc = blob_scan_fd(f->fd, &scan);

	if (rc < 0) {
		blob_error(fs, f, "cannot read: %s", strerror(-rc));
		return -EIO;
	}
	free(scan.sums);
	if (strcmp(scan.sha256, f->sha256) || scan.size != f->size) {
		blob_error(fs, f, "content does not match its SHA-256: the blob is damaged");
		return -EIO;
	}
	return 0;
}

int fmfs_file_open(struct fmfs *fs, const struct node *n, struct fmfs_file **out)
{
	struct catalog *cat = fmfs_catalog(fs);
	struct fmfs_file *f = calloc(1, sizeof(*f));
	struct stat st;
	int rc;

	if (!f || !cat) {
		free(f);
		return f ? fmfs_catalog_error() : -ENOMEM;
	}
	f->id = n->id;
	f->size = n->size;
	memcpy(f->sha256, n->sha256, sizeof(f->sha256));
	if (fs->remote) {
		f->fd = -1;
		rc = fmfs_remote_file_open(fs, f); /* logs what is wrong */
		if (rc < 0 || f->fd < 0) {
			if (rc < 0)
				fmfs_file_close(f);
			else
				*out = f; /* chunks are checked as they arrive */
			return rc < 0 ? -EIO : 0;
		}
		if (n->size > 0 && (fstat(f->fd, &st) < 0 || !S_ISREG(st.st_mode) ||
				    st.st_size != n->size)) {
			close(f->fd);
			f->fd = -EBADMSG; /* the cached copy: a regular file of its size */
		}
	} else {
		/* beneath objects/, no link followed, a regular file of its size */
		f->fd = blob_openat(fs->objects, n->sha256, n->size);
	}
	if (f->fd == -EMFILE || f->fd == -ENFILE) {
		rc = f->fd; /* not the blob's fault: say what ran out */
		fmfs_out_of_fds(fs, "open a blob", rc);
		fmfs_file_close(f);
		return rc;
	}
	if (f->fd == -EBADMSG) {
		char path[4096];

		memset(&st, 0, sizeof(st));
		blob_path(fs->store, n->sha256, path, sizeof(path));
		lstat(path, &st); /* for the message only */
		blob_error(fs, f, "size %lld, the catalog says %lld",
			   (long long)st.st_size, (long long)n->size);
		fmfs_file_close(f);
		return -EIO;
	}
	if (f->fd < 0) {
		blob_error(fs, f, "cannot open the blob: %s", blob_strerror(f->fd));
		fmfs_file_close(f);
		return -EIO;
	}
	if (fs->noverify) {
		*out = f;
		return 0;
	}
	rc = chunks_get(cat, n->sha256, &f->chunk_size, &f->sums, &f->nchunks);
	if (rc == -ENOENT) {
		rc = verify_whole(fs, f);
		if (rc < 0) {
			fmfs_file_close(f);
			return rc;
		}
		*out = f; /* checked: nothing left to check */
		return 0;
	}
	if (rc == 0 && (f->chunk_size != FM_CHUNK_SIZE ||
			f->nchunks != chunks_count(n->size, f->chunk_size))) {
		blob_error(fs, f, "the catalog has %zu chunk sums for %lld bytes",
			   f->nchunks, (long long)n->size);
		rc = -EIO;
	}
	if (rc == 0) {
		f->verified = calloc(f->nchunks / BITS + 1, sizeof(unsigned long));
		rc = f->verified ? 0 : -ENOMEM;
	}
	if (rc < 0) {
		fmfs_file_close(f);
		return rc;
	}
	*out = f;
	return 0;
}

#define VERIFY_BUF (128u << 10) /* per thread: chunks are hashed in pieces */

static void close_buffer(void *buf)
{
	free(buf);
}

/* The calling thread's read buffer, allocated once. */
static char *thread_buffer(struct fmfs *fs)
{
	char *buf = pthread_getspecific(fs->buf_key);

	if (buf)
		return buf;
	buf = malloc(VERIFY_BUF);
	if (buf)
		pthread_setspecific(fs->buf_key, buf);
	return buf;
}

int fmfs_verify_init(struct fmfs *fs)
{
	return -pthread_key_create(&fs->buf_key, close_buffer);
}

/* Read chunk c (whole, in pieces) and compare its XXH3-64 with the sum
 * recorded at ingest; mark it verified when they match. */
static int verify_chunk(struct fmfs *fs, struct fmfs_file *f, size_t c)
{
	off_t start = (off_t)c * f->chunk_size;
	size_t want = f->chunk_size, got = 0;
	char *buf = thread_buffer(fs);
	XXH3_state_t *st = XXH3_createState();
	int rc = buf && st ? 0 : -ENOMEM;

	if ((int64_t)(start + (off_t)want) > f->size)
		want = (size_t)(f->size - start);
	if (rc == 0)
		XXH3_64bits_reset(st);
	while (rc == 0 && got < want) {
		size_t len = want - got < VERIFY_BUF ? want - got : VERIFY_BUF;
		ssize_t n = pread(f->fd, buf, len, start + (off_t)got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			blob_error(fs, f, "chunk %zu at byte %lld: %s", c,
				   (long long)(start + (off_t)got), n < 0 ? strerror(errno) :
				   "the blob is shorter than recorded");
			rc = -EIO;
			break;
		}
		XXH3_64bits_update(st, buf, (size_t)n);
		got += (size_t)n;
	}
	if (rc == 0 && XXH3_64bits_digest(st) != f->sums[c]) {
		blob_error(fs, f, "chunk %zu (bytes %lld-%lld) does not match its "
			   "checksum: the blob is damaged", c, (long long)start,
			   (long long)(start + (off_t)want - 1));
		rc = -EIO;
	}
	XXH3_freeState(st);
	if (rc == 0)
		__atomic_fetch_or(&f->verified[c / BITS], 1UL << (c % BITS),
				  __ATOMIC_RELEASE);
	return rc;
}

static bool chunk_verified(struct fmfs_file *f, size_t c)
{
	return __atomic_load_n(&f->verified[c / BITS], __ATOMIC_ACQUIRE) &
	       (1UL << (c % BITS));
}

int fmfs_file_verify(struct fmfs *fs, struct fmfs_file *f, off_t off, size_t len)
{
	size_t first, last;

	if (!f->sums || len == 0 || off >= f->size)
		return 0;
	first = (size_t)(off / f->chunk_size);
	last = (size_t)((off + (off_t)len - 1) / f->chunk_size);
	if (last >= f->nchunks)
		last = f->nchunks - 1;
	for (size_t c = first; c <= last; c++) {
		int rc;

		/* two threads may check the same chunk at once: harmless */
		if (chunk_verified(f, c))
			continue;
		rc = verify_chunk(fs, f, c);
		if (rc < 0)
			return rc;
	}
	return 0;
}
