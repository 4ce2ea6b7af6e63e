/* manifest.c - the one mutable object of a published org: a few lines of
 * text naming the revision, the chain head and the newest delta, signed
 * with Ed25519 (the signature line covers every byte before it); and the
 * hash chain and object keys the manifest refers to. */
#include <errno.h>
#include <inttypes.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "publication.h"

#define SIG_LEN 64

static const char digits[] = "0123456789abcdef";

static void to_hex(const unsigned char *in, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = 0;
}

static int nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Lowercase hex of exactly 2n digits into n bytes. */
static bool from_hex(const char *in, size_t n, unsigned char *out)
{
	for (size_t i = 0; i < n; i++) {
		int hi = nibble(in[2 * i]), lo = hi < 0 ? -1 : nibble(in[2 * i + 1]);

		if (lo < 0)
			return false;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return in[2 * n] == 0;
}

void pub_state_next(const char prev[FM_SHA256_HEX + 1],
		    const char delta[FM_SHA256_HEX + 1], char out[FM_SHA256_HEX + 1])
{
	unsigned char both[64], md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (!from_hex(prev, 32, both) || !from_hex(delta, 32, both + 32))
		memset(both, 0xff, sizeof(both)); /* never matches a real state */
	EVP_Digest(both, sizeof(both), md, &mdlen, EVP_sha256(), NULL);
	to_hex(md, 32, out);
}

void pub_blob_key(const char *sha256, char *out, size_t outlen)
{
	snprintf(out, outlen, "objects/%.2s/%s", sha256, sha256 + 2);
}

void pub_delta_key(const char *sha256, char *out, size_t outlen)
{
	snprintf(out, outlen, "deltas/%s", sha256);
}

void pub_checkpoint_key(const char *sha256, char *out, size_t outlen)
{
	snprintf(out, outlen, "checkpoints/%s", sha256);
}

static int body(const struct manifest *m, char *out, size_t outlen)
{
	return snprintf(out, outlen,
			"fmfs-manifest 1\norg %s\nrevision %" PRIu64 "\nthrough %" PRIu64
			"\nstate %s\nprev-state %s\ndelta %s\ncheckpoint %" PRIu64 " %s %s"
			"\npublished %" PRId64 "\nexpires %" PRId64 "\n",
			m->org, m->revision, m->through, m->state, m->prev_state,
			m->delta, m->checkpoint_rev, m->checkpoint, m->checkpoint_state,
			m->published, m->expires);
}

int manifest_format(const struct manifest *m, EVP_PKEY *key, char **out,
		    size_t *outlen)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char sig[SIG_LEN];
	size_t siglen = sizeof(sig);
	char *text = malloc(PUB_MANIFEST_MAX);
	int len;

	if (!ctx || !text) {
		EVP_MD_CTX_free(ctx);
		free(text);
		return -ENOMEM;
	}
	len = body(m, text, PUB_MANIFEST_MAX);
	if (len <= 0 || (size_t)len + 12 + 2 * SIG_LEN >= PUB_MANIFEST_MAX ||
	    EVP_DigestSignInit(ctx, NULL, NULL, NULL, key) <= 0 ||
	    EVP_DigestSign(ctx, sig, &siglen, (unsigned char *)text, (size_t)len) <= 0 ||
	    siglen != SIG_LEN) {
		EVP_MD_CTX_free(ctx);
		free(text);
		return -EINVAL;
	}
	EVP_MD_CTX_free(ctx);
	memcpy(text + len, "signature ", 10);
	to_hex(sig, SIG_LEN, text + len + 10);
	len += 10 + 2 * SIG_LEN;
	text[len++] = '\n';
	text[len] = 0;
	*out = text;
	*outlen = (size_t)len;
	return 0;
}

/* The value of line "key VALUE\n" at *p, advancing *p; NULL if absent. */
static const char *field(const char **p, const char *end, const char *key,
			 char *val, size_t vallen)
{
	size_t klen = strlen(key);
	const char *nl;

	if ((size_t)(end - *p) < klen + 2 || memcmp(*p, key, klen) || (*p)[klen] != ' ')
		return NULL;
	nl = memchr(*p, '\n', (size_t)(end - *p));
	if (!nl || (size_t)(nl - *p - (ptrdiff_t)klen - 1) >= vallen)
		return NULL;
	memcpy(val, *p + klen + 1, (size_t)(nl - *p) - klen - 1);
	val[nl - *p - (ptrdiff_t)klen - 1] = 0;
	*p = nl + 1;
	return val;
}

static bool parse_u64(const char *s, uint64_t *out)
{
	char *end;

	if (*s < '0' || *s > '9' || (*s == '0' && s[1]))
		return false;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return !errno && !*end;
}

static bool parse_i64(const char *s, int64_t *out)
{
	char *end;

	if (!*s)
		return false;
	errno = 0;
	*out = strtoll(s, &end, 10);
	return !errno && !*end;
}

static bool is_hash(const char *s)
{
	unsigned char tmp[32];

	return strlen(s) == FM_SHA256_HEX && from_hex(s, 32, tmp);
}

/* "REV HASH STATE": REV 0 (no checkpoint) goes with zeros; else REV is
 * a revision and both hashes real. */
static bool parse_checkpoint(char *s, struct manifest *m)
{
	char *h = strchr(s, ' '), *st = h ? strchr(h + 1, ' ') : NULL;

	if (!st)
		return false;
	*h = *st = 0;
	if (!parse_u64(s, &m->checkpoint_rev) || m->checkpoint_rev > m->revision ||
	    !is_hash(h + 1) || !is_hash(st + 1))
		return false;
	memcpy(m->checkpoint, h + 1, sizeof(m->checkpoint));
	memcpy(m->checkpoint_state, st + 1, sizeof(m->checkpoint_state));
	return m->checkpoint_rev > 0 || (!strcmp(m->checkpoint, PUB_ZERO_HASH) &&
					 !strcmp(m->checkpoint_state, PUB_ZERO_HASH));
}

int manifest_parse(const char *text, size_t len, EVP_PKEY *pub,
		   struct manifest *out, const char **why)
{
	const char *p = text, *end = text + len, *signed_end;
	char v[2 * SIG_LEN + 2], rev[24], thr[24], pubd[24], exp[24], cp[160];
	unsigned char sig[SIG_LEN];
	struct manifest m;
	EVP_MD_CTX *ctx;
	int ok;

	memset(&m, 0, sizeof(m));
	*why = "not an fmfs manifest";
	if (len > PUB_MANIFEST_MAX || !field(&p, end, "fmfs-manifest", v, sizeof(v)) ||
	    strcmp(v, "1"))
		return -EBADMSG;
	*why = "malformed manifest";
	if (!field(&p, end, "org", m.org, sizeof(m.org)) || !org_is_valid(m.org) ||
	    !field(&p, end, "revision", rev, sizeof(rev)) || !parse_u64(rev, &m.revision) ||
	    m.revision == 0 ||
	    !field(&p, end, "through", thr, sizeof(thr)) || !parse_u64(thr, &m.through) ||
	    !field(&p, end, "state", m.state, sizeof(m.state)) || !is_hash(m.state) ||
	    !field(&p, end, "prev-state", m.prev_state, sizeof(m.prev_state)) ||
	    !is_hash(m.prev_state) ||
	    !field(&p, end, "delta", m.delta, sizeof(m.delta)) || !is_hash(m.delta) ||
	    !field(&p, end, "checkpoint", cp, sizeof(cp)) || !parse_checkpoint(cp, &m) ||
	    !field(&p, end, "published", pubd, sizeof(pubd)) || !parse_i64(pubd, &m.published) ||
	    !field(&p, end, "expires", exp, sizeof(exp)) || !parse_i64(exp, &m.expires))
		return -EBADMSG;
	signed_end = p;
	if (!field(&p, end, "signature", v, sizeof(v)) || p != end ||
	    !from_hex(v, SIG_LEN, sig))
		return -EBADMSG;
	*why = "bad signature";
	ctx = EVP_MD_CTX_new();
	ok = ctx && EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, pub) > 0 &&
	     EVP_DigestVerify(ctx, sig, SIG_LEN, (const unsigned char *)text,
			      (size_t)(signed_end - text)) == 1;
	EVP_MD_CTX_free(ctx);
	if (!ok)
		return -EBADMSG;
	*why = NULL;
	*out = m;
	return 0;
}
