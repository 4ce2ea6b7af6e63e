/* watch.c - keeps the kernel's caches honest while the catalog grows: a
 * thread polls the catalog for nodes added since it last looked and tells the
 * kernel to forget the (negative) entry and the parent folder's attributes.
 * So entries and attributes can be cached for long, yet a file ingested while
 * mounted shows within a poll interval. It also drops the cached listings of
 * folders whose files were read (fmfs_stale_add). */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "fmfs.h"

#define POLL_MS 100

struct watch_pass {
	struct fmfs *fs;
	uint64_t last;
};

static int notify_added(void *arg, const struct node *n)
{
	struct watch_pass *wp = arg;
	struct fmfs *fs = wp->fs;
	fuse_ino_t parent = fmfs_ino(fs, n->parent);

	wp->last = n->id;
	if (!fmfs_node_visible(fs, n) || n->id == fs->root)
		return 0;
	if (fs->root != FM_ROOT_ID) { /* the org's totals for statfs */
		__atomic_fetch_add(&fs->org_nodes, 1, __ATOMIC_RELAXED);
		__atomic_fetch_add(&fs->org_files, n->type == NODE_FILE, __ATOMIC_RELAXED);
		__atomic_fetch_add(&fs->org_bytes, (uint64_t)n->size, __ATOMIC_RELAXED);
	}
	/* -ENOENT: the kernel does not know the parent; nothing to forget */
	fuse_lowlevel_notify_inval_entry(fs->se, parent, n->name, strlen(n->name));
	/* offset 0: also drop the folder's cached listing (cache_readdir) */
	fuse_lowlevel_notify_inval_inode(fs->se, parent, 0, 0);
	return 0;
}

void fmfs_stale_add(struct fmfs *fs, uint64_t id)
{
	size_t i;

	pthread_mutex_lock(&fs->stale_lock);
	for (i = 0; i < fs->nstale && fs->stale[i] != id; i++)
		;
	/* full: that folder's files cost a getattr each on their next stat */
	if (i == fs->nstale && i < sizeof(fs->stale) / sizeof(*fs->stale))
		fs->stale[fs->nstale++] = id;
	pthread_mutex_unlock(&fs->stale_lock);
}

/* Drop the listings of folders whose files were read (see fmfs.h). */
static void stale_flush(struct fmfs *fs)
{
	uint64_t ids[sizeof(fs->stale) / sizeof(*fs->stale)];
	size_t n;

	pthread_mutex_lock(&fs->stale_lock);
	n = fs->nstale;
	memcpy(ids, fs->stale, n * sizeof(*ids));
	fs->nstale = 0;
	pthread_mutex_unlock(&fs->stale_lock);
	for (size_t i = 0; i < n; i++)
		fuse_lowlevel_notify_inval_inode(fs->se, fmfs_ino(fs, ids[i]), 0, 0);
}

static bool wait_stop(struct fmfs *fs, int ms)
{
	struct timespec until;
	bool stop;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_nsec += (long)ms * 1000000L;
	until.tv_sec += until.tv_nsec / 1000000000L;
	until.tv_nsec %= 1000000000L;
	pthread_mutex_lock(&fs->stop_lock);
	if (!fs->stop)
		pthread_cond_timedwait(&fs->stop_cond, &fs->stop_lock, &until);
	stop = fs->stop;
	pthread_mutex_unlock(&fs->stop_lock);
	return stop;
}

static void *watch_main(void *arg)
{
	struct watch_pass wp = { .fs = arg };
	struct catalog *cat = fmfs_catalog(wp.fs);

	if (!cat || catalog_max_id(cat, &wp.last) < 0) {
		fm_log(FM_LOG_ERROR, "watch: cannot read the catalog: new files will "
		       "show only when the kernel's cache expires");
		return NULL;
	}
	bool ra_done = false;

	while (!wait_stop(wp.fs, POLL_MS)) {
		if (!ra_done && __atomic_load_n(&wp.fs->inited, __ATOMIC_ACQUIRE)) {
			fmfs_readahead_set(wp.fs);
			ra_done = true;
		}
		node_since(cat, wp.last, notify_added, &wp);
		stale_flush(wp.fs);
	}
	return NULL;
}

int fmfs_watch_start(struct fmfs *fs)
{
	int rc = pthread_create(&fs->watcher, NULL, watch_main, fs);

	fs->watching = rc == 0;
	return -rc;
}

void fmfs_watch_stop(struct fmfs *fs)
{
	if (!fs->watching)
		return;
	pthread_mutex_lock(&fs->stop_lock);
	fs->stop = true;
	pthread_cond_broadcast(&fs->stop_cond); /* the remote poller waits too */
	pthread_mutex_unlock(&fs->stop_lock);
	pthread_join(fs->watcher, NULL);
	fs->watching = false;
}
