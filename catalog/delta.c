/* delta.c - a catalog delta: the rows one revision of a published org adds
 * (nodes, folder mtimes that grew, documents, chunk sums), as tab-separated
 * text with %XX escapes, built from the host's catalog and applied to a
 * client's. Rows are only ever added, so revision N's delta holds exactly
 * the org's node ids in (after, through]. Format: docs/remote.md. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_internal.h"
#include "publication.h"

#define MAX_FIELDS 16

/* ---- building -------------------------------------------------------------- */

static void put_text(FILE *f, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x20 || *p == 0x7f || *p == '%')
			fprintf(f, "%%%02x", *p);
		else
			fputc(*p, f);
	}
}

static void put_col(FILE *f, sqlite3_stmt *st, int col)
{
	fputc('\t', f);
	if (sqlite3_column_type(st, col) == SQLITE_INTEGER)
		fprintf(f, "%lld", (long long)sqlite3_column_int64(st, col));
	else
		put_text(f, (const char *)sqlite3_column_text(st, col) ?
			 (const char *)sqlite3_column_text(st, col) : "");
}

static int prepare(struct catalog *cat, const char *sql, sqlite3_stmt **st)
{
	int rc = sqlite3_prepare_v2(cat->db, sql, -1, st, NULL);

	return rc == SQLITE_OK ? 0 : -EIO;
}

static void bind_range(sqlite3_stmt *st, uint64_t org, uint64_t after, uint64_t through)
{
	sqlite3_bind_int64(st, 1, (sqlite3_int64)org);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)after);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)through);
}

#define NEW_BLOBS_SQL \
	"SELECT DISTINCT n.sha256, n.size FROM nodes n WHERE n.id>?2 AND n.id<=?3" \
	" AND n.org=?1 AND n.type='f' AND NOT EXISTS (SELECT 1 FROM nodes o" \
	" WHERE o.sha256=n.sha256 AND o.id<=?2 AND o.org=?1)"

int delta_new_blobs(struct catalog *cat, uint64_t org_id, uint64_t after,
		    uint64_t through, pub_blob_fn fn, void *arg)
{
	sqlite3_stmt *st;
	int rc = prepare(cat, NEW_BLOBS_SQL, &st);

	if (rc < 0)
		return rc;
	bind_range(st, org_id, after, through);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		rc = fn(arg, (const char *)sqlite3_column_text(st, 0),
			sqlite3_column_int64(st, 1));
		if (rc)
			break;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : rc == SQLITE_ROW ? 0 : rc < 0 || rc > 0xff ? rc : -EIO;
}

int delta_pending(struct catalog *cat, uint64_t org_id, uint64_t after,
		  uint64_t *through, bool *pending)
{
	sqlite3_stmt *st;
	int rc = catalog_max_id(cat, through);

	if (rc == 0)
		rc = prepare(cat, "SELECT 1 FROM nodes WHERE id>?2 AND id<=?3"
			     " AND (org=?1 OR id=?1) LIMIT 1", &st);
	if (rc < 0)
		return rc;
	bind_range(st, org_id, after, *through);
	rc = sqlite3_step(st);
	*pending = rc == SQLITE_ROW;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -EIO;
}

static void put_hex(FILE *f, const unsigned char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%02x", b[i]);
}

/* C rows: the chunk sums of each blob new to the org. */
static int build_chunks(struct catalog *cat, FILE *f, uint64_t org_id, uint64_t after,
			uint64_t through, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int rc = prepare(cat, NEW_BLOBS_SQL, &st);

	if (rc < 0)
		return rc;
	bind_range(st, org_id, after, through);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *sha = (const char *)sqlite3_column_text(st, 0);
		int64_t size = sqlite3_column_int64(st, 1);
		uint64_t *xxh = NULL;
		unsigned char *shas = NULL;
		uint32_t cs1 = 0, cs2 = 0;
		size_t n1 = 0, n2 = 0;

		rc = chunks_get(cat, sha, &cs1, &xxh, &n1);
		if (rc == 0)
			rc = chunk_sha_get(cat, sha, &cs2, &shas, &n2);
		if (rc == 0 && (cs1 != cs2 || n1 != n2 || n1 != chunks_count(size, cs1)))
			rc = -EINVAL;
		if (rc < 0) {
			snprintf(err, errlen, "blob %s: its chunk sums are not recorded", sha);
			free(xxh);
			free(shas);
			break;
		}
		fprintf(f, "C\t%s\t%u\t%zu\t", sha, cs1, n1);
		for (size_t i = 0; i < n1; i++)
			fprintf(f, "%016" PRIx64, xxh[i]);
		fputc('\t', f);
		put_hex(f, shas, 32 * n2);
		fputc('\n', f);
		free(xxh);
		free(shas);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : rc < 0 ? rc : -EIO;
}

/* Every row of sql (bound to org, after, through) as "tag\tcol\tcol…". */
static int build_rows(struct catalog *cat, FILE *f, const char *tag, const char *sql,
		      uint64_t org_id, uint64_t after, uint64_t through)
{
	sqlite3_stmt *st;
	int rc = prepare(cat, sql, &st), cols;

	if (rc < 0)
		return rc;
	bind_range(st, org_id, after, through);
	cols = sqlite3_column_count(st);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		fputs(tag, f);
		for (int i = 0; i < cols; i++)
			put_col(f, st, i);
		fputc('\n', f);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -EIO;
}

int delta_build(struct catalog *cat, const char *org, uint64_t org_id,
		uint64_t revision, const char *prev_delta, uint64_t after,
		uint64_t through, char **out, size_t *outlen, char *err,
		size_t errlen)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int rc;

	if (!f)
		return -ENOMEM;
	fprintf(f, "fmfs-delta 1\norg %s\nrevision %" PRIu64 "\nprev %s\nafter %" PRIu64
		"\nthrough %" PRIu64 "\n", org, revision, prev_delta, after, through);
	rc = build_rows(cat, f, "N",
			"SELECT id,parent,org,type,name,size,mtime,ctime,ifnull(sha256,'')"
			" FROM nodes WHERE id>?2 AND id<=?3 AND (org=?1 OR id=?1) ORDER BY id",
			org_id, after, through);
	if (rc == 0)
		rc = build_rows(cat, f, "D",
				"SELECT DISTINCT p.id,p.mtime FROM nodes c JOIN nodes p"
				" ON p.id=c.parent WHERE c.id>?2 AND c.id<=?3 AND c.org=?1"
				" AND p.id<=?2 ORDER BY p.id", org_id, after, through);
	if (rc == 0)
		rc = build_rows(cat, f, "X",
				"SELECT d.node_id,d.org,d.kind,ifnull(d.direction,''),d.period,"
				"d.doc_date,d.original_name,d.size,d.sha256,d.ingested_at,"
				"d.ingested_by,ifnull(d.container,0) FROM documents d JOIN nodes n"
				" ON n.id=d.node_id WHERE n.id>?2 AND n.id<=?3 AND n.org=?1"
				" ORDER BY n.id", org_id, after, through);
	if (rc < 0)
		snprintf(err, errlen, "cannot read the catalog: %s", sqlite3_errmsg(cat->db));
	if (rc == 0)
		rc = build_chunks(cat, f, org_id, after, through, err, errlen);
	fputs("end\n", f);
	if (fclose(f) != 0 && rc == 0) {
		snprintf(err, errlen, "out of memory");
		rc = -ENOMEM;
	}
	if (rc < 0) {
		free(buf);
		return rc;
	}
	*out = buf;
	*outlen = len;
	return 0;
}

/* ---- parsing ----------------------------------------------------------------- */

struct reader {
	char *p, *end;
	char *field[MAX_FIELDS];
	int n;
};

static int unhex(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Unescape %XX in place; false on a bad escape. */
static bool unescape(char *s)
{
	char *w = s;

	for (char *r = s; *r; r++) {
		if (*r != '%') {
			*w++ = *r;
			continue;
		}
		if (unhex(r[1]) < 0 || unhex(r[2]) < 0)
			return false;
		*w++ = (char)(unhex(r[1]) << 4 | unhex(r[2]));
		r += 2;
	}
	*w = 0;
	return true;
}

/* Split the next line into fields (modifies the buffer). false at the end
 * or on a malformed line. */
static bool next_line(struct reader *r)
{
	char *nl;

	if (r->p >= r->end)
		return false;
	nl = memchr(r->p, '\n', (size_t)(r->end - r->p));
	if (!nl)
		return false;
	*nl = 0;
	r->n = 0;
	for (char *s = r->p; r->n < MAX_FIELDS;) {
		char *tab = strchr(s, '\t');

		r->field[r->n++] = s;
		if (!tab)
			break;
		*tab = 0;
		s = tab + 1;
	}
	r->p = nl + 1;
	for (int i = 0; i < r->n; i++)
		if (!unescape(r->field[i]))
			return false;
	return true;
}

static bool head_field(struct reader *r, const char *key, char **val)
{
	char *sp;

	if (!next_line(r) || r->n != 1 || !(sp = strchr(r->field[0], ' ')))
		return false;
	*sp = 0;
	if (strcmp(r->field[0], key))
		return false;
	*val = sp + 1;
	return true;
}

static bool u64_of(const char *s, uint64_t *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return !errno && !*end;
}

static bool i64_of(const char *s, int64_t *out)
{
	char *end;

	if (!*s)
		return false;
	errno = 0;
	*out = strtoll(s, &end, 10);
	return !errno && !*end;
}

static bool hash_ok(const char *s)
{
	if (strlen(s) != FM_SHA256_HEX)
		return false;
	for (const char *p = s; *p; p++)
		if (unhex(*p) < 0)
			return false;
	return true;
}

static int read_head(struct reader *r, struct delta_head *h)
{
	char *v;

	memset(h, 0, sizeof(*h));
	if (!head_field(r, "fmfs-delta", &v) || strcmp(v, "1") ||
	    !head_field(r, "org", &v) || !org_is_valid(v))
		return -EBADMSG;
	snprintf(h->org, sizeof(h->org), "%s", v);
	if (!head_field(r, "revision", &v) || !u64_of(v, &h->revision) ||
	    !head_field(r, "prev", &v) || !hash_ok(v))
		return -EBADMSG;
	memcpy(h->prev, v, sizeof(h->prev));
	if (!head_field(r, "after", &v) || !u64_of(v, &h->after) ||
	    !head_field(r, "through", &v) || !u64_of(v, &h->through) ||
	    h->through < h->after)
		return -EBADMSG;
	return 0;
}

int delta_head(const char *text, size_t len, struct delta_head *out, char *err,
	       size_t errlen)
{
	/* the header is a few hundred bytes: parse a copy of it */
	char copy[1024];
	size_t n = len < sizeof(copy) - 1 ? len : sizeof(copy) - 1;
	struct reader r = { .p = copy, .end = copy + n };

	memcpy(copy, text, n);
	copy[n] = 0;
	if (read_head(&r, out) < 0) {
		snprintf(err, errlen, "malformed delta header");
		return -EBADMSG;
	}
	return 0;
}

/* ---- applying ----------------------------------------------------------------- */

enum { A_NODE, A_PARENT, A_MTIME, A_DOC, A_ORG, A__COUNT };

static const char *const apply_sql[A__COUNT] = {
	[A_NODE] = "INSERT INTO nodes(id,parent,org,type,name,size,mtime,ctime,sha256)"
		   " VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9)",
	[A_PARENT] = "SELECT type,org FROM nodes WHERE id=?1",
	[A_MTIME] = "UPDATE nodes SET mtime=max(mtime,?2) WHERE id=?1 AND type='d'",
	[A_DOC] = "INSERT INTO documents(node_id,org,kind,direction,period,doc_date,"
		  "original_name,size,sha256,ingested_at,ingested_by,container)"
		  " VALUES (?1,?2,?3,nullif(?4,''),?5,?6,?7,?8,?9,?10,?11,nullif(?12,0))",
	[A_ORG] = "SELECT id FROM nodes WHERE parent=1 AND name=?1",
};

struct applier {
	struct catalog *cat;
	sqlite3_stmt *st[A__COUNT];
	uint64_t org_id; /* 0 until the org folder is known */
	const char *org;
	uint64_t after, through;
};

static int run(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : sqlite_to_errno(rc) ? sqlite_to_errno(rc) : -EIO;
}

static int apply_node(struct applier *a, char **f, int n)
{
	uint64_t id, parent, org;
	int64_t size, mtime, ctime;
	sqlite3_stmt *st = a->st[A_PARENT];
	bool file;
	int rc;

	if (n != 10 || !u64_of(f[1], &id) || !u64_of(f[2], &parent) ||
	    !u64_of(f[3], &org) || strlen(f[4]) != 1 || (f[4][0] != 'd' && f[4][0] != 'f') ||
	    !name_is_valid(f[5]) || !i64_of(f[6], &size) || size < 0 ||
	    !i64_of(f[7], &mtime) || !i64_of(f[8], &ctime) ||
	    id <= a->after || id > a->through)
		return -EBADMSG;
	file = f[4][0] == 'f';
	if (file != hash_ok(f[9]) || (!file && *f[9]) || (!file && size))
		return -EBADMSG;
	if (!a->org_id) {
		/* the first row ever: the org's folder, under the root */
		if (parent != FM_ROOT_ID || org != 0 || file || strcmp(f[5], a->org))
			return -EBADMSG;
		a->org_id = id;
	} else {
		/* everything else lives in the org, under a folder of it */
		if (org != a->org_id)
			return -EBADMSG;
		sqlite3_bind_int64(st, 1, (sqlite3_int64)parent);
		rc = sqlite3_step(st);
		if (rc != SQLITE_ROW || sqlite3_column_text(st, 0)[0] != 'd' ||
		    (parent != a->org_id &&
		     (uint64_t)sqlite3_column_int64(st, 1) != a->org_id)) {
			sqlite3_reset(st);
			return -EBADMSG;
		}
		sqlite3_reset(st);
	}
	st = a->st[A_NODE];
	sqlite3_bind_int64(st, 1, (sqlite3_int64)id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)parent);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)org);
	sqlite3_bind_text(st, 4, f[4], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, f[5], -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, size);
	sqlite3_bind_int64(st, 7, mtime);
	sqlite3_bind_int64(st, 8, ctime);
	if (file)
		sqlite3_bind_text(st, 9, f[9], -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 9);
	return run(st);
}

static int apply_mtime(struct applier *a, char **f, int n)
{
	uint64_t id;
	int64_t mtime;
	sqlite3_stmt *st = a->st[A_MTIME];

	if (n != 3 || !u64_of(f[1], &id) || !i64_of(f[2], &mtime) || id > a->after)
		return -EBADMSG;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)id);
	sqlite3_bind_int64(st, 2, mtime);
	return run(st);
}

static int apply_doc(struct applier *a, char **f, int n)
{
	sqlite3_stmt *st = a->st[A_DOC];
	uint64_t id;
	int64_t v;

	if (n != 13 || !u64_of(f[1], &id) || id <= a->after || id > a->through ||
	    strcmp(f[2], a->org) || !hash_ok(f[9]))
		return -EBADMSG;
	for (int i = 1; i <= 12; i++) {
		bool number = i == 1 || i == 6 || i == 8 || i == 10 || i == 12;

		if (number && !i64_of(f[i], &v))
			return -EBADMSG;
		if (number)
			sqlite3_bind_int64(st, i, v);
		else
			sqlite3_bind_text(st, i, f[i], -1, SQLITE_STATIC);
	}
	return run(st);
}

static int apply_chunks(struct applier *a, char **f, int n)
{
	uint64_t cs, count, *xxh;
	unsigned char *sha;
	int rc = 0;

	if (n != 6 || !hash_ok(f[1]) || !u64_of(f[2], &cs) || cs == 0 || cs > (1u << 30) ||
	    !u64_of(f[3], &count) || count > PUB_DELTA_MAX / 16 ||
	    strlen(f[4]) != count * 16 || strlen(f[5]) != count * 64)
		return -EBADMSG;
	xxh = malloc(count ? count * 8 : 1);
	sha = malloc(count ? count * 32 : 1);
	if (!xxh || !sha)
		rc = -ENOMEM;
	for (size_t i = 0; rc == 0 && i < count; i++) {
		uint64_t v = 0;

		for (int k = 0; k < 16; k++) {
			int d = unhex(f[4][16 * i + (size_t)k]);

			if (d < 0)
				rc = -EBADMSG;
			v = v << 4 | (uint64_t)(d & 15);
		}
		xxh[i] = v;
	}
	for (size_t i = 0; rc == 0 && i < count * 32; i++) {
		int hi = unhex(f[5][2 * i]), lo = unhex(f[5][2 * i + 1]);

		if (hi < 0 || lo < 0)
			rc = -EBADMSG;
		sha[i] = (unsigned char)(hi << 4 | lo);
	}
	(void)a;
	if (rc == 0)
		rc = chunks_put(a->cat, f[1], (uint32_t)cs, xxh, count);
	if (rc == 0)
		rc = chunk_sha_put(a->cat, f[1], (uint32_t)cs, sha, count);
	free(xxh);
	free(sha);
	return rc;
}

int delta_apply(struct catalog *cat, const char *text, size_t len, char *err,
		size_t errlen)
{
	struct applier a = { .cat = cat };
	struct delta_head h;
	char *copy = malloc(len + 1);
	struct reader r;
	int rc = copy ? 0 : -ENOMEM;
	bool ended = false;
	long line = 6;

	for (int i = 0; rc == 0 && i < A__COUNT; i++)
		rc = prepare(cat, apply_sql[i], &a.st[i]);
	if (rc < 0) {
		snprintf(err, errlen, "cannot prepare: %s", sqlite3_errmsg(cat->db));
		goto out;
	}
	memcpy(copy, text, len);
	copy[len] = 0;
	r = (struct reader){ .p = copy, .end = copy + len };
	if (read_head(&r, &h) < 0) {
		snprintf(err, errlen, "malformed delta header");
		rc = -EBADMSG;
		goto out;
	}
	a.org = h.org;
	a.after = h.after;
	a.through = h.through;
	sqlite3_bind_text(a.st[A_ORG], 1, h.org, -1, SQLITE_STATIC);
	if (sqlite3_step(a.st[A_ORG]) == SQLITE_ROW)
		a.org_id = (uint64_t)sqlite3_column_int64(a.st[A_ORG], 0);
	sqlite3_reset(a.st[A_ORG]);
	while (rc == 0 && !ended) {
		line++;
		if (!next_line(&r)) {
			rc = -EBADMSG;
			break;
		}
		if (!strcmp(r.field[0], "N"))
			rc = apply_node(&a, r.field, r.n);
		else if (!strcmp(r.field[0], "D"))
			rc = apply_mtime(&a, r.field, r.n);
		else if (!strcmp(r.field[0], "X"))
			rc = apply_doc(&a, r.field, r.n);
		else if (!strcmp(r.field[0], "C"))
			rc = apply_chunks(&a, r.field, r.n);
		else if (!strcmp(r.field[0], "end") && r.n == 1 && r.p == r.end)
			ended = true;
		else
			rc = -EBADMSG;
	}
	if (rc < 0)
		snprintf(err, errlen, "revision %" PRIu64 ", line %ld: %s", h.revision, line,
			 rc == -EBADMSG ? "malformed row" : sqlite3_errmsg(cat->db));
out:
	for (int i = 0; i < A__COUNT; i++)
		sqlite3_finalize(a.st[i]);
	free(copy);
	return rc;
}
