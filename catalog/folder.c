/* folder.c - a folder as the remote share's destination or mirror (file:///PATH
 * or a plain path): gets read the file (the ladder in remote.c checks the
 * hash as for any mirror), a put writes a temp file beside the object,
 * fsyncs it, renames it into place and fsyncs the folder, so a web server
 * serving the folder never shows half an object. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "remote_internal.h"

#define COPY_BUF (1 << 20)

int folder_mirror(const char *url, struct mirror *m, char *why, size_t whylen)
{
	const char *path = strncmp(url, "file://", 7) == 0 ? url + 7 : url;
	char cwd[PATH_MAX];
	size_t n = strlen(path);

	if (n == 0 || (strncmp(url, "file://", 7) == 0 && path[0] != '/')) {
		snprintf(why, whylen, "%s: not a folder path (file:///PATH)", url);
		return -EINVAL;
	}
	while (n > 1 && path[n - 1] == '/')
		n--;
	if (path[0] == '/') {
		m->base = strndup(path, n);
	} else {
		if (!getcwd(cwd, sizeof(cwd)))
			return -errno;
		if (asprintf(&m->base, "%s/%.*s", cwd, (int)n, path) < 0)
			m->base = NULL;
	}
	if (!m->base)
		return -ENOMEM;
	m->host = strdup(m->base);
	return m->host ? 0 : -ENOMEM;
}

static enum req_result fail(struct req *q, int err, const char *what)
{
	snprintf(q->why, sizeof(q->why), "%s: %s", what, strerror(err));
	if (err == ENOENT)
		return RES_NOT_FOUND;
	if (err == EACCES || err == EPERM)
		return RES_DENIED;
	return RES_NEXT;
}

static enum req_result get(struct req *q, const char *path)
{
	struct stat st;
	unsigned char *buf;
	uint64_t pos, end;
	char etag[64];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	enum req_result res = RES_OK;

	if (fd < 0)
		return fail(q, errno, "open");
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		res = fail(q, S_ISREG(st.st_mode) ? errno : EISDIR, "stat");
		close(fd);
		return res;
	}
	snprintf(etag, sizeof(etag), "\"%llx-%llx-%lx\"", (unsigned long long)st.st_ino,
		 (unsigned long long)st.st_size, (long)st.st_mtim.tv_nsec ^ st.st_mtim.tv_sec);
	if (q->method == REQ_HEAD || (q->if_none_match && strcmp(q->if_none_match, etag) == 0)) {
		q->status = q->method == REQ_HEAD ? 200 : 304;
		q->size = (uint64_t)st.st_size;
		close(fd);
		return RES_OK;
	}
	snprintf(q->etag, sizeof(q->etag), "%s", etag);
	q->status = 200;
	pos = q->off;
	end = q->len ? q->off + q->len : (uint64_t)st.st_size;
	if (end > (uint64_t)st.st_size)
		end = (uint64_t)st.st_size; /* the ladder sees the short body */
	buf = malloc(COPY_BUF);
	if (!buf) {
		close(fd);
		q->sink_errno = ENOMEM;
		return fail(q, ENOMEM, "read");
	}
	while (pos < end) {
		size_t want = end - pos < COPY_BUF ? (size_t)(end - pos) : COPY_BUF;
		ssize_t n = pread(fd, buf, want, (off_t)pos);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			res = fail(q, n < 0 ? errno : EIO, "read");
			break;
		}
		if (req_sink(q, buf, (size_t)n) < 0) {
			res = q->too_long ? RES_BAD_DATA : RES_LOCAL;
			snprintf(q->why, sizeof(q->why), "%s",
				 q->too_long ? "longer than expected" : strerror(q->sink_errno));
			break;
		}
		pos += (uint64_t)n;
	}
	free(buf);
	close(fd);
	return res;
}

static int mkdirs(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(path, 0755) < 0 && errno != EEXIST) {
			*p = '/';
			return -errno;
		}
		*p = '/';
	}
	return 0;
}

static int copy_in(struct req *q, int fd)
{
	char *buf;
	int rc = 0;

	if (q->src_fd < 0) {
		const char *p = q->src_buf;
		size_t left = (size_t)q->src_len;

		while (left) {
			ssize_t n = write(fd, p, left);

			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				return -errno;
			p += n;
			left -= (size_t)n;
		}
		return 0;
	}
	buf = malloc(COPY_BUF);
	if (!buf)
		return -ENOMEM;
	while (rc == 0 && q->src_pos < q->src_len) {
		size_t want = q->src_len - q->src_pos < COPY_BUF ?
				      (size_t)(q->src_len - q->src_pos) :
				      COPY_BUF;
		ssize_t n = pread(q->src_fd, buf, want, (off_t)q->src_pos), w = 0;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = n < 0 ? -errno : -EIO;
			break;
		}
		while (w < n) {
			ssize_t k = write(fd, buf + w, (size_t)(n - w));

			if (k < 0 && errno == EINTR)
				continue;
			if (k < 0) {
				rc = -errno;
				break;
			}
			w += k;
		}
		q->src_pos += (uint64_t)n;
	}
	free(buf);
	return rc;
}

static enum req_result put(struct req *q, char *path)
{
	char tmp[PATH_MAX + 16], *slash = strrchr(path, '/');
	int fd, dfd, rc;

	rc = mkdirs(path);
	if (rc < 0)
		return fail(q, -rc, "mkdir");
	if ((size_t)snprintf(tmp, sizeof(tmp), "%.*s/.tmp-XXXXXX", (int)(slash - path), path) >=
	    sizeof(tmp))
		return fail(q, ENAMETOOLONG, "create");
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return fail(q, errno, "create");
	rc = copy_in(q, fd);
	if (rc == 0 && fchmod(fd, 0644) < 0)
		rc = -errno;
	if (rc == 0 && fsync(fd) < 0)
		rc = -errno;
	if (close(fd) < 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && rename(tmp, path) < 0)
		rc = -errno;
	if (rc < 0) {
		unlink(tmp);
		q->sink_errno = -rc;
		snprintf(q->why, sizeof(q->why), "write: %s", strerror(-rc));
		return RES_LOCAL;
	}
	*slash = 0;
	dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	*slash = '/';
	if (dfd < 0 || fsync(dfd) < 0) {
		rc = -errno;
		if (dfd >= 0)
			close(dfd);
		q->sink_errno = -rc;
		snprintf(q->why, sizeof(q->why), "fsync of the folder: %s", strerror(-rc));
		return RES_LOCAL;
	}
	close(dfd);
	q->status = 200;
	return RES_OK;
}

enum req_result folder_perform(struct remote *r, const struct mirror *m, struct req *q)
{
	char path[PATH_MAX];

	(void)r;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", m->base, q->key) >= sizeof(path))
		return fail(q, ENAMETOOLONG, "open");
	return q->method == REQ_PUT ? put(q, path) : get(q, path);
}
