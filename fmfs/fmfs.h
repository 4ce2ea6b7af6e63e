/* fmfs.h - the daemon's shared state and the parts of it each file owns:
 * main.c (options, mount), ops.c (read side), deny.c (write side -> EPERM),
 * watch.c (tells the kernel about new entries). */
#ifndef FMFS_FMFS_H
#define FMFS_FMFS_H

#define FUSE_USE_VERSION 314
#include <fuse_lowlevel.h>
#include <pthread.h>
#include <stdbool.h>

#include "../catalog/catalog.h"

struct fmfs {
	char *store;         /* absolute path */
	char *org;           /* NULL: the operator's view of every org */
	uint64_t root;       /* catalog id shown as FUSE_ROOT_ID */
	uid_t owner;         /* may read: the mount's owner, root, group gid */
	gid_t gid;
	bool gid_set;
	double timeout;      /* entry/attr cache: long, new entries are notified */
	struct fuse_session *se;
	pthread_key_t cat_key;  /* each worker thread's read-only catalog */
	pthread_t watcher;
	bool watching;
	pthread_mutex_t stop_lock;
	pthread_cond_t stop_cond;
	bool stop;              /* protected by stop_lock */
};

/* The calling thread's catalog connection (opened on first use); NULL on
 * error (logged). */
struct catalog *fmfs_catalog(struct fmfs *fs);

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

void fmfs_ops_init(struct fuse_lowlevel_ops *ops); /* ops.c */
void fmfs_deny_init(struct fuse_lowlevel_ops *ops); /* deny.c */

int fmfs_watch_start(struct fmfs *fs); /* watch.c */
void fmfs_watch_stop(struct fmfs *fs);

#endif
