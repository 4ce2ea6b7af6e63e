/* remote_org.h - what fmctl clone and fmctl verify --remote share: their
 * options, and a published org fetched into a catalog (every delta, the
 * chain and signature checked) with the transport left open for blobs. */
#ifndef FMFS_REMOTE_ORG_H
#define FMFS_REMOTE_ORG_H

#include "../../catalog/publication.h"
#include "../../catalog/remote.h"

struct remote_org_opts {
	const char *url, *pubkey, *credentials, *cacert, *endpoint, *region, *mirrors;
};

/* Parse sub's options (--pubkey --credentials --cacert --endpoint --region
 * --mirrors, plus --remote URL when remote_flag) from argv; the rest stays in
 * argv[optind..]. 0, or -1 (usage, printed). */
int remote_org_args(const char *sub, int argc, char **argv, bool remote_flag,
		    struct remote_org_opts *o);
/* Open the transport and bring catalog into (writable) to the org's newest
 * revision. 0 with *net (caller closes) and *m, or -1 (printed). */
int remote_org_fetch(const char *sub, const struct remote_org_opts *o,
		     struct catalog *into, struct remote **net, struct manifest *m);
/* Download blob sha256 (size bytes) whole into fd, verified. 0 or -errno
 * with why. */
int remote_org_blob(struct remote *net, const char *sha256, int64_t size, int fd,
		    char *why, size_t whylen);

#endif
