/* cmd_clone.c - fmctl clone URL STORE --pubkey P [--credentials F]
 * [--cacert F] [--endpoint URL] [--region R] [--mirrors U2|U3]: a new,
 * full local store of a published org: its catalog from the signed chain of
 * deltas (same node ids: a mount of it equals the original's), every blob
 * downloaded whole and checked against its name, stored as ingest stores
 * them. On failure the new store is removed: nothing half-made is left. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fmctl.h"
#include "remote_org.h"

#define USAGE "usage: fmctl clone URL STORE --pubkey FILE [--credentials FILE] " \
	      "[--cacert FILE] [--endpoint URL] [--region R] [--mirrors URL2|URL3]"

struct clone {
	const char *store;
	struct remote *net;
	int tmp; /* download buffer file, in the store */
	uint64_t blobs, bytes;
	char why[2048];
};

static int clone_blob(void *arg, const char *sha256, int64_t size)
{
	struct clone *c = arg;
	struct blob_tmp bt = { .fd = -1 };
	struct blob_tmp *one = &bt;
	int rc = remote_org_blob(c->net, sha256, size, c->tmp, c->why, sizeof(c->why));

	if (rc == 0 && size == 0)
		rc = ftruncate(c->tmp, 0) < 0 ? -errno : 0;
	if (rc == 0 && lseek(c->tmp, 0, SEEK_SET) < 0)
		rc = -errno;
	if (rc == 0)
		rc = blob_write_fd(c->store, c->tmp, &bt);
	if (rc == 0 && (strcmp(bt.sha256, sha256) || bt.size != size)) {
		snprintf(c->why, sizeof(c->why), "blob %s: other bytes arrived", sha256);
		rc = -EIO;
	}
	if (rc == 0)
		rc = blob_commit_many(c->store, &one, 1);
	blob_discard(&bt);
	if (rc < 0 && !c->why[0])
		snprintf(c->why, sizeof(c->why), "blob %s: %s", sha256, strerror(-rc));
	c->blobs++;
	c->bytes += (uint64_t)size;
	return rc;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path) < 0 ? -1 : 0;
}

int cmd_clone(int argc, char **argv)
{
	struct remote_org_opts o;
	struct clone c = { .tmp = -1 };
	struct catalog *cat = NULL;
	struct manifest m;
	char err[1024], tmp[4200];
	uint64_t org_id = 0;
	int rc, lock = -1;
	bool existed;

	if (remote_org_args("clone", argc, argv, false, &o) < 0 || optind != argc - 2) {
		fmctl_error("clone", USAGE);
		return EXIT_USAGE;
	}
	o.url = argv[optind];
	c.store = argv[optind + 1];
	existed = access(c.store, F_OK) == 0;
	rc = catalog_open(c.store, CATALOG_CREATE, &cat, err, sizeof(err));
	if (rc < 0) {
		fmctl_error("clone", "%s", err);
		return 1;
	}
	rc = remote_org_fetch("clone", &o, cat, &c.net, &m);
	if (rc == 0 && node_org(cat, m.org, &org_id) < 0) {
		fmctl_error("clone", "%s: revision %" PRIu64 " has no folder for %s", o.url,
			    m.revision, m.org);
		rc = -1;
	}
	if (rc == 0) {
		lock = blob_ingest_lock(c.store);
		snprintf(tmp, sizeof(tmp), "%s/objects/clone-XXXXXX", c.store);
		c.tmp = lock < 0 ? -1 : mkostemp(tmp, O_CLOEXEC);
		if (c.tmp < 0) {
			fmctl_error("clone", "%s: %s", c.store, strerror(errno));
			rc = -1;
		} else {
			unlink(tmp);
		}
	}
	if (rc == 0) {
		rc = delta_new_blobs(cat, org_id, 0, m.through, clone_blob, &c);
		if (rc < 0)
			fmctl_error("clone", "%s: %s", o.url, c.why[0] ? c.why : strerror(-rc));
	}
	if (c.tmp >= 0)
		close(c.tmp);
	if (lock >= 0)
		close(lock);
	remote_close(c.net);
	catalog_close(cat);
	if (rc < 0) { /* nothing half-made left: what catalog_open made goes */
		static const char *const made[] = { "catalog.db", "catalog.db-wal",
						    "catalog.db-shm", ".ingest-lock" };

		if (!existed) {
			nftw(c.store, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
			return 1;
		}
		for (size_t i = 0; i < sizeof(made) / sizeof(*made); i++) {
			snprintf(tmp, sizeof(tmp), "%s/%s", c.store, made[i]);
			unlink(tmp);
		}
		snprintf(tmp, sizeof(tmp), "%s/objects", c.store);
		nftw(tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
		return 1;
	}
	snprintf(tmp, sizeof(tmp), "%s/catalog.db", c.store);
	chmod(tmp, 0640); /* as fmctl init leaves it */
	printf("cloned revision %" PRIu64 " of %s into %s: %" PRIu64 " blobs (%" PRIu64
	       " bytes), every one checked\n", m.revision, m.org, c.store, c.blobs, c.bytes);
	return 0;
}
