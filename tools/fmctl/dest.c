/* dest.c - the destinations of fmctl publish (dest.h). A folder: each
 * object is written to a temp file beside it, fsynced and renamed into place
 * (readers of the web root never see half an object); the folders are
 * fsynced after. s3://BUCKET/PREFIX: through catalog/remote.h (SigV4 PUTs
 * with the body's length and SHA-256). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../../catalog/remote.h"
#include "dest.h"

struct dest {
	char root[PATH_MAX]; /* a folder's real path, or the s3:// URL */
	struct remote *s3;   /* NULL: a folder */
	uint64_t requests; /* atomic: publish uploads from several threads */
};

static int open_s3(struct dest *d, const char *spec, const char *endpoint,
		   const char *credentials, char *err, size_t errlen)
{
	struct remote_opts o;

	remote_opts_init(&o);
	o.urls = &spec;
	o.nurls = 1;
	o.endpoint = endpoint;
	o.credentials = credentials;
	snprintf(d->root, sizeof(d->root), "%s", spec);
	return remote_open(&o, &d->s3, err, errlen);
}

static int mkdirs(const char *path)
{
	char buf[PATH_MAX];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int dest_open(const char *spec, const char *endpoint, const char *credentials,
	      struct dest **out, char *err, size_t errlen)
{
	struct dest *d;
	int rc;

	bool s3 = !strncmp(spec, "s3://", 5);

	if (strstr(spec, "://") && !s3) {
		snprintf(err, errlen, "%s: a folder or s3://BUCKET/PREFIX", spec);
		return -EINVAL;
	}
	if (!s3 && (endpoint || credentials)) {
		snprintf(err, errlen, "--endpoint and --credentials are for s3:// only");
		return -EINVAL;
	}
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	if (s3) {
		rc = open_s3(d, spec, endpoint, credentials, err, errlen);
		if (rc < 0) {
			free(d);
			return rc;
		}
		*out = d;
		return 0;
	}
	rc = mkdirs(spec);
	if (rc == 0 && !realpath(spec, d->root))
		rc = -errno;
	if (rc < 0) {
		snprintf(err, errlen, "%s: cannot create: %s", spec, strerror(-rc));
		free(d);
		return rc;
	}
	*out = d;
	return 0;
}

void dest_close(struct dest *d)
{
	if (d)
		remote_close(d->s3);
	free(d);
}

const char *dest_name(const struct dest *d)
{
	return d->root;
}

uint64_t dest_requests(const struct dest *d)
{
	return d->s3 ? remote_requests(d->s3) : d->requests;
}

int dest_get(struct dest *d, const char *key, size_t max, char **buf, size_t *len,
	     char *err, size_t errlen)
{
	char path[PATH_MAX + 256];
	struct stat st;
	char *b;
	ssize_t n;
	int fd;

	if (d->s3) {
		struct remote_body body = { 0 };
		int rc = remote_get(d->s3, key, 0, 0, max, NULL, &body, err, errlen);

		if (rc < 0)
			return rc;
		b = malloc(body.len + 1);
		if (b) {
			memcpy(b, body.data, body.len);
			b[body.len] = 0;
			*buf = b;
			*len = body.len;
		}
		remote_body_release(&body);
		return b ? 0 : -ENOMEM;
	}
	__atomic_fetch_add(&d->requests, 1, __ATOMIC_RELAXED);
	snprintf(path, sizeof(path), "%s/%s", d->root, key);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno != ENOENT)
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -errno;
	}
	if (fstat(fd, &st) < 0 || (size_t)st.st_size > max) {
		close(fd);
		snprintf(err, errlen, "%s: too big", path);
		return -EFBIG;
	}
	b = malloc((size_t)st.st_size + 1);
	n = b ? pread(fd, b, (size_t)st.st_size, 0) : -1;
	close(fd);
	if (n != st.st_size) {
		free(b);
		snprintf(err, errlen, "%s: cannot read", path);
		return -EIO;
	}
	b[n] = 0;
	*buf = b;
	*len = (size_t)n;
	return 0;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static int fsync_dir(const char *path)
{
	char dir[PATH_MAX + 256];
	char *slash;
	int fd, rc;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash)
		*slash = 0;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	rc = fsync(fd) < 0 ? -errno : 0;
	close(fd);
	return rc;
}

/* Web servers derive a file's ETag and Last-Modified from its mtime in
 * seconds and its size (nginx: "mtime-size"): a manifest replaced within
 * the same second by one of the same size would look unchanged to a
 * client's conditional request. Give the new one an mtime past the old's. */
static int newer_mtime(int fd, const char *path)
{
	struct timespec ts[2];
	struct stat st;

	clock_gettime(CLOCK_REALTIME, &ts[0]);
	if (stat(path, &st) == 0 && ts[0].tv_sec <= st.st_mtim.tv_sec)
		ts[0].tv_sec = st.st_mtim.tv_sec + 1;
	ts[1] = ts[0];
	return futimens(fd, ts) < 0 ? -errno : 0;
}

/* Write an object: from src (fd >= 0) or mem. Immutable objects (every key
 * but the manifest) already present are left alone. */
static int put(struct dest *d, const char *key, int src, int64_t size,
	       const void *mem, char *err, size_t errlen)
{
	char path[PATH_MAX + 256], tmp[PATH_MAX + 300], *buf = NULL;
	bool mutable = !strchr(key, '/');
	struct stat st;
	int fd, rc = 0;

	__atomic_fetch_add(&d->requests, 1, __ATOMIC_RELAXED);
	snprintf(path, sizeof(path), "%s/%s", d->root, key);
	if (!mutable && stat(path, &st) == 0 && st.st_size == size)
		return 0;
	if (strchr(key, '/')) {
		char *slash;

		snprintf(tmp, sizeof(tmp), "%s", path);
		slash = strrchr(tmp, '/');
		*slash = 0;
		rc = mkdirs(tmp);
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp-XXXXXX", path);
	fd = rc == 0 ? mkostemp(tmp, O_CLOEXEC) : -1;
	if (fd < 0) {
		rc = rc ? rc : -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-rc));
		return rc;
	}
	if (src >= 0) {
		buf = malloc(1 << 20);
		rc = buf ? 0 : -ENOMEM;
		for (int64_t off = 0; rc == 0 && off < size;) {
			ssize_t n = pread(src, buf, 1 << 20, off);

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				rc = n < 0 ? -errno : -EIO;
				break;
			}
			rc = write_all(fd, buf, (size_t)n);
			off += n;
		}
		free(buf);
	} else {
		rc = write_all(fd, mem, (size_t)size);
	}
	if (rc == 0 && mutable)
		rc = newer_mtime(fd, path);
	if (rc == 0 && (fchmod(fd, 0644) < 0 || fsync(fd) < 0))
		rc = -errno;
	if (close(fd) < 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && rename(tmp, path) < 0)
		rc = -errno;
	if (rc == 0)
		rc = fsync_dir(path);
	if (rc < 0) {
		unlink(tmp);
		snprintf(err, errlen, "%s: cannot write: %s", path, strerror(-rc));
	}
	return rc;
}

int dest_put_fd(struct dest *d, const char *key, int fd, int64_t size,
		const char *sha256, char *err, size_t errlen)
{
	unsigned char md[32];

	if (!d->s3)
		return put(d, key, fd, size, NULL, err, errlen);
	for (int i = 0; sha256 && i < 32; i++)
		sscanf(sha256 + 2 * i, "%2hhx", &md[i]);
	return remote_put_fd(d->s3, key, fd, (uint64_t)size, sha256 ? md : NULL, err, errlen);
}

int dest_put_mem(struct dest *d, const char *key, const void *buf, size_t len,
		 char *err, size_t errlen)
{
	if (d->s3)
		return remote_put_buf(d->s3, key, buf, len, err, errlen);
	return put(d, key, -1, (int64_t)len, buf, err, errlen);
}
