/* input.c - opening a file given to a tool as input, trusting nothing about
 * it: it is opened non-blocking (a FIFO, a device or a socket can neither
 * hang the tool nor be read), must turn out to be a regular file, and may
 * not live in /proc or /sys (whose "regular files" are the kernel's and the
 * process's own state, e.g. /proc/self/environ). A symbolic link is read as
 * the file it names: that is what a shell user means by it. */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "catalog.h"

int input_open(const char *path, const char **why)
{
	struct statfs sfs;
	struct stat st;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);

	*why = NULL;
	if (fd < 0) {
		int rc = -errno;

		*why = rc == -ENXIO ? "not a regular file (a socket or a FIFO without "
		       "a writer): refused" : NULL;
		return rc == -ENXIO ? -EINVAL : rc;
	}
	if (fstat(fd, &st) < 0 || fstatfs(fd, &sfs) < 0) {
		int rc = -errno;

		close(fd);
		return rc;
	}
	if (S_ISDIR(st.st_mode))
		*why = "not a regular file (a folder): refused";
	else if (S_ISFIFO(st.st_mode))
		*why = "not a regular file (a FIFO): refused";
	else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
		*why = "not a regular file (a device): refused";
	else if (S_ISSOCK(st.st_mode))
		*why = "not a regular file (a socket): refused";
	else if (!S_ISREG(st.st_mode))
		*why = "not a regular file: refused";
	else if (sfs.f_type == PROC_SUPER_MAGIC || sfs.f_type == SYSFS_MAGIC)
		*why = "a file of /proc or /sys, not a document: refused";
	else if (fcntl(fd, F_SETFL, O_RDONLY) < 0) /* clears O_NONBLOCK */
		*why = "cannot make it blocking";
	if (*why) {
		close(fd);
		return -EINVAL;
	}
	return fd;
}

FILE *input_fopen(const char *path, const char **why)
{
	int fd = input_open(path, why);
	FILE *f = fd >= 0 ? fdopen(fd, "r") : NULL;

	if (!f) {
		int err = fd < 0 ? -fd : errno;

		if (fd >= 0)
			close(fd);
		if (!*why)
			*why = strerror(err);
		errno = err;
	}
	return f;
}
