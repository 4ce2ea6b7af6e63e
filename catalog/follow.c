/* follow.c - a client catalog following a published org: the refusal rules
 * (bad signature, expired, rollback, fork) and the walk from the newest
 * delta back to the one the client has, then the chain check and one
 * transaction that applies every new delta and records the revision. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "publication.h"

#define STATE_PLACE "source"

struct fetched {
	char *text;
	size_t len;
	char sha[FM_SHA256_HEX + 1];
};

static void free_all(struct fetched *d, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(d[i].text);
	free(d);
}

/* Fetch the checkpoint m names (checked by its hash) into *cp and make
 * *have the revision it stands for. 0 or -errno with why. */
static int start_at_checkpoint(const struct manifest *m, pub_fetch_fn fetch, void *arg,
			       struct remote_state *have, struct fetched *cp, char *err,
			       size_t errlen)
{
	struct delta_head h;
	char key[128];
	int rc;

	pub_checkpoint_key(m->checkpoint, key, sizeof(key));
	rc = fetch(arg, key, m->checkpoint, PUB_DELTA_MAX, &cp->text, &cp->len, err, errlen);
	if (rc < 0)
		return rc;
	rc = delta_head(cp->text, cp->len, &h, err, errlen);
	if (rc == 0 && (h.revision != m->checkpoint_rev || h.after != 0 ||
			strcmp(h.org, m->org))) {
		snprintf(err, errlen, "checkpoint %s: not revision %" PRIu64 " of %s from "
			 "the start", m->checkpoint, m->checkpoint_rev, m->org);
		rc = -EBADMSG;
	}
	if (rc < 0) {
		free(cp->text);
		cp->text = NULL;
		return rc;
	}
	memset(have, 0, sizeof(*have));
	snprintf(have->org, sizeof(have->org), "%s", m->org);
	have->revision = h.revision;
	have->through = h.through;
	memcpy(have->state, m->checkpoint_state, sizeof(have->state));
	memcpy(have->delta, h.prev, sizeof(have->delta));
	return 0;
}

int follow_manifest(struct catalog *client, EVP_PKEY *pub, const char *text,
		    size_t len, int64_t now, pub_fetch_fn fetch, void *arg,
		    struct manifest *m, enum follow_result *res, char *err,
		    size_t errlen)
{
	struct remote_state have, next;
	struct fetched *d = NULL;
	char key[128], want[FM_SHA256_HEX + 1], state[FM_SHA256_HEX + 1];
	char prev_state[FM_SHA256_HEX + 1];
	struct fetched cp = { .text = NULL };
	const char *why;
	size_t n = 0;
	int rc;

	rc = manifest_parse(text, len, pub, m, &why);
	if (rc < 0) {
		snprintf(err, errlen, "manifest refused: %s", why);
		return rc;
	}
	if (m->expires < now) {
		snprintf(err, errlen, "manifest refused: revision %" PRIu64 " expired at %"
			 PRId64 " (the publisher has not re-signed it)", m->revision,
			 m->expires);
		return -EBADMSG;
	}
	rc = remote_state_get(client, STATE_PLACE, &have);
	if (rc == -ENOENT && m->checkpoint_rev > 0) {
		/* a fresh client starts from the checkpoint, not revision 0 */
		rc = start_at_checkpoint(m, fetch, arg, &have, &cp, err, errlen);
		if (rc < 0)
			return rc;
	} else if (rc == -ENOENT) {
		memset(&have, 0, sizeof(have));
		snprintf(have.org, sizeof(have.org), "%s", m->org);
		snprintf(have.state, sizeof(have.state), PUB_ZERO_HASH);
		snprintf(have.delta, sizeof(have.delta), PUB_ZERO_HASH);
	} else if (rc < 0) {
		snprintf(err, errlen, "cannot read the local catalog");
		return rc;
	}
	if (strcmp(have.org, m->org)) {
		snprintf(err, errlen, "manifest refused: it is org %s, this cache holds %s",
			 m->org, have.org);
		return -EBADMSG;
	}
	if (m->revision < have.revision) {
		snprintf(err, errlen, "manifest refused: revision %" PRIu64 " is older than "
			 "revision %" PRIu64 " already seen (rollback)", m->revision,
			 have.revision);
		return -EBADMSG;
	}
	if (m->revision == have.revision && !cp.text) {
		if (strcmp(m->state, have.state)) {
			snprintf(err, errlen, "manifest refused: revision %" PRIu64 " has another "
				 "history than the one seen (fork)", m->revision);
			return -EBADMSG;
		}
		*res = FOLLOW_SAME;
		return 0;
	}
	/* walk back from the newest delta to the first one the client lacks */
	d = calloc(m->revision - have.revision + 1, sizeof(*d));
	if (!d) {
		free(cp.text);
		return -ENOMEM;
	}
	memcpy(want, m->delta, sizeof(want));
	for (uint64_t r = m->revision; r > have.revision; r--, n++) {
		struct delta_head h;

		pub_delta_key(want, key, sizeof(key));
		rc = fetch(arg, key, want, PUB_DELTA_MAX, &d[n].text, &d[n].len, err, errlen);
		if (rc < 0)
			goto out;
		memcpy(d[n].sha, want, sizeof(want));
		rc = delta_head(d[n].text, d[n].len, &h, err, errlen);
		if (rc == 0 && (h.revision != r || strcmp(h.org, m->org) ||
				(r == m->revision && h.through != m->through))) {
			snprintf(err, errlen, "delta %s: it says revision %" PRIu64 " of %s, "
				 "revision %" PRIu64 " expected", want, h.revision, h.org, r);
			rc = -EBADMSG;
		}
		if (rc < 0)
			goto out;
		if (r == have.revision + 1 && (strcmp(h.prev, have.delta) ||
					       h.after != have.through)) {
			snprintf(err, errlen, "manifest refused: revision %" PRIu64 " does not "
				 "extend revision %" PRIu64 " already seen (fork)", m->revision,
				 have.revision);
			rc = -EBADMSG;
			goto out;
		}
		memcpy(want, h.prev, sizeof(want));
	}
	/* oldest first: the chain must end at the signed state */
	memcpy(state, have.state, sizeof(state));
	memcpy(prev_state, have.state, sizeof(prev_state));
	for (size_t i = n; i-- > 0;) {
		memcpy(prev_state, state, sizeof(state));
		pub_state_next(prev_state, d[i].sha, state);
	}
	if (strcmp(state, m->state) || (n && strcmp(prev_state, m->prev_state))) {
		snprintf(err, errlen, "manifest refused: its state hash does not match the "
			 "deltas (fork)");
		rc = -EBADMSG;
		goto out;
	}
	rc = catalog_tx(client, "BEGIN IMMEDIATE");
	if (rc < 0) {
		snprintf(err, errlen, "cannot write the local catalog");
		goto out;
	}
	if (cp.text)
		rc = delta_apply(client, cp.text, cp.len, err, errlen);
	for (size_t i = n; rc == 0 && i-- > 0;)
		rc = delta_apply(client, d[i].text, d[i].len, err, errlen);
	if (rc == 0) {
		memset(&next, 0, sizeof(next));
		snprintf(next.org, sizeof(next.org), "%s", m->org);
		next.revision = m->revision;
		next.through = m->through;
		memcpy(next.state, m->state, sizeof(next.state));
		memcpy(next.delta, m->delta, sizeof(next.delta));
		next.published = m->published;
		next.expires = m->expires;
		rc = remote_state_put(client, STATE_PLACE, &next);
		if (rc < 0)
			snprintf(err, errlen, "cannot record the revision: %s",
				 catalog_errmsg(client));
	}
	if (rc == 0)
		rc = catalog_tx(client, "COMMIT");
	if (rc < 0)
		catalog_tx(client, "ROLLBACK");
	if (rc == 0)
		*res = FOLLOW_APPLIED;
out:
	free_all(d, m->revision - have.revision + 1);
	free(cp.text);
	return rc;
}
