/* remote_cache.h - the verified local cache of a remote mount, as remote.c
 * uses it: units (a whole small blob, or one chunk of a big one) named by
 * their SHA-256, fetched through catalog/remote.h when missing. */
#ifndef FMFS_REMOTE_CACHE_H
#define FMFS_REMOTE_CACHE_H

#include <stddef.h>
#include <stdint.h>

struct remote;
struct rcache;

/* The cache in folder dir (made if missing), bounded by max bytes (0: no
 * bound). 0 or -errno with why. Caller frees with rcache_close(). */
int rcache_open(const char *dir, uint64_t max, struct rcache **out, char *why,
		size_t whylen);
void rcache_close(struct rcache *c);
/* An open fd of the unit whose SHA-256 is sha: bytes [off, off + len) of
 * object key, fetched and checked first if the cache lacks it. Caller
 * closes it. fd, or -errno with why. */
int rcache_get(struct rcache *c, struct remote *net, const char *key, uint64_t off,
	       uint64_t len, const unsigned char sha[32], char *why, size_t whylen);
/* Bytes the cache holds. */
uint64_t rcache_bytes(struct rcache *c);

#endif
