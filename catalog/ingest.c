/* ingest.c - the one way files enter the archive: validate every item, copy
 * each into a temp blob while hashing, then make the blobs durable and commit
 * all catalog rows in one transaction. All or nothing; identical content
 * under an existing name is a no-op, different content is refused. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "db_internal.h"
#include "zip_ingest.h"

struct pending {
	char org[FM_NAME_MAX + 1];
	char folder[64];
	char unzip[64];  /* a zip: the folder its entries go to, else "" */
	char name[FM_NAME_MAX + 1];
	char kind[16];
	char direction[16];
	char period[8];
	int64_t doc_date;
	char source[FM_NAME_MAX + 1];
	struct blob_tmp blob;
	bool unchanged;  /* already archived with this content */
	bool heal;       /* ...but its blob is damaged or gone: put it back */
	int container;   /* index of the zip this entry came from, or -1 */
};

struct ingest {
	struct catalog *cat;
	char who[128];
	struct pending *items;
	size_t count, cap;
	int lock_fd; /* the store's ingest lock, shared, while the batch lives */
	ingest_derive_fn derive; /* files made from others, or NULL */
	void *derive_arg;
	ingest_hook hook;
	void *hook_arg;
	int64_t zip_budget; /* bytes its zips inflated to (FMFS_ZIP_MAX_TOTAL) */
	char error[1024];
};

static int fail(struct ingest *in, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct ingest *in, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(in->error, sizeof(in->error), fmt, ap);
	va_end(ap);
	return rc;
}

void ingest_set_hook(struct ingest *in, ingest_hook fn, void *arg)
{
	in->hook = fn;
	in->hook_arg = arg;
}

size_t ingest_count(const struct ingest *in)
{
	return in->count;
}

const char *ingest_error(const struct ingest *in)
{
	return in->error;
}

int ingest_open(struct catalog *cat, const char *who, struct ingest **out)
{
	struct ingest *in = calloc(1, sizeof(*in));

	if (!in)
		return -ENOMEM;
	in->cat = cat;
	snprintf(in->who, sizeof(in->who), "%s", who);
	in->lock_fd = blob_ingest_lock(catalog_store(cat));
	if (in->lock_fd < 0) {
		int rc = in->lock_fd;

		fm_log(FM_LOG_ERROR, "%s/.ingest-lock: cannot lock: %s",
		       catalog_store(cat), strerror(-rc));
		free(in);
		return rc;
	}
	*out = in;
	return 0;
}

void ingest_close(struct ingest *in)
{
	if (!in)
		return;
	for (size_t i = 0; i < in->count; i++)
		blob_discard(&in->items[i].blob); /* temp and sums */
	free(in->items);
	close(in->lock_fd); /* after the temps are gone */
	free(in);
}

void ingest_set_derive(struct ingest *in, ingest_derive_fn fn, void *arg)
{
	in->derive = fn;
	in->derive_arg = arg;
}

/* The blob name (SHA-256) of the file archived at org/folder/name, via the
 * read path: 0, -ENOENT if any part is missing, -EISDIR if it is a folder. */
static int archived_sha(struct catalog *cat, const struct pending *p,
			char sha[FM_SHA256_HEX + 1])
{
	char path[1024];
	struct node n;
	int rc;

	snprintf(path, sizeof(path), "%s/%s/%s", p->org, p->folder, p->name);
	rc = node_resolve(cat, path, &n);
	if (rc == 0 && n.type != NODE_FILE)
		return -EISDIR;
	if (rc == 0)
		memcpy(sha, n.sha256, FM_SHA256_HEX + 1);
	return rc == -ENOTDIR ? -ENOENT : rc;
}

/* Is p the same path as an earlier item of the batch? Returns that index. */
static int same_path(const struct ingest *in, const struct pending *p)
{
	for (size_t i = 0; i < in->count; i++) {
		const struct pending *q = &in->items[i];

		if (!strcmp(q->org, p->org) && !strcmp(q->folder, p->folder) &&
		    !strcmp(q->name, p->name))
			return (int)i;
	}
	return -1;
}

static int copy_content(struct ingest *in, const struct ingest_item *item,
			struct pending *p)
{
	const char *store = catalog_store(in->cat), *why;
	struct stat st;
	int fd, rc;

	if (!item->path)
		return blob_write_mem(store, item->data, item->len, &p->blob);
	fd = input_open(item->path, &why);
	if (fd < 0)
		return fail(in, fd, "%s: cannot open: %s", p->source,
			    why ? why : strerror(-fd));
	if (fstat(fd, &st) < 0) {
		close(fd);
		return fail(in, -EIO, "%s: cannot stat: %s", p->source, strerror(errno));
	}
	if (p->doc_date == INT64_MIN)
		p->doc_date = st.st_mtime;
	rc = blob_write_fd(store, fd, &p->blob);
	close(fd);
	if (rc < 0)
		return fail(in, rc, "%s: cannot copy into the store: %s", p->source,
			    strerror(-rc));
	return 0;
}

/* Room for one more item: its slot (zeroed), or NULL. */
static struct pending *pending_new(struct ingest *in)
{
	struct pending *p;

	if (in->count == in->cap) {
		size_t cap = in->cap ? in->cap * 2 : 16;
		struct pending *items = realloc(in->items, cap * sizeof(*items));

		if (!items)
			return NULL;
		in->items = items;
		in->cap = cap;
	}
	p = &in->items[in->count];
	memset(p, 0, sizeof(*p));
	p->blob.fd = -1;
	p->container = -1;
	return p;
}

/* The batch and archive checks of the new item p (its blob written): 1 when
 * it joins the batch, 0 when it was listed already with the same content
 * (dropped), or -errno (its blob discarded). */
static int pending_settle(struct ingest *in, struct pending *p, const char *src)
{
	char sha[FM_SHA256_HEX + 1];
	int rc, dup = same_path(in, p);

	if (dup >= 0) {
		bool same = !strcmp(in->items[dup].blob.sha256, p->blob.sha256);

		blob_discard(&p->blob);
		if (same)
			return 0; /* listed twice: the first one stands */
		return fail(in, -EEXIST, "%s: %s/%s/%s is listed twice with different content",
			    src, p->org, p->folder, p->name);
	}
	rc = archived_sha(in->cat, p, sha);
	if (rc == 0 && strcmp(sha, p->blob.sha256)) {
		blob_discard(&p->blob);
		return fail(in, -EEXIST,
			    "%s: %s/%s/%s is already archived with different content (files are never replaced)",
			    src, p->org, p->folder, p->name);
	}
	if (rc == -EISDIR) {
		blob_discard(&p->blob);
		return fail(in, -EEXIST, "%s: %s/%s/%s is a folder", src, p->org,
			    p->folder, p->name);
	}
	if (rc < 0 && rc != -ENOENT) {
		blob_discard(&p->blob);
		return fail(in, rc, "%s: cannot read the catalog: %s", src, strerror(-rc));
	}
	if (rc == 0) {
		p->unchanged = true;
		/* the same bytes again: if the stored blob rotted or went
		 * missing, these put it back (the row already names them) */
		if (blob_verify(catalog_store(in->cat), p->blob.sha256) == 0) {
			blob_discard(&p->blob);
		} else {
			fm_log(FM_LOG_WARNING, "%s: the stored blob %s is damaged or missing: "
			       "restoring it from this copy", src, p->blob.sha256);
			p->heal = true;
			p->blob.replace = true;
		}
	}
	in->count++;
	return 1;
}

/* Read back the content of the item i (its temp, or the stored blob when
 * the bytes were there already). An fd or -errno. */
static int pending_open(struct ingest *in, size_t i)
{
	const struct pending *p = &in->items[i];
	int dir, fd;

	if (!p->blob.tmp[0]) /* stored: a regular file of its size, no link */
		return blob_open(catalog_store(in->cat), p->blob.sha256, p->blob.size);
	dir = blob_dir_open(catalog_store(in->cat));
	if (dir < 0)
		return dir;
	fd = openat(dir, p->blob.name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		fd = -errno;
	close(dir);
	return fd;
}

/* The file the derive hook makes from the new item i, added to the batch
 * after it (ingest_set_derive). 0 or -errno. */
static int pending_derive(struct ingest *in, size_t i)
{
	char name[FM_NAME_MAX + 1] = "", why[512] = "";
	struct pending *p = &in->items[i], *d;
	int fd, out = -1, rc;

	if (!in->derive || p->unchanged)
		return 0;
	fd = pending_open(in, i);
	if (fd < 0)
		return fail(in, fd, "%s: cannot read it back: %s", p->source,
			    strerror(-fd));
	rc = in->derive(in->derive_arg, p->name, fd, name, &out, why, sizeof(why));
	close(fd);
	if (rc <= 0)
		return rc < 0 ? fail(in, rc, "%s: %s", p->source, why) : 0;
	d = pending_new(in);
	p = &in->items[i]; /* pending_new may move the items */
	if (!d) {
		close(out);
		return fail(in, -ENOMEM, "%s: out of memory", p->source);
	}
	if (name_normalize(name, d->name) < 0) {
		close(out);
		return fail(in, -EINVAL, "%s: made '%s', not a valid name", p->source, name);
	}
	memcpy(d->org, p->org, sizeof(d->org));
	memcpy(d->folder, p->folder, sizeof(d->folder));
	memcpy(d->kind, p->kind, sizeof(d->kind));
	memcpy(d->direction, p->direction, sizeof(d->direction));
	memcpy(d->period, p->period, sizeof(d->period));
	memcpy(d->source, d->name, sizeof(d->source));
	d->doc_date = p->doc_date;
	rc = blob_write_fd(catalog_store(in->cat), out, &d->blob);
	close(out);
	if (rc < 0)
		return fail(in, rc, "%s: cannot copy %s into the store: %s", p->source,
			    d->name, strerror(-rc));
	rc = pending_settle(in, d, p->source);
	return rc < 0 ? rc : 0;
}

/* Why folder (org-relative, "a/b/c") cannot hold files, or NULL. */
static const char *folder_problem(const char *folder, size_t max)
{
	char part[FM_NAME_MAX + 1];
	const char *p = folder;

	if (!*folder || strlen(folder) >= max)
		return "is empty or too long";
	while (*p) {
		size_t len = strcspn(p, "/");

		if (len == 0 || len > FM_NAME_MAX)
			return "has an empty or too long part";
		memcpy(part, p, len);
		part[len] = 0;
		if (name_invalid_reason(part))
			return name_invalid_reason(part);
		p += len + (p[len] == '/');
	}
	return NULL;
}

/* Extract the entries of the zip item zi (its temp blob still there) into
 * its unzip folder as items of their own. On error the zip and every entry
 * leave the batch. */
static int zip_entries_add(struct ingest *in, size_t zi, const char *src)
{
	struct zip_entry_blob *e = NULL;
	char err[512];
	size_t n = 0;
	int rc = zip_extract(catalog_store(in->cat), in->items[zi].blob.tmp,
			     &in->zip_budget, &e, &n,
			     err, sizeof(err));

	if (rc < 0)
		fail(in, rc, "%s: %s", src, err);
	for (size_t i = 0; rc >= 0 && i < n; i++) {
		struct pending *z, *p = pending_new(in);

		if (!p) {
			rc = fail(in, -ENOMEM, "%s: out of memory", src);
			break;
		}
		z = &in->items[zi];
		memcpy(p->org, z->org, sizeof(p->org));
		memcpy(p->kind, z->kind, sizeof(p->kind));
		memcpy(p->period, z->period, sizeof(p->period));
		memcpy(p->folder, z->unzip, sizeof(p->folder));
		memcpy(p->name, e[i].name, sizeof(p->name));
		memcpy(p->source, e[i].name, sizeof(p->source)); /* original name */
		p->doc_date = z->doc_date;
		p->container = (int)zi;
		blob_move(&p->blob, &e[i].blob); /* the item owns the temp now */
		rc = pending_settle(in, p, src);
		if (rc > 0)
			rc = pending_derive(in, in->count - 1);
	}
	zip_entries_free(e, n);
	if (rc < 0) {
		for (size_t i = zi; i < in->count; i++)
			blob_discard(&in->items[i].blob);
		in->count = zi;
		return rc;
	}
	return 0;
}

int ingest_add(struct ingest *in, const struct ingest_item *item)
{
	const char *src = item->source ? item->source :
			  item->path ? item->path : item->name;
	struct pending *p = pending_new(in);
	const char *why = NULL;
	int rc;

	if (!p)
		return fail(in, -ENOMEM, "%s: out of memory", src);
	if (!item->org || !org_is_valid(item->org))
		return fail(in, -EINVAL, "%s: org '%s' is not a valid domain name", src,
			    item->org ? item->org : "");
	if (!item->kind)
		return fail(in, -EINVAL, "%s: no --kind given", src);
	if (tree_folder(item->kind, item->direction, item->period ? item->period : "",
			  p->folder, sizeof(p->folder), &why) < 0)
		return fail(in, -EINVAL, "%s: %s", src, why);
	if (item->unzip_into) {
		why = folder_problem(item->unzip_into, sizeof(p->unzip));
		if (why)
			return fail(in, -EINVAL, "%s: unzip folder '%s' %s", src,
				    item->unzip_into, why);
		snprintf(p->unzip, sizeof(p->unzip), "%s", item->unzip_into);
	}
	why = item->name ? name_invalid_reason(item->name) : "no name";
	if (why)
		return fail(in, -EINVAL, "%s: %s", src, why);
	if (name_normalize(item->name, p->name) < 0)
		return fail(in, -EINVAL, "%s: name is not valid after NFC normalisation", src);
	snprintf(p->org, sizeof(p->org), "%s", item->org);
	snprintf(p->kind, sizeof(p->kind), "%s", item->kind);
	snprintf(p->direction, sizeof(p->direction), "%s",
		 item->direction ? item->direction : "");
	snprintf(p->period, sizeof(p->period), "%s", item->period);
	snprintf(p->source, sizeof(p->source), "%s", src);
	p->doc_date = item->doc_date;
	if (p->doc_date == INT64_MIN && !item->path)
		p->doc_date = time(NULL);
	rc = copy_content(in, item, p);
	if (rc < 0)
		return rc;
	rc = pending_settle(in, p, src);
	if (rc <= 0)
		return rc;
	p = &in->items[in->count - 1];
	if (p->unzip[0] && !p->unchanged)
		return zip_entries_add(in, in->count - 1, src);
	rc = pending_derive(in, in->count - 1);
	if (rc < 0) /* the item leaves the batch */
		blob_discard(&in->items[--in->count].blob);
	return rc;
}

/* ---- the write transaction ---------------------------------------------- */

/* Why a catalog write failed, in words a user acts on (a full disk says so). */
static const char *db_why(struct catalog *cat, int rc)
{
	return rc == -ENOSPC ? strerror(ENOSPC) : sqlite3_errmsg(cat->db);
}

static int sql_step(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : sqlite_to_errno(rc);
}

struct writer {
	struct catalog *cat;
	sqlite3_stmt *insert_node, *insert_doc, *insert_audit;
	int64_t now;
};

static int insert_node(struct writer *w, uint64_t parent, uint64_t org,
		       char type, const char *name, int64_t size, int64_t mtime,
		       const char *sha, uint64_t *id)
{
	sqlite3_stmt *st = w->insert_node;
	int rc;

	sqlite3_bind_int64(st, 1, (sqlite3_int64)parent);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)org);
	sqlite3_bind_text(st, 3, type == NODE_FILE ? "f" : "d", 1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, size);
	sqlite3_bind_int64(st, 6, mtime);
	sqlite3_bind_int64(st, 7, w->now);
	if (sha)
		sqlite3_bind_text(st, 8, sha, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 8);
	rc = sql_step(st);
	if (rc == 0)
		*id = (uint64_t)sqlite3_last_insert_rowid(w->cat->db);
	return rc;
}

static int audit(struct writer *w, const char *who, const char *action,
		 const char *detail)
{
	sqlite3_stmt *st = w->insert_audit;

	sqlite3_bind_int64(st, 1, w->now);
	sqlite3_bind_text(st, 2, who, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, action, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, detail, -1, SQLITE_STATIC);
	return sql_step(st);
}

/* Folder name under parent, created if missing. */
static int ensure_dir(struct writer *w, uint64_t parent, uint64_t org,
		      const char *name, uint64_t *id)
{
	struct node n;
	int rc = node_lookup(w->cat, parent, name, &n);

	if (rc == 0) {
		*id = n.id;
		return n.type == NODE_DIR ? 0 : -ENOTDIR;
	}
	if (rc != -ENOENT)
		return rc;
	return insert_node(w, parent, org, NODE_DIR, name, 0, w->now, NULL, id);
}

/* org's folder (its id into *id) with all its fixed subfolders, created with
 * an audit entry if it is new. */
static int ensure_org(struct writer *w, const char *org, const char *who,
		      uint64_t *id)
{
	struct node n;
	uint64_t sub, mid;
	char folder[32];
	int rc = node_lookup(w->cat, FM_ROOT_ID, org, &n);

	if (rc == 0) {
		*id = n.id;
		return 0;
	}
	if (rc != -ENOENT)
		return rc;
	rc = insert_node(w, FM_ROOT_ID, 0, NODE_DIR, org, 0, w->now, NULL, id);
	for (size_t i = 0; rc == 0 && i < TREE_ORG_NFOLDERS; i++) {
		char *slash;

		snprintf(folder, sizeof(folder), "%s", tree_org_folders[i]);
		slash = strchr(folder, '/');
		if (!slash) {
			rc = ensure_dir(w, *id, *id, folder, &sub);
			continue;
		}
		*slash = 0;
		rc = ensure_dir(w, *id, *id, folder, &mid);
		if (rc == 0)
			rc = ensure_dir(w, mid, *id, slash + 1, &sub);
	}
	if (rc == 0)
		rc = audit(w, who, "org", org);
	return rc;
}

/* The folder chain org/a/b/c, created as needed. */
static int ensure_folder(struct writer *w, uint64_t org, const char *folder,
			 uint64_t *id)
{
	char part[64];
	const char *p = folder;
	int rc = 0;

	*id = org;
	while (rc == 0 && *p) {
		size_t len = strcspn(p, "/");

		memcpy(part, p, len);
		part[len] = 0;
		rc = ensure_dir(w, *id, org, part, id);
		p += len + (p[len] == '/');
	}
	return rc;
}

static int insert_document(struct writer *w, struct ingest *in,
			   struct pending *p, uint64_t node, uint64_t container)
{
	sqlite3_stmt *st = w->insert_doc;

	sqlite3_bind_int64(st, 1, (sqlite3_int64)node);
	sqlite3_bind_text(st, 2, p->org, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, p->kind, -1, SQLITE_STATIC);
	/* NULLs bound too: a statement keeps its last bindings across resets */
	if (p->direction[0])
		sqlite3_bind_text(st, 4, p->direction, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 4);
	sqlite3_bind_text(st, 5, p->period, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, p->doc_date);
	sqlite3_bind_text(st, 7, p->source, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 8, p->blob.size);
	sqlite3_bind_text(st, 9, p->blob.sha256, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 10, w->now);
	sqlite3_bind_text(st, 11, in->who, -1, SQLITE_STATIC);
	if (container)
		sqlite3_bind_int64(st, 12, (sqlite3_int64)container);
	else
		sqlite3_bind_null(st, 12);
	return sql_step(st);
}

static int write_item(struct writer *w, struct ingest *in, struct pending *p,
		      uint64_t *ids, size_t index)
{
	char sha[FM_SHA256_HEX + 1], detail[1400];
	uint64_t org, dir;
	struct node n;
	int rc;

	rc = ensure_org(w, p->org, in->who, &org);
	if (rc == 0)
		rc = ensure_folder(w, org, p->folder, &dir);
	if (rc < 0)
		return fail(in, rc, "%s: cannot create %s/%s: %s", p->source, p->org,
			    p->folder, rc == -ENOTDIR ? "a file has that name" :
			    sqlite3_errmsg(w->cat->db));
	rc = node_lookup(w->cat, dir, p->name, &n);
	if (rc == 0) { /* archived meanwhile by another ingest */
		memcpy(sha, n.sha256, sizeof(sha));
		if (n.type == NODE_FILE && !strcmp(sha, p->blob.sha256)) {
			p->unchanged = true;
			ids[index] = n.id;
			/* a healed blob of a version-1 catalog gets its sums */
			return p->heal ? chunks_put(w->cat, p->blob.sha256, FM_CHUNK_SIZE,
						    p->blob.sums, p->blob.nsums) : 0;
		}
		return fail(in, -EEXIST, "%s: %s/%s/%s is already archived with different content",
			    p->source, p->org, p->folder, p->name);
	}
	/* under the write lock: the blob must still be there */
	rc = blob_open(catalog_store(w->cat), p->blob.sha256, p->blob.size);
	if (rc < 0)
		return fail(in, -EIO, "%s: blob %s vanished before commit: %s", p->source,
			    p->blob.sha256, blob_strerror(rc));
	close(rc);
	rc = insert_node(w, dir, org, NODE_FILE, p->name, p->blob.size, p->doc_date,
			 p->blob.sha256, &ids[index]);
	if (rc == 0)
		rc = insert_document(w, in, p, ids[index],
				     p->container >= 0 ? ids[p->container] : 0);
	if (rc == 0)
		rc = chunks_put(w->cat, p->blob.sha256, FM_CHUNK_SIZE, p->blob.sums,
				p->blob.nsums);
	if (rc == 0) {
		snprintf(detail, sizeof(detail), "%s/%s/%s sha256=%s size=%lld from %s",
			 p->org, p->folder, p->name, p->blob.sha256,
			 (long long)p->blob.size, p->source);
		rc = audit(w, in->who, "ingest", detail);
	}
	if (rc < 0)
		return fail(in, rc, "%s: cannot write the catalog: %s", p->source,
			    db_why(w->cat, rc));
	return 0;
}

static int prepare(struct catalog *cat, const char *sql, sqlite3_stmt **st)
{
	return sqlite_to_errno(sqlite3_prepare_v2(cat->db, sql, -1, st, NULL));
}

static void writer_release(struct writer *w)
{
	sqlite3_finalize(w->insert_node);
	sqlite3_finalize(w->insert_doc);
	sqlite3_finalize(w->insert_audit);
}

static int writer_init(struct writer *w, struct catalog *cat)
{
	int rc;

	memset(w, 0, sizeof(*w));
	w->cat = cat;
	w->now = time(NULL);
	rc = prepare(cat, "INSERT INTO nodes(parent, org, type, name, size, mtime,"
		     " ctime, sha256) VALUES (?1,?2,?3,?4,?5,?6,?7,?8)", &w->insert_node);
	if (rc == 0)
		rc = prepare(cat, "INSERT INTO documents(node_id, org, kind, direction,"
			     " period, doc_date, original_name, size, sha256, ingested_at,"
			     " ingested_by, container) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,"
			     "?10,?11,?12)", &w->insert_doc);
	if (rc == 0)
		rc = prepare(cat, "INSERT INTO audit(at, who, action, detail)"
			     " VALUES (?1,?2,?3,?4)", &w->insert_audit);
	if (rc < 0)
		writer_release(w);
	return rc;
}

/* After a failed batch: remove the blobs it created that no row uses. The
 * caller holds the catalog's write lock, so no concurrent ingest can be
 * relying on them; an emptied objects/ab folder goes too. */
static void remove_new_blobs(struct ingest *in)
{
	sqlite3_stmt *st = NULL;
	int objects = blob_dir_open(catalog_store(in->cat));

	if (objects < 0 || prepare(in->cat, "SELECT 1 FROM nodes WHERE sha256=?1", &st) < 0) {
		if (objects >= 0)
			close(objects);
		return;
	}
	for (size_t i = 0; i < in->count; i++) {
		struct pending *p = &in->items[i];
		char sub[3] = { p->blob.sha256[0], p->blob.sha256[1], 0 };
		int fan;

		if (!p->blob.created)
			continue;
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, p->blob.sha256, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			continue;
		p->blob.created = false;
		fan = openat(objects, sub, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fan < 0)
			continue;
		unlinkat(fan, p->blob.sha256 + 2, 0);
		close(fan);
		/* fails harmlessly while other blobs live there */
		unlinkat(objects, sub, AT_REMOVEDIR);
	}
	sqlite3_finalize(st);
	close(objects);
}

/* Under the write lock: make every new blob durable, then insert the rows. */
static int write_batch(struct writer *w, struct ingest *in, uint64_t *ids)
{
	const char *store = catalog_store(in->cat);
	struct blob_tmp **blobs = calloc(in->count + 1, sizeof(*blobs));
	size_t nblobs = 0;
	int rc = blobs ? 0 : -ENOMEM;

	/* all blobs of the batch made durable together (blob_commit_many) */
	for (size_t i = 0; rc == 0 && i < in->count; i++) {
		struct pending *p = &in->items[i];

		if (p->unchanged && !p->heal)
			continue;
		blobs[nblobs++] = &p->blob;
	}
	if (rc == 0) {
		rc = blob_commit_many(store, blobs, nblobs);
		if (rc < 0)
			fail(in, rc, "%s/objects: cannot store the blobs: %s", store,
			     strerror(-rc));
	}
	free(blobs);
	for (size_t i = 0; rc == 0 && i < in->count; i++)
		rc = write_item(w, in, &in->items[i], ids, i);
	if (rc == 0 && in->hook) {
		char why[1024] = "";

		rc = in->hook(in->hook_arg, in->cat, ids, in->count, why, sizeof(why));
		if (rc < 0)
			fail(in, rc, "%s", why[0] ? why : strerror(-rc));
	}
	return rc;
}

int ingest_commit(struct ingest *in, size_t *added, size_t *unchanged)
{
	sqlite3 *db = in->cat->db;
	const char *store = catalog_store(in->cat);
	uint64_t *ids = calloc(in->count + 1, sizeof(*ids));
	struct writer w;
	size_t n_added = 0, n_same = 0;
	int rc = ids ? writer_init(&w, in->cat) : -ENOMEM;

	if (rc < 0) {
		free(ids);
		return fail(in, rc, "cannot prepare the catalog: %s", sqlite3_errmsg(db));
	}
	/* take the write lock first: a batch that cannot commit links nothing */
	rc = sqlite_to_errno(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL));
	if (rc < 0) {
		fail(in, rc, "%s/catalog.db: cannot lock the catalog: %s", store,
		     sqlite3_errmsg(db));
		goto out;
	}
	rc = write_batch(&w, in, ids);
	if (rc < 0) {
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		/* the lock is gone; take it again to clean up safely */
		if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK) {
			remove_new_blobs(in);
			sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
		}
		goto out;
	}
	rc = sqlite_to_errno(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL));
	if (rc < 0) {
		fail(in, rc, "%s/catalog.db: cannot commit: %s", store, db_why(in->cat, rc));
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK) {
			remove_new_blobs(in);
			sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
		}
		goto out;
	}
	for (size_t i = 0; i < in->count; i++) {
		if (in->items[i].unchanged)
			n_same++;
		else
			n_added++;
	}
	if (added)
		*added = n_added;
	if (unchanged)
		*unchanged = n_same;
out:
	writer_release(&w);
	free(ids);
	return rc;
}
