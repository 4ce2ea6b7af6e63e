/* ops.c - the read side of the mount, on the libfuse low-level API: lookup,
 * getattr, readdir(plus), open/read from the blob's fd (chunks checked by
 * verify.c on first read), statfs,
 * xattrs, access. Every call is one indexed catalog query; nothing is cached
 * in the daemon (the kernel caches: archived nodes never change). */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fmfs.h"

static struct fmfs *fs_of(fuse_req_t req)
{
	return fuse_req_userdata(req);
}

/* Root, the mount's owner and members of -o gid= may read; others EACCES.
 * Every supplementary group of the caller counts, however many. */
static int may_read(fuse_req_t req)
{
	struct fmfs *fs = fs_of(req);
	const struct fuse_ctx *ctx = fuse_req_ctx(req);
	gid_t some[64], *groups = some;
	int n, rc = -EACCES;

	if (ctx->uid == 0 || ctx->uid == fs->owner)
		return 0;
	if (!fs->gid_set)
		return -EACCES;
	if (ctx->gid == fs->gid)
		return 0;
	n = fuse_req_getgroups(req, 64, some);
	if (n > 64) {
		groups = malloc((size_t)n * sizeof(*groups));
		n = groups ? fuse_req_getgroups(req, n, groups) : -ENOMEM;
	}
	for (int i = 0; i < n; i++)
		if (groups[i] == fs->gid)
			rc = 0;
	if (groups != some)
		free(groups);
	return rc;
}

/* The node behind ino, if this mount may show it. */
static int get_node(fuse_req_t req, fuse_ino_t ino, struct node *n)
{
	struct fmfs *fs = fs_of(req);
	struct catalog *cat = fmfs_catalog(fs);
	int rc;

	if (!cat)
		return fmfs_catalog_error();
	rc = node_get(cat, fmfs_node_id(fs, ino), n);
	if (rc == 0 && !fmfs_node_visible(fs, n))
		return -ENOENT;
	return rc;
}

/* Modes say who may read: everyone the kernel lets in (owner-only mounts:
 * the mounting user and root), or, on a shared mount (allow_other, where
 * the kernel enforces them: default_permissions), the owner and -o gid=. */
static mode_t mode_of(const struct fmfs *fs, char type)
{
	mode_t m = type == NODE_DIR ? 0555 : 0444;

	if (fs->shared)
		m &= fs->gid_set ? 0550 : 0500;
	return m;
}

static void fill_stat(const struct fmfs *fs, const struct node *n, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = fmfs_ino(fs, n->id);
	st->st_uid = fs->owner;
	st->st_gid = fs->gid;
	st->st_blksize = 4096;
	st->st_mtime = n->mtime;
	st->st_atime = n->mtime;
	if (n->type == NODE_DIR) {
		st->st_mode = S_IFDIR | mode_of(fs, NODE_DIR);
		st->st_nlink = 2 + n->nsubdirs;
	} else {
		st->st_mode = S_IFREG | mode_of(fs, NODE_FILE);
		st->st_nlink = 1;
		st->st_size = n->size;
		/* no overflow whatever the size (node.c bounds it too) */
		st->st_blocks = n->size / 512 + (n->size % 512 != 0);
	}
	st->st_ctim = node_ctime(n);
}

static void fill_entry(const struct fmfs *fs, const struct node *n,
		       struct fuse_entry_param *e)
{
	memset(e, 0, sizeof(*e));
	e->ino = fmfs_ino(fs, n->id);
	e->generation = 1;
	e->attr_timeout = fs->timeout;
	e->entry_timeout = fs->timeout;
	fill_stat(fs, n, &e->attr);
}

/* "." and "..": the kernel asks these only to open an NFS-style file handle
 * (open_by_handle_at, an NFS export) for an inode it no longer caches. The
 * node and its parent go through get_node(), so a handle naming another
 * org's inode is ENOENT (the caller sees ESTALE): fmfs_node_visible(). */
static void lookup_dot(fuse_req_t req, const struct node *n, const char *name)
{
	struct fmfs *fs = fs_of(req);
	struct fuse_entry_param e;
	struct node up = *n;
	int rc = 0;

	if (!strcmp(name, "..")) {
		if (n->id == fs->root || n->type != NODE_DIR)
			rc = -ENOENT;
		else
			rc = get_node(req, fmfs_ino(fs, n->parent), &up);
	}
	if (rc < 0) {
		fuse_reply_err(req, -rc);
		return;
	}
	fill_entry(fs, &up, &e);
	fuse_reply_entry(req, &e);
}

static void op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fmfs *fs = fs_of(req);
	struct fuse_entry_param e;
	struct node dir, n;
	int rc;

	if (strlen(name) > FM_NAME_MAX) {
		fuse_reply_err(req, ENAMETOOLONG);
		return;
	}
	rc = may_read(req);
	if (rc == 0)
		rc = get_node(req, parent, &dir);
	if (rc == 0 && (!strcmp(name, ".") || !strcmp(name, ".."))) {
		lookup_dot(req, &dir, name);
		return;
	}
	if (rc == 0 && dir.type != NODE_DIR)
		rc = -ENOTDIR;
	if (rc == 0)
		rc = node_lookup(fmfs_catalog(fs), dir.id, name, &n); /* get_node opened it */
	if (rc == 0 && !fmfs_node_visible(fs, &n))
		rc = -ENOENT;
	if (rc == -ENOENT) {
		/* a negative entry the kernel may keep: watch.c invalidates it
		 * when the name is ingested */
		memset(&e, 0, sizeof(e));
		e.entry_timeout = fs->timeout;
		fuse_reply_entry(req, &e);
		return;
	}
	if (rc < 0) {
		fuse_reply_err(req, -rc);
		return;
	}
	fill_entry(fs, &n, &e);
	fuse_reply_entry(req, &e);
}

static void op_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
	(void)ino, (void)nlookup; /* inodes are catalog rows: nothing to free */
	fuse_reply_none(req);
}

static void op_forget_multi(fuse_req_t req, size_t count,
			    struct fuse_forget_data *forgets)
{
	(void)count, (void)forgets;
	fuse_reply_none(req);
}

static void op_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct stat st;
	struct node n;
	int rc = get_node(req, ino, &n);

	(void)fi;
	if (rc < 0) {
		fuse_reply_err(req, -rc);
		return;
	}
	fill_stat(fs_of(req), &n, &st);
	fuse_reply_attr(req, &st, fs_of(req)->timeout);
}

static void op_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct node n;
	int rc = may_read(req);

	if (rc == 0)
		rc = get_node(req, ino, &n);
	if (rc == 0 && n.type != NODE_DIR)
		rc = -ENOTDIR;
	if (rc < 0) {
		fuse_reply_err(req, -rc);
		return;
	}
	fi->fh = 0;
	/* the kernel keeps the listing; watch.c drops it when a child is added */
	fi->cache_readdir = 1;
	fi->keep_cache = 1;
	fuse_reply_open(req, fi);
}

/* Offsets are stable: "." is 1, ".." is 2, a child is its node id + 2, and
 * children come in id order, so a listing resumes or rewinds exactly. */
#define CHILD_OFF(id) ((off_t)(id) + 2)

struct dirbuf {
	fuse_req_t req;
	struct fmfs *fs;
	char *buf;
	size_t size, used;
	bool plus;
};

static int dirbuf_add(struct dirbuf *db, const char *name, const struct node *n,
		      off_t next)
{
	struct fuse_entry_param e;
	size_t len;

	fill_entry(db->fs, n, &e);
	if (db->plus)
		len = fuse_add_direntry_plus(db->req, db->buf + db->used,
					     db->size - db->used, name, &e, next);
	else
		len = fuse_add_direntry(db->req, db->buf + db->used,
					db->size - db->used, name, &e.attr, next);
	if (len > db->size - db->used)
		return 1; /* full */
	db->used += len;
	return 0;
}

static int dirbuf_child(void *arg, const struct node *n)
{
	struct dirbuf *db = arg;

	if (!fmfs_node_visible(db->fs, n))
		return 0;
	return dirbuf_add(db, n->name, n, CHILD_OFF(n->id));
}

static void do_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		       bool plus)
{
	struct dirbuf db = { .req = req, .fs = fs_of(req), .size = size, .plus = plus };
	struct node dir, parent;
	int rc = get_node(req, ino, &dir);

	if (rc == 0 && dir.type != NODE_DIR)
		rc = -ENOTDIR;
	if (rc < 0) {
		fuse_reply_err(req, -rc);
		return;
	}
	db.buf = malloc(size);
	if (!db.buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	/* the kernel takes no lookup count for "." and ".." */
	if (off < 1 && dirbuf_add(&db, ".", &dir, 1))
		goto reply;
	if (off < 2) {
		if (ino == FUSE_ROOT_ID || get_node(req, dir.parent, &parent) < 0)
			parent = dir;
		if (dirbuf_add(&db, "..", &parent, 2))
			goto reply;
	}
	rc = node_list(fmfs_catalog(db.fs), dir.id, off > 2 ? (uint64_t)off - 2 : 0,
		       dirbuf_child, &db);
	if (rc < 0) {
		free(db.buf);
		fuse_reply_err(req, -rc);
		return;
	}
reply:
	fuse_reply_buf(req, db.buf, db.used);
	free(db.buf);
}

static void op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		       struct fuse_file_info *fi)
{
	(void)fi;
	do_readdir(req, ino, size, off, false);
}

static void op_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
			   struct fuse_file_info *fi)
{
	(void)fi;
	do_readdir(req, ino, size, off, true);
}

static void op_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	(void)ino, (void)fi;
	fuse_reply_err(req, 0);
}

static void op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fmfs *fs = fs_of(req);
	struct fmfs_file *f;
	struct node n;
	int rc;

	if ((fi->flags & O_ACCMODE) != O_RDONLY ||
	    (fi->flags & (O_TRUNC | O_APPEND | O_CREAT))) {
		fuse_reply_err(req, EPERM);
		return;
	}
	rc = may_read(req);
	if (rc == 0)
		rc = get_node(req, ino, &n);
	if (rc == 0 && n.type != NODE_FILE)
		rc = -EISDIR;
	if (rc == 0)
		rc = fmfs_file_open(fs, &n, &f); /* logs what is wrong */
	if (rc < 0) {
		fuse_reply_err(req, -rc);
		return;
	}
	f->parent = n.parent;
	fi->fh = (uint64_t)(uintptr_t)f;
	fi->keep_cache = 1; /* archived bytes never change */
	if (fmfs_open_track(fs, ino))
		fmfs_prefill(fs, ino, f);
	if (fuse_reply_open(req, fi) != 0) {
		fmfs_open_untrack(fs, ino);
		fmfs_file_close(f);
	}
}

static void op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	struct fmfs_file *f = (struct fmfs_file *)(uintptr_t)fi->fh;
	struct fuse_bufvec buf = FUSE_BUFVEC_INIT(size);
	int rc;

	(void)ino;
	if (f->fd < 0) { /* a remote file of many chunks */
		if (!__atomic_load_n(&f->read, __ATOMIC_RELAXED))
			__atomic_store_n(&f->read, true, __ATOMIC_RELAXED);
		fmfs_remote_reply_read(req, fs_of(req), f, size, off);
		return;
	}
	rc = fmfs_file_verify(fs_of(req), f, off, size);
	if (rc < 0) {
		fuse_reply_err(req, -rc);
		return;
	}
	if (!__atomic_load_n(&f->read, __ATOMIC_RELAXED))
		__atomic_store_n(&f->read, true, __ATOMIC_RELAXED);
	buf.buf[0].flags = FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK;
	buf.buf[0].fd = f->fd;
	buf.buf[0].pos = off;
	fuse_reply_data(req, &buf, FUSE_BUF_SPLICE_MOVE);
}

static void op_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fmfs_file *f = (struct fmfs_file *)(uintptr_t)fi->fh;

	if (__atomic_load_n(&f->read, __ATOMIC_RELAXED))
		fmfs_stale_add(fs_of(req), f->parent);
	fmfs_open_untrack(fs_of(req), ino);
	fmfs_file_close(f);
	fuse_reply_err(req, 0);
}

static void op_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	(void)ino, (void)fi;
	fuse_reply_err(req, 0);
}

static void op_fsync(fuse_req_t req, fuse_ino_t ino, int datasync,
		     struct fuse_file_info *fi)
{
	(void)ino, (void)datasync, (void)fi;
	fuse_reply_err(req, 0); /* nothing is ever dirty */
}

/* The totals of what this mount shows: the whole archive for the
 * operator's mount, the org's own for an org's (never every org's); none
 * for whoever may not read. */
static void op_statfs(fuse_req_t req, fuse_ino_t ino)
{
	struct fmfs *fs = fs_of(req);
	struct catalog *cat = NULL;
	struct catalog_stats s;
	struct statvfs sv;
	int rc = may_read(req);

	(void)ino;
	if (rc == 0 && fs->root != FM_ROOT_ID) {
		s.nodes = __atomic_load_n(&fs->org_nodes, __ATOMIC_RELAXED);
		s.files = __atomic_load_n(&fs->org_files, __ATOMIC_RELAXED);
		s.bytes = __atomic_load_n(&fs->org_bytes, __ATOMIC_RELAXED);
	} else if (rc == 0) {
		cat = fmfs_catalog(fs);
		rc = cat ? catalog_stats(cat, &s) : fmfs_catalog_error();
	}
	if (rc < 0) {
		fuse_reply_err(req, -rc);
		return;
	}
	memset(&sv, 0, sizeof(sv));
	sv.f_bsize = 4096;
	sv.f_frsize = 4096;
	sv.f_blocks = (s.bytes + 4095) / 4096 + 1;
	sv.f_files = s.nodes;
	sv.f_namemax = FM_NAME_MAX;
	fuse_reply_statfs(req, &sv);
}

/* ---- xattrs: what the catalog knows of a document ------------------------ */

static const char *const xattr_names[] = {
	"user.fmfs.sha256", "user.fmfs.kind", "user.fmfs.direction",
	"user.fmfs.period", "user.fmfs.ingested_at", "user.fmfs.org",
};

static int xattr_value(const struct node *n, const struct document *d,
		       const char *name, char *out, size_t outlen)
{
	struct tm tm;

	if (!strcmp(name, "user.fmfs.sha256"))
		snprintf(out, outlen, "%s", n->sha256);
	else if (!strcmp(name, "user.fmfs.kind"))
		snprintf(out, outlen, "%s", d->kind);
	else if (!strcmp(name, "user.fmfs.direction") && d->direction[0])
		snprintf(out, outlen, "%s", d->direction);
	else if (!strcmp(name, "user.fmfs.period"))
		snprintf(out, outlen, "%s", d->period);
	else if (!strcmp(name, "user.fmfs.org"))
		snprintf(out, outlen, "%s", d->org);
	else if (!strcmp(name, "user.fmfs.ingested_at")) {
		time_t t = (time_t)d->ingested_at;

		gmtime_r(&t, &tm);
		strftime(out, outlen, "%Y-%m-%dT%H:%M:%SZ", &tm);
	} else
		return -ENODATA;
	return 0;
}

static int get_document(fuse_req_t req, fuse_ino_t ino, struct node *n,
			struct document *d)
{
	int rc = may_read(req);

	if (rc == 0)
		rc = get_node(req, ino, n);
	if (rc == 0 && n->type != NODE_FILE)
		return -ENODATA;
	if (rc == 0)
		rc = document_get(fmfs_catalog(fs_of(req)), n->id, d);
	return rc == -ENOENT ? -ENODATA : rc;
}

static void reply_xattr(fuse_req_t req, const char *value, size_t len, size_t size)
{
	if (size == 0)
		fuse_reply_xattr(req, len);
	else if (size < len)
		fuse_reply_err(req, ERANGE);
	else
		fuse_reply_buf(req, value, len);
}

static void op_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name, size_t size)
{
	char value[FM_NAME_MAX + 1];
	struct document d;
	struct node n;
	int rc;

	if (strncmp(name, "user.", 5)) {
		/* No ACLs, no security labels: the namespace is not supported.
		 * ls -l asks security.selinux and system.posix_acl_access of
		 * every file and the kernel does not remember an ENODATA; after
		 * an EOPNOTSUPP, ls stops asking for the rest of the mount
		 * (ls -l of 50k files: 7x native with ENODATA). */
		fuse_reply_err(req, EOPNOTSUPP);
		return;
	}
	if (strncmp(name, "user.fmfs.", 10)) {
		fuse_reply_err(req, ENODATA);
		return;
	}
	/* a remote mount's status: asked by name, never listed (so rsync -X
	 * and backups see the same tree as a local mount) */
	if (fs_of(req)->remote && ino == FUSE_ROOT_ID &&
	    !strncmp(name, "user.fmfs.remote.", 17)) {
		char status[1024];

		rc = may_read(req);
		if (rc == 0)
			rc = fmfs_remote_xattr(fs_of(req), name, status, sizeof(status));
		if (rc < 0)
			fuse_reply_err(req, -rc);
		else
			reply_xattr(req, status, strlen(status), size);
		return;
	}
	rc = get_document(req, ino, &n, &d);
	if (rc == 0)
		rc = xattr_value(&n, &d, name, value, sizeof(value));
	if (rc < 0) {
		fuse_reply_err(req, -rc);
		return;
	}
	reply_xattr(req, value, strlen(value), size);
}

static void op_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size)
{
	char list[512], value[FM_NAME_MAX + 1];
	struct document d;
	struct node n;
	size_t len = 0;
	int rc = get_document(req, ino, &n, &d);

	if (rc == -ENODATA) {
		reply_xattr(req, "", 0, size); /* a folder: no attributes */
		return;
	}
	if (rc < 0) {
		fuse_reply_err(req, -rc);
		return;
	}
	for (size_t i = 0; i < sizeof(xattr_names) / sizeof(*xattr_names); i++) {
		if (xattr_value(&n, &d, xattr_names[i], value, sizeof(value)) < 0)
			continue;
		memcpy(list + len, xattr_names[i], strlen(xattr_names[i]) + 1);
		len += strlen(xattr_names[i]) + 1;
	}
	reply_xattr(req, list, len, size);
}

static void op_access(fuse_req_t req, fuse_ino_t ino, int mask)
{
	struct node n;
	int rc = may_read(req);

	if (rc == 0)
		rc = get_node(req, ino, &n);
	if (rc == 0 && (mask & W_OK))
		rc = -EACCES; /* so file managers grey out delete and rename */
	if (rc == 0 && (mask & X_OK) && n.type != NODE_DIR)
		rc = -EACCES; /* as the modes say: no file is executable */
	fuse_reply_err(req, -rc);
}

static void op_init(void *userdata, struct fuse_conn_info *conn)
{
	struct fmfs *fs = userdata;

	/* the kernel applies this reply after we return: watch.c then sets
	 * the readahead window (readahead.c) */
	__atomic_store_n(&fs->inited, true, __ATOMIC_RELEASE);
	if (conn->capable & FUSE_CAP_SPLICE_WRITE)
		conn->want |= FUSE_CAP_SPLICE_WRITE;
	if (conn->capable & FUSE_CAP_SPLICE_MOVE)
		conn->want |= FUSE_CAP_SPLICE_MOVE;
	if (conn->capable & FUSE_CAP_READDIRPLUS)
		conn->want |= FUSE_CAP_READDIRPLUS;
	/* file handles survive the kernel forgetting an inode (NFS export,
	 * open_by_handle_at); lookup_dot() keeps them inside the org */
	if (conn->capable & FUSE_CAP_EXPORT_SUPPORT)
		conn->want |= FUSE_CAP_EXPORT_SUPPORT;
	if (conn->capable & FUSE_CAP_READDIRPLUS_AUTO)
		conn->want |= FUSE_CAP_READDIRPLUS_AUTO;
	conn->want &= ~FUSE_CAP_WRITEBACK_CACHE;
}

void fmfs_ops_init(struct fuse_lowlevel_ops *ops)
{
	ops->init = op_init;
	ops->lookup = op_lookup;
	ops->forget = op_forget;
	ops->forget_multi = op_forget_multi;
	ops->getattr = op_getattr;
	ops->opendir = op_opendir;
	ops->readdir = op_readdir;
	ops->readdirplus = op_readdirplus;
	ops->releasedir = op_releasedir;
	ops->open = op_open;
	ops->read = op_read;
	ops->release = op_release;
	ops->flush = op_flush;
	ops->fsync = op_fsync;
	ops->statfs = op_statfs;
	ops->getxattr = op_getxattr;
	ops->listxattr = op_listxattr;
	ops->access = op_access;
}
