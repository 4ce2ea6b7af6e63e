/* http.c - one HTTP(S) request of the remote share through libcurl: easy
 * handles kept in a pool, one CURLSH per remote sharing connections, DNS and
 * TLS sessions (locked, so threads share them), HTTP/2 when the server offers
 * it, TLS verified (system CAs or cacert), netrc basic auth, connect,
 * low-speed and whole-request timeouts; the answer classified for the
 * ladder in remote.c. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "remote_internal.h"

#define POOL_MAX 32
#define CURL_BUFFER (256 * 1024)
#define LOW_SPEED_BYTES 1024
#define TIMEOUT_MIN_RATE (256 * 1000) /* bytes/s a big transfer is given time for */

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc;

static void global_init(void)
{
	global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static void share_lock(CURL *h, curl_lock_data data, curl_lock_access access, void *arg)
{
	struct remote *r = arg;

	(void)h;
	(void)access;
	pthread_mutex_lock(&r->share_locks[data]);
}

static void share_unlock(CURL *h, curl_lock_data data, void *arg)
{
	struct remote *r = arg;

	(void)h;
	pthread_mutex_unlock(&r->share_locks[data]);
}

int http_init(struct remote *r, char *why, size_t whylen)
{
	pthread_once(&global_once, global_init);
	if (global_rc != CURLE_OK) {
		snprintf(why, whylen, "libcurl: %s", curl_easy_strerror(global_rc));
		return -EIO;
	}
	r->share = curl_share_init();
	if (!r->share) {
		snprintf(why, whylen, "libcurl: %s", strerror(ENOMEM));
		return -ENOMEM;
	}
	for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_init(&r->share_locks[i], NULL);
	pthread_mutex_init(&r->pool_lock, NULL);
	curl_share_setopt(r->share, CURLSHOPT_LOCKFUNC, share_lock);
	curl_share_setopt(r->share, CURLSHOPT_UNLOCKFUNC, share_unlock);
	curl_share_setopt(r->share, CURLSHOPT_USERDATA, r);
	curl_share_setopt(r->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
	curl_share_setopt(r->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	curl_share_setopt(r->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
	return 0;
}

void http_release(struct remote *r)
{
	if (!r->share)
		return;
	for (size_t i = 0; i < r->npool; i++)
		curl_easy_cleanup(r->pool[i]);
	free(r->pool);
	curl_share_cleanup(r->share);
	for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_destroy(&r->share_locks[i]);
	pthread_mutex_destroy(&r->pool_lock);
}

int http_check_url(const char *url, struct mirror *m, char *why, size_t whylen)
{
	CURLU *u = curl_url();
	char *host = NULL, *port = NULL, *part = NULL;
	size_t n;
	int rc = 0;

	if (!u)
		return -ENOMEM;
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		/* the URL may hold a password: not echoed */
		snprintf(why, whylen, "remote: a malformed URL");
		rc = -EINVAL;
		goto out;
	}
	if (curl_url_get(u, CURLUPART_USER, &part, 0) == CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PASSWORD, &part, 0) == CURLUE_OK) {
		snprintf(why, whylen,
			 "remote: %s: credentials in a URL are refused (credentials=FILE)", host);
		rc = -EINVAL;
		goto out;
	}
	if (curl_url_get(u, CURLUPART_QUERY, &part, 0) == CURLUE_OK ||
	    curl_url_get(u, CURLUPART_FRAGMENT, &part, 0) == CURLUE_OK) {
		snprintf(why, whylen, "remote: %s: a URL with a query or fragment", url);
		rc = -EINVAL;
		goto out;
	}
	curl_url_get(u, CURLUPART_PORT, &port, 0);
	if (asprintf(&m->host, "%s%s%s", host, port ? ":" : "", port ? port : "") < 0) {
		m->host = NULL;
		rc = -ENOMEM;
		goto out;
	}
	n = strlen(url);
	while (n > 0 && url[n - 1] == '/')
		n--;
	m->base = strndup(url, n);
	if (!m->base)
		rc = -ENOMEM;
out:
	curl_free(host);
	curl_free(port);
	curl_free(part);
	curl_url_cleanup(u);
	return rc;
}

static CURL *easy_take(struct remote *r)
{
	CURL *h = NULL;

	pthread_mutex_lock(&r->pool_lock);
	if (r->npool)
		h = r->pool[--r->npool];
	pthread_mutex_unlock(&r->pool_lock);
	if (h)
		curl_easy_reset(h);
	else
		h = curl_easy_init();
	return h;
}

static void easy_give(struct remote *r, CURL *h)
{
	pthread_mutex_lock(&r->pool_lock);
	if (!r->pool)
		r->pool = calloc(POOL_MAX, sizeof(*r->pool));
	if (r->pool && r->npool < POOL_MAX) {
		r->pool[r->npool++] = h;
		h = NULL;
	}
	pthread_mutex_unlock(&r->pool_lock);
	if (h)
		curl_easy_cleanup(h);
}

static size_t on_header(char *line, size_t size, size_t n, void *arg)
{
	struct req *q = arg;
	size_t len = size * n;
	long status;

	if (len > 5 && strncmp(line, "HTTP/", 5) == 0) {
		const char *sp = memchr(line, ' ', len);

		if (sp && sscanf(sp, " %ld", &status) == 1) {
			q->status = status;
			q->retry_after_s = -1;
			q->etag[0] = 0;
		}
	} else if (len > 12 && strncasecmp(line, "Retry-After:", 12) == 0) {
		char *end;
		long v = strtol(line + 12, &end, 10);

		if (end != line + 12 && v >= 0)
			q->retry_after_s = v;
	} else if (len > 5 && strncasecmp(line, "ETag:", 5) == 0) {
		size_t i = 5, e = len;

		while (i < e && (line[i] == ' ' || line[i] == '\t'))
			i++;
		while (e > i && (line[e - 1] == '\r' || line[e - 1] == '\n' || line[e - 1] == ' '))
			e--;
		if (e - i < REMOTE_ETAG_MAX) {
			memcpy(q->etag, line + i, e - i);
			q->etag[e - i] = 0;
		}
	}
	return len;
}

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
	struct req *q = arg;
	size_t len = size * n;

	if (q->status < 200 || q->status >= 300) {
		size_t room = sizeof(q->err_body) - 1 - q->err_len;

		if (len < room)
			room = len;
		memcpy(q->err_body + q->err_len, data, room);
		q->err_len += room;
		q->err_body[q->err_len] = 0;
		return len;
	}
	return req_sink(q, data, len) == 0 ? len : 0;
}

static size_t on_read(char *out, size_t size, size_t n, void *arg)
{
	struct req *q = arg;
	size_t want = size * n;

	if (want > q->src_len - q->src_pos)
		want = (size_t)(q->src_len - q->src_pos);
	if (want == 0)
		return 0;
	if (q->src_fd >= 0) {
		ssize_t got;

		do
			got = pread(q->src_fd, out, want, (off_t)q->src_pos);
		while (got < 0 && errno == EINTR);
		if (got <= 0) {
			q->sink_errno = got < 0 ? errno : EIO;
			return CURL_READFUNC_ABORT;
		}
		want = (size_t)got;
	} else {
		memcpy(out, (const char *)q->src_buf + q->src_pos, want);
	}
	q->src_pos += want;
	return want;
}

static int on_seek(void *arg, curl_off_t off, int origin)
{
	struct req *q = arg;

	if (origin != SEEK_SET || off < 0 || (uint64_t)off > q->src_len)
		return CURL_SEEKFUNC_CANTSEEK;
	q->src_pos = (uint64_t)off;
	return CURL_SEEKFUNC_OK;
}

/* S3's error code (<Code>…</Code>) from an error body, or "". */
static void s3_code(const struct req *q, char *out, size_t outlen)
{
	const char *a = strstr(q->err_body, "<Code>"), *b;
	size_t n = 0;

	out[0] = 0;
	if (!a || !(b = strstr(a, "</Code>")))
		return;
	for (a += 6; a < b && n + 1 < outlen; a++)
		if ((*a >= 'A' && *a <= 'Z') || (*a >= 'a' && *a <= 'z') ||
		    (*a >= '0' && *a <= '9'))
			out[n++] = *a;
	out[n] = 0;
}

static enum req_result classify(struct req *q, CURLcode cc, const char *errbuf)
{
	char code[64];
	bool ok;

	if (q->sink_errno) {
		snprintf(q->why, sizeof(q->why), "%s", strerror(q->sink_errno));
		return RES_LOCAL;
	}
	if (q->too_long) {
		if (q->len || q->expect) {
			snprintf(q->why, sizeof(q->why), "body longer than expected");
			return RES_BAD_DATA;
		}
		snprintf(q->why, sizeof(q->why), "larger than %zu bytes", q->max);
		return RES_NEXT;
	}
	if (cc != CURLE_OK) {
		snprintf(q->why, sizeof(q->why), "%s%s",
			 errbuf[0] ? errbuf : curl_easy_strerror(cc),
			 cc == CURLE_PEER_FAILED_VERIFICATION ?
				 " (the server's certificate is not trusted: cacert=FILE)" :
				 "");
		switch (cc) {
		case CURLE_PARTIAL_FILE:
		case CURLE_RECV_ERROR:
		case CURLE_SEND_ERROR:
		case CURLE_GOT_NOTHING:
		case CURLE_HTTP2:
		case CURLE_HTTP2_STREAM:
			return RES_RETRY;
		default:
			return RES_NEXT;
		}
	}
	s3_code(q, code, sizeof(code));
	ok = q->method == REQ_GET ? q->status == 200 || q->status == 206 ||
					    (q->status == 304 && q->if_none_match) :
				    q->status >= 200 && q->status < 300;
	if (ok && q->method == REQ_GET && q->status == 200 && q->off) {
		snprintf(q->why, sizeof(q->why), "the server ignored the Range header");
		return RES_NEXT;
	}
	if (ok)
		return RES_OK;
	snprintf(q->why, sizeof(q->why), "HTTP %ld%s%s", q->status, code[0] ? " " : "",
		 code[0]	  ? code :
		 q->status == 401 ? " (credentials refused)" :
		 q->status == 404 ? " (no such object)" :
				    "");
	if (q->status == 404 || q->status == 410)
		return RES_NOT_FOUND;
	if (q->status == 401 || q->status == 403)
		return RES_DENIED;
	if (q->status == 429 || (q->status >= 500 && q->status != 501 && q->status != 505))
		return RES_RETRY;
	return RES_NEXT;
}

/* The bound on q: io_timeout_ms, and for the bytes expected (a range, a
 * PUT, a memory download's max) time at TIMEOUT_MIN_RATE on top, so a big
 * object on a slow but moving link is not cut (stalls: the low-speed limit). */
static long http_timeout_ms(const struct remote *r, const struct req *q)
{
	uint64_t bytes = q->method == REQ_PUT ? q->src_len :
			 q->len		      ? q->len :
			 q->fd < 0	      ? q->max :
						0;
	uint64_t ms = (uint64_t)r->opts.io_timeout_ms + bytes / (TIMEOUT_MIN_RATE / 1000);

	return ms > LONG_MAX ? LONG_MAX : (long)ms;
}

enum req_result http_perform(struct remote *r, const struct mirror *m, struct req *q)
{
	char errbuf[CURL_ERROR_SIZE] = "", range[64], hdr[REMOTE_ETAG_MAX + 32], *url = NULL;
	struct curl_slist *headers = NULL, *more;
	enum req_result res;
	CURLcode cc;
	CURL *h;

	h = easy_take(r);
	if (!h || asprintf(&url, "%s/%s", m->base, q->key) < 0) {
		if (h)
			easy_give(r, h);
		q->sink_errno = ENOMEM;
		snprintf(q->why, sizeof(q->why), "%s", strerror(ENOMEM));
		return RES_LOCAL;
	}
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_SHARE, r->share);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, r->opts.connect_timeout_ms);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, (long)LOW_SPEED_BYTES);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, r->opts.low_speed_time_s);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, http_timeout_ms(r, q));
	curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(h, CURLOPT_BUFFERSIZE, (long)CURL_BUFFER);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "fmfs/1");
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, q);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, q);
	if (r->cacert)
		curl_easy_setopt(h, CURLOPT_CAINFO, r->cacert);
	if (q->method == REQ_HEAD)
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	if (q->method == REQ_GET && (q->off || q->len)) {
		if (q->len)
			snprintf(range, sizeof(range), "%llu-%llu", (unsigned long long)q->off,
				 (unsigned long long)(q->off + q->len - 1));
		else
			snprintf(range, sizeof(range), "%llu-", (unsigned long long)q->off);
		curl_easy_setopt(h, CURLOPT_RANGE, range);
	}
	if (q->method == REQ_PUT) {
		curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)q->src_len);
		curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
		curl_easy_setopt(h, CURLOPT_READDATA, q);
		curl_easy_setopt(h, CURLOPT_SEEKFUNCTION, on_seek);
		curl_easy_setopt(h, CURLOPT_SEEKDATA, q);
	}
	if (q->nocache) {
		more = curl_slist_append(headers, "Cache-Control: no-cache");
		headers = more ? curl_slist_append(more, "Pragma: no-cache") : headers;
	}
	if (q->if_none_match) {
		snprintf(hdr, sizeof(hdr), "If-None-Match: %s", q->if_none_match);
		more = curl_slist_append(headers, hdr);
		headers = more ? more : headers;
	}
	if (m->kind == MIRROR_S3 && s3_setup(r, h, q, &headers) < 0) {
		curl_slist_free_all(headers);
		easy_give(r, h);
		free(url);
		q->sink_errno = ENOMEM;
		snprintf(q->why, sizeof(q->why), "%s", strerror(ENOMEM));
		return RES_LOCAL;
	} else if (m->kind == MIRROR_HTTP && r->netrc) {
		curl_easy_setopt(h, CURLOPT_NETRC, (long)CURL_NETRC_OPTIONAL);
		curl_easy_setopt(h, CURLOPT_NETRC_FILE, r->netrc);
	}
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
	cc = curl_easy_perform(h);
	if (cc == CURLE_OK && q->method == REQ_HEAD) {
		curl_off_t cl = -1;

		curl_easy_getinfo(h, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl);
		q->size = cl > 0 ? (uint64_t)cl : 0;
	}
	res = classify(q, cc, errbuf);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(headers);
	easy_give(r, h);
	free(url);
	return res;
}
