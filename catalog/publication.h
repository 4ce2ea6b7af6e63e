/* publication.h - the format of a published org (docs/remote.md): Ed25519
 * keys, the signed manifest, the catalog deltas and the hash chain over
 * them, and the record of the last revision a store published or a client
 * applied (remote_state). fmctl publish writes it, fmfs URL and fmctl clone
 * read it. Returns -errno and a one-line reason; never prints. */
#ifndef FMFS_PUBLICATION_H
#define FMFS_PUBLICATION_H

#include <openssl/evp.h>

#include "catalog.h"

#define PUB_ZERO_HASH "0000000000000000000000000000000000000000000000000000000000000000"
#define PUB_MANIFEST_KEY "manifest"
#define PUB_MANIFEST_MAX (8u << 10) /* a manifest is a few hundred bytes */
#define PUB_DELTA_MAX (1u << 30)    /* refuse deltas bigger than this */

/* ---- keys (pubkey.c) ------------------------------------------------------ */

/* Write a new Ed25519 pair: key_path (PEM, 0600, must not exist) and its
 * public half (pubkey_pub_path). 0 or -errno with why in err. */
int pubkey_generate(const char *key_path, char *err, size_t errlen);
/* "X.key" -> "X.pub", anything else -> "X.pub" appended. */
void pubkey_pub_path(const char *key_path, char *out, size_t outlen);
/* Load a private key (refused unless mode 0600 or stricter) or a public
 * one. Caller frees with EVP_PKEY_free(). 0 or -errno with why in err. */
int pubkey_load_private(const char *path, EVP_PKEY **out, char *err, size_t errlen);
int pubkey_load_public(const char *path, EVP_PKEY **out, char *err, size_t errlen);

/* ---- the manifest (manifest.c) -------------------------------------------- */

struct manifest {
	char org[FM_NAME_MAX + 1];
	uint64_t revision;                     /* 1, 2, ... */
	uint64_t through;                      /* highest node id it covers */
	char state[FM_SHA256_HEX + 1];         /* chain head: state_N */
	char prev_state[FM_SHA256_HEX + 1];    /* state_(N-1) */
	char delta[FM_SHA256_HEX + 1];         /* the newest delta object */
	/* the newest checkpoint (0: none): the org's whole catalog at that
	 * revision, in delta form (after 0), and the chain's state there */
	uint64_t checkpoint_rev;
	char checkpoint[FM_SHA256_HEX + 1];
	char checkpoint_state[FM_SHA256_HEX + 1];
	int64_t published;                     /* seconds UTC */
	int64_t expires;
};

/* The signed text of m (malloc'd, caller frees). 0 or -errno. */
int manifest_format(const struct manifest *m, EVP_PKEY *key, char **out,
		    size_t *outlen);
/* Parse text and check its signature with pub. 0, or -EBADMSG (malformed
 * or badly signed) with a static reason in *why. Expiry is the caller's. */
int manifest_parse(const char *text, size_t len, EVP_PKEY *pub,
		   struct manifest *out, const char **why);

/* state_N = SHA-256(state_(N-1) || SHA-256(delta_N)), over the 32-byte
 * values; state_0 = PUB_ZERO_HASH. */
void pub_state_next(const char prev[FM_SHA256_HEX + 1],
		    const char delta[FM_SHA256_HEX + 1],
		    char out[FM_SHA256_HEX + 1]);
/* The object key of a blob ("objects/ab/cdef…") or a delta ("deltas/HASH"). */
void pub_blob_key(const char *sha256, char *out, size_t outlen);
void pub_delta_key(const char *sha256, char *out, size_t outlen);
void pub_checkpoint_key(const char *sha256, char *out, size_t outlen);

/* ---- deltas (delta.c) ------------------------------------------------------ */

/* The blobs that org's nodes in (after, through] use and no node of org up
 * to after used: what a publish uploads. fn(arg, sha256, size) per blob,
 * once each; a non-zero return stops and is returned. */
typedef int (*pub_blob_fn)(void *arg, const char *sha256, int64_t size);
int delta_new_blobs(struct catalog *cat, uint64_t org_id, uint64_t after,
		    uint64_t through, pub_blob_fn fn, void *arg);
/* Does org have nodes with id > after? (*through: the catalog's max id) */
int delta_pending(struct catalog *cat, uint64_t org_id, uint64_t after,
		  uint64_t *through, bool *pending);

/* The delta text of org's rows in (after, through] for revision, chained to
 * prev_delta: nodes, folder mtimes, documents, chunk sums (XXH3-64 and
 * SHA-256: every blob it names must have its chunk SHA-256 recorded).
 * malloc'd into *out. 0 or -errno with why in err. */
int delta_build(struct catalog *cat, const char *org, uint64_t org_id,
		uint64_t revision, const char *prev_delta, uint64_t after,
		uint64_t through, char **out, size_t *outlen, char *err,
		size_t errlen);

struct delta_head {
	char org[FM_NAME_MAX + 1];
	uint64_t revision, after, through;
	char prev[FM_SHA256_HEX + 1]; /* the previous revision's delta */
};
/* Read only the header of a delta. 0 or -EBADMSG with why. */
int delta_head(const char *text, size_t len, struct delta_head *out,
	       char *err, size_t errlen);
/* Insert a delta's rows into a client catalog (writable, inside the
 * caller's transaction). 0 or -errno with why. */
int delta_apply(struct catalog *cat, const char *text, size_t len, char *err,
		size_t errlen);

/* ---- following a published org (follow.c) -------------------------------- */

/* Fetch object key whole: verified against sha256 when it is not NULL
 * (a mismatch is an error, never returned), at most max bytes, into *buf
 * (malloc'd). 0 or -errno with why in err. */
typedef int (*pub_fetch_fn)(void *arg, const char *key, const char *sha256,
			    size_t max, char **buf, size_t *len, char *err,
			    size_t errlen);

enum follow_result {
	FOLLOW_SAME,    /* the revision the client has */
	FOLLOW_APPLIED, /* newer revisions applied */
};

/* Bring a client catalog (writable) to the revision the manifest text
 * names: check the signature, the expiry (against now), that it neither
 * rolls back nor forks the history the catalog has (remote_state "source"),
 * fetch the missing deltas from the manifest's back to the client's, check
 * the chain and apply them in one transaction. *m gets the manifest. 0 with
 * *res, or -errno with one line why in err (-EBADMSG: refused; the catalog
 * is unchanged). */
int follow_manifest(struct catalog *client, EVP_PKEY *pub, const char *text,
		    size_t len, int64_t now, pub_fetch_fn fetch, void *arg,
		    struct manifest *m, enum follow_result *res, char *err,
		    size_t errlen);

/* ---- what was published / applied (remote.c, schema v3) ------------------ */

struct remote_state {
	char org[FM_NAME_MAX + 1];
	uint64_t revision, through;
	char state[FM_SHA256_HEX + 1];
	char delta[FM_SHA256_HEX + 1];
	int64_t published, expires;
};
/* The row for place (a publish destination, or "source" in a client's
 * catalog): 0, -ENOENT, -EIO. */
int remote_state_get(struct catalog *cat, const char *place, struct remote_state *out);
int remote_state_put(struct catalog *cat, const char *place,
		     const struct remote_state *s);

/* Per-chunk SHA-256 of a blob (schema v3): *sums holds *n * 32 bytes
 * (caller frees). 0, -ENOENT, -EIO. */
int chunk_sha_get(struct catalog *cat, const char *sha256, uint32_t *chunk_size,
		  unsigned char **sums, size_t *n);
int chunk_sha_put(struct catalog *cat, const char *sha256, uint32_t chunk_size,
		  const unsigned char *sums, size_t n);
/* Read fd to its end: its SHA-256, size, XXH3-64 and SHA-256 per
 * FM_CHUNK_SIZE chunk (both malloc'd, caller frees). 0 or -errno. */
int blob_chunk_hashes(int fd, char sha256[FM_SHA256_HEX + 1], int64_t *size,
		      uint64_t **xxh, unsigned char **sha, size_t *n);

#endif
