/* s3.c - S3 as a mirror of the remote share: s3://BUCKET/PREFIX at an
 * endpoint, path-style; each request signed with SigV4 by libcurl
 * (CURLOPT_AWS_SIGV4) with the x-amz-content-sha256 a real S3 server checks:
 * the PUT body's SHA-256, the empty body's for GET and HEAD. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "remote_internal.h"

#define EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

static bool bucket_is_valid(const char *b, size_t n)
{
	if (n < 3 || n > 63)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((b[i] >= 'a' && b[i] <= 'z') || (b[i] >= '0' && b[i] <= '9') || b[i] == '.' ||
		      b[i] == '-'))
			return false;
	return true;
}

int s3_mirror(struct remote *r, const char *url, struct mirror *m, char *why, size_t whylen)
{
	const char *bucket = url + 5, *slash = strchr(bucket, '/'), *prefix;
	size_t blen = slash ? (size_t)(slash - bucket) : strlen(bucket), plen;
	const char *region = r->opts.region ? r->opts.region : "us-east-1";
	struct mirror ep = { 0 };
	char *aws = NULL;
	int rc;

	if (!bucket_is_valid(bucket, blen)) {
		snprintf(why, whylen, "%s: bucket names are 3 to 63 of a-z, 0-9, '.' and '-'", url);
		return -EINVAL;
	}
	prefix = slash ? slash + 1 : "";
	plen = strlen(prefix);
	while (plen && prefix[plen - 1] == '/')
		plen--;
	if (!r->opts.endpoint && asprintf(&aws, "https://s3.%s.amazonaws.com", region) < 0)
		return -ENOMEM;
	rc = http_check_url(r->opts.endpoint ? r->opts.endpoint : aws, &ep, why, whylen);
	free(aws);
	if (rc < 0) {
		free(ep.base);
		free(ep.host);
		return rc;
	}
	if (asprintf(&m->base, "%s/%.*s%s%.*s", ep.base, (int)blen, bucket, plen ? "/" : "",
		     (int)plen, prefix) < 0)
		m->base = NULL;
	m->host = ep.host;
	free(ep.base);
	if (!m->base)
		return -ENOMEM;
	if (!r->sigv4 && asprintf(&r->sigv4, "aws:amz:%s:s3", region) < 0) {
		r->sigv4 = NULL;
		return -ENOMEM;
	}
	return 0;
}

int s3_setup(struct remote *r, CURL *h, struct req *q, struct curl_slist **headers)
{
	char hdr[128];
	struct curl_slist *more;

	if (!r->s3_key)
		return 0; /* anonymous: a public bucket */
	curl_easy_setopt(h, CURLOPT_AWS_SIGV4, r->sigv4);
	curl_easy_setopt(h, CURLOPT_USERNAME, r->s3_key);
	curl_easy_setopt(h, CURLOPT_PASSWORD, r->s3_secret);
	snprintf(hdr, sizeof(hdr), "x-amz-content-sha256: %s",
		 q->method == REQ_PUT ? q->payload_sha : EMPTY_SHA256);
	more = curl_slist_append(*headers, hdr);
	if (!more)
		return -ENOMEM;
	*headers = more;
	return 0;
}
