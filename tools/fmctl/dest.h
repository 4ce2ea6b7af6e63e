/* dest.h - where fmctl publish writes an org: a folder a web server serves,
 * or s3://BUCKET/PREFIX. Objects are written whole or not at all; each call
 * counts as one request (what a no-op publish is measured by). Puts may
 * run in several threads at once. */
#ifndef FMFS_DEST_H
#define FMFS_DEST_H

#include <stddef.h>
#include <stdint.h>

struct dest;

/* Open DEST (a folder path or an s3:// URL). endpoint and credentials are
 * for S3 only (NULL otherwise). 0 or -errno with why in err. Caller frees
 * with dest_close(). */
int dest_open(const char *spec, const char *endpoint, const char *credentials,
	      struct dest **out, char *err, size_t errlen);
void dest_close(struct dest *d);
/* A canonical name of the destination (the key of its remote_state row). */
const char *dest_name(const struct dest *d);
/* Read object key whole (at most max bytes) into *buf (malloc'd, caller
 * frees). 0, -ENOENT, or -errno with why. */
int dest_get(struct dest *d, const char *key, size_t max, char **buf, size_t *len,
	     char *err, size_t errlen);
/* Write object key from fd (size bytes from offset 0; sha256: of those
 * bytes, hex, or NULL) or memory. 0 or -errno with why. */
int dest_put_fd(struct dest *d, const char *key, int fd, int64_t size,
		const char *sha256, char *err, size_t errlen);
int dest_put_mem(struct dest *d, const char *key, const void *buf, size_t len,
		 char *err, size_t errlen);
/* Requests made so far. */
uint64_t dest_requests(const struct dest *d);

#endif
