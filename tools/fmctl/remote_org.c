/* remote_org.c - a published org fetched for fmctl clone and fmctl verify
 * --remote (remote_org.h): options, transport, manifest, deltas. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fmctl.h"
#include "remote_org.h"

#define MAX_URLS 9

int remote_org_args(const char *sub, int argc, char **argv, bool remote_flag,
		    struct remote_org_opts *o)
{
	static const struct option longopts[] = {
		{ "pubkey", required_argument, NULL, 'p' },
		{ "credentials", required_argument, NULL, 'c' },
		{ "cacert", required_argument, NULL, 'a' },
		{ "endpoint", required_argument, NULL, 'e' },
		{ "region", required_argument, NULL, 'r' },
		{ "mirrors", required_argument, NULL, 'm' },
		{ "remote", required_argument, NULL, 'R' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	memset(o, 0, sizeof(*o));
	optind = 0;
	opterr = 0;
	/* options may follow the operands: fmctl clone URL STORE --pubkey P */
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'p': o->pubkey = optarg; break;
		case 'c': o->credentials = optarg; break;
		case 'a': o->cacert = optarg; break;
		case 'e': o->endpoint = optarg; break;
		case 'r': o->region = optarg; break;
		case 'm': o->mirrors = optarg; break;
		case 'R':
			if (remote_flag) {
				o->url = optarg;
				break;
			}
			/* fall through */
		default:
			fmctl_error(sub, "unknown option '%s'", argv[optind - 1]);
			return -1;
		}
	}
	if (!o->pubkey) {
		fmctl_error(sub, "--pubkey FILE is required");
		return -1;
	}
	return 0;
}

static int fetch(void *arg, const char *key, const char *sha256, size_t max, char **buf,
		 size_t *len, char *err, size_t errlen)
{
	struct remote_body body = { 0 };
	unsigned char want[32];
	int rc;

	for (int i = 0; i < 32; i++)
		sscanf(sha256 + 2 * i, "%2hhx", &want[i]);
	rc = remote_get(arg, key, 0, 0, max, want, &body, err, errlen);
	if (rc < 0)
		return rc;
	*buf = malloc(body.len + 1);
	if (*buf) {
		memcpy(*buf, body.data, body.len);
		(*buf)[body.len] = 0;
		*len = body.len;
	}
	remote_body_release(&body);
	return *buf ? 0 : -ENOMEM;
}

int remote_org_fetch(const char *sub, const struct remote_org_opts *o,
		     struct catalog *into, struct remote **net, struct manifest *m)
{
	const char *urls[MAX_URLS];
	char mirrors[4096], why[2048], etag[REMOTE_ETAG_MAX] = "";
	struct remote_body body = { 0 };
	enum follow_result res;
	struct remote_opts ro;
	EVP_PKEY *pub = NULL;
	size_t n = 0;
	int rc;

	if (pubkey_load_public(o->pubkey, &pub, why, sizeof(why)) < 0) {
		fmctl_error(sub, "%s", why);
		return -1;
	}
	urls[n++] = o->url;
	if (o->mirrors) {
		snprintf(mirrors, sizeof(mirrors), "%s", o->mirrors);
		for (char *save, *u = strtok_r(mirrors, "|", &save); u && n < MAX_URLS;
		     u = strtok_r(NULL, "|", &save))
			urls[n++] = u;
	}
	remote_opts_init(&ro);
	ro.urls = urls;
	ro.nurls = n;
	ro.endpoint = o->endpoint;
	ro.region = o->region;
	ro.credentials = o->credentials;
	ro.cacert = o->cacert;
	rc = remote_open(&ro, net, why, sizeof(why));
	if (rc == 0)
		rc = remote_get_manifest(*net, PUB_MANIFEST_KEY, PUB_MANIFEST_MAX, etag, &body,
					 why, sizeof(why));
	if (rc == 0)
		rc = follow_manifest(into, pub, (const char *)body.data, body.len, time(NULL),
				     fetch, *net, m, &res, why, sizeof(why));
	remote_body_release(&body);
	EVP_PKEY_free(pub);
	if (rc < 0) {
		fmctl_error(sub, "%s: %s", o->url, why);
		remote_close(*net);
		*net = NULL;
		return -1;
	}
	return 0;
}

int remote_org_blob(struct remote *net, const char *sha256, int64_t size, int fd,
		    char *why, size_t whylen)
{
	unsigned char want[32];
	char key[128];
	uint64_t got = 0;

	for (int i = 0; i < 32; i++)
		sscanf(sha256 + 2 * i, "%2hhx", &want[i]);
	pub_blob_key(sha256, key, sizeof(key));
	/* len 0: the whole object (and an empty blob needs no request) */
	if (size == 0)
		return 0;
	return remote_get_fd(net, key, 0, (uint64_t)size, want, fd, &got, why, whylen);
}
