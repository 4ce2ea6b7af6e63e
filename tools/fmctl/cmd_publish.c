/* cmd_publish.c - fmctl publish --org D --key KEY [--expires-in SECONDS]
 * [--checkpoint] [--endpoint URL] [--credentials FILE] DEST: publish what org D gained
 * since the last publish to DEST (docs/remote.md): its new blobs, one
 * catalog delta, then the signed manifest, last. Nothing new: one request
 * (two when the manifest is re-signed because half its validity is gone). */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdint.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../catalog/publication.h"
#include "dest.h"
#include "fmctl.h"

#define DEFAULT_VALIDITY (30 * 86400)
#define SUMS_BATCH 1000 /* chunk sums recorded per transaction */

struct publish {
	struct catalog *cat;
	struct dest *dest;
	EVP_PKEY *key;
	char err[4200];
	uint64_t objects, bytes, nblobs;
	size_t checkpoint_bytes; /* 0: no checkpoint made */
	struct pending_blob { char sha256[FM_SHA256_HEX + 1]; int64_t size; } *blobs;
	size_t cap;
};

static int collect_blob(void *arg, const char *sha256, int64_t size)
{
	struct publish *p = arg;

	if (p->nblobs == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 64;
		struct pending_blob *more = realloc(p->blobs, cap * sizeof(*more));

		if (!more)
			return -ENOMEM;
		p->blobs = more;
		p->cap = cap;
	}
	snprintf(p->blobs[p->nblobs].sha256, FM_SHA256_HEX + 1, "%s", sha256);
	p->blobs[p->nblobs++].size = size;
	return 0;
}

/* Record the per-chunk SHA-256 (and XXH3-64, for blobs of a version-1
 * catalog) of a blob about to be published, after checking its bytes. */
static int record_sums(struct publish *p, const struct pending_blob *b)
{
	char sha[FM_SHA256_HEX + 1];
	unsigned char *shas = NULL, *old = NULL;
	uint64_t *xxh = NULL, *oldx = NULL;
	uint32_t cs;
	size_t n, on;
	int64_t size;
	int fd, rc;

	if (chunk_sha_get(p->cat, b->sha256, &cs, &old, &on) == 0) {
		free(old);
		return 0; /* recorded by an earlier publish */
	}
	fd = blob_open(catalog_store(p->cat), b->sha256, b->size);
	if (fd < 0) {
		snprintf(p->err, sizeof(p->err), "blob %s: %s", b->sha256, blob_strerror(fd));
		return fd;
	}
	rc = blob_chunk_hashes(fd, sha, &size, &xxh, &shas, &n);
	close(fd);
	if (rc == 0 && (strcmp(sha, b->sha256) || size != b->size)) {
		snprintf(p->err, sizeof(p->err), "blob %s is damaged (run fmctl verify)",
			 b->sha256);
		rc = -EIO;
	}
	if (rc == 0 && chunks_get(p->cat, b->sha256, &cs, &oldx, &on) == -ENOENT)
		rc = chunks_put(p->cat, b->sha256, FM_CHUNK_SIZE, xxh, n);
	free(oldx);
	if (rc == 0)
		rc = chunk_sha_put(p->cat, b->sha256, FM_CHUNK_SIZE, shas, n);
	if (rc < 0 && !p->err[0])
		snprintf(p->err, sizeof(p->err), "blob %s: %s", b->sha256, strerror(-rc));
	free(xxh);
	free(shas);
	return rc;
}

static int record_all_sums(struct publish *p)
{
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < p->nblobs; i += SUMS_BATCH) {
		rc = catalog_tx(p->cat, "BEGIN IMMEDIATE");
		for (size_t k = i; rc == 0 && k < p->nblobs && k < i + SUMS_BATCH; k++)
			rc = record_sums(p, &p->blobs[k]);
		if (rc == 0)
			rc = catalog_tx(p->cat, "COMMIT");
		else
			catalog_tx(p->cat, "ROLLBACK");
	}
	if (rc < 0 && !p->err[0])
		snprintf(p->err, sizeof(p->err), "cannot record chunk sums: %s",
			 catalog_errmsg(p->cat));
	return rc;
}

#define UPLOAD_THREADS 8 /* blobs in flight at once (S3: one connection each) */

struct uploader {
	struct publish *p;
	pthread_mutex_t lock;
	size_t next;     /* protected by lock */
	int rc;          /* the first failure; protected by lock */
};

static void *upload_main(void *arg)
{
	struct uploader *u = arg;
	struct publish *p = u->p;
	char key[128], why[sizeof(p->err)];

	for (;;) {
		size_t i;
		int fd, rc;

		pthread_mutex_lock(&u->lock);
		i = u->rc == 0 && u->next < p->nblobs ? u->next++ : SIZE_MAX;
		pthread_mutex_unlock(&u->lock);
		if (i == SIZE_MAX)
			return NULL;
		fd = blob_open(catalog_store(p->cat), p->blobs[i].sha256, p->blobs[i].size);
		if (fd < 0) {
			rc = fd;
			snprintf(why, sizeof(why), "blob %s: %s", p->blobs[i].sha256,
				 blob_strerror(fd));
		} else {
			pub_blob_key(p->blobs[i].sha256, key, sizeof(key));
			rc = dest_put_fd(p->dest, key, fd, p->blobs[i].size, p->blobs[i].sha256,
					 why, sizeof(why));
			close(fd);
		}
		pthread_mutex_lock(&u->lock);
		if (rc < 0 && u->rc == 0) {
			u->rc = rc;
			memcpy(p->err, why, sizeof(p->err));
		}
		pthread_mutex_unlock(&u->lock);
	}
}

/* Upload the new blobs, UPLOAD_THREADS at a time. */
static int upload_blobs(struct publish *p)
{
	struct uploader u = { .p = p };
	pthread_t threads[UPLOAD_THREADS];
	size_t n = 0;

	pthread_mutex_init(&u.lock, NULL);
	for (size_t i = 0; i < UPLOAD_THREADS && i < p->nblobs; i++)
		if (pthread_create(&threads[n], NULL, upload_main, &u) == 0)
			n++;
	if (n == 0 && p->nblobs)
		upload_main(&u);
	for (size_t i = 0; i < n; i++)
		pthread_join(threads[i], NULL);
	pthread_mutex_destroy(&u.lock);
	if (u.rc == 0) {
		p->objects = p->nblobs;
		for (size_t i = 0; i < p->nblobs; i++)
			p->bytes += (uint64_t)p->blobs[i].size;
	}
	return u.rc;
}

/* The manifest DEST has now: 0 (in *m), -ENOENT, or -errno (printed). */
static int remote_manifest(struct publish *p, EVP_PKEY *pub, struct manifest *m)
{
	const char *why;
	char *text;
	size_t len;
	int rc = dest_get(p->dest, PUB_MANIFEST_KEY, PUB_MANIFEST_MAX, &text, &len,
			  p->err, sizeof(p->err));

	if (rc < 0)
		return rc;
	rc = manifest_parse(text, len, pub, m, &why);
	free(text);
	if (rc < 0)
		snprintf(p->err, sizeof(p->err), "%s/manifest: %s (not published with this key?)",
			 dest_name(p->dest), why);
	return rc;
}

static int put_manifest(struct publish *p, const struct manifest *m)
{
	char *text;
	size_t len;
	int rc = manifest_format(m, p->key, &text, &len);

	if (rc < 0) {
		snprintf(p->err, sizeof(p->err), "cannot sign the manifest");
		return rc;
	}
	rc = dest_put_mem(p->dest, PUB_MANIFEST_KEY, text, len, p->err, sizeof(p->err));
	free(text);
	return rc;
}

static void state_of(const struct manifest *m, struct remote_state *s)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->org, sizeof(s->org), "%s", m->org);
	s->revision = m->revision;
	s->through = m->through;
	memcpy(s->state, m->state, sizeof(s->state));
	memcpy(s->delta, m->delta, sizeof(s->delta));
	s->published = m->published;
	s->expires = m->expires;
}

/* Upload a checkpoint of revision m (the org's rows up to m->through, in
 * delta form, chained to m->delta) and name it in m. 0 or -errno. */
static int make_checkpoint(struct publish *p, uint64_t org_id, struct manifest *m)
{
	char key[128], *text = NULL;
	size_t len;
	int rc = delta_build(p->cat, m->org, org_id, m->revision, m->delta, 0, m->through,
			     &text, &len, p->err, sizeof(p->err));

	if (rc < 0)
		return rc;
	sha256_hex(text, len, m->checkpoint);
	pub_checkpoint_key(m->checkpoint, key, sizeof(key));
	rc = dest_put_mem(p->dest, key, text, len, p->err, sizeof(p->err));
	free(text);
	if (rc == 0) {
		m->checkpoint_rev = m->revision;
		memcpy(m->checkpoint_state, m->state, sizeof(m->checkpoint_state));
		p->checkpoint_bytes = len;
	}
	return rc;
}

static int publish(struct publish *p, const char *org, int64_t validity, bool checkpoint)
{
	struct remote_state last = { .revision = 0 };
	struct manifest now, m;
	uint64_t org_id, through;
	char key[128], *delta = NULL;
	size_t dlen;
	bool pending, have_last, have_now;
	int rc;

	if (node_org(p->cat, org, &org_id) < 0) {
		snprintf(p->err, sizeof(p->err), "org '%s' is not in the store", org);
		return -ENOENT;
	}
	rc = remote_state_get(p->cat, dest_name(p->dest), &last);
	have_last = rc == 0;
	if (rc == -ENOENT) {
		snprintf(last.state, sizeof(last.state), PUB_ZERO_HASH);
		snprintf(last.delta, sizeof(last.delta), PUB_ZERO_HASH);
	} else if (rc < 0) {
		snprintf(p->err, sizeof(p->err), "cannot read the catalog");
		return rc;
	}
	if (have_last && strcmp(last.org, org)) {
		snprintf(p->err, sizeof(p->err), "%s holds org %s, not %s",
			 dest_name(p->dest), last.org, org);
		return -EINVAL;
	}
	rc = remote_manifest(p, p->key, &now);
	have_now = rc == 0;
	if (rc == -ENOENT && have_last) {
		/* the destination was emptied: publish everything again */
		memset(&last, 0, sizeof(last));
		snprintf(last.state, sizeof(last.state), PUB_ZERO_HASH);
		snprintf(last.delta, sizeof(last.delta), PUB_ZERO_HASH);
		have_last = false;
	} else if (rc == 0 && (!have_last || now.revision != last.revision ||
			       strcmp(now.state, last.state) || strcmp(now.org, org))) {
		snprintf(p->err, sizeof(p->err), "%s holds revision %" PRIu64 " of %s that "
			 "this store did not publish last: refusing to overwrite it",
			 dest_name(p->dest), now.revision, now.org);
		return -EEXIST;
	} else if (rc < 0 && rc != -ENOENT) {
		return rc;
	}
	rc = delta_pending(p->cat, org_id, last.through, &through, &pending);
	if (rc < 0) {
		snprintf(p->err, sizeof(p->err), "cannot read the catalog");
		return rc;
	}
	if (!pending && have_last) {
		bool want_cp = checkpoint && now.checkpoint_rev != now.revision;

		if (!want_cp && now.expires - time(NULL) > validity / 2) {
			printf("%s: revision %" PRIu64 " is up to date (%" PRIu64
			       " requests)\n", dest_name(p->dest), now.revision,
			       dest_requests(p->dest));
			return 0;
		}
		now.published = time(NULL);
		now.expires = now.published + validity;
		rc = want_cp ? make_checkpoint(p, org_id, &now) : 0;
		if (rc == 0)
			rc = put_manifest(p, &now);
		if (rc == 0) {
			state_of(&now, &last);
			rc = remote_state_put(p->cat, dest_name(p->dest), &last);
			printf("%s: revision %" PRIu64 " re-signed until %" PRId64 " (%"
			       PRIu64 " requests)\n", dest_name(p->dest), now.revision,
			       now.expires, dest_requests(p->dest));
		}
		return rc;
	}
	rc = delta_new_blobs(p->cat, org_id, last.through, through, collect_blob, p);
	if (rc == 0)
		rc = record_all_sums(p);
	if (rc == 0)
		rc = upload_blobs(p);
	if (rc == 0)
		rc = delta_build(p->cat, org, org_id, last.revision + 1, last.delta,
				 last.through, through, &delta, &dlen, p->err, sizeof(p->err));
	if (rc < 0)
		return rc;
	memset(&m, 0, sizeof(m));
	snprintf(m.org, sizeof(m.org), "%s", org);
	m.revision = last.revision + 1;
	m.through = through;
	sha256_hex(delta, dlen, m.delta);
	memcpy(m.prev_state, last.state, sizeof(m.prev_state));
	pub_state_next(last.state, m.delta, m.state);
	m.published = time(NULL);
	m.expires = m.published + validity;
	if (have_now) { /* the checkpoint a fresh client may start from */
		m.checkpoint_rev = now.checkpoint_rev;
		memcpy(m.checkpoint, now.checkpoint, sizeof(m.checkpoint));
		memcpy(m.checkpoint_state, now.checkpoint_state, sizeof(m.checkpoint_state));
	} else {
		snprintf(m.checkpoint, sizeof(m.checkpoint), PUB_ZERO_HASH);
		snprintf(m.checkpoint_state, sizeof(m.checkpoint_state), PUB_ZERO_HASH);
	}
	pub_delta_key(m.delta, key, sizeof(key));
	rc = dest_put_mem(p->dest, key, delta, dlen, p->err, sizeof(p->err));
	free(delta);
	if (rc == 0 && checkpoint)
		rc = make_checkpoint(p, org_id, &m);
	if (rc == 0)
		rc = put_manifest(p, &m);
	if (rc == 0) {
		state_of(&m, &last);
		rc = remote_state_put(p->cat, dest_name(p->dest), &last);
		if (rc < 0)
			snprintf(p->err, sizeof(p->err), "published, but cannot record it: %s",
				 catalog_errmsg(p->cat));
	}
	if (rc == 0)
		printf("%s: revision %" PRIu64 " of %s: %" PRIu64 " new objects (%" PRIu64
		       " bytes), delta %zu bytes, checkpoint %zu bytes, %" PRIu64 " requests\n",
		       dest_name(p->dest), m.revision, org, p->objects, p->bytes, dlen,
		       p->checkpoint_bytes, dest_requests(p->dest));
	return rc;
}

#define USAGE "usage: fmctl -s STORE publish --org D --key KEY [--expires-in SECONDS] " \
	      "[--checkpoint] [--endpoint URL] [--credentials FILE] DEST"

int cmd_publish(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "org", required_argument, NULL, 'o' },
		{ "key", required_argument, NULL, 'k' },
		{ "expires-in", required_argument, NULL, 'e' },
		{ "endpoint", required_argument, NULL, 'E' },
		{ "credentials", required_argument, NULL, 'c' },
		{ "checkpoint", no_argument, NULL, 'C' },
		{ NULL, 0, NULL, 0 }
	};
	const char *org = NULL, *keyfile = NULL, *endpoint = NULL, *cred = NULL;
	struct publish p = { .blobs = NULL };
	long long validity = DEFAULT_VALIDITY;
	bool checkpoint = false;
	char *end;
	int c, rc;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': org = optarg; break;
		case 'k': keyfile = optarg; break;
		case 'E': endpoint = optarg; break;
		case 'c': cred = optarg; break;
		case 'C': checkpoint = true; break;
		case 'e':
			validity = strtoll(optarg, &end, 10);
			if (*end || validity < 1 || validity > 10LL * 366 * 86400) {
				fmctl_error("publish", "--expires-in %s: seconds, 1 to 10 years",
					    optarg);
				return EXIT_USAGE;
			}
			break;
		default:
			fmctl_error("publish", "unknown option; " USAGE);
			return EXIT_USAGE;
		}
	}
	if (!org || !keyfile || optind != argc - 1) {
		fmctl_error("publish", USAGE);
		return EXIT_USAGE;
	}
	if (!org_is_valid(org)) {
		fmctl_error("publish", "--org %s: not a valid org domain", org);
		return EXIT_USAGE;
	}
	if (pubkey_load_private(keyfile, &p.key, p.err, sizeof(p.err)) < 0) {
		fmctl_error("publish", "%s", p.err);
		return 1;
	}
	rc = fmctl_open("publish", 0, &p.cat);
	if (rc == 0) {
		rc = dest_open(argv[optind], endpoint, cred, &p.dest, p.err, sizeof(p.err));
		if (rc == 0)
			rc = publish(&p, org, validity, checkpoint);
		if (rc < 0)
			fmctl_error("publish", "%s", p.err[0] ? p.err : strerror(-rc));
	}
	dest_close(p.dest);
	catalog_close(p.cat);
	EVP_PKEY_free(p.key);
	free(p.blobs);
	return rc < 0 ? 1 : 0;
}
