/* catalog.h - the public interface of the fmfs storage library: the SQLite
 * catalog (nodes, documents, audit log), the content-addressed blob store,
 * name and period rules, and the ingest transaction. fmfs and fmctl link it;
 * nothing else touches SQL or the blob layout. */
#ifndef FMFS_CATALOG_H
#define FMFS_CATALOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>

#define FM_SCHEMA_VERSION 4
#define FM_APPLICATION_ID 0x464d4653 /* "FMFS" */
#define FM_NAME_MAX 255
#define FM_SHA256_HEX 64
#define FM_ROOT_ID 1 /* node id of the operator's root (one folder per org) */
#define FM_CHUNK_SIZE (1u << 20) /* bytes per XXH3-64 chunk checksum */
/* What a catalog may state, checked on every read (a crafted catalog is
 * input like any other): sizes up to 1 PiB, times 0 .. 9999-12-31. */
#define FM_SIZE_MAX (INT64_C(1) << 50)
#define FM_TIME_MAX INT64_C(253402300799)

/* ---- logging (log.c) ---------------------------------------------------- */

enum fm_log_level { FM_LOG_ERROR, FM_LOG_WARNING, FM_LOG_INFO, FM_LOG_DEBUG };

/* Messages at or below this level are printed to stderr; default FM_LOG_WARNING. */
void fm_log_set_level(enum fm_log_level level);
void fm_log(enum fm_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ---- names, orgs, periods and dates (name.c) ----------------------------- */

/* Why name is not a valid node name, or NULL if it is. Static string. */
const char *name_invalid_reason(const char *name);
bool name_is_valid(const char *name);
/* NFC form of a valid name into out (FM_NAME_MAX + 1 bytes). Returns 0,
 * -EINVAL (not a valid name, before or after normalisation). */
int name_normalize(const char *name, char out[FM_NAME_MAX + 1]);
/* Is org a valid organisation domain (lowercase a-z, 0-9, dot, dash; 1 to 253 bytes)? */
bool org_is_valid(const char *org);

/* Parse "YYYY-MM" (a real month, 1970..9999) into *year and *month. */
bool period_parse(const char *s, int *year, int *month);
/* Parse "YYYY-MM-DD" (a real date) into seconds since the epoch, UTC. */
bool date_parse(const char *s, int64_t *out);

/* ---- input files (input.c) ----------------------------------------------- */

/* Open a file given as input, read-only: fd, or -errno with *why set when
 * the file itself is refused (a FIFO, device, socket, folder, a file of
 * /proc or /sys: -EINVAL, at once, never blocking). A symbolic link is read
 * as the file it names. */
int input_open(const char *path, const char **why);
/* The same as a stdio stream: NULL with errno and *why (always set then). */
FILE *input_fopen(const char *path, const char **why);

/* ---- the catalog (db.c, node.c) ------------------------------------------ */

struct catalog; /* one SQLite connection; not shared between threads */

enum catalog_flags {
	CATALOG_READONLY = 1, /* fmfs: SQLITE_OPEN_READONLY + query_only */
	CATALOG_CREATE = 2,   /* fmctl init: make a new store */
};

/* Open STORE/catalog.db (and check STORE/objects). Migrates an older schema
 * forward unless CATALOG_READONLY. Returns 0 or -errno; on failure writes one
 * line "why" into err (may be NULL). Caller frees with catalog_close().
 *
 * The catalog is treated as hostile input (a store others can write, a
 * catalog fetched from a mirror): catalog.db and its -wal/-shm must not be
 * symbolic links; SQLite runs in defensive mode with trusted_schema=OFF;
 * nodes, documents, chunks, stats and audit must be plain tables (no view,
 * no virtual table may stand in for them); every statement must yield each
 * row within a time limit (FMFS_QUERY_LIMIT_MS; default 5 s read-only, 120 s
 * read-write), else it fails with -EIO ("interrupted"); and every value read
 * is range-checked (FM_SIZE_MAX, FM_TIME_MAX, sha256_is_valid, names):
 * a row out of range is -EIO, logged, never used. */
int catalog_open(const char *store, int flags, struct catalog **out,
		 char *err, size_t errlen);
void catalog_close(struct catalog *cat);
const char *catalog_store(const struct catalog *cat);
/* Run one statement that returns no rows (BEGIN IMMEDIATE, COMMIT, ROLLBACK,
 * a WAL checkpoint); a failure is logged. 0 or -errno. */
int catalog_tx(struct catalog *cat, const char *sql);
/* The last SQLite error message of cat, valid until the next call on cat. */
const char *catalog_errmsg(struct catalog *cat);
/* SQLite's page cache of this connection, in MiB (default 2; fmfs 1). A
 * tool that walks a large index several times sets more. 0 or -EIO. */
int catalog_cache_mib(struct catalog *cat, int mib);

enum node_type { NODE_DIR = 'd', NODE_FILE = 'f' };

struct node {
	uint64_t id;     /* inode number; never reused */
	uint64_t parent; /* 0 for the root */
	uint64_t org;    /* node id of the org folder it lives under, 0 above */
	char type;       /* NODE_DIR or NODE_FILE */
	int64_t size;    /* bytes; 0 for folders */
	int64_t mtime;   /* document date (files), last child added (folders) */
	int64_t ctime;   /* ingest time */
	uint32_t nsubdirs;               /* folders: number of child folders */
	char sha256[FM_SHA256_HEX + 1];  /* files: blob name; "" for folders */
	char name[FM_NAME_MAX + 1];
};

/* The ctime every view of the archive shows for n (fmfs's stat): for a file
 * its ingest instant (never before its document date) with the node id
 * modulo 10^9 as nanoseconds, so the files of one batch have distinct ctimes
 * in the order they were added, the same on every mount (backup tools such
 * as borg read again every file whose ctime equals the newest they saw);
 * for a folder the time its last child was added. */
struct timespec node_ctime(const struct node *n);

/* Each returns 0, -ENOENT, -EBUSY (another connection holds a lock longer
 * than the busy timeout) or -EIO (both logged). *out set on success. */
int node_get(struct catalog *cat, uint64_t id, struct node *out);
int node_lookup(struct catalog *cat, uint64_t parent, const char *name,
		struct node *out);
/* Resolve "/a/b/c" (or "a/b/c") from the root. 0, -ENOENT, -ENOTDIR (a
 * file in the middle), -ENAMETOOLONG (a component over FM_NAME_MAX bytes),
 * -EBUSY, -EIO. */
int node_resolve(struct catalog *cat, const char *path, struct node *out);
/* The id of org's folder: 0 or -ENOENT. */
int node_org(struct catalog *cat, const char *org, uint64_t *out);

/* Calls fn for each child of parent with id > after, in id order (stable:
 * new children always come last), until fn returns non-zero. Returns 0,
 * the non-zero value fn returned, or -EIO. */
typedef int (*node_fn)(void *arg, const struct node *n);
int node_list(struct catalog *cat, uint64_t parent, uint64_t after,
	      node_fn fn, void *arg);
/* Calls fn for every node with id > after, in id order (what was added). */
int node_since(struct catalog *cat, uint64_t after, node_fn fn, void *arg);
/* Highest node id so far (= number of nodes: ids are never skipped). */
int catalog_max_id(struct catalog *cat, uint64_t *out);

struct catalog_stats {
	uint64_t nodes;
	uint64_t files;
	uint64_t bytes; /* sum of file sizes as listed (a shared blob counts twice) */
};
int catalog_stats(struct catalog *cat, struct catalog_stats *out);
/* The same for one org's folder and everything under it (a full scan:
 * fmfs counts once at mount, then adds what it is told of). */
int catalog_org_stats(struct catalog *cat, uint64_t org, struct catalog_stats *out);

/* Document metadata of a file node (the xattrs). */
struct document {
	char org[FM_NAME_MAX + 1];
	char kind[16];
	char direction[16];   /* "" when not applicable */
	char period[8];       /* YYYY-MM */
	int64_t doc_date;
	int64_t ingested_at;
	char original_name[FM_NAME_MAX + 1];
	char ingested_by[128];
	uint64_t container;   /* zip node this was extracted from, or 0 */
};
int document_get(struct catalog *cat, uint64_t id, struct document *out);

/* Audit log, oldest first: fn gets each entry's fields (at: seconds UTC;
 * the strings are valid during the call only) and stops the walk by
 * returning non-zero, which audit_list returns. 0, -EBUSY or -EIO. */
typedef int (*audit_fn)(void *arg, int64_t at, const char *who,
			const char *action, const char *detail);
int audit_list(struct catalog *cat, audit_fn fn, void *arg);

/* ---- blobs (blob.c) ------------------------------------------------------- */

/* Is s a blob name: exactly FM_SHA256_HEX lowercase hex digits? */
bool sha256_is_valid(const char *s);
/* STORE/objects/ab/cdef... for a hex digest (for messages); out should hold
 * PATH_MAX. */
void blob_path(const char *store, const char *sha256, char *out, size_t outlen);
/* An fd (O_PATH) of STORE/objects, which must be a real folder, not a
 * symbolic link: for blob_openat(). Returns fd or -errno. */
int blob_dir_open(const char *store);
/* Open blob sha256 read-only, trusting nothing on disk: sha256 must be a
 * blob name (sha256_is_valid); it is opened beneath objects/ without
 * following any symbolic link (openat2 RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS,
 * O_NOFOLLOW per component where openat2 is missing), non-blocking (a FIFO
 * never hangs the caller), and only if it is a regular file of size bytes
 * (size < 0: any size). Returns fd (blocking, at offset 0) or -errno:
 * -EINVAL not a blob name, -ENOENT missing, -ELOOP a symbolic link on the
 * way, -EMEDIUMTYPE not a regular file, -EBADMSG another size; blob_strerror()
 * says it in words. -EMFILE/-ENFILE: out of descriptors. */
int blob_openat(int objects, const char *sha256, int64_t size);
/* The same from the store's path (opens objects/ each time). */
int blob_open(const char *store, const char *sha256, int64_t size);
/* blob_open()'s errors in words ("not a regular file", …). */
const char *blob_strerror(int rc);
/* Open a blob as blob_open() does and check its bytes against its name
 * (SHA-256) before returning it, rewound: what every tool that reads
 * archived bytes uses. -EBADMSG: damaged. */
int blob_open_verified(const char *store, const char *sha256, int64_t size);

/* A blob being written: copy into a temp file in STORE/objects while
 * hashing (SHA-256 for its name, XXH3-64 per FM_CHUNK_SIZE chunk for the
 * read-time check); blob_commit_many() makes it durable under its name. The fd is
 * open only while the bytes are written. Whoever makes temps holds the
 * store's ingest lock (blob_ingest_lock) until they are committed or
 * discarded: fmctl verify --repair removes temps only when it can take that
 * lock exclusively (no ingest is running). */
struct blob_tmp {
	int fd;
	char tmp[4096];  /* STORE/objects/tmp-XXXXXX, for messages and libzip */
	char name[32];   /* tmp-XXXXXX: used beneath an objects/ fd */
	char sha256[FM_SHA256_HEX + 1];
	int64_t size;
	bool created; /* set by blob_commit_many: a new blob was stored */
	bool replace; /* set by the caller: the stored blob of this name is
		       * damaged; blob_commit_many renames these over it */
	uint64_t *sums; /* one XXH3-64 per chunk; freed by blob_discard */
	size_t nsums;
	void *chunk_state; /* private: the running chunk's XXH3 state */
	uint32_t chunk_fill;
};
/* Take the store's ingest lock (shared; STORE/.ingest-lock, never through
 * a symbolic link): an fd to close when done, or -errno. */
int blob_ingest_lock(const char *store);
/* The same lock exclusive without waiting (fmctl verify --repair): fd,
 * -EWOULDBLOCK while an ingest runs, or -errno. */
int blob_ingest_lock_excl(const char *store);
/* Copy fd src (to EOF) into a new temp blob. 0 or -errno (temp removed). */
int blob_write_fd(const char *store, int src, struct blob_tmp *out);
/* Same from memory; content already stored gets no temp (fd -1), only its
 * sums. */
int blob_write_mem(const char *store, const void *buf, size_t len,
		   struct blob_tmp *out);
/* Same from a producer: fill(arg, buf, len) returns bytes (> 0), 0 at the
 * end, or -errno, which is passed through (the temp removed). */
typedef ssize_t (*blob_fill_fn)(void *arg, void *buf, size_t len);
int blob_write_cb(const char *store, blob_fill_fn fill, void *arg,
		  struct blob_tmp *out);
/* Make n written temps durable under their names objects/ab/cdef…: an
 * existing blob of that name stands only if its bytes hash to its name,
 * otherwise the new copy replaces it (renamed over it: atomic). One temp is
 * fsynced, linked and its folder fsynced;
 * more take one syncfs() for the bytes, the links, one syncfs() for the
 * names. 0 or -errno; the temp names are gone either way, the sums stay
 * until blob_discard(). */
int blob_commit_many(const char *store, struct blob_tmp *const *b, size_t n);
/* Remove the temp file of an uncommitted blob, close its fd, free its sums.
 * Safe to call twice. */
void blob_discard(struct blob_tmp *b);
/* Hand an uncommitted blob (temp, fd, sums) from one owner to another;
 * from is left empty (blob_discard on it is a no-op). */
void blob_move(struct blob_tmp *to, struct blob_tmp *from);
/* Hash a blob file and compare with its name: 0, -EBADMSG (mismatch),
 * -ENOENT, -EIO, or blob_open()'s errors. */
int blob_verify(const char *store, const char *sha256);
/* The same on an open blob fd (read from offset 0 to EOF). */
int blob_verify_fd(int fd, const char *sha256);
/* Hash of len bytes (hex into out[65]). */
void sha256_hex(const void *buf, size_t len, char out[FM_SHA256_HEX + 1]);
/* The XXH3-64 checksum of one chunk. */
uint64_t blob_chunk_sum(const void *buf, size_t len);

/* What a blob file holds, read in one pass: its SHA-256, size and chunk
 * sums. Caller frees sums with free(). 0, -ENOENT, -EIO. */
struct blob_scan {
	char sha256[FM_SHA256_HEX + 1];
	int64_t size;
	uint64_t *sums;
	size_t nsums;
};
int blob_scan_fd(int fd, struct blob_scan *out);

/* ---- chunk checksums in the catalog (chunks.c, schema v2) ---------------- */

/* The chunk sums recorded for blob sha256: *sums (caller frees) holds *n
 * values for chunks of *chunk_size bytes. 0, -ENOENT (none recorded: a blob
 * from a version-1 catalog), -EIO. */
int chunks_get(struct catalog *cat, const char *sha256, uint32_t *chunk_size,
	       uint64_t **sums, size_t *n);
/* Record them (no-op if already recorded). Needs a writable catalog. */
int chunks_put(struct catalog *cat, const char *sha256, uint32_t chunk_size,
	       const uint64_t *sums, size_t n);
/* How many chunks a blob of size bytes has. */
static inline size_t chunks_count(int64_t size, uint32_t chunk_size)
{
	return size <= 0 ? 0 : (size_t)((size + chunk_size - 1) / chunk_size);
}

/* ---- scrubbing the store (scrub.c): what fmctl verify reports ----------- */

enum scrub_kind {
	SCRUB_CATALOG, /* catalog.db fails PRAGMA quick_check */
	SCRUB_MODE,    /* a store path that others may read or write */
	SCRUB_MISSING, /* a blob a catalog row uses is not there */
	SCRUB_DAMAGED, /* its size, SHA-256 or a chunk sum differs */
	SCRUB_ORPHAN,  /* a blob no catalog row uses (an interrupted ingest) */
	SCRUB_TEMP,    /* a temp file left by an interrupted ingest */
	SCRUB_IN_USE,  /* an orphan or temp a running ingest holds: left alone */
	SCRUB_STRAY,   /* something else in objects/: reported, left alone */
	SCRUB_SUMS,    /* a blob of a version-1 catalog got its chunk sums */
};

struct scrub_report {
	enum scrub_kind kind;
	const char *path;    /* the file concerned */
	const char *detail;  /* why; for blobs, also the archive paths using it */
	bool repaired;       /* --repair fixed it (removed, chmod o-rwx, recorded) */
};
typedef void (*scrub_fn)(void *arg, const struct scrub_report *r);

struct scrub_totals {
	uint64_t blobs, bytes, damaged, missing, orphans, temps, in_use, strays,
		 modes, sums_added;
	bool catalog_bad;
};

/* Check everything: the catalog (quick_check), the modes of the store, every
 * blob a row uses (size, SHA-256, chunk sums: one read), and objects/ for
 * orphans and temps. With repair: remove orphans and temps no running
 * ingest holds (under the catalog's write lock, re-checking that no row uses
 * them), chmod o-rwx, record missing chunk sums of good blobs. Never removes
 * anything a row references. fn gets each finding. 0, or -errno if the scrub
 * itself could not run. */
int catalog_scrub(struct catalog *cat, bool repair, scrub_fn fn, void *arg,
		  struct scrub_totals *out);

/* ---- usage record identities (records.c) ---------------------------------- */

/* The identity of every archived usage record of an org (org = the node id
 * of its folder): record_id -> fp (a fingerprint of its rated fields, made
 * by the billing code) and the node of the file holding it; call legs
 * (txn, leg) -> record_id. Lookups: 0, -ENOENT, -EIO (logged). */
int record_get(struct catalog *cat, uint64_t org, const char *rid,
	       uint64_t *fp, uint64_t *node);
/* The record_id holding call leg (txn, leg) into rid (ridlen bytes). */
int record_leg_get(struct catalog *cat, uint64_t org, const char *txn,
		   const char *leg, char *rid, size_t ridlen);
/* Index one record (and its call leg unless txn is NULL), inside a write
 * transaction (an ingest hook, or record_batch_begin()). Returns 0, -EEXIST
 * (the record_id is indexed already), -EADDRINUSE (the leg is), -EIO. */
int record_put(struct catalog *cat, uint64_t org, const char *rid, uint64_t fp,
	       uint64_t node, const char *txn, const char *leg);
/* The call leg part of record_put() alone: 0, -EADDRINUSE, -EIO. */
int record_leg_put(struct catalog *cat, uint64_t org, const char *txn,
		   const char *leg, const char *rid);
/* Has the file node been indexed (1) or not (0)? Or -EIO. */
int record_file_indexed(struct catalog *cat, uint64_t node);
/* Note that the file node is indexed (in the same transaction). 0 or -EIO. */
int record_file_mark(struct catalog *cat, uint64_t node);
/* A write transaction for indexing files already archived; end it with
 * commit true (0 or -errno, logged) or false (rolled back). */
int record_batch_begin(struct catalog *cat);
int record_batch_end(struct catalog *cat, bool commit);

/* ---- ingest (ingest.c) ---------------------------------------------------- */

/* Where a document goes: kind "invoice"|"soa" need direction
 * "incoming"|"outgoing"; "usage"|"revenue"|"report" take none. */
struct ingest_item {
	const char *org;
	const char *kind;
	const char *direction; /* NULL or "" when not applicable */
	const char *period;    /* YYYY-MM */
	const char *name;      /* file name in the archive */
	int64_t doc_date;      /* seconds UTC: the file's mtime */
	const char *source;    /* shown in messages and the original name */
	/* a zip whose entries are also archived, unzipped, into this folder
	 * (relative to the org, e.g. "Revenue/2026-10"); NULL: a plain file.
	 * Which zips are unzipped where is the caller's policy. */
	const char *unzip_into;
	/* content: either a path, or memory */
	const char *path;
	const void *data;
	size_t len;
};

struct ingest; /* one all-or-nothing batch; caller frees with ingest_close() */

int ingest_open(struct catalog *cat, const char *who, struct ingest **out);
/* Validate the item and copy its content into a temp blob. Returns 0 or
 * -errno with a one-line reason in ingest_error(). Nothing is visible until
 * ingest_commit(). */
int ingest_add(struct ingest *in, const struct ingest_item *item);
/* Called by ingest_commit() inside its write transaction once every item
 * has its node: ids[i] is the node of item i (ingest_count() before its
 * ingest_add(); entries of a zip and derived files follow). Returns 0, or
 * -errno with a one-line reason in why: then nothing is committed. */
typedef int (*ingest_hook)(void *arg, struct catalog *cat, const uint64_t *ids,
			   size_t n, char *why, size_t whylen);
/* The number of items in the batch so far: the index the next item added
 * will have in the hook's ids. */
size_t ingest_count(const struct ingest *in);
void ingest_set_hook(struct ingest *in, ingest_hook fn, void *arg);
/* Commit every added item in one transaction. Items already archived with
 * identical content are no-ops; *added counts the new files. On any error
 * nothing is committed and the temp blobs are removed. */
int ingest_commit(struct ingest *in, size_t *added, size_t *unchanged);
/* One line saying what went wrong last, valid until the next call. */
const char *ingest_error(const struct ingest *in);
/* Discard what was not committed and free. NULL is a no-op. */
void ingest_close(struct ingest *in);
/* Files made from others (the .xlsx view of a CSV, which the catalog does
 * not know how to make): for each file the batch adds that is not already
 * archived (zip entries included), fn(arg, name, fd, ...) reads its bytes
 * from fd (at offset 0; the caller closes it) and either names one more
 * file for the same folder, returning 1 with out_name and *out_fd (read
 * from offset 0, closed by the ingest), or returns 0 (nothing derives from
 * name), or -errno with one line in why, which fails the ingest_add. The
 * derived file joins the batch right after its source, with the same
 * document data, and is committed or dropped with it; nothing is derived
 * from a derived file. Set before the first ingest_add. */
typedef int (*ingest_derive_fn)(void *arg, const char *name, int fd,
				char out_name[FM_NAME_MAX + 1], int *out_fd,
				char *why, size_t whylen);
void ingest_set_derive(struct ingest *in, ingest_derive_fn fn, void *arg);

/* tree.c: the archive's tree policy. The folders every org gets, parents
 * before children, created with the org. */
#define TREE_ORG_NFOLDERS 9
extern const char *const tree_org_folders[TREE_ORG_NFOLDERS];
/* The archive folder (relative to the org) for kind/direction/period, e.g.
 * "Invoices/Incoming/2026-10", "Revenue". Returns 0 or -EINVAL with reason. */
int tree_folder(const char *kind, const char *direction, const char *period,
		char *out, size_t outlen, const char **why);

#endif
