/* scrub.c - checking the whole store for fmctl verify: the catalog's own
 * consistency, modes that would let partners read the store, every used blob
 * against its name and chunk sums, and leftovers of interrupted ingests
 * (orphan blobs, temp files) that --repair removes. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db_internal.h"

struct scrub {
	struct catalog *cat;
	bool repair;
	scrub_fn fn;
	void *arg;
	struct scrub_totals *t;
	sqlite3_stmt *used; /* SELECT 1 FROM nodes WHERE sha256=?1 */
};

static void report(struct scrub *s, enum scrub_kind kind, const char *path,
		   bool repaired, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void report(struct scrub *s, enum scrub_kind kind, const char *path,
		   bool repaired, const char *fmt, ...)
{
	struct scrub_report r = { .kind = kind, .path = path, .repaired = repaired };
	char detail[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	for (char *c = detail; *c; c++) /* one line per finding */
		if (*c == '\n')
			*c = ' ';
	r.detail = detail;
	s->fn(s->arg, &r);
}

/* ---- the catalog --------------------------------------------------------- */

static void scrub_catalog(struct scrub *s)
{
	char path[4096];
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(s->cat->db, "PRAGMA quick_check", -1, &st, NULL);
	/* O(catalog) before its first row: no per-row time limit */
	int64_t limit = catalog_time_limit(s->cat, 0);
	const char *msg;

	snprintf(path, sizeof(path), "%s/catalog.db", s->cat->store);
	if (rc != SQLITE_OK) {
		s->t->catalog_bad = true;
		report(s, SCRUB_CATALOG, path, false, "quick_check: %s",
		       sqlite3_errmsg(s->cat->db));
		catalog_time_limit(s->cat, limit);
		return;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		msg = (const char *)sqlite3_column_text(st, 0);
		if (msg && !strcmp(msg, "ok"))
			continue;
		s->t->catalog_bad = true;
		report(s, SCRUB_CATALOG, path, false, "quick_check: %s", msg ? msg : "?");
	}
	if (rc != SQLITE_DONE) {
		s->t->catalog_bad = true;
		report(s, SCRUB_CATALOG, path, false, "quick_check: %s",
		       sqlite3_errmsg(s->cat->db));
	}
	sqlite3_finalize(st);
	catalog_time_limit(s->cat, limit);
}

/* ---- modes: partners must not read the store ------------------------------ */

/* chmod o-rwx of path, which is never followed if it is a symbolic link
 * (root running verify --repair must not chmod what a link points to). */
static void check_mode(struct scrub *s, const char *path)
{
	struct stat st;
	bool fixed = false;
	int fd;

	if (lstat(path, &st) < 0)
		return;
	if (S_ISLNK(st.st_mode)) {
		s->t->strays++;
		report(s, SCRUB_STRAY, path, false, "a symbolic link in the store: left alone");
		return;
	}
	if (!(st.st_mode & 0007))
		return;
	if (s->repair) {
		fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
		fixed = fd >= 0 && fstat(fd, &st) == 0 && !S_ISLNK(st.st_mode) &&
			fchmod(fd, st.st_mode & 07770) == 0;
		if (fd >= 0)
			close(fd);
	}
	s->t->modes++;
	report(s, SCRUB_MODE, path, fixed, "mode %04o lets others in (chmod o-rwx)",
	       st.st_mode & 07777);
}

static void scrub_modes(struct scrub *s)
{
	static const char *const files[] = { "", "/catalog.db", "/catalog.db-wal",
					     "/catalog.db-shm", "/objects" };
	char path[4096];

	for (size_t i = 0; i < sizeof(files) / sizeof(*files); i++) {
		snprintf(path, sizeof(path), "%s%s", s->cat->store, files[i]);
		check_mode(s, path);
	}
}

/* ---- used blobs ---------------------------------------------------------- */

/* "/org/a/b/name" of node id into out. */
static void node_path(struct catalog *cat, uint64_t id, char *out, size_t len)
{
	char tmp[4096];
	struct node n;

	out[0] = 0;
	/* a crafted catalog may loop: archive paths are a few folders deep */
	for (int depth = 0; depth < 64 && id && id != FM_ROOT_ID &&
			    node_get(cat, id, &n) == 0; depth++) {
		snprintf(tmp, sizeof(tmp), "/%s%s", n.name, out);
		snprintf(out, len, "%s", tmp);
		id = n.parent;
	}
}

/* The archive paths that use blob sha (at most a few), for messages. */
static void used_by(struct scrub *s, const char *sha, char *out, size_t len)
{
	sqlite3_stmt *st;
	char path[4096];
	size_t used = 0;
	int count = 0;

	out[0] = 0;
	if (sqlite3_prepare_v2(s->cat->db, "SELECT id FROM nodes WHERE sha256=?1",
			       -1, &st, NULL) != SQLITE_OK)
		return;
	sqlite3_bind_text(st, 1, sha, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW && used < len) {
		if (++count > 5) {
			used += (size_t)snprintf(out + used, len - used, ", …");
			break;
		}
		node_path(s->cat, (uint64_t)sqlite3_column_int64(st, 0), path, sizeof(path));
		used += (size_t)snprintf(out + used, len - used, "%s%s",
					 count > 1 ? ", " : "", path);
	}
	sqlite3_finalize(st);
}

/* The first chunk whose sum differs, or -1. */
static long first_bad_chunk(const struct blob_scan *scan, const uint64_t *sums,
			    size_t n)
{
	for (size_t i = 0; i < n && i < scan->nsums; i++)
		if (scan->sums[i] != sums[i])
			return (long)i;
	return n == scan->nsums ? -1 : (long)(n < scan->nsums ? n : scan->nsums);
}

static void scrub_blob(struct scrub *s, const char *sha, int64_t size)
{
	char path[4096], users[1024], why[256];
	struct blob_scan scan;
	uint64_t *sums = NULL;
	uint32_t chunk_size = 0;
	size_t nsums = 0;
	bool have_sums;
	long bad;
	int fd, rc;

	s->t->blobs++;
	blob_path(s->cat->store, sha, path, sizeof(path));
	fd = blob_open(s->cat->store, sha, -1);
	if (fd == -ENOENT) {
		s->t->missing++;
		used_by(s, sha, users, sizeof(users));
		report(s, SCRUB_MISSING, path, false, "missing blob (%s), used by %s",
		       strerror(-fd), users);
		return;
	}
	if (fd < 0) {
		s->t->damaged++;
		used_by(s, sha, users, sizeof(users));
		report(s, SCRUB_DAMAGED, path, false, "damaged blob: %s; used by %s",
		       blob_strerror(fd), users);
		return;
	}
	rc = blob_scan_fd(fd, &scan);
	close(fd);
	if (rc < 0) {
		s->t->damaged++;
		used_by(s, sha, users, sizeof(users));
		report(s, SCRUB_DAMAGED, path, false, "cannot read: %s; used by %s",
		       strerror(-rc), users);
		return;
	}
	s->t->bytes += (uint64_t)scan.size;
	have_sums = chunks_get(s->cat, sha, &chunk_size, &sums, &nsums) == 0 &&
		    chunk_size == FM_CHUNK_SIZE;
	why[0] = 0;
	if (scan.size != size)
		snprintf(why, sizeof(why), "size %lld, the catalog says %lld",
			 (long long)scan.size, (long long)size);
	else if (have_sums && (bad = first_bad_chunk(&scan, sums, nsums)) >= 0)
		snprintf(why, sizeof(why), "chunk %ld (from byte %lld) does not match its checksum",
			 bad, (long long)bad * FM_CHUNK_SIZE);
	else if (strcmp(scan.sha256, sha) != 0)
		snprintf(why, sizeof(why), "content hashes to %.12s…, not its name",
			 scan.sha256);
	if (why[0]) {
		s->t->damaged++;
		used_by(s, sha, users, sizeof(users));
		report(s, SCRUB_DAMAGED, path, false, "damaged blob: %s; used by %s",
		       why, users);
	} else if (!have_sums && s->cat->flags & CATALOG_READONLY) {
		report(s, SCRUB_SUMS, path, false, "no chunk sums recorded (--repair records them)");
	} else if (!have_sums) {
		rc = s->repair ? chunks_put(s->cat, sha, FM_CHUNK_SIZE, scan.sums,
					    scan.nsums) : -1;
		if (rc == 0)
			s->t->sums_added++;
		report(s, SCRUB_SUMS, path, rc == 0, "no chunk sums recorded%s",
		       rc == 0 ? "" : " (--repair records them)");
	}
	free(sums);
	free(scan.sums);
}

static int scrub_blobs(struct scrub *s)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(s->cat->db, "SELECT sha256, max(size) FROM nodes"
				    " WHERE sha256 IS NOT NULL GROUP BY sha256", -1,
				    &st, NULL);

	if (rc != SQLITE_OK)
		return sqlite_to_errno(rc) ? sqlite_to_errno(rc) : -EIO;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		scrub_blob(s, (const char *)sqlite3_column_text(st, 0),
			   sqlite3_column_int64(st, 1));
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -EIO;
}

/* ---- leftovers in objects/ ----------------------------------------------- */

static bool is_hex(const char *s, size_t len)
{
	if (strlen(s) != len)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* 1 if a catalog row uses sha, 0 if none, -errno. */
static int blob_used(struct scrub *s, const char *sha)
{
	int rc;

	sqlite3_reset(s->used);
	sqlite3_bind_text(s->used, 1, sha, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(s->used);
	sqlite3_reset(s->used);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : -EIO;
}

/* Remove an orphan blob or temp name (in the folder fd dir), unless an
 * ingest is running (it holds the store's ingest lock, shared, from its
 * first temp to its commit) or, for a blob, a row uses it by now (checked
 * under the catalog's write lock). Returns true if removed. */
static bool remove_leftover(struct scrub *s, int dir, const char *name,
			    const char *sha, bool *in_use)
{
	bool removed = false;
	int fd = blob_ingest_lock_excl(s->cat->store);

	*in_use = fd == -EWOULDBLOCK;
	if (fd < 0)
		return false;
	if (catalog_exec(s->cat, "BEGIN IMMEDIATE", "verify --repair") == 0) {
		if (!sha || blob_used(s, sha) == 0)
			removed = unlinkat(dir, name, 0) == 0;
		catalog_exec(s->cat, "COMMIT", "verify --repair");
	}
	close(fd);
	return removed;
}

static void leftover(struct scrub *s, enum scrub_kind kind, const char *path,
		     int dir, const char *name, const char *sha)
{
	bool in_use = false, removed = s->repair && !(s->cat->flags & CATALOG_READONLY) &&
				       remove_leftover(s, dir, name, sha, &in_use);

	if (in_use) {
		s->t->in_use++;
		report(s, SCRUB_IN_USE, path, false, "%s: an ingest is running: left alone",
		       kind == SCRUB_TEMP ? "temp file" : "new blob");
		return;
	}
	if (kind == SCRUB_TEMP)
		s->t->temps++;
	else
		s->t->orphans++;
	report(s, kind, path, removed, "%s",
	       kind == SCRUB_TEMP ? "temp file of an interrupted ingest" :
	       "orphan blob: no catalog row uses it (an interrupted ingest)");
}

/* The entries of folder name beneath fd at (never through a symbolic link):
 * a DIR* (its fd is dirfd()), or NULL. */
static DIR *dir_open(int at, const char *name)
{
	int fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;

	if (!d && fd >= 0)
		close(fd);
	return d;
}

static void scrub_fanout(struct scrub *s, int objects, const char *dir,
			 const char *prefix)
{
	char path[4096 + 512], sha[FM_SHA256_HEX + 1];
	struct dirent *e;
	DIR *d = dir_open(objects, prefix);

	if (!d)
		return;
	check_mode(s, dir);
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (!strncmp(e->d_name, "tmp-", 4)) {
			leftover(s, SCRUB_TEMP, path, dirfd(d), e->d_name, NULL);
			continue;
		}
		if (!is_hex(e->d_name, FM_SHA256_HEX - 2) || !is_hex(prefix, 2)) {
			s->t->strays++;
			report(s, SCRUB_STRAY, path, false, "not a blob name: left alone");
			continue;
		}
		memcpy(sha, prefix, 2);
		memcpy(sha + 2, e->d_name, FM_SHA256_HEX - 2 + 1);
		if (blob_used(s, sha) == 0)
			leftover(s, SCRUB_ORPHAN, path, dirfd(d), e->d_name, sha);
	}
	closedir(d);
}

static int scrub_objects(struct scrub *s)
{
	char objects[4096], path[4096 + 256];
	struct dirent *e;
	struct stat st;
	int store;
	DIR *d;

	snprintf(objects, sizeof(objects), "%s/objects", s->cat->store);
	store = open(s->cat->store, O_PATH | O_DIRECTORY | O_CLOEXEC);
	d = store >= 0 ? dir_open(store, "objects") : NULL;
	if (store >= 0)
		close(store);
	if (!d)
		return errno == ENOTDIR ? -ELOOP : -errno;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", objects, e->d_name);
		if (!strncmp(e->d_name, "tmp-", 4))
			leftover(s, SCRUB_TEMP, path, dirfd(d), e->d_name, NULL);
		else if (is_hex(e->d_name, 2) &&
			 fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			 S_ISDIR(st.st_mode))
			scrub_fanout(s, dirfd(d), path, e->d_name);
		else {
			s->t->strays++;
			report(s, SCRUB_STRAY, path, false, "not a blob folder: left alone");
		}
	}
	closedir(d);
	return 0;
}

int catalog_scrub(struct catalog *cat, bool repair, scrub_fn fn, void *arg,
		  struct scrub_totals *out)
{
	struct scrub s = { .cat = cat, .repair = repair, .fn = fn, .arg = arg, .t = out };
	int rc;

	memset(out, 0, sizeof(*out));
	scrub_catalog(&s);
	if (out->catalog_bad)
		return 0; /* rows may be missing: orphans would be a lie */
	scrub_modes(&s);
	rc = scrub_blobs(&s);
	if (rc < 0)
		return rc;
	rc = sqlite_to_errno(sqlite3_prepare_v2(cat->db, "SELECT 1 FROM nodes"
						" WHERE sha256=?1 LIMIT 1", -1,
						&s.used, NULL));
	if (rc == 0)
		rc = scrub_objects(&s);
	sqlite3_finalize(s.used);
	return rc;
}
