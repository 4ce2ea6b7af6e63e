/* db.c - opening the catalog: checks that a file is an fmfs catalog of a
 * schema we know, pragmas, the schema and its forward migrations, and the
 * triggers that make archived rows append-only inside SQLite itself. A
 * catalog is input like any other: defensive mode, trusted_schema=OFF, no
 * symbolic links, plain tables only, and a time limit on every statement. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "db_internal.h"

static const char *const stmt_sql[STMT__COUNT] = {
	[STMT_NODE_GET] = "SELECT id,parent,org,type,size,mtime,ctime,nsubdirs,"
			  "ifnull(sha256,''),name FROM nodes WHERE id=?1",
	[STMT_NODE_LOOKUP] = "SELECT id,parent,org,type,size,mtime,ctime,nsubdirs,"
			     "ifnull(sha256,''),name FROM nodes "
			     "WHERE parent=?1 AND name=?2",
	[STMT_NODE_LIST] = "SELECT id,parent,org,type,size,mtime,ctime,nsubdirs,"
			   "ifnull(sha256,''),name FROM nodes "
			   "WHERE parent=?1 AND id>?2 ORDER BY id",
	[STMT_NODE_SINCE] = "SELECT id,parent,org,type,size,mtime,ctime,nsubdirs,"
			    "ifnull(sha256,''),name FROM nodes "
			    "WHERE id>?1 ORDER BY id",
	[STMT_MAX_ID] = "SELECT ifnull(max(id),0) FROM nodes",
	[STMT_STATS] = "SELECT nodes,files,bytes FROM stats WHERE id=1",
	[STMT_DOCUMENT_GET] = "SELECT org,kind,ifnull(direction,''),period,"
			      "doc_date,ingested_at,original_name,ingested_by,"
			      "ifnull(container,0) FROM documents WHERE node_id=?1",
	[STMT_CHUNKS_GET] = "SELECT chunk_size,sums FROM chunks WHERE sha256=?1",
	[STMT_CHUNKS_PUT] = "INSERT OR IGNORE INTO chunks(sha256,chunk_size,sums)"
			    " VALUES (?1,?2,?3)",
	[STMT_RECORD_GET] = "SELECT fp,node FROM usage_records WHERE org=?1 AND rid=?2",
	[STMT_RECORD_LEG_GET] = "SELECT rid FROM usage_legs WHERE org=?1 AND txn=?2"
				" AND leg=?3",
	[STMT_RECORD_PUT] = "INSERT INTO usage_records(org,rid,fp,node)"
			    " VALUES (?1,?2,?3,?4)",
	[STMT_RECORD_LEG_PUT] = "INSERT INTO usage_legs(org,txn,leg,rid)"
				" VALUES (?1,?2,?3,?4)",
	[STMT_RECORD_FILE_GET] = "SELECT 1 FROM usage_files WHERE node=?1",
	[STMT_RECORD_FILE_PUT] = "INSERT OR IGNORE INTO usage_files(node) VALUES (?1)",
};

/* Version 1: the whole schema; each later version is one forward step. */
static const char *const migrations[] = {
	[1] = "CREATE TABLE nodes("
	      " id INTEGER PRIMARY KEY AUTOINCREMENT,"
	      " parent INTEGER NOT NULL,"
	      " org INTEGER NOT NULL,"
	      " type TEXT NOT NULL CHECK (type IN ('d','f')),"
	      " name TEXT NOT NULL,"
	      " size INTEGER NOT NULL DEFAULT 0 CHECK (size >= 0),"
	      " mtime INTEGER NOT NULL,"
	      " ctime INTEGER NOT NULL,"
	      " nsubdirs INTEGER NOT NULL DEFAULT 0,"
	      " sha256 TEXT CHECK ((type = 'f') = (sha256 IS NOT NULL)),"
	      " UNIQUE (parent, name));"
	      "CREATE INDEX nodes_by_parent ON nodes(parent, id);"
	      "CREATE INDEX nodes_by_sha256 ON nodes(sha256) WHERE sha256 IS NOT NULL;"
	      "CREATE TABLE documents("
	      " node_id INTEGER PRIMARY KEY REFERENCES nodes(id),"
	      " org TEXT NOT NULL, kind TEXT NOT NULL, direction TEXT,"
	      " period TEXT NOT NULL, doc_date INTEGER NOT NULL,"
	      " original_name TEXT NOT NULL, size INTEGER NOT NULL,"
	      " sha256 TEXT NOT NULL, ingested_at INTEGER NOT NULL,"
	      " ingested_by TEXT NOT NULL, container INTEGER REFERENCES nodes(id));"
	      "CREATE TABLE audit("
	      " id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL,"
	      " who TEXT NOT NULL, action TEXT NOT NULL, detail TEXT NOT NULL);"
	      "CREATE TABLE stats(id INTEGER PRIMARY KEY CHECK (id = 1),"
	      " nodes INTEGER NOT NULL, files INTEGER NOT NULL, bytes INTEGER NOT NULL);"
	      "INSERT INTO stats VALUES (1, 0, 0, 0);"
	      /* append-only, enforced by SQLite itself */
	      "CREATE TRIGGER nodes_no_delete BEFORE DELETE ON nodes BEGIN"
	      " SELECT RAISE(ABORT, 'fmfs: archived nodes cannot be deleted'); END;"
	      "CREATE TRIGGER nodes_no_update BEFORE UPDATE ON nodes WHEN"
	      " OLD.type <> 'd' OR NEW.id IS NOT OLD.id OR NEW.parent IS NOT OLD.parent"
	      " OR NEW.org IS NOT OLD.org OR NEW.type IS NOT OLD.type"
	      " OR NEW.name IS NOT OLD.name OR NEW.size IS NOT OLD.size"
	      " OR NEW.ctime IS NOT OLD.ctime OR NEW.sha256 IS NOT OLD.sha256"
	      " OR NEW.mtime < OLD.mtime OR NEW.nsubdirs < OLD.nsubdirs BEGIN"
	      " SELECT RAISE(ABORT, 'fmfs: archived nodes cannot be changed'); END;"
	      "CREATE TRIGGER documents_no_delete BEFORE DELETE ON documents BEGIN"
	      " SELECT RAISE(ABORT, 'fmfs: archived documents cannot be deleted'); END;"
	      "CREATE TRIGGER documents_no_update BEFORE UPDATE ON documents BEGIN"
	      " SELECT RAISE(ABORT, 'fmfs: archived documents cannot be changed'); END;"
	      "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN"
	      " SELECT RAISE(ABORT, 'fmfs: the audit log cannot be deleted'); END;"
	      "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN"
	      " SELECT RAISE(ABORT, 'fmfs: the audit log cannot be changed'); END;"
	      "CREATE TRIGGER stats_no_delete BEFORE DELETE ON stats BEGIN"
	      " SELECT RAISE(ABORT, 'fmfs: stats cannot be deleted'); END;"
	      /* a folder's mtime and subfolder count follow its children */
	      "CREATE TRIGGER nodes_added AFTER INSERT ON nodes BEGIN"
	      " UPDATE stats SET nodes = nodes + 1, files = files + (NEW.type = 'f'),"
	      "  bytes = bytes + NEW.size WHERE id = 1;"
	      " UPDATE nodes SET mtime = max(mtime, NEW.ctime),"
	      "  nsubdirs = nsubdirs + (NEW.type = 'd') WHERE id = NEW.parent; END;"
	      "INSERT INTO nodes(id, parent, org, type, name, mtime, ctime)"
	      " VALUES (1, 0, 0, 'd', '', strftime('%s','now'), strftime('%s','now'));",
	/* Version 2: per-chunk XXH3-64 checksums of each blob, checked by fmfs
	 * the first time a chunk is read. Blobs stored under version 1 have
	 * none until fmctl verify --repair has checked their SHA-256. */
	[2] = "CREATE TABLE chunks("
	      " sha256 TEXT PRIMARY KEY,"
	      " chunk_size INTEGER NOT NULL CHECK (chunk_size > 0),"
	      " sums BLOB NOT NULL CHECK (length(sums) % 8 = 0)) WITHOUT ROWID;"
	      "CREATE TRIGGER chunks_no_delete BEFORE DELETE ON chunks BEGIN"
	      " SELECT RAISE(ABORT, 'fmfs: chunk checksums cannot be deleted'); END;"
	      "CREATE TRIGGER chunks_no_update BEFORE UPDATE ON chunks BEGIN"
	      " SELECT RAISE(ABORT, 'fmfs: chunk checksums cannot be changed'); END;",
	/* Version 3: the remote share (docs/remote.md). Per-chunk SHA-256 of
	 * each blob, so that a client fetching one chunk by Range can check it
	 * against the signed catalog (recorded by fmctl publish for every blob
	 * it uploads); and the last revision published to each destination
	 * (or, in a client's catalog, the revision applied): bookkeeping that
	 * moves forward, so not append-only. */
	[3] = "CREATE TABLE chunk_sha256("
	      " sha256 TEXT PRIMARY KEY,"
	      " chunk_size INTEGER NOT NULL CHECK (chunk_size > 0),"
	      " sums BLOB NOT NULL CHECK (length(sums) % 32 = 0)) WITHOUT ROWID;"
	      "CREATE TRIGGER chunk_sha256_no_delete BEFORE DELETE ON chunk_sha256 BEGIN"
	      " SELECT RAISE(ABORT, 'fmfs: chunk checksums cannot be deleted'); END;"
	      "CREATE TRIGGER chunk_sha256_no_update BEFORE UPDATE ON chunk_sha256 BEGIN"
	      " SELECT RAISE(ABORT, 'fmfs: chunk checksums cannot be changed'); END;"
	      "CREATE TABLE remote_state("
	      " place TEXT PRIMARY KEY, org TEXT NOT NULL,"
	      " revision INTEGER NOT NULL, through INTEGER NOT NULL,"
	      " state TEXT NOT NULL, delta TEXT NOT NULL,"
	      " published INTEGER NOT NULL, expires INTEGER NOT NULL);",
	/* Version 4: the identity of every archived usage record, per org
	 * (records.c): record_id -> fingerprint of its rated fields and the
	 * file holding it; call legs -> record_id; the usage files indexed.
	 * Empty after migrating: fmctl usage indexes an org's archived usage
	 * files the first time it meets the org. */
	[4] = "CREATE TABLE usage_records("
	      " org INTEGER NOT NULL, rid TEXT NOT NULL, fp INTEGER NOT NULL,"
	      " node INTEGER NOT NULL, PRIMARY KEY (org, rid)) WITHOUT ROWID;"
	      "CREATE TABLE usage_legs("
	      " org INTEGER NOT NULL, txn TEXT NOT NULL, leg TEXT NOT NULL,"
	      " rid TEXT NOT NULL, PRIMARY KEY (org, txn, leg)) WITHOUT ROWID;"
	      "CREATE TABLE usage_files(node INTEGER PRIMARY KEY);"
	      "CREATE TRIGGER usage_records_no_change BEFORE UPDATE ON usage_records BEGIN"
	      " SELECT RAISE(ABORT, 'fmfs: archived record identities cannot be changed'); END;"
	      "CREATE TRIGGER usage_records_no_delete BEFORE DELETE ON usage_records BEGIN"
	      " SELECT RAISE(ABORT, 'fmfs: archived record identities cannot be deleted'); END;"
	      "CREATE TRIGGER usage_legs_no_change BEFORE UPDATE ON usage_legs BEGIN"
	      " SELECT RAISE(ABORT, 'fmfs: archived call legs cannot be changed'); END;"
	      "CREATE TRIGGER usage_legs_no_delete BEFORE DELETE ON usage_legs BEGIN"
	      " SELECT RAISE(ABORT, 'fmfs: archived call legs cannot be deleted'); END;"
	      "CREATE TRIGGER usage_files_no_delete BEFORE DELETE ON usage_files BEGIN"
	      " SELECT RAISE(ABORT, 'fmfs: the usage file index cannot be deleted'); END;",
};

int sqlite_to_errno(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_ROW:
	case SQLITE_DONE:
		return 0;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return -EBUSY;
	case SQLITE_NOMEM:
		return -ENOMEM;
	case SQLITE_READONLY:
		return -EROFS;
	case SQLITE_FULL:
		return -ENOSPC;
	case SQLITE_CANTOPEN:
		return -ENOENT;
	case SQLITE_CONSTRAINT:
		return -EEXIST;
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return -EACCES;
	default:
		return -EIO;
	}
}

int catalog_cache_mib(struct catalog *cat, int mib)
{
	char sql[64];

	snprintf(sql, sizeof(sql), "PRAGMA cache_size=-%d", mib * 1024);
	return catalog_exec(cat, sql, "cache size");
}

int catalog_exec(struct catalog *cat, const char *sql, const char *what)
{
	char *msg = NULL;
	int rc = sqlite3_exec(cat->db, sql, NULL, NULL, &msg);

	if (rc != SQLITE_OK) {
		fm_log(FM_LOG_ERROR, "%s/catalog.db: %s: %s", cat->store, what,
		       msg ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
		return sqlite_to_errno(rc);
	}
	return 0;
}

sqlite3_stmt *catalog_stmt(struct catalog *cat, enum stmt_id id)
{
	sqlite3_stmt *st = cat->stmt[id];
	int rc;

	if (st) {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
		return st;
	}
	rc = sqlite3_prepare_v3(cat->db, stmt_sql[id], -1,
				SQLITE_PREPARE_PERSISTENT, &st, NULL);
	if (rc != SQLITE_OK) {
		fm_log(FM_LOG_ERROR, "%s/catalog.db: prepare: %s", cat->store,
		       sqlite3_errmsg(cat->db));
		return NULL;
	}
	cat->stmt[id] = st;
	return st;
}

static int pragma_int(sqlite3 *db, const char *sql, int *out)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);

	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int(st, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc;
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Is path a whole SQLite file? Reads its 100-byte header through SQLite's
 * own file handle (never open()+close() the database: closing any fd of it
 * drops every POSIX lock this process holds on it, and a writer would then
 * checkpoint and delete the WAL under fmfs's other connections). Checks the
 * magic, a valid page size, and (when no write-ahead log could be extending
 * it) a file size that holds every page the header counts: a truncated
 * catalog is refused here, in constant time. The full PRAGMA quick_check is
 * O(rows): fmctl verify runs it, not every open (fmfs mounts in
 * milliseconds). */
static int check_header(sqlite3 *db, const char *path, char *err, size_t errlen)
{
	unsigned char head[100];
	char wal[4096 + 8];
	sqlite3_file *file = NULL;
	sqlite3_int64 size = 0;
	struct stat wst;
	uint32_t page, pages;

	if (sqlite3_file_control(db, "main", SQLITE_FCNTL_FILE_POINTER, &file) != SQLITE_OK ||
	    !file || !file->pMethods) {
		snprintf(err, errlen, "%s: cannot open", path);
		return -EIO;
	}
	if (file->pMethods->xFileSize(file, &size) != SQLITE_OK || size < 100 ||
	    file->pMethods->xRead(file, head, sizeof(head), 0) != SQLITE_OK ||
	    memcmp(head, "SQLite format 3", 16)) {
		snprintf(err, errlen, "%s: not an fmfs catalog (not a SQLite database)",
			 path);
		return -EINVAL;
	}
	page = (uint32_t)head[16] << 8 | head[17];
	if (page == 1)
		page = 65536;
	if (page < 512 || (page & (page - 1))) {
		snprintf(err, errlen, "%s: damaged catalog: bad page size %u in its header "
			 "(restore it from a backup)", path, page);
		return -EIO;
	}
	pages = be32(head + 28);
	snprintf(wal, sizeof(wal), "%s-wal", path);
	if (be32(head + 24) != be32(head + 92) || (stat(wal, &wst) == 0 && wst.st_size > 0))
		return 0; /* the header's page count is stale, or the log extends it */
	if (size % page || (uint64_t)size < (uint64_t)pages * page) {
		snprintf(err, errlen, "%s: damaged catalog: truncated to %lld bytes, its "
			 "header says %u pages of %u (restore it from a backup)", path,
			 (long long)size, pages, page);
		return -EIO;
	}
	return 0;
}

static int migrate(struct catalog *cat, int from, char *err, size_t errlen)
{
	char sql[128];
	int rc;

	for (int v = from + 1; v <= FM_SCHEMA_VERSION; v++) {
		rc = catalog_exec(cat, "BEGIN IMMEDIATE", "migrate");
		if (rc < 0)
			goto fail;
		rc = catalog_exec(cat, migrations[v], "migrate");
		if (rc == 0) {
			snprintf(sql, sizeof(sql),
				 "PRAGMA application_id=%d; PRAGMA user_version=%d",
				 FM_APPLICATION_ID, v);
			rc = catalog_exec(cat, sql, "migrate");
		}
		if (rc == 0)
			rc = catalog_exec(cat, "COMMIT", "migrate");
		if (rc < 0) {
			sqlite3_exec(cat->db, "ROLLBACK", NULL, NULL, NULL);
			goto fail;
		}
	}
	return 0;
fail:
	snprintf(err, errlen, "%s/catalog.db: cannot migrate the schema to version %d: %s",
		 cat->store, FM_SCHEMA_VERSION, sqlite3_errmsg(cat->db));
	return rc;
}

static int busy_timeout_ms(void)
{
	const char *env = getenv("FMFS_BUSY_TIMEOUT_MS");

	return env && *env ? atoi(env) : 10000;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Every 10k virtual machine steps: has the running statement gone longer
 * than the limit without yielding a row? Then interrupt it (a crafted
 * catalog's recursive view, a quadratic query): the call fails, the
 * thread is free again. */
static int progress(void *arg)
{
	struct catalog *cat = arg;
	int64_t now;

	if (!cat->limit_ms)
		return 0;
	now = now_ms();
	if (!cat->start_ms) {
		cat->start_ms = now;
		return 0;
	}
	if (now - cat->start_ms <= cat->limit_ms)
		return 0;
	fm_log(FM_LOG_ERROR, "%s/catalog.db: a query ran for more than %lld ms "
	       "(FMFS_QUERY_LIMIT_MS): interrupted", cat->store, (long long)cat->limit_ms);
	return 1;
}

/* A statement starts, yields a row or ends: the clock starts again (time
 * the caller spends between rows is not the statement's). */
static int trace(unsigned type, void *arg, void *p, void *x)
{
	struct catalog *cat = arg;

	(void)type, (void)p, (void)x;
	cat->start_ms = 0;
	return 0;
}

int64_t catalog_time_limit(struct catalog *cat, int64_t ms)
{
	int64_t old = cat->limit_ms;

	cat->limit_ms = ms;
	cat->start_ms = 0;
	return old;
}

static int64_t query_limit_ms(int flags)
{
	const char *env = getenv("FMFS_QUERY_LIMIT_MS");

	if (env && *env)
		return atoll(env) > 0 ? atoll(env) : 0;
	return flags & CATALOG_READONLY ? 5000 : 120000;
}

/* The tables fmfs reads must be tables: a view or a virtual table named
 * like one (a recursive view "nodes" loops for ever) is refused. */
static int check_schema(sqlite3 *db, const char *path, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(db, "SELECT type, name, ifnull(sql,'') FROM sqlite_schema"
				    " WHERE type IN ('view') OR sql LIKE 'CREATE VIRTUAL%'"
				    " OR (name IN ('nodes','documents','audit','stats','chunks')"
				    " AND type <> 'table')", -1, &st, NULL);

	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "%s: not an fmfs catalog (%s)", path, sqlite3_errmsg(db));
		return -EINVAL;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		snprintf(err, errlen, "%s: not an fmfs catalog: %s '%s' does not belong in it",
			 path, (const char *)sqlite3_column_text(st, 0),
			 (const char *)sqlite3_column_text(st, 1));
	else if (rc != SQLITE_DONE)
		snprintf(err, errlen, "%s: not an fmfs catalog (%s)", path, sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -EINVAL;
}

/* catalog.db, -wal and -shm may not be symbolic links (SQLite would write
 * where they point, as root). */
static int check_links(const char *path, char *err, size_t errlen)
{
	static const char *const ext[] = { "", "-wal", "-shm", "-journal" };
	char p[4096 + 16];
	struct stat st;

	for (size_t i = 0; i < sizeof(ext) / sizeof(*ext); i++) {
		snprintf(p, sizeof(p), "%s%s", path, ext[i]);
		if (lstat(p, &st) == 0 && !S_ISREG(st.st_mode)) {
			snprintf(err, errlen, "%s: not a regular file (%s): refused", p,
				 S_ISLNK(st.st_mode) ? "a symbolic link" : "something else");
			return -ELOOP;
		}
	}
	return 0;
}

static int open_db(struct catalog *cat, const char *path, int flags, char *err,
		   size_t errlen)
{
	int oflags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW;
	int rc, app_id = 0, version = 0;

	rc = check_links(path, err, errlen);
	if (rc < 0)
		return rc;
	if (flags & CATALOG_READONLY)
		oflags |= SQLITE_OPEN_READONLY;
	else
		oflags |= SQLITE_OPEN_READWRITE |
			  (flags & CATALOG_CREATE ? SQLITE_OPEN_CREATE : 0);
	rc = sqlite3_open_v2(path, &cat->db, oflags, NULL);
	if (rc != SQLITE_OK) {
		int sys = cat->db ? sqlite3_system_errno(cat->db) : 0;

		snprintf(err, errlen, "%s: cannot open: %s", path,
			 cat->db ? sqlite3_errmsg(cat->db) : sqlite3_errstr(rc));
		if (sys == EMFILE || sys == ENFILE || sys == ENOMEM)
			return -sys; /* what ran out, not the catalog's fault */
		return sqlite_to_errno(rc) ? sqlite_to_errno(rc) : -EIO;
	}
	if (!(flags & CATALOG_CREATE)) {
		rc = check_header(cat->db, path, err, errlen);
		if (rc < 0)
			return rc;
	}
	sqlite3_extended_result_codes(cat->db, 1);
	sqlite3_busy_timeout(cat->db, busy_timeout_ms());
	/* hostile input: no writes to the schema, no functions with side
	 * effects from inside the schema, no statement without an end */
	sqlite3_db_config(cat->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	sqlite3_db_config(cat->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
	sqlite3_db_config(cat->db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 1, NULL);
	sqlite3_limit(cat->db, SQLITE_LIMIT_LENGTH, 1 << 27);
	cat->limit_ms = query_limit_ms(flags);
	sqlite3_progress_handler(cat->db, 10000, progress, cat);
	sqlite3_trace_v2(cat->db, SQLITE_TRACE_STMT | SQLITE_TRACE_ROW | SQLITE_TRACE_PROFILE,
			 trace, cat);
	rc = pragma_int(cat->db, "PRAGMA application_id", &app_id);
	if (rc == SQLITE_OK)
		rc = pragma_int(cat->db, "PRAGMA user_version", &version);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "%s: not an fmfs catalog (%s)", path,
			 sqlite3_errstr(rc));
		return -EINVAL;
	}
	if (!(flags & CATALOG_CREATE) && app_id != FM_APPLICATION_ID) {
		snprintf(err, errlen, "%s: not an fmfs catalog (application_id %#x)",
			 path, app_id);
		return -EINVAL;
	}
	if (!(flags & CATALOG_CREATE) || version > 0) {
		rc = check_schema(cat->db, path, err, errlen);
		if (rc < 0)
			return rc;
	}
	if (version > FM_SCHEMA_VERSION) {
		snprintf(err, errlen,
			 "%s: schema version %d is newer than this fmfs understands (%d)",
			 path, version, FM_SCHEMA_VERSION);
		return -EPROTO;
	}
	if (flags & CATALOG_READONLY) {
		if (version < FM_SCHEMA_VERSION) {
			snprintf(err, errlen,
				 "%s: schema version %d is older than %d: run 'fmctl verify --repair' once to migrate it",
				 path, version, FM_SCHEMA_VERSION);
			return -EPROTO;
		}
		/* no mmap: every catalog page a walk touches would count in
		 * the daemon's RSS (a find over 1M files: 200+ MiB); pages
		 * come from the kernel's page cache into 1 MiB of SQLite
		 * cache per connection (one per worker thread) */
		return catalog_exec(cat, "PRAGMA query_only=1; PRAGMA mmap_size=0;"
				    "PRAGMA cache_size=-1024;", "pragmas");
	}
	rc = catalog_exec(cat, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
			  "PRAGMA foreign_keys=ON;", "pragmas");
	if (rc < 0 && (sqlite3_errcode(cat->db) & 0xff) == SQLITE_CORRUPT) {
		snprintf(err, errlen, "%s is damaged: restore it from a backup (%s)", path,
			 sqlite3_errmsg(cat->db));
		return rc;
	}
	if (rc < 0) {
		snprintf(err, errlen, "%s: cannot set pragmas: %s", path,
			 sqlite3_errmsg(cat->db));
		return rc;
	}
	return version < FM_SCHEMA_VERSION ? migrate(cat, version, err, errlen) : 0;
}

int catalog_open(const char *store, int flags, struct catalog **out, char *err,
		 size_t errlen)
{
	char dummy[8], path[4096];
	struct catalog *cat;
	struct stat st;
	int rc;

	if (!err) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	*err = 0;
	snprintf(path, sizeof(path), "%s/catalog.db", store);
	if (flags & CATALOG_CREATE) {
		if (mkdir(store, 0750) < 0 && errno != EEXIST) {
			snprintf(err, errlen, "%s: cannot create: %s", store, strerror(errno));
			return -errno;
		}
		if (stat(path, &st) == 0) {
			snprintf(err, errlen, "%s: already an archive", store);
			return -EEXIST;
		}
		snprintf(path, sizeof(path), "%s/objects", store);
		if (mkdir(path, 0750) < 0 && errno != EEXIST) {
			snprintf(err, errlen, "%s: cannot create: %s", path, strerror(errno));
			return -errno;
		}
		rc = blob_ingest_lock(store); /* made here, so it is always there */
		if (rc < 0) {
			snprintf(err, errlen, "%s/.ingest-lock: cannot create: %s", store,
				 strerror(-rc));
			return rc;
		}
		close(rc);
		snprintf(path, sizeof(path), "%s/catalog.db", store);
	} else {
		if (stat(path, &st) < 0) {
			snprintf(err, errlen, "%s: not an fmfs archive (no catalog.db): %s",
				 store, strerror(errno));
			return -errno;
		}
	}
	cat = calloc(1, sizeof(*cat));
	if (!cat)
		return -ENOMEM;
	cat->store = strdup(store);
	cat->flags = flags;
	rc = cat->store ? open_db(cat, path, flags, err, errlen) : -ENOMEM;
	if (rc < 0) {
		catalog_close(cat);
		return rc;
	}
	*out = cat;
	return 0;
}

void catalog_close(struct catalog *cat)
{
	if (!cat)
		return;
	for (int i = 0; i < STMT__COUNT; i++)
		sqlite3_finalize(cat->stmt[i]);
	sqlite3_close(cat->db);
	free(cat->store);
	free(cat);
}

const char *catalog_store(const struct catalog *cat)
{
	return cat->store;
}

int catalog_tx(struct catalog *cat, const char *sql)
{
	return catalog_exec(cat, sql, sql);
}

const char *catalog_errmsg(struct catalog *cat)
{
	return sqlite3_errmsg(cat->db);
}
