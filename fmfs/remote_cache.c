/* remote_cache.c - TEMPORARY: until catalog/cache.h lands. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../catalog/remote.h"
#include "remote_cache.h"

struct rcache {
	char dir[4096];
	uint64_t bytes;
};

int rcache_open(const char *dir, uint64_t max, struct rcache **out, char *why,
		size_t whylen)
{
	struct rcache *c = calloc(1, sizeof(*c));

	(void)max;
	if (!c)
		return -ENOMEM;
	snprintf(c->dir, sizeof(c->dir), "%s/units", dir);
	if (mkdir(c->dir, 0700) < 0 && errno != EEXIST) {
		snprintf(why, whylen, "%s: %s", c->dir, strerror(errno));
		free(c);
		return -errno;
	}
	*out = c;
	return 0;
}

void rcache_close(struct rcache *c)
{
	free(c);
}

int rcache_get(struct rcache *c, struct remote *net, const char *key, uint64_t off,
	       uint64_t len, const unsigned char sha[32], char *why, size_t whylen)
{
	char path[4200], tmp[4300];
	uint64_t got = 0;
	int fd, rc;

	snprintf(path, sizeof(path), "%s/", c->dir);
	for (int i = 0; i < 32; i++)
		snprintf(path + strlen(path), 3, "%02x", sha[i]);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		return fd;
	snprintf(tmp, sizeof(tmp), "%s.tmp-XXXXXX", path);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	rc = remote_get_fd(net, key, off, len, sha, fd, &got, why, whylen);
	if (rc == 0 && (fsync(fd) < 0 || rename(tmp, path) < 0))
		rc = -errno;
	if (rc < 0) {
		unlink(tmp);
		close(fd);
		return rc;
	}
	c->bytes += got;
	return fd;
}

uint64_t rcache_bytes(struct rcache *c)
{
	return c->bytes;
}
