/* tmpdir.c - fmctl's scratch folders ($TMPDIR/fmctl-SUB.XXXXXX) and the
 * ones killed runs left behind. A run holds an exclusive lock on the
 * folder's .lock file for as long as it lives; the kernel drops it when the
 * run dies, however it dies. So the next run (and verify --repair) removes
 * every folder of ours whose lock it can take - never a live run's. */
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fmctl.h"

static const char *tmp_root(void)
{
	const char *tmp = getenv("TMPDIR");

	return tmp && *tmp ? tmp : "/tmp";
}

int fmctl_tmpdir_make(const char *sub, char *out, size_t len)
{
	char lock[4200];
	int fd;

	snprintf(out, len, "%s/fmctl-%s.XXXXXX", tmp_root(), sub);
	if (!mkdtemp(out))
		return -errno;
	snprintf(lock, sizeof(lock), "%s/.lock", out);
	fd = open(lock, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int rc = -errno;

		if (fd >= 0)
			close(fd);
		unlink(lock);
		rmdir(out);
		return rc;
	}
	return fd;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)ftw;
	return (flag == FTW_DP ? rmdir(path) : unlink(path)) < 0 ? -1 : 0;
}

void fmctl_tmpdir_remove(const char *dir, int lock)
{
	/* FTW_PHYS: a link inside is removed, never followed */
	nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
	if (lock >= 0)
		close(lock); /* after the folder is gone: no sweep races us */
}

int fmctl_tmpdir_sweep(void)
{
	const char *root = tmp_root();
	char path[4200], lock[4300];
	struct dirent *e;
	struct stat st;
	int removed = 0;
	DIR *d = opendir(root);

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		int fd;

		if (strncmp(e->d_name, "fmctl-", 6))
			continue;
		snprintf(path, sizeof(path), "%s/%s", root, e->d_name);
		if (lstat(path, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid())
			continue;
		snprintf(lock, sizeof(lock), "%s/.lock", path);
		fd = open(lock, O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0)
			continue; /* not ours, or a run that is just starting */
		if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
			fmctl_tmpdir_remove(path, -1);
			removed++;
		}
		close(fd);
	}
	closedir(d);
	return removed;
}

void fmctl_tmpdir_sweep_say(const char *sub)
{
	int n = fmctl_tmpdir_sweep();

	if (n > 0)
		fmctl_error(sub, "%s: removed %d temp folder(s) of killed runs", tmp_root(), n);
}
