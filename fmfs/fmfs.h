/* fmfs.h - the daemon's shared state and the parts of it each file owns:
 * main.c (options, mount), ops.c (read side), deny.c (write side -> EPERM),
 * watch.c (tells the kernel about new entries), verify.c (chunk checks),
 * privdrop.c (root only for mounting). */
#ifndef FMFS_FMFS_H
#define FMFS_FMFS_H

#define FUSE_USE_VERSION 314
#include <fuse_lowlevel.h>
#include <pthread.h>
#include <stdbool.h>

#include "../catalog/cache.h"
#include "../catalog/catalog.h"

struct fmfs_remote; /* remote.c */

/* The options of a remote source (fmfs URL MNT -o …): NULL when not given. */
struct fmfs_remote_opts {
	const char *url, *pubkey, *cache, *cache_max, *poll, *credentials, *cacert,
		*mirrors, *endpoint, *region;
};

struct fmfs {
	char *store;         /* absolute path (remote: the cache folder) */
	struct fmfs_remote *remote; /* NULL: a local store */
	char *org;           /* NULL: the operator's view of every org */
	uint64_t root;       /* catalog id shown as FUSE_ROOT_ID */
	uid_t owner;         /* may read: the mount's owner, root, group gid */
	gid_t gid;
	bool gid_set;
	uid_t run_uid;       /* privdrop.c: whom the daemon becomes once mounted */
	gid_t run_gid;
	bool shared;         /* allow_other: default_permissions, modes without
			      * bits for others (fill_stat) */
	int objects;         /* fd of STORE/objects: blobs are opened beneath it */
	int ra_fd;           /* readahead.c: the bdi's read_ahead_kb, opened
			      * while root; -1 */
	/* an org's mount shows that org's totals in statfs: counted at mount,
	 * grown by watch.c (atomic) */
	uint64_t org_nodes, org_files, org_bytes;
	int64_t fd_log_at;   /* when running out of descriptors was last logged */
	double timeout;      /* entry/attr cache: long, new entries are notified */
	char *mountpoint;    /* absolute path */
	unsigned read_ahead_kb; /* the mount's readahead window; 0: kernel's */
	bool inited;         /* the kernel has our INIT reply (atomic) */
	struct fuse_session *se;
	bool noverify;       /* -o noverify: serve blobs without chunk checks */
	pthread_key_t cat_key;  /* each worker thread's read-only catalog */
	pthread_key_t buf_key;  /* each worker thread's verify.c read buffer */
	pthread_t watcher;
	bool watching;
	pthread_mutex_t stop_lock;
	pthread_cond_t stop_cond;
	bool stop;              /* protected by stop_lock */
	/* how many opens each inode has (prefill.c: only the first open of
	 * an inode may be prefilled); full: no more prefills */
	pthread_mutex_t open_lock;
	struct fmfs_open { fuse_ino_t ino; unsigned n; } opens[4096];
	size_t nopens;          /* protected by open_lock */
	bool opens_full;        /* protected by open_lock */
	/* folders whose kernel-cached listing watch.c drops: a file in them
	 * was read, so the kernel forgot that file's atime and would ask a
	 * getattr on its next stat; a fresh readdirplus answers the whole
	 * folder in a few round trips (second rsync -a: 6x native -> ~1x) */
	pthread_mutex_t stale_lock;
	uint64_t stale[256];    /* protected by stale_lock */
	size_t nstale;          /* protected by stale_lock */
};

/* The calling thread's catalog connection (opened on first use); NULL on
 * error (logged): then fmfs_catalog_error() says why (-EMFILE, -EIO…). */
struct catalog *fmfs_catalog(struct fmfs *fs);
int fmfs_catalog_error(void);
/* Log (at most once a minute) that descriptors ran out while doing what. */
void fmfs_out_of_fds(struct fmfs *fs, const char *what, int rc);

/* privdrop.c: after mounting, run as uid/gid with no supplementary group,
 * no capability, PR_SET_NO_NEW_PRIVS and the seccomp filter. 1 (given up),
 * 0 (was not root: nothing to give up) or -errno with one line in err. */
int fmfs_privdrop(uid_t uid, gid_t gid, char *err, size_t errlen);
/* Raise the soft open-files limit to the hard one; the limit into *out. */
void fmfs_fd_limit_raise(unsigned long *out);

static inline uint64_t fmfs_node_id(const struct fmfs *fs, fuse_ino_t ino)
{
	return ino == FUSE_ROOT_ID ? fs->root : ino;
}

static inline fuse_ino_t fmfs_ino(const struct fmfs *fs, uint64_t id)
{
	return id == fs->root ? FUSE_ROOT_ID : id;
}

/* Does node n belong to this mount's tree (isolation of orgs)? */
static inline bool fmfs_node_visible(const struct fmfs *fs, const struct node *n)
{
	return fs->root == FM_ROOT_ID || n->id == fs->root || n->org == fs->root;
}

/* An open file (fi->fh): its blob's fd and which chunks have been checked
 * against their recorded XXH3-64 sums (verify.c). Memory: 8 bytes of sum
 * and 1 bit per MiB of the file, freed at release. */
struct fmfs_file {
	int fd;
	uint64_t id;
	int64_t size;
	char sha256[FM_SHA256_HEX + 1];
	uint32_t chunk_size;
	size_t nchunks;
	uint64_t *sums;          /* NULL: nothing left to check */
	unsigned long *verified; /* bit per chunk, set atomically */
	uint64_t parent;         /* ops.c: its folder, for fmfs_stale_add */
	unsigned char *chunk_sha; /* remote: each chunk's SHA-256 (32 bytes); a
				   * file of more than one chunk has fd -1 and
				   * is read through fmfs_remote_reply_read */
	struct cache *cache;     /* remote, one chunk: fd is unit's, held */
	struct cache_ref unit;
	size_t prefetched;       /* remote.c: chunks up to this one queued (atomic) */
	bool read;               /* ops.c: the kernel read through us (atomic) */
};

/* Open node n's blob for reading, with its chunk sums: 0 or -EIO (logged). */
int fmfs_file_open(struct fmfs *fs, const struct node *n, struct fmfs_file **out);
void fmfs_file_close(struct fmfs_file *f);
/* Check every chunk that [off, off + len) touches and was not checked
 * yet: 0, or -EIO (logged with the blob and the chunk). */
int fmfs_file_verify(struct fmfs *fs, struct fmfs_file *f, off_t off, size_t len);
/* Create the per-thread chunk buffers' key: 0 or -errno. */
int fmfs_verify_init(struct fmfs *fs);

void fmfs_ops_init(struct fuse_lowlevel_ops *ops); /* ops.c */
void fmfs_deny_init(struct fuse_lowlevel_ops *ops); /* deny.c */

/* Open the mount's readahead setting while still root (readahead.c)... */
void fmfs_readahead_open(struct fmfs *fs);
/* ...and widen the window once the kernel has processed INIT; a no-op
 * when it could not be opened. */
void fmfs_readahead_set(struct fmfs *fs);

int fmfs_watch_start(struct fmfs *fs); /* watch.c */
void fmfs_watch_stop(struct fmfs *fs);
/* prefill.c: count the opens of ino; true for the only one. */
bool fmfs_open_track(struct fmfs *fs, fuse_ino_t ino);
void fmfs_open_untrack(struct fmfs *fs, fuse_ino_t ino);
/* Put a small file's (verified) bytes into the kernel's page cache; call
 * before replying to its open, only when fmfs_open_track said first. */
void fmfs_prefill(struct fmfs *fs, fuse_ino_t ino, struct fmfs_file *f);

/* remote.c: open the remote source before mounting (sets fs->store to the
 * cache folder, fs->org, fs->remote): 0, -1 (mount failure) or -2 (usage),
 * with one line why. */
int fmfs_remote_open(struct fmfs *fs, const struct fmfs_remote_opts *o, char *why,
		     size_t whylen);
int fmfs_remote_start(struct fmfs *fs); /* the poll thread */
void fmfs_remote_close(struct fmfs *fs); /* after fs->stop is set */
/* Fill f's remote part (chunk hashes; the fd of a one-chunk file, fetched
 * into the cache): 0 or -EIO (logged). */
int fmfs_remote_file_open(struct fmfs *fs, struct fmfs_file *f);
/* Reply to a read of [off, off + size) of a chunked remote file: spliced
 * from the cached chunks (fetched and checked first if missing; the next
 * ones queued for prefetch), or EIO (logged once). */
void fmfs_remote_reply_read(fuse_req_t req, struct fmfs *fs, struct fmfs_file *f,
			    size_t size, off_t off);
/* The status xattrs of a remote mount's root (user.fmfs.remote.*; asked by
 * name, not listed): 0 or -ENODATA. */
int fmfs_remote_xattr(struct fmfs *fs, const char *name, char *out, size_t outlen);

/* Have watch.c drop folder id's cached listing (with the next poll). */
void fmfs_stale_add(struct fmfs *fs, uint64_t id);

#endif
