/* prefill.c - a small file's bytes put into the kernel's page cache when it
 * is opened (FUSE notify_store), so that reading it never reaches the daemon:
 * one round trip less per file, and the kernel keeps the file's atime (after
 * a FUSE READ it forgets it, and the next stat is a GETATTR: the second
 * rsync -a). Only for an inode with no other open: then no READ of it is in
 * flight holding a page lock that notify_store would wait for while every
 * worker thread waits too. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fmfs.h"

#define PREFILL_MAX (64u << 10) /* bytes: bigger files are read as usual */

bool fmfs_open_track(struct fmfs *fs, fuse_ino_t ino)
{
	size_t cap = sizeof(fs->opens) / sizeof(*fs->opens), i;
	bool first = false;

	pthread_mutex_lock(&fs->open_lock);
	for (i = 0; i < fs->nopens && fs->opens[i].ino != ino; i++)
		;
	if (i < fs->nopens) {
		fs->opens[i].n++;
	} else if (fs->nopens < cap && !fs->opens_full) {
		fs->opens[fs->nopens++] = (struct fmfs_open){ ino, 1 };
		first = true;
	} else {
		fs->opens_full = true; /* an open we cannot count: prefill no more */
	}
	pthread_mutex_unlock(&fs->open_lock);
	return first;
}

void fmfs_open_untrack(struct fmfs *fs, fuse_ino_t ino)
{
	pthread_mutex_lock(&fs->open_lock);
	for (size_t i = 0; i < fs->nopens; i++) {
		if (fs->opens[i].ino != ino)
			continue;
		if (--fs->opens[i].n == 0)
			fs->opens[i] = fs->opens[--fs->nopens];
		break;
	}
	pthread_mutex_unlock(&fs->open_lock);
}

void fmfs_prefill(struct fmfs *fs, fuse_ino_t ino, struct fmfs_file *f)
{
	struct fuse_bufvec bv = FUSE_BUFVEC_INIT((size_t)f->size);
	char *buf;

	if (f->size <= 0 || f->size > PREFILL_MAX)
		return;
	/* a chunk that fails its check is left to the read path (EIO) */
	if (fmfs_file_verify(fs, f, 0, (size_t)f->size) < 0)
		return;
	buf = malloc((size_t)f->size);
	if (buf && pread(f->fd, buf, (size_t)f->size, 0) == f->size) {
		bv.buf[0].mem = buf;
		fuse_lowlevel_notify_store(fs->se, ino, 0, &bv, 0);
	}
	free(buf);
}
