/* verify_remote.c - fmctl [-s STORE] verify --remote URL --pubkey P
 * [--credentials F] [--cacert F] [--endpoint URL] [--region R]
 * [--mirrors U2|U3]: check a published org end to end: the manifest's
 * signature and expiry, the whole chain of deltas (into a scratch catalog),
 * every blob downloaded and checked against its name; and, with a store,
 * that the published rows are the store's (same ids, names, sizes, hashes,
 * dates) and that no file of the org up to the revision is missing. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fmctl.h"
#include "remote_org.h"

#define USAGE "usage: fmctl [-s STORE] verify --remote URL --pubkey FILE " \
	      "[--credentials FILE] [--cacert FILE] [--endpoint URL] [--mirrors URL2|URL3]"

struct check {
	struct remote *net;
	struct catalog *store; /* NULL: no comparison */
	int tmp;
	uint64_t blobs, bytes, bad, nodes, differ;
	char why[2048];
};

static int check_blob(void *arg, const char *sha256, int64_t size)
{
	struct check *c = arg;
	int rc = remote_org_blob(c->net, sha256, size, c->tmp, c->why, sizeof(c->why));

	c->blobs++;
	c->bytes += (uint64_t)size;
	if (rc < 0) {
		fmctl_error("verify", "%s", c->why);
		c->bad++;
	}
	return 0;
}

static int compare_node(void *arg, const struct node *n)
{
	struct check *c = arg;
	struct node mine;
	int rc;

	if (n->id == FM_ROOT_ID)
		return 0;
	c->nodes++;
	rc = node_get(c->store, n->id, &mine);
	if (rc < 0 || mine.parent != n->parent || mine.type != n->type ||
	    strcmp(mine.name, n->name) || mine.size != n->size ||
	    strcmp(mine.sha256, n->sha256) || mine.ctime != n->ctime ||
	    (n->type == NODE_FILE ? mine.mtime != n->mtime : mine.mtime < n->mtime)) {
		fmctl_error("verify", "node %" PRIu64 " (%s): the published row differs from "
			    "the store's", n->id, n->name);
		c->differ++;
	}
	return 0;
}

/* Nodes of org in the store up to through, to compare with the count published. */
static int count_org(void *arg, const struct node *n)
{
	uint64_t *k = arg;

	(void)n;
	(*k)++;
	return 0;
}

/* Visit the org's nodes of cat with id <= through (the org folder first). */
struct org_walk {
	uint64_t org, through;
	node_fn fn;
	void *arg;
};

static int org_filter(void *arg, const struct node *n)
{
	struct org_walk *w = arg;

	if (n->id > w->through)
		return 1;
	if (n->id != w->org && n->org != w->org)
		return 0;
	return w->fn(w->arg, n);
}

int fmctl_verify_remote(int argc, char **argv)
{
	struct remote_org_opts o;
	struct check c = { .tmp = -1 };
	struct catalog *scratch = NULL;
	struct manifest m;
	char dir[4096], path[4200], err[1024];
	uint64_t org_id = 0, mine = 0;
	int rc, lock;

	if (remote_org_args("verify", argc, argv, true, &o) < 0 || !o.url || optind != argc) {
		fmctl_error("verify", USAGE);
		return EXIT_USAGE;
	}
	fmctl_tmpdir_sweep_say("verify");
	lock = fmctl_tmpdir_make("verify", dir, sizeof(dir));
	if (lock < 0) {
		fmctl_error("verify", "%s: %s", dir, strerror(-lock));
		return 1;
	}
	snprintf(path, sizeof(path), "%s/scratch", dir);
	rc = catalog_open(path, CATALOG_CREATE, &scratch, err, sizeof(err));
	if (rc < 0)
		fmctl_error("verify", "%s", err);
	if (rc == 0)
		rc = remote_org_fetch("verify", &o, scratch, &c.net, &m);
	if (rc == 0 && node_org(scratch, m.org, &org_id) < 0) {
		fmctl_error("verify", "%s: revision %" PRIu64 " has no folder for %s", o.url,
			    m.revision, m.org);
		rc = -1;
	}
	if (rc == 0) {
		snprintf(path, sizeof(path), "%s/blob", dir);
		c.tmp = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		rc = c.tmp < 0 ? -1 : delta_new_blobs(scratch, org_id, 0, m.through, check_blob, &c);
	}
	if (rc == 0 && fmctl_store && fmctl_open("verify", CATALOG_READONLY, &c.store) < 0)
		rc = -1;
	if (rc == 0 && c.store) {
		struct org_walk w = { .org = org_id, .through = m.through, .fn = compare_node,
				      .arg = &c };
		uint64_t store_org = 0;

		node_since(scratch, 0, org_filter, &w);
		if (node_org(c.store, m.org, &store_org) < 0 || store_org != org_id) {
			fmctl_error("verify", "%s: org %s is not the store's", o.url, m.org);
			c.differ++;
		} else {
			w = (struct org_walk){ .org = org_id, .through = m.through,
					       .fn = count_org, .arg = &mine };
			node_since(c.store, org_id - 1, org_filter, &w);
			if (mine != c.nodes) {
				fmctl_error("verify", "%s: the store has %" PRIu64 " nodes of %s up "
					    "to revision %" PRIu64 ", %" PRIu64 " published", o.url,
					    mine, m.org, m.revision, c.nodes);
				c.differ++;
			}
		}
	}
	if (c.tmp >= 0)
		close(c.tmp);
	catalog_close(c.store);
	catalog_close(scratch);
	remote_close(c.net);
	fmctl_tmpdir_remove(dir, lock);
	if (rc < 0)
		return 1;
	printf("%s: revision %" PRIu64 " of %s: signature, chain of %" PRIu64 " deltas, %"
	       PRIu64 " blobs (%" PRIu64 " bytes): %" PRIu64 " bad%s\n", o.url, m.revision,
	       m.org, m.revision, c.blobs, c.bytes, c.bad + c.differ,
	       c.store ? c.differ ? ", differs from the store" : ", same as the store" : "");
	return c.bad || c.differ ? 1 : 0;
}
