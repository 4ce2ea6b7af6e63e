/* cache.h - the remote share's local cache: verified units (a whole small
 * blob, or one chunk of a big one) named by their SHA-256 under
 * DIR/objects/, kept across restarts, bounded by max bytes with LRU eviction
 * of what no reader holds, crash-safe, one download per missing unit however
 * many threads want it. The rest of DIR (the client's catalog files) is not
 * the cache's: never counted, never evicted. One process per DIR (flock). */
#ifndef FMFS_CACHE_H
#define FMFS_CACHE_H

#include <stdint.h>

#include "remote.h"

struct cache;
struct cache_entry;

/* Open (creating, mode 0700) the cache folder dir; remove leftover temp
 * files and anything under DIR/objects/ not named like a unit; read the
 * units' sizes and last use (mtime). Units are checked against their name
 * lazily: the first time each is served after the open. 0 or -errno with
 * one line in why (-EBUSY: another process has it). Caller frees with
 * cache_close(), after every cache_release(). */
int cache_open(const char *dir, uint64_t max_bytes, struct cache **out, char *why, size_t whylen);
void cache_close(struct cache *c);

/* A unit held: fd (read-only, shared with other holders: use pread, never
 * close it) and its size. While held it is never evicted. Give it back with
 * cache_release(). */
struct cache_ref {
	int fd;
	uint64_t size;
	struct cache_entry *entry; /* private */
};

/* The unit whose SHA-256 is sha256: from the cache, or else fetched (bytes
 * [off, off+len) of key through r, verified against sha256 before anything
 * is stored) and kept. Threads that want a unit being fetched wait for that
 * one download and share its result. r NULL: only what is cached
 * (-ENOENT otherwise). 0 or -errno (those of remote_get) with why. */
int cache_get(struct cache *c, const unsigned char sha256[32], struct remote *r, const char *key,
	      uint64_t off, uint64_t len, struct cache_ref *ref, char *why, size_t whylen);
void cache_release(struct cache *c, struct cache_ref *ref);

/* Bytes of the units in the cache now. */
uint64_t cache_bytes(struct cache *c);

#endif
