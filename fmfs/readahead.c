/* readahead.c - widens the kernel's readahead window of the mount (its bdi,
 * /sys/class/bdi/MAJ:MIN/read_ahead_kb): FUSE starts at 128 KiB, so a cold
 * sequential read arrives as 128 KiB requests; 512 KiB requests halve the
 * round trips and still fit the 1 MiB splice pipe (at 1 MiB libfuse falls
 * back to copying through a buffer). Needs root (the file is opened before
 * the daemon gives root up); otherwise left as it is. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fmfs.h"

/* mountinfo writes space, tab, newline and backslash as \ooo */
static void escape_path(const char *in, char *out, size_t outlen)
{
	size_t n = 0;

	for (; *in && n + 5 < outlen; in++) {
		if (strchr(" \t\n\\", *in))
			n += (size_t)snprintf(out + n, outlen - n, "\\%03o", (unsigned char)*in);
		else
			out[n++] = *in;
	}
	out[n] = 0;
}

/* "MAJ:MIN" of the fuse mount at fs->mountpoint into dev; 0 or -ENOENT. */
static int mount_dev(const struct fmfs *fs, char *dev, size_t devlen)
{
	char want[4200], line[8192], id[32], mnt[4200];
	FILE *f = fopen("/proc/self/mountinfo", "re");
	int rc = -ENOENT;

	if (!f)
		return -errno;
	escape_path(fs->mountpoint, want, sizeof(want));
	while (rc < 0 && fgets(line, sizeof(line), f)) {
		/* id parent MAJ:MIN root mountpoint ... - fstype source ... */
		if (sscanf(line, "%*s %*s %31s %*s %4199s", id, mnt) == 2 &&
		    !strcmp(mnt, want) && strstr(line, " - fuse.fmfs ")) {
			snprintf(dev, devlen, "%s", id);
			rc = 0;
		}
	}
	fclose(f);
	return rc;
}

void fmfs_readahead_open(struct fmfs *fs)
{
	char dev[32], path[96];

	fs->ra_fd = -1;
	if (!fs->read_ahead_kb || !fs->mountpoint || mount_dev(fs, dev, sizeof(dev)) < 0)
		return;
	snprintf(path, sizeof(path), "/sys/class/bdi/%s/read_ahead_kb", dev);
	/* opened now: the daemon gives up root before INIT, and sysfs checks
	 * the permission at open */
	fs->ra_fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fs->ra_fd < 0)
		fm_log(FM_LOG_INFO, "%s: cannot set readahead to %u KiB: %s", path,
		       fs->read_ahead_kb, strerror(errno));
}

void fmfs_readahead_set(struct fmfs *fs)
{
	char line[32];
	int len;

	if (fs->ra_fd < 0)
		return;
	len = snprintf(line, sizeof(line), "%u\n", fs->read_ahead_kb);
	if (write(fs->ra_fd, line, (size_t)len) != len)
		fm_log(FM_LOG_INFO, "cannot set readahead to %u KiB: %s",
		       fs->read_ahead_kb, strerror(errno));
	else
		fm_log(FM_LOG_INFO, "readahead %u KiB", fs->read_ahead_kb);
	close(fs->ra_fd);
	fs->ra_fd = -1;
}
