/* remote.h - the transport of the remote share: reading a published org from
 * HTTPS/HTTP mirrors, S3 (SigV4) or a folder, and writing to S3 or a folder,
 * through libcurl (one share of connections, DNS and TLS sessions; HTTP/2
 * when offered; TLS verified). Every byte a get returns matched the hash the
 * caller gave; a mismatch is retried once with no-cache, then on the next
 * mirror, then -EIO. Thread-safe: one struct remote serves many threads. */
#ifndef FMFS_REMOTE_H
#define FMFS_REMOTE_H

#include <stddef.h>
#include <stdint.h>

#define REMOTE_ETAG_MAX 256 /* bytes for an ETag, with its NUL */

struct remote_opts {
	/* Where the org is, the primary first, then the mirrors in the order
	 * to try them, each https://HOST[:PORT]/PREFIX (or http://),
	 * s3://BUCKET/PREFIX or a folder (file:///PATH or a plain path); a
	 * put needs exactly one. Keys are appended after a '/'. */
	const char *const *urls;
	size_t nurls;
	const char *endpoint; /* s3: http[s]://HOST[:PORT] (path-style); NULL: AWS's */
	const char *region;   /* s3: SigV4 region; NULL: "us-east-1" */
	/* A netrc file (https: basic auth) or an AWS shared-credentials file
	 * (s3: [default] aws_access_key_id, aws_secret_access_key). It must be
	 * a regular file that group and others cannot read; its content is
	 * never put in a message. With an s3:// URL among urls it is the AWS
	 * file (http mirrors are then anonymous). NULL: anonymous. */
	const char *credentials;
	const char *cacert;	 /* PEM CA bundle; NULL: the system's CAs */
	long connect_timeout_ms; /* per connection attempt */
	long low_speed_time_s;	 /* abort a transfer below 1 KiB/s for this long */
	long io_timeout_ms;	 /* bound on one request; plus 1 s per 256 kB expected */
	int retries;		 /* extra tries per mirror on a reset, a short body, 5xx, 429 */
};

/* Defaults: 5 s connect, 10 s low speed, 120 s per request, 2 retries;
 * everything else NULL/0. */
void remote_opts_init(struct remote_opts *o);

struct remote;

/* Check the options and read the credentials; no request is made. 0 or
 * -errno (-EINVAL: a bad URL or option, -EACCES/-ENOENT: credentials file)
 * with one line in why. Caller frees with remote_close(). */
int remote_open(const struct remote_opts *o, struct remote **out, char *why, size_t whylen);
void remote_close(struct remote *r);

/* A downloaded object in memory. Caller frees with remote_body_release(). */
struct remote_body {
	unsigned char *data;
	size_t len;
};
void remote_body_release(struct remote_body *b);

/* Keys: 1..512 bytes of [A-Za-z0-9._-] and '/', no empty, "." or ".."
 * component. Errors of every call below: -ENOENT (every mirror says there
 * is no such object), -EACCES (credentials or signature refused), -EIO
 * (anything else: bad bytes, TLS, timeouts, resets, 5xx after the retries),
 * -EINVAL (bad key), -ENOMEM; with one line "KEY: HOST: why" in why. */

/* Get bytes [off, off+len) of key (len 0: the whole object, at most max
 * bytes) into *out. expect_sha256: the SHA-256 those bytes must have, or
 * NULL (only for what is verified otherwise, e.g. a signed manifest). */
int remote_get(struct remote *r, const char *key, uint64_t off, uint64_t len, size_t max,
	       const unsigned char expect_sha256[32], struct remote_body *out, char *why,
	       size_t whylen);
/* The same, written to fd from its offset 0 (fd is truncated first and on
 * each retry); on failure fd's content is meaningless. *got: bytes written. */
int remote_get_fd(struct remote *r, const char *key, uint64_t off, uint64_t len,
		  const unsigned char expect_sha256[32], int fd, uint64_t *got, char *why,
		  size_t whylen);
/* A conditional get of a small mutable object (the manifest), fetched with
 * no-cache so no proxy serves an old one. etag: in, the ETag of the copy the
 * caller has ("" for none); out, the new one. Returns 0 (a new body in *out),
 * 1 (not modified: nothing in *out), or -errno as above. */
int remote_get_manifest(struct remote *r, const char *key, size_t max, char etag[REMOTE_ETAG_MAX],
			struct remote_body *out, char *why, size_t whylen);
/* Does key exist (first mirror that answers)? 0 with *size (may be NULL),
 * -ENOENT, or -errno. */
int remote_head(struct remote *r, const char *key, uint64_t *size, char *why, size_t whylen);

/* Write key (one s3 or folder URL only; -EOPNOTSUPP on http[s]): an S3 PUT with
 * its length and the body's SHA-256 signed, or a folder's temp file,
 * fsync, rename, fsync of the folder. A reader never sees half an object.
 * sha256: of the body when the caller knows it (blobs), else NULL. */
int remote_put_fd(struct remote *r, const char *key, int fd, uint64_t len,
		  const unsigned char sha256[32], char *why, size_t whylen);
int remote_put_buf(struct remote *r, const char *key, const void *buf, size_t len, char *why,
		   size_t whylen);

/* Requests sent so far (each retry counts; a folder's get, head and put
 * count one each). */
uint64_t remote_requests(const struct remote *r);
/* The URL (without credentials) of the mirror that last answered well, or
 * of the primary before any answer. Valid until remote_close(). */
const char *remote_mirror(const struct remote *r);

#endif
