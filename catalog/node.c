/* node.c - reading the tree: nodes by id, by (parent, name), by path,
 * children in stable id order, what was added since an id, totals,
 * document metadata and the audit log. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "db_internal.h"

static bool in_range(int64_t v, int64_t lo, int64_t hi)
{
	return v >= lo && v <= hi;
}

/* Is the text of column col a usable node name (the root's is "")? What the
 * kernel and every tool need: at most 255 bytes, no NUL, no '/', not "."
 * or "..". Names of older ingests that today's rules refuse (name.c) stay
 * readable. */
static bool name_usable(sqlite3_stmt *st, int col, const char *s)
{
	int len = sqlite3_column_bytes(st, col);

	return s && len <= FM_NAME_MAX && strlen(s) == (size_t)len && !strchr(s, '/') &&
	       strcmp(s, ".") && strcmp(s, "..");
}

/* A row of nodes into n, every value range-checked: 0, or -EIO. */
static int node_from_row(sqlite3_stmt *st, struct node *n)
{
	int64_t id = sqlite3_column_int64(st, 0), parent = sqlite3_column_int64(st, 1),
		org = sqlite3_column_int64(st, 2), nsub = sqlite3_column_int64(st, 7);
	const char *type = (const char *)sqlite3_column_text(st, 3);
	const char *sha = (const char *)sqlite3_column_text(st, 8);
	const char *name = (const char *)sqlite3_column_text(st, 9);

	if (!type || (strcmp(type, "f") && strcmp(type, "d")))
		return -EIO;
	n->type = type[0] == 'f' ? NODE_FILE : NODE_DIR;
	n->size = sqlite3_column_int64(st, 4);
	n->mtime = sqlite3_column_int64(st, 5);
	n->ctime = sqlite3_column_int64(st, 6);
	if (!in_range(id, 1, INT64_MAX) || !in_range(parent, 0, INT64_MAX) ||
	    !in_range(org, 0, INT64_MAX) || !in_range(nsub, 0, UINT32_MAX - 2) ||
	    !in_range(n->size, 0, n->type == NODE_FILE ? FM_SIZE_MAX : 0) ||
	    !in_range(n->mtime, 0, FM_TIME_MAX) || !in_range(n->ctime, 0, FM_TIME_MAX) ||
	    !name_usable(st, 9, name) || (parent != 0 && !name[0]))
		return -EIO;
	if (n->type == NODE_FILE ? !sha || !sha256_is_valid(sha) : sha && *sha)
		return -EIO;
	n->id = (uint64_t)id;
	n->parent = (uint64_t)parent;
	n->org = (uint64_t)org;
	n->nsubdirs = (uint32_t)nsub;
	memcpy(n->sha256, n->type == NODE_FILE ? sha : "", n->type == NODE_FILE ?
	       FM_SHA256_HEX + 1 : 1);
	memcpy(n->name, name, strlen(name) + 1);
	return 0;
}

/* A row that fails the range checks: logged, an error for the caller. */
static int bad_row(struct catalog *cat, sqlite3_stmt *st, const char *what)
{
	fm_log(FM_LOG_ERROR, "%s/catalog.db: %s: node %lld has values out of range "
	       "(a damaged or crafted catalog): refused", cat->store, what,
	       (long long)sqlite3_column_int64(st, 0));
	return -EIO;
}

struct timespec node_ctime(const struct node *n)
{
	struct timespec ts = { .tv_sec = n->mtime };

	if (n->type == NODE_FILE) {
		ts.tv_sec = n->ctime > n->mtime ? n->ctime : n->mtime;
		ts.tv_nsec = (long)(n->id % 1000000000u);
	}
	return ts;
}

static int step_error(struct catalog *cat, int rc, const char *what)
{
	fm_log(FM_LOG_ERROR, "%s/catalog.db: %s: %s", cat->store, what,
	       sqlite3_errmsg(cat->db));
	rc = sqlite_to_errno(rc);
	return rc == -EBUSY ? -EBUSY : -EIO;
}

/* Step a statement that yields at most one node. */
static int node_one(struct catalog *cat, sqlite3_stmt *st, struct node *out,
		    const char *what)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW) {
		rc = node_from_row(st, out) < 0 ? bad_row(cat, st, what) : 0;
		sqlite3_reset(st);
		return rc;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? -ENOENT : step_error(cat, rc, what);
}

int node_get(struct catalog *cat, uint64_t id, struct node *out)
{
	sqlite3_stmt *st = catalog_stmt(cat, STMT_NODE_GET);

	if (!st)
		return -EIO;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)id);
	return node_one(cat, st, out, "node_get");
}

int node_lookup(struct catalog *cat, uint64_t parent, const char *name,
		struct node *out)
{
	sqlite3_stmt *st = catalog_stmt(cat, STMT_NODE_LOOKUP);

	if (!st)
		return -EIO;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)parent);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	return node_one(cat, st, out, "node_lookup");
}

int node_resolve(struct catalog *cat, const char *path, struct node *out)
{
	char part[FM_NAME_MAX + 1];
	struct node n;
	int depth = 0, rc = node_get(cat, FM_ROOT_ID, &n);

	while (rc == 0 && *path) {
		size_t len;

		if (++depth > 64) /* a crafted catalog may loop */
			return -ELOOP;
		while (*path == '/')
			path++;
		len = strcspn(path, "/");
		if (len == 0)
			break;
		if (len > FM_NAME_MAX)
			return -ENAMETOOLONG;
		if (n.type != NODE_DIR)
			return -ENOTDIR;
		memcpy(part, path, len);
		part[len] = 0;
		path += len;
		rc = node_lookup(cat, n.id, part, &n);
	}
	if (rc == 0)
		*out = n;
	return rc;
}

int node_org(struct catalog *cat, const char *org, uint64_t *out)
{
	struct node n;
	int rc = node_lookup(cat, FM_ROOT_ID, org, &n);

	if (rc == 0)
		*out = n.id;
	return rc;
}

static int node_each(struct catalog *cat, sqlite3_stmt *st, node_fn fn,
		     void *arg, const char *what)
{
	struct node n;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (node_from_row(st, &n) < 0) {
			rc = bad_row(cat, st, what);
			sqlite3_reset(st);
			return rc;
		}
		rc = fn(arg, &n);
		if (rc) {
			sqlite3_reset(st);
			return rc;
		}
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : step_error(cat, rc, what);
}

int node_list(struct catalog *cat, uint64_t parent, uint64_t after, node_fn fn,
	      void *arg)
{
	sqlite3_stmt *st = catalog_stmt(cat, STMT_NODE_LIST);

	if (!st)
		return -EIO;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)parent);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)after);
	return node_each(cat, st, fn, arg, "node_list");
}

int node_since(struct catalog *cat, uint64_t after, node_fn fn, void *arg)
{
	sqlite3_stmt *st = catalog_stmt(cat, STMT_NODE_SINCE);

	if (!st)
		return -EIO;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)after);
	return node_each(cat, st, fn, arg, "node_since");
}

int catalog_max_id(struct catalog *cat, uint64_t *out)
{
	sqlite3_stmt *st = catalog_stmt(cat, STMT_MAX_ID);
	int rc;

	if (!st)
		return -EIO;
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		return step_error(cat, rc, "max id");
	}
	rc = sqlite3_column_int64(st, 0) < 0 ? -EIO : 0;
	*out = (uint64_t)sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc;
}

int catalog_stats(struct catalog *cat, struct catalog_stats *out)
{
	sqlite3_stmt *st = catalog_stmt(cat, STMT_STATS);
	int rc;

	if (!st)
		return -EIO;
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		return step_error(cat, rc, "stats");
	}
	for (int i = 0; i < 3; i++)
		if (sqlite3_column_int64(st, i) < 0) {
			sqlite3_reset(st);
			return -EIO;
		}
	out->nodes = (uint64_t)sqlite3_column_int64(st, 0);
	out->files = (uint64_t)sqlite3_column_int64(st, 1);
	out->bytes = (uint64_t)sqlite3_column_int64(st, 2);
	sqlite3_reset(st);
	return 0;
}

int catalog_org_stats(struct catalog *cat, uint64_t org, struct catalog_stats *out)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(cat->db, "SELECT count(*), ifnull(sum(type='f'),0),"
				    " ifnull(sum(size),0) FROM nodes WHERE org=?1 OR id=?1",
				    -1, &st, NULL);

	if (rc != SQLITE_OK)
		return step_error(cat, rc, "org stats");
	sqlite3_bind_int64(st, 1, (sqlite3_int64)org);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(st);
		return step_error(cat, rc, "org stats");
	}
	rc = 0;
	for (int i = 0; i < 3; i++)
		if (sqlite3_column_int64(st, i) < 0)
			rc = -EIO;
	out->nodes = (uint64_t)sqlite3_column_int64(st, 0);
	out->files = (uint64_t)sqlite3_column_int64(st, 1);
	out->bytes = (uint64_t)sqlite3_column_int64(st, 2);
	sqlite3_finalize(st);
	return rc;
}

static void copy_text(sqlite3_stmt *st, int col, char *out, size_t len)
{
	const char *s = (const char *)sqlite3_column_text(st, col);

	snprintf(out, len, "%s", s ? s : "");
}

int document_get(struct catalog *cat, uint64_t id, struct document *out)
{
	sqlite3_stmt *st = catalog_stmt(cat, STMT_DOCUMENT_GET);
	int rc;

	if (!st)
		return -EIO;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)id);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		return rc == SQLITE_DONE ? -ENOENT : step_error(cat, rc, "document");
	}
	copy_text(st, 0, out->org, sizeof(out->org));
	copy_text(st, 1, out->kind, sizeof(out->kind));
	copy_text(st, 2, out->direction, sizeof(out->direction));
	copy_text(st, 3, out->period, sizeof(out->period));
	out->doc_date = sqlite3_column_int64(st, 4);
	out->ingested_at = sqlite3_column_int64(st, 5);
	copy_text(st, 6, out->original_name, sizeof(out->original_name));
	copy_text(st, 7, out->ingested_by, sizeof(out->ingested_by));
	out->container = (uint64_t)sqlite3_column_int64(st, 8);
	rc = in_range(out->doc_date, 0, FM_TIME_MAX) &&
	     in_range(out->ingested_at, 0, FM_TIME_MAX) &&
	     in_range(sqlite3_column_int64(st, 8), 0, INT64_MAX) ? 0 : -EIO;
	if (rc < 0)
		fm_log(FM_LOG_ERROR, "%s/catalog.db: document %llu has values out of "
		       "range (a damaged or crafted catalog): refused", cat->store,
		       (unsigned long long)id);
	sqlite3_reset(st);
	return rc;
}

int audit_list(struct catalog *cat, audit_fn fn, void *arg)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(cat->db,
				    "SELECT at, who, action, detail FROM audit ORDER BY id",
				    -1, &st, NULL);

	if (rc != SQLITE_OK)
		return step_error(cat, rc, "audit");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *who = (const char *)sqlite3_column_text(st, 1),
			   *action = (const char *)sqlite3_column_text(st, 2),
			   *detail = (const char *)sqlite3_column_text(st, 3);

		rc = fn(arg, sqlite3_column_int64(st, 0), who ? who : "",
			action ? action : "", detail ? detail : "");
		if (rc) {
			sqlite3_finalize(st);
			return rc;
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : step_error(cat, rc, "audit");
}
