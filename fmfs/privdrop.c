/* privdrop.c - the daemon holds root only to mount: then it becomes the
 * store's owner (or -o user=), with no supplementary group, an empty
 * capability bounding set, no capabilities and PR_SET_NO_NEW_PRIVS, so a
 * flaw in the read path reaches no more than that account already can.
 * /dev/fuse is open already; the store is read as its owner. Then a seccomp
 * filter (libseccomp) refuses, with EPERM, what a read-only file server never
 * does: running programs, tracing, other namespaces, mounting, changing
 * identity, kernel modules, keyrings, BPF. Also raises the open-files limit
 * (each open file holds a blob's fd). */
#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <seccomp.h>
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

/* What the daemon never needs once mounted (a deny list: the sanitizers and
 * libfuse use much else). fusermount3 (auto_unmount) is a process of its
 * own, started before this. */
static const char *const denied[] = {
	"execve", "execveat", "process_vm_readv", "process_vm_writev",
#ifndef __SANITIZE_ADDRESS__
	"ptrace", /* LeakSanitizer stops the threads with it: allowed in test builds */
#endif
	"unshare", "setns", "mount", "umount2", "pivot_root", "chroot",
	"move_mount", "open_tree", "fsopen", "fsmount", "fspick", "mount_setattr",
	"setuid", "setgid", "setreuid", "setregid", "setresuid", "setresgid",
	"setgroups", "setfsuid", "setfsgid", "capset",
	"init_module", "finit_module", "delete_module", "kexec_load", "kexec_file_load",
	"bpf", "perf_event_open", "userfaultfd", "keyctl", "add_key", "request_key",
	"open_by_handle_at", "name_to_handle_at", "swapon", "swapoff", "reboot",
	"acct", "quotactl", "syslog", "ioperm", "iopl", "personality",
};

static int seccomp_apply(char *err, size_t errlen)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	int rc = ctx ? 0 : -ENOMEM;

	for (size_t i = 0; rc == 0 && i < sizeof(denied) / sizeof(*denied); i++) {
		int nr = seccomp_syscall_resolve_name(denied[i]);

		if (nr != __NR_SCMP_ERROR)
			rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0);
	}
	if (rc == 0)
		rc = seccomp_load(ctx);
	if (rc < 0)
		snprintf(err, errlen, "cannot load the seccomp filter: %s", strerror(-rc));
	seccomp_release(ctx);
	return rc;
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
	return seccomp_apply(err, errlen) < 0 ? -EPERM : 1;
}
