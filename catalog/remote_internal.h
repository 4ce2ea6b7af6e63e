/* remote_internal.h - what the transport's files share (remote.c, http.c,
 * s3.c, folder.c, credentials.c): the remote and mirror structs and one
 * request's state. Not installed. */
#ifndef FMFS_REMOTE_INTERNAL_H
#define FMFS_REMOTE_INTERNAL_H

#include <curl/curl.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdbool.h>

#include "remote.h"

enum mirror_kind { MIRROR_HTTP, MIRROR_S3, MIRROR_FOLDER };

struct mirror {
	enum mirror_kind kind;
	char *url;  /* as the user gave it (never holds credentials) */
	char *base; /* what a key is appended to, after '/': a URL or a folder */
	char *host; /* HOST[:PORT] or the folder, for messages */
};

struct remote {
	struct mirror *mirrors;
	size_t nmirrors;
	size_t current;	     /* the mirror tried first; __atomic */
	int64_t switched_ms; /* when current left the primary; __atomic */
	struct remote_opts opts;
	char *cacert, *netrc;	  /* copies of the options' paths */
	char *s3_key, *s3_secret; /* from the credentials file; cleansed on close */
	char *sigv4;		  /* "aws:amz:REGION:s3" */
	uint64_t requests;	  /* __atomic */
	CURLSH *share;		  /* connections, DNS, TLS sessions */
	pthread_mutex_t share_locks[CURL_LOCK_DATA_LAST];
	pthread_mutex_t pool_lock; /* protects pool, npool */
	CURL **pool;		   /* idle easy handles */
	size_t npool;
};

enum req_method { REQ_GET, REQ_HEAD, REQ_PUT };

/* One attempt's outcome, which the ladder in remote.c acts on. */
enum req_result {
	RES_OK,	       /* 200/206 (verified), 304, or a PUT's 200 */
	RES_NOT_FOUND, /* 404/410 */
	RES_DENIED,    /* 401/403 */
	RES_RETRY,     /* reset, short transfer, 5xx, 429: again on this mirror */
	RES_BAD_DATA,  /* wrong hash or length: again with no-cache, then next mirror */
	RES_NEXT,      /* timeout, no connection, TLS, other status: next mirror */
	RES_LOCAL,     /* our side failed (sink_errno): stop */
};

struct req {
	enum req_method method;
	const char *key;
	uint64_t off, len; /* range; len 0: the whole object */
	size_t max;	   /* memory sink, whole object: at most this many bytes */
	bool nocache;
	const char *if_none_match;   /* or NULL */
	const unsigned char *expect; /* sha256 or NULL */
	/* the sink: fd >= 0, else memory */
	int fd;
	unsigned char *buf;
	size_t cap;
	uint64_t got;
	EVP_MD_CTX *md;
	/* a PUT's source: src_fd >= 0, else src_buf */
	int src_fd;
	const void *src_buf;
	uint64_t src_len, src_pos;
	char payload_sha[65]; /* S3: hex SHA-256 of the PUT body */
	/* what came back */
	long status;
	long retry_after_s; /* -1: none */
	uint64_t size;	    /* HEAD: Content-Length */
	char etag[REMOTE_ETAG_MAX];
	char err_body[1024]; /* the start of an error response (S3's <Code>) */
	size_t err_len;
	bool too_long;
	int sink_errno;
	char why[512]; /* RES_OK aside: why, without key and host */
};

/* http.c: one attempt of q on mirror m (HTTP or S3). */
enum req_result http_perform(struct remote *r, const struct mirror *m, struct req *q);
int http_init(struct remote *r, char *why, size_t whylen);
void http_release(struct remote *r);
/* Parse and check an http(s) URL; fill m->host. */
int http_check_url(const char *url, struct mirror *m, char *why, size_t whylen);

/* s3.c: the mirror for s3://BUCKET/PREFIX at r's endpoint; the SigV4 setup of one request. */
int s3_mirror(struct remote *r, const char *url, struct mirror *m, char *why, size_t whylen);
int s3_setup(struct remote *r, CURL *h, struct req *q, struct curl_slist **headers);

/* folder.c: the same attempts on a folder. */
enum req_result folder_perform(struct remote *r, const struct mirror *m, struct req *q);
int folder_mirror(const char *url, struct mirror *m, char *why, size_t whylen);

/* credentials.c: check that path is a regular file only its owner can
 * read; read an AWS shared-credentials file's [default] key and secret. */
int credentials_check(const char *path, char *why, size_t whylen);
int credentials_read_aws(const char *path, char **key, char **secret, char *why, size_t whylen);

/* remote.c: the sink both http.c and folder.c write a body into. 0 or -errno. */
int req_sink(struct req *q, const void *data, size_t len);
void hex_encode(const unsigned char *md, size_t n, char *out);

#endif
