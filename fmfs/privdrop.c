/* privdrop.c - the daemon holds root only to mount: then it becomes the
 * store's owner (or -o user=), with no supplementary group, an empty
 * capability bounding set, no capabilities and PR_SET_NO_NEW_PRIVS, so a
 * flaw in the read path reaches no more than that account already can.
 * /dev/fuse is open already; the store is read as its owner. Also raises
 * the open-files limit (each open file holds a blob's fd). */
#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fmfs.h"

void fmfs_fd_limit_raise(unsigned long *out)
{
	struct rlimit rl;

	*out = 0;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	*out = (unsigned long)rl.rlim_cur;
}

static int caps_clear(void)
{
	struct __user_cap_header_struct head = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];

	memset(data, 0, sizeof(data));
	return syscall(SYS_capset, &head, data) < 0 ? -errno : 0;
}

int fmfs_privdrop(uid_t uid, gid_t gid, char *err, size_t errlen)
{
	uid_t r, e, s;

	if (geteuid() != 0)
		return 0; /* not root: nothing to give up */
	/* the bounding set first: dropping from it needs CAP_SETPCAP */
	for (int cap = 0; cap <= CAP_LAST_CAP; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL) {
			snprintf(err, errlen, "cannot drop capability %d: %s", cap,
				 strerror(errno));
			return -errno;
		}
	if (setgroups(0, NULL) < 0 || setresgid(gid, gid, gid) < 0 ||
	    setresuid(uid, uid, uid) < 0) {
		snprintf(err, errlen, "cannot become uid %u gid %u: %s", (unsigned)uid,
			 (unsigned)gid, strerror(errno));
		return -errno;
	}
	/* uid 0 keeps its capabilities through setresuid: clear them */
	if (caps_clear() < 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		snprintf(err, errlen, "cannot drop capabilities: %s", strerror(errno));
		return -errno;
	}
	if (getresuid(&r, &e, &s) < 0 || r != uid || e != uid || s != uid) {
		snprintf(err, errlen, "still not uid %u after setresuid", (unsigned)uid);
		return -EPERM;
	}
	return 0;
}
