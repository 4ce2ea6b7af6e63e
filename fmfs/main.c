/* main.c - fmfs STORE MOUNTPOINT [-o org=D,gid=N,user=U,…] [-f]: options
 * (fuse_opt), the checks that must pass before mounting, the mount itself,
 * giving up root (privdrop.c) and the multithreaded loop. Paths are
 * resolved before fuse_daemonize() chdirs. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fmfs.h"

struct options {
	char *store;
	char *mountpoint; /* as given; fuse_parse_cmdline takes it too */
	char *org;
	char *gid;
	char *user;
	int shared;  /* allow_other given */
	int refused; /* ro or default_permissions: the kernel would answer */
	int bad;     /* an option given twice or empty */
	int verbose;
	int noverify;
	int read_ahead_kb; /* -1: not given */
	/* a remote source (fmfs URL MNT) */
	char *pubkey, *cache, *cache_max, *poll, *credentials, *cacert, *mirrors,
		*endpoint, *region;
};

#define OPT(t, p) { t, offsetof(struct options, p), 1 }
enum { KEY_RO, KEY_DEFAULT_PERMISSIONS, KEY_ORG, KEY_GID, KEY_MOUNT_ONLY, KEY_REMOTE,
       KEY_USER, KEY_ALLOW_OTHER };

static const struct fuse_opt fmfs_opts[] = {
	FUSE_OPT_KEY("org=", KEY_ORG),
	FUSE_OPT_KEY("gid=", KEY_GID),
	FUSE_OPT_KEY("pubkey=", KEY_REMOTE),
	FUSE_OPT_KEY("cache=", KEY_REMOTE),
	FUSE_OPT_KEY("cache_max=", KEY_REMOTE),
	FUSE_OPT_KEY("poll=", KEY_REMOTE),
	FUSE_OPT_KEY("credentials=", KEY_REMOTE),
	FUSE_OPT_KEY("cacert=", KEY_REMOTE),
	FUSE_OPT_KEY("mirrors=", KEY_REMOTE),
	FUSE_OPT_KEY("endpoint=", KEY_REMOTE),
	FUSE_OPT_KEY("region=", KEY_REMOTE),
	FUSE_OPT_KEY("user=", KEY_USER),
	FUSE_OPT_KEY("allow_other", KEY_ALLOW_OTHER),
	OPT("verbose", verbose),
	OPT("noverify", noverify),
	{ "read_ahead_kb=%d", offsetof(struct options, read_ahead_kb), 0 },
	FUSE_OPT_KEY("ro", KEY_RO),
	FUSE_OPT_KEY("default_permissions", KEY_DEFAULT_PERMISSIONS),
	/* fstab options meant for mount(8), systemd or the reader (x-* too:
	 * opt_proc): dropped here, since mount.fuse3 passes some of them on.
	 * The atime options are moot: an archived file's atime is its mtime. */
	FUSE_OPT_KEY("defaults", KEY_MOUNT_ONLY),
	FUSE_OPT_KEY("auto", KEY_MOUNT_ONLY),
	FUSE_OPT_KEY("noauto", KEY_MOUNT_ONLY),
	FUSE_OPT_KEY("_netdev", KEY_MOUNT_ONLY),
	FUSE_OPT_KEY("nofail", KEY_MOUNT_ONLY),
	FUSE_OPT_KEY("user", KEY_MOUNT_ONLY),
	FUSE_OPT_KEY("nouser", KEY_MOUNT_ONLY),
	FUSE_OPT_KEY("users", KEY_MOUNT_ONLY),
	FUSE_OPT_KEY("owner", KEY_MOUNT_ONLY),
	FUSE_OPT_KEY("group", KEY_MOUNT_ONLY),
	FUSE_OPT_KEY("comment=", KEY_MOUNT_ONLY),
	FUSE_OPT_KEY("relatime", KEY_MOUNT_ONLY),
	FUSE_OPT_KEY("norelatime", KEY_MOUNT_ONLY),
	FUSE_OPT_KEY("strictatime", KEY_MOUNT_ONLY),
	FUSE_OPT_KEY("lazytime", KEY_MOUNT_ONLY),
	FUSE_OPT_KEY("nodiratime", KEY_MOUNT_ONLY),
	FUSE_OPT_END
};

/* -o NAME=VALUE given once, with a value: copy it into *slot. */
static int opt_value(struct options *o, char **slot, const char *arg)
{
	const char *value = strchr(arg, '=') + 1;

	if (*slot) {
		fprintf(stderr, "fmfs: -o %.*s given twice\n", (int)(value - arg - 1), arg);
		o->bad = 1;
		return 0;
	}
	if (!*value) {
		fprintf(stderr, "fmfs: -o %s: empty value\n", arg);
		o->bad = 1;
		return 0;
	}
	*slot = strdup(value);
	return 0;
}

static void usage(const char *prog)
{
	printf("usage: %s STORE MOUNTPOINT [options]\n"
	       "       %s https://HOST/PREFIX|s3://BUCKET/PREFIX MOUNTPOINT -o pubkey=P,cache=DIR[,…]\n\n"
	       "Mount the fmfs archive STORE, or an org published by fmctl publish,\n"
	       "read-only at MOUNTPOINT.\n\n"
	       "fmfs options:\n"
	       "    -o org=DOMAIN      show only this org's tree (default: every org)\n"
	       "    -o gid=GID         members of this group may read (with allow_other)\n"
	       "    -o user=USER       started as root: run as USER once mounted (default:\n"
	       "                       the store's owner)\n"
	       "    -o noverify        do not check chunk checksums (benchmarks only)\n"
	       "    -o read_ahead_kb=N readahead window of the mount (default 512; 0: the\n"
	       "                       kernel's 128); needs root, see fmfs/readahead.c\n"
	       "    -o verbose         log every notice to stderr\n"
	       "  for fstab and mount(8): defaults, auto, noauto, _netdev, nofail, user,\n"
	       "  users, nouser, owner, group, comment=…, x-…, the atime options are\n"
	       "  ignored; rw, dev, suid, exec and their no… forms are the kernel's;\n"
	       "  ro and default_permissions are refused (fmfs answers writes with EPERM)\n\n"
	       "remote source options:\n"
	       "    -o pubkey=FILE     the publisher's Ed25519 public key (required)\n"
	       "    -o cache=DIR       the verified local cache and catalog (required)\n"
	       "    -o cache_max=SIZE  bound of the cache (K, M, G, T; default none)\n"
	       "    -o poll=SECONDS    how often to look for a new revision (60)\n"
	       "    -o credentials=F   netrc (https) or AWS credentials (s3), mode 0600\n"
	       "    -o cacert=FILE     CA bundle for TLS (default: the system's)\n"
	       "    -o mirrors=U2|U3   more URLs of the same org, tried in order\n"
	       "    -o endpoint=URL    s3: the S3 server; -o region=R its SigV4 region\n\n",
	       prog, prog);
}

static int opt_proc(void *data, const char *arg, int key, struct fuse_args *outargs)
{
	struct options *o = data;

	(void)outargs;
	switch (key) {
	case FUSE_OPT_KEY_NONOPT:
		if (!o->store) {
			o->store = strdup(arg);
			return 0;
		}
		if (!o->mountpoint)
			o->mountpoint = strdup(arg);
		return 1; /* the mountpoint: fuse_parse_cmdline takes it */
	case KEY_ORG:
		return opt_value(o, &o->org, arg);
	case KEY_GID:
		return opt_value(o, &o->gid, arg);
	case KEY_MOUNT_ONLY:
		return 0;
	case KEY_REMOTE: {
		static const struct { const char *name; size_t off; } slots[] = {
			{ "pubkey=", offsetof(struct options, pubkey) },
			{ "cache=", offsetof(struct options, cache) },
			{ "cache_max=", offsetof(struct options, cache_max) },
			{ "poll=", offsetof(struct options, poll) },
			{ "credentials=", offsetof(struct options, credentials) },
			{ "cacert=", offsetof(struct options, cacert) },
			{ "mirrors=", offsetof(struct options, mirrors) },
			{ "endpoint=", offsetof(struct options, endpoint) },
			{ "region=", offsetof(struct options, region) },
		};
		for (size_t i = 0; i < sizeof(slots) / sizeof(*slots); i++)
			if (!strncmp(arg, slots[i].name, strlen(slots[i].name)))
				return opt_value(o, (char **)((char *)o + slots[i].off), arg);
		return 1;
	}
	case KEY_USER:
		return opt_value(o, &o->user, arg);
	case KEY_ALLOW_OTHER:
		o->shared = 1;
		return 1; /* the kernel needs it too */
	case KEY_RO:
	case KEY_DEFAULT_PERMISSIONS:
		fprintf(stderr, "fmfs: -o %s: refused: the kernel would answer EROFS/EACCES "
			"instead of fmfs's EPERM; fmfs is read-only by itself\n", arg);
		o->refused = 1;
		return 0;
	default:
		return strncmp(arg, "x-", 2) ? 1 : 0; /* x-systemd.*, x-gvfs-* … */
	}
}

/* libfuse writes some messages in pieces ("unknown option(s): `", "-o ",
 * "x", "'\n"): collect a line per thread, log it when it ends. */
static bool fuse_quiet; /* libfuse's own unmount after root was given up */

static void route_fuse_log(enum fuse_log_level level, const char *fmt, va_list ap)
{
	static __thread char line[1024];
	static __thread size_t used;
	size_t len;

	if (__atomic_load_n(&fuse_quiet, __ATOMIC_RELAXED))
		return;
	vsnprintf(line + used, sizeof(line) - used, fmt, ap);
	len = strlen(line);
	if (len && line[len - 1] != '\n' && len < sizeof(line) - 1) {
		used = len;
		return;
	}
	used = 0;
	if (len && line[len - 1] == '\n')
		line[len - 1] = 0;
	fm_log(level <= FUSE_LOG_ERR ? FM_LOG_ERROR :
	       level <= FUSE_LOG_WARNING ? FM_LOG_WARNING :
	       level <= FUSE_LOG_INFO ? FM_LOG_INFO : FM_LOG_DEBUG, "%s", line);
}

static void close_catalog(void *cat)
{
	catalog_close(cat);
}

static __thread int catalog_error;

int fmfs_catalog_error(void)
{
	return catalog_error ? catalog_error : -EIO;
}

struct catalog *fmfs_catalog(struct fmfs *fs)
{
	struct catalog *cat = pthread_getspecific(fs->cat_key);
	char err[512];
	int rc;

	if (cat)
		return cat;
	rc = catalog_open(fs->store, CATALOG_READONLY, &cat, err, sizeof(err));
	if (rc < 0) {
		catalog_error = rc == -EMFILE || rc == -ENFILE || rc == -ENOMEM ? rc : -EIO;
		if (rc == -EMFILE || rc == -ENFILE)
			fmfs_out_of_fds(fs, "open the catalog", rc);
		else
			fm_log(FM_LOG_ERROR, "%s", err);
		return NULL;
	}
	pthread_setspecific(fs->cat_key, cat);
	return cat;
}

void fmfs_out_of_fds(struct fmfs *fs, const char *what, int rc)
{
	struct rlimit rl = { 0 };
	struct timespec now;
	int64_t last;

	clock_gettime(CLOCK_MONOTONIC, &now);
	last = __atomic_load_n(&fs->fd_log_at, __ATOMIC_RELAXED);
	if (last && now.tv_sec - last < 60)
		return;
	__atomic_store_n(&fs->fd_log_at, (int64_t)now.tv_sec ? now.tv_sec : 1,
			 __ATOMIC_RELAXED);
	getrlimit(RLIMIT_NOFILE, &rl);
	fm_log(FM_LOG_ERROR, "out of file descriptors (%s; the limit is %llu): cannot %s; "
	       "readers get '%s' until files are closed (raise LimitNOFILE)",
	       rc == -ENFILE ? "the system's table is full" : "this process's",
	       (unsigned long long)rl.rlim_cur, what, strerror(-rc));
}

/* Check the store and find the mount's root before anything is mounted. */
static int resolve_root(struct fmfs *fs)
{
	struct catalog *cat;
	char err[512];
	int rc = catalog_open(fs->store, CATALOG_READONLY, &cat, err, sizeof(err));

	if (rc < 0) {
		fprintf(stderr, "fmfs: %s\n", err);
		return rc;
	}
	fs->root = FM_ROOT_ID;
	fs->objects = -1;
	if (fs->org && !org_is_valid(fs->org)) {
		fprintf(stderr, "fmfs: -o org=%s: not a valid org domain\n", fs->org);
		rc = -EINVAL;
	} else if (fs->org) {
		rc = node_org(cat, fs->org, &fs->root);
		if (rc == -ENOENT)
			fprintf(stderr, "fmfs: org '%s' is not in %s (known orgs: fmctl ls /)\n",
				fs->org, fs->store);
		else if (rc < 0)
			fprintf(stderr, "fmfs: %s: cannot read the catalog\n", fs->store);
	}
	if (rc == 0 && fs->org) {
		struct catalog_stats st;

		rc = catalog_org_stats(cat, fs->root, &st);
		if (rc < 0)
			fprintf(stderr, "fmfs: %s: cannot count org '%s': %s\n", fs->store,
				fs->org, strerror(-rc));
		fs->org_nodes = st.nodes;
		fs->org_files = st.files;
		fs->org_bytes = st.bytes;
	}
	catalog_close(cat);
	if (rc == 0) {
		fs->objects = blob_dir_open(fs->store);
		if (fs->objects < 0) {
			fprintf(stderr, "fmfs: %s/objects: %s\n", fs->store,
				blob_strerror(fs->objects));
			rc = fs->objects;
		}
	}
	return rc;
}

/* Whom the daemon becomes once mounted: -o user= (a name or a number), or
 * the store's owner (its primary group from the passwd database, else the
 * store's group). */
static int target_user(const char *store, const char *user, uid_t *uid, gid_t *gid)
{
	struct passwd *pw = NULL;
	struct stat st;
	char *end;

	if (user) {
		unsigned long v = strtoul(user, &end, 10);

		pw = *end || !*user ? getpwnam(user) : getpwuid((uid_t)v);
		if (!pw && (*end || !*user)) {
			fprintf(stderr, "fmfs: -o user=%s: no such user\n", user);
			return -EINVAL;
		}
		*uid = pw ? pw->pw_uid : (uid_t)v;
		*gid = pw ? pw->pw_gid : (gid_t)v;
		return 0;
	}
	if (stat(store, &st) < 0) {
		fprintf(stderr, "fmfs: %s: %s\n", store, strerror(errno));
		return -errno;
	}
	pw = getpwuid(st.st_uid);
	*uid = st.st_uid;
	*gid = pw ? pw->pw_gid : st.st_gid;
	return 0;
}

static int parse_gid(struct fmfs *fs, const char *s)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || !*s || *end || v > UINT32_MAX - 1) {
		fprintf(stderr, "fmfs: -o gid=%s: not a numeric group id\n", s);
		return -EINVAL;
	}
	fs->gid = (gid_t)v;
	fs->gid_set = true;
	return 0;
}

/* A mount point whose daemon died answers "Transport endpoint is not
 * connected": detach that stale mount so that we can mount again (as
 * fusermount3 -uz would). Not a mount point or fine: nothing to do. */
static int clean_stale_mount(const char *mnt)
{
	struct stat st;
	int status;
	pid_t pid;

	if (stat(mnt, &st) == 0 || errno != ENOTCONN)
		return 0;
	fm_log(FM_LOG_WARNING, "%s: stale mount of a dead fmfs: unmounting it", mnt);
	if (umount2(mnt, MNT_DETACH) == 0)
		return 0;
	pid = fork(); /* not root: the setuid helper may do it */
	if (pid == 0) {
		execlp("fusermount3", "fusermount3", "-uz", mnt, (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		fprintf(stderr, "fmfs: %s: stale mount (transport endpoint is not "
			"connected) and cannot unmount it: run fusermount3 -uz %s\n",
			mnt, mnt);
		return -ENOTCONN;
	}
	return 0;
}

/* fmfs URL MNT: the remote source, before anything is mounted. 0, 1
 * (failure) or 2 (usage), the one line why printed. */
static int open_remote(struct fmfs *fs, const struct options *o)
{
	struct fmfs_remote_opts ro = {
		.url = o->store, .pubkey = o->pubkey, .cache = o->cache,
		.cache_max = o->cache_max, .poll = o->poll, .credentials = o->credentials,
		.cacert = o->cacert, .mirrors = o->mirrors, .endpoint = o->endpoint,
		.region = o->region,
	};
	char why[2048];
	int rc;

	if (o->org) {
		fprintf(stderr, "fmfs: -o org=: a URL source is one org already\n");
		return 2;
	}
	rc = fmfs_remote_open(fs, &ro, why, sizeof(why));
	if (rc < 0) {
		fprintf(stderr, "fmfs: %s\n", why);
		return rc == -2 ? 2 : 1;
	}
	return 0;
}

/* "-osubtype=fmfs,fsname=URL" with fuse_opt's escapes for ',' and '\'. */
static void fsname_of(char *out, size_t outlen, const char *url)
{
	size_t len = (size_t)snprintf(out, outlen, "-osubtype=fmfs,fsname=");

	for (const char *p = url; *p && len + 3 < outlen; p++) {
		if (*p == ',' || *p == '\\')
			out[len++] = '\\';
		out[len++] = *p;
	}
	out[len] = 0;
}

static int run(struct fmfs *fs, struct fuse_args *args,
	       struct fuse_cmdline_opts *cmd)
{
	struct fuse_lowlevel_ops ops;
	struct fuse_loop_config *loop;
	char err[256];
	int rc = 1, dropped = 0;

	memset(&ops, 0, sizeof(ops));
	fmfs_ops_init(&ops);
	fmfs_deny_init(&ops);
	fs->se = fuse_session_new(args, &ops, sizeof(ops), fs);
	if (!fs->se)
		return 1;
	if (fuse_set_signal_handlers(fs->se) != 0)
		goto out_destroy;
	if (fuse_session_mount(fs->se, cmd->mountpoint) != 0)
		goto out_signals;
	fmfs_readahead_open(fs);
	dropped = fmfs_privdrop(fs->run_uid, fs->run_gid, err, sizeof(err));
	if (dropped < 0) {
		fm_log(FM_LOG_ERROR, "fmfs: %s: refusing to serve as root", err);
		dropped = 0; /* may still be root: unmount */
		goto out_unmount;
	}
	fuse_daemonize(cmd->foreground);
	if (fmfs_watch_start(fs) < 0)
		fm_log(FM_LOG_ERROR, "cannot start the watcher: new files show late");
	if (fs->remote && fmfs_remote_start(fs) < 0)
		fm_log(FM_LOG_ERROR, "cannot start polling: new revisions show only "
		       "after a remount");
	if (cmd->singlethread) {
		rc = fuse_session_loop(fs->se);
	} else {
		loop = fuse_loop_cfg_create();
		fuse_loop_cfg_set_clone_fd(loop, cmd->clone_fd);
		if (cmd->max_threads > 0 && cmd->max_threads <= 100000)
			fuse_loop_cfg_set_max_threads(loop, cmd->max_threads);
		if (cmd->max_idle_threads != UINT_MAX)
			fuse_loop_cfg_set_idle_threads(loop, cmd->max_idle_threads);
		rc = fuse_session_loop_mt(fs->se, loop);
		fuse_loop_cfg_destroy(loop);
	}
	fmfs_watch_stop(fs);
	fmfs_remote_close(fs);
out_unmount:
	/* root given up: fusermount3 (auto_unmount) unmounts once the session's
	 * fd is closed; libfuse's own attempt can only fail, say nothing of it */
	if (dropped)
		__atomic_store_n(&fuse_quiet, true, __ATOMIC_RELAXED);
	fuse_session_unmount(fs->se);
out_signals:
	fuse_remove_signal_handlers(fs->se);
out_destroy:
	fuse_session_destroy(fs->se);
	return rc ? 1 : 0;
}

int main(int argc, char *argv[])
{
	struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
	struct fuse_cmdline_opts cmd = { 0 };
	struct options o = { .read_ahead_kb = -1 };
	struct fmfs fs = { .timeout = 86400.0 };
	char store[PATH_MAX], mountpoint[PATH_MAX], extra[PATH_MAX + 64];
	unsigned long nofile;
	int rc = 1;

	memset(&cmd, 0, sizeof(cmd));
	if (fuse_opt_parse(&args, &o, fmfs_opts, opt_proc) != 0 || o.refused || o.bad) {
		rc = 2;
		goto out;
	}
	if (o.mountpoint && clean_stale_mount(o.mountpoint) < 0)
		goto out;
	if (fuse_parse_cmdline(&args, &cmd) != 0) {
		rc = 2;
		goto out;
	}
	if (cmd.show_help) {
		usage(argv[0]);
		fuse_cmdline_help();
		fuse_lowlevel_help();
		rc = 0;
		goto out;
	}
	if (cmd.show_version) {
		printf("fmfs 0.1 (libfuse %s)\n", fuse_pkgversion());
		rc = 0;
		goto out;
	}
	if (!o.store || !cmd.mountpoint) {
		fprintf(stderr, "usage: fmfs STORE MOUNTPOINT [-o org=DOMAIN,gid=GID] [-f]\n");
		rc = 2;
		goto out;
	}
	if (o.verbose || cmd.debug)
		fm_log_set_level(cmd.debug ? FM_LOG_DEBUG : FM_LOG_INFO);
	fuse_set_log_func(route_fuse_log);
	if (strstr(o.store, "://")) {
		rc = open_remote(&fs, &o);
		if (rc)
			goto out;
		rc = 1;
	} else if (o.pubkey || o.cache || o.cache_max || o.poll || o.credentials ||
		   o.cacert || o.mirrors || o.endpoint || o.region) {
		fprintf(stderr, "fmfs: %s: pubkey=, cache= and the other remote options "
			"need a URL source (https://… or s3://…)\n", o.store);
		rc = 2;
		goto out;
	} else if (!realpath(o.store, store)) {
		fprintf(stderr, "fmfs: %s: %s\n", o.store, strerror(errno));
		goto out;
	} else {
		fs.store = store;
		fs.org = o.org;
	}
	fs.mountpoint = realpath(cmd.mountpoint, mountpoint) ? mountpoint : NULL;
	fs.read_ahead_kb = o.read_ahead_kb < 0 ? 512 : (unsigned)o.read_ahead_kb;
	fs.noverify = o.noverify;
	fs.owner = getuid();
	fs.gid = getgid();
	if (o.gid && parse_gid(&fs, o.gid) < 0) {
		rc = 2;
		goto out;
	}
	if (resolve_root(&fs) < 0 || target_user(fs.store, o.user, &fs.run_uid, &fs.run_gid) < 0)
		goto out;
	fmfs_fd_limit_raise(&nofile);
	fm_log(FM_LOG_INFO, "open files: up to %lu", nofile);
	/* fstab-friendly identity: source = the store, type fuse.fmfs */
	snprintf(extra, sizeof(extra), "-osubtype=fmfs,fsname=%s", fs.store);
	if (fs.remote) /* the URL (no credentials are ever in it) */
		fsname_of(extra, sizeof(extra), o.store);
	fuse_opt_add_arg(&args, extra);
	fs.shared = o.shared;
	if (fs.shared) /* the kernel checks modes: a cached entry leaks nothing */
		fuse_opt_add_arg(&args, "-odefault_permissions");
	if (geteuid() == 0) /* once root is given up, fusermount3 unmounts */
		fuse_opt_add_arg(&args, "-oauto_unmount");
	pthread_key_create(&fs.cat_key, close_catalog);
	fmfs_verify_init(&fs);
	pthread_mutex_init(&fs.stop_lock, NULL);
	pthread_mutex_init(&fs.stale_lock, NULL);
	pthread_mutex_init(&fs.open_lock, NULL);
	pthread_cond_init(&fs.stop_cond, NULL);
	rc = run(&fs, &args, &cmd);
out:
	if (fs.store && fs.store != store) { /* a remote source's cache folder */
		fmfs_remote_close(&fs);
		free(fs.store);
		free(fs.org);
	}
	free(cmd.mountpoint);
	free(o.pubkey);
	free(o.cache);
	free(o.cache_max);
	free(o.poll);
	free(o.credentials);
	free(o.cacert);
	free(o.mirrors);
	free(o.endpoint);
	free(o.region);
	free(o.store);
	free(o.mountpoint);
	free(o.org);
	free(o.gid);
	free(o.user);
	if (fs.objects > 0)
		close(fs.objects);
	fuse_opt_free_args(&args);
	return rc;
}
