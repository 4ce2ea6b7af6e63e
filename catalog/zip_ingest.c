/* zip_ingest.c - opening a zip as the untrusted input it is (libzip):
 * refuses zip slip, zip bombs (checked while inflating, not only from the
 * headers), entries that overlap in the archive (one deflate stream shared
 * by many entries), local and central headers that disagree (libzip's
 * ZIP_CHECKCONS), encryption, corruption and duplicate names, then extracts
 * every entry into a temp blob. All entries or none. The output is bounded
 * per entry (ratio), per zip (bytes, and ratio times the zip's size) and per
 * ingest (a budget shared by all its zips). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zip.h>

#include "zip_ingest.h"

#define RATIO_FLOOR (INT64_C(1) << 20) /* below 1 MiB any ratio is harmless */
#define LOCAL_HEADER 30 /* bytes of a local file header before its name */

struct zip_limits {
	int64_t max_bytes;   /* total uncompressed */
	int64_t max_ratio;   /* uncompressed / compressed, per entry */
	int64_t max_entries;
	int64_t max_total;   /* uncompressed, over every zip of one ingest */
	int64_t zip_size;    /* bytes of the zip file itself */
};

/* One entry being inflated into a blob: counts what it really produces. */
struct zip_feed {
	zip_file_t *zf;
	const struct zip_limits *lim;
	int64_t claimed, comp_size, read;
	int64_t *total;
	int64_t *budget; /* what this ingest's zips produced so far */
	char why[256];
};

static int64_t env_limit(const char *name, int64_t def)
{
	const char *s = getenv(name);
	char *end;
	long long v;

	if (!s || !*s)
		return def;
	v = strtoll(s, &end, 10);
	return *end || v <= 0 ? def : (int64_t)v;
}

static void limits_get(struct zip_limits *lim)
{
	lim->max_bytes = env_limit("FMFS_ZIP_MAX_BYTES", INT64_C(4) << 30);
	lim->max_ratio = env_limit("FMFS_ZIP_MAX_RATIO", 200);
	lim->max_entries = env_limit("FMFS_ZIP_MAX_ENTRIES", 256);
	lim->max_total = env_limit("FMFS_ZIP_MAX_TOTAL", INT64_C(8) << 30);
}

static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return rc;
}

/* name made printable on one line (for messages), into out. */
static const char *shown(const char *name, char *out, size_t outlen)
{
	size_t i = 0;

	for (; *name && i + 1 < outlen; name++)
		out[i++] = (unsigned char)*name < 0x20 || *name == 0x7f ? '?' : *name;
	out[i] = 0;
	return out;
}

/* Why an entry name may not become a file of the unzip folder, or NULL. */
static const char *entry_name_problem(const char *name)
{
	const char *p;

	if (name[0] == '/')
		return "is an absolute path (zip slip)";
	if (strchr(name, '\\'))
		return "contains a backslash (zip slip)";
	for (p = name; (p = strstr(p, "..")); p += 2)
		if ((p == name || p[-1] == '/') && (p[2] == 0 || p[2] == '/'))
			return "contains '..' (zip slip)";
	if (strchr(name, '/'))
		return "is in a subfolder (only flat zips are accepted)";
	return name_invalid_reason(name);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(((const struct zip_entry_blob *)a)->name,
		      ((const struct zip_entry_blob *)b)->name);
}

static ssize_t feed_fill(void *arg, void *buf, size_t len)
{
	struct zip_feed *f = arg;
	zip_int64_t n = zip_fread(f->zf, buf, len);

	if (n < 0) {
		snprintf(f->why, sizeof(f->why), "corrupt zip: %s",
			 zip_error_strerror(zip_file_get_error(f->zf)));
		return -EBADMSG;
	}
	f->read += n;
	*f->total += n;
	if (f->read > f->claimed) {
		snprintf(f->why, sizeof(f->why),
			 "corrupt zip: inflates beyond its declared size of %lld bytes",
			 (long long)f->claimed);
		return -EBADMSG;
	}
	if (*f->total > f->lim->max_bytes) {
		snprintf(f->why, sizeof(f->why),
			 "zip bomb: inflates beyond %lld bytes (FMFS_ZIP_MAX_BYTES)",
			 (long long)f->lim->max_bytes);
		return -EFBIG;
	}
	if (*f->total > RATIO_FLOOR && *f->total / f->lim->zip_size > f->lim->max_ratio) {
		snprintf(f->why, sizeof(f->why),
			 "zip bomb: the whole zip inflates more than %lld times its size "
			 "(FMFS_ZIP_MAX_RATIO)", (long long)f->lim->max_ratio);
		return -EFBIG;
	}
	if (*f->budget + n > f->lim->max_total) {
		snprintf(f->why, sizeof(f->why),
			 "zip bomb: the zips of this ingest inflate beyond %lld bytes "
			 "(FMFS_ZIP_MAX_TOTAL)", (long long)f->lim->max_total);
		return -EFBIG;
	}
	*f->budget += n;
	if (f->read > RATIO_FLOOR && f->read / (f->comp_size ? f->comp_size : 1) >
				     f->lim->max_ratio) {
		snprintf(f->why, sizeof(f->why),
			 "zip bomb: compression ratio above %lld (FMFS_ZIP_MAX_RATIO)",
			 (long long)f->lim->max_ratio);
		return -EFBIG;
	}
	return (ssize_t)n;
}

/* Pass 1: everything the central directory tells, before inflating a byte. */
static int entries_check(zip_t *za, const struct zip_limits *lim,
			 struct zip_entry_blob *e, zip_uint64_t n, char *err,
			 size_t errlen)
{
	char show[FM_NAME_MAX + 1];
	int64_t claimed = 0, spans = 0;

	for (zip_uint64_t i = 0; i < n; i++) {
		zip_stat_t st;
		const char *why;

		if (zip_stat_index(za, i, 0, &st) < 0 || !(st.valid & ZIP_STAT_NAME))
			return fail(err, errlen, -EBADMSG, "corrupt zip: entry %llu: %s",
				    (unsigned long long)i, zip_strerror(za));
		shown(st.name, show, sizeof(show));
		why = entry_name_problem(st.name);
		if (why)
			return fail(err, errlen, -EINVAL, "zip entry '%s': name %s",
				    show, why);
		if (name_normalize(st.name, e[i].name) < 0)
			return fail(err, errlen, -EINVAL,
				    "zip entry '%s': name is not valid after NFC normalisation", show);
		if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) &&
		    st.encryption_method != ZIP_EM_NONE)
			return fail(err, errlen, -EACCES,
				    "zip entry '%s': encrypted zips are refused", show);
		if (!(st.valid & ZIP_STAT_SIZE) || !(st.valid & ZIP_STAT_COMP_SIZE) ||
		    !(st.valid & ZIP_STAT_COMP_METHOD))
			return fail(err, errlen, -EBADMSG,
				    "corrupt zip: entry '%s' has no size", show);
		if (st.comp_method != ZIP_CM_STORE && st.comp_method != ZIP_CM_DEFLATE)
			return fail(err, errlen, -ENOTSUP,
				    "zip entry '%s': compression method %d is not supported (store or deflate only)",
				    show, (int)st.comp_method);
		if (st.size > (zip_uint64_t)lim->max_bytes ||
		    (claimed += (int64_t)st.size) > lim->max_bytes)
			return fail(err, errlen, -EFBIG,
				    "zip bomb: entries claim more than %lld bytes uncompressed (FMFS_ZIP_MAX_BYTES)",
				    (long long)lim->max_bytes);
		if ((int64_t)st.size > RATIO_FLOOR &&
		    (int64_t)st.size / (int64_t)(st.comp_size ? st.comp_size : 1) >
		    lim->max_ratio)
			return fail(err, errlen, -EFBIG,
				    "zip bomb: entry '%s' claims a compression ratio above %lld (FMFS_ZIP_MAX_RATIO)",
				    show, (long long)lim->max_ratio);
		/* entries that do not overlap fit in the file one after another:
		 * each its local header, name and compressed bytes. Overlapping
		 * entries (many names for one deflate stream) claim more. */
		spans += LOCAL_HEADER + (int64_t)strlen(st.name) +
			 (st.comp_size > (zip_uint64_t)lim->zip_size ? lim->zip_size + 1 :
			  (int64_t)st.comp_size);
		if (spans > lim->zip_size)
			return fail(err, errlen, -EFBIG,
				    "zip bomb: entries overlap in the archive (their compressed "
				    "data add up to more than the zip's %lld bytes)",
				    (long long)lim->zip_size);
		e[i].index = i;
		e[i].size = (int64_t)st.size;
		e[i].comp_size = (int64_t)st.comp_size;
	}
	return 0;
}

/* Sort by name (extraction order is deterministic), refuse duplicates. */
static int entries_sort(struct zip_entry_blob *e, zip_uint64_t n, char *err,
			size_t errlen)
{
	char show[FM_NAME_MAX + 1];

	qsort(e, n, sizeof(*e), name_cmp);
	for (zip_uint64_t i = 1; i < n; i++)
		if (!strcmp(e[i].name, e[i - 1].name))
			return fail(err, errlen, -EEXIST, "zip entry '%s': name appears twice",
				    shown(e[i].name, show, sizeof(show)));
	return 0;
}

/* Pass 2: inflate entry e into a temp blob. */
static int entry_extract(zip_t *za, const char *store,
			 const struct zip_limits *lim, int64_t *total, int64_t *budget,
			 struct zip_entry_blob *e, char *err, size_t errlen)
{
	struct zip_feed f = { .lim = lim, .total = total, .budget = budget };
	char show[FM_NAME_MAX + 1];
	int rc;

	f.claimed = e->size;
	f.comp_size = e->comp_size;
	shown(e->name, show, sizeof(show));
	f.zf = zip_fopen_index(za, e->index, 0);
	if (!f.zf) {
		int ze = zip_error_code_zip(zip_get_error(za));

		if (ze == ZIP_ER_NOPASSWD || ze == ZIP_ER_WRONGPASSWD ||
		    ze == ZIP_ER_ENCRNOTSUPP)
			return fail(err, errlen, -EACCES,
				    "zip entry '%s': encrypted zips are refused", show);
		return fail(err, errlen, -EBADMSG, "corrupt zip: entry '%s': %s", show,
			    zip_strerror(za));
	}
	rc = blob_write_cb(store, feed_fill, &f, &e->blob);
	zip_fclose(f.zf);
	if (rc < 0) {
		e->blob.tmp[0] = 0;
		e->blob.fd = -1;
		if (f.why[0])
			return fail(err, errlen, rc, "zip entry '%s': %s", show, f.why);
		return fail(err, errlen, rc, "zip entry '%s': cannot copy into the store: %s",
			    show, strerror(-rc));
	}
	if (f.read != f.claimed) {
		blob_discard(&e->blob);
		return fail(err, errlen, -EBADMSG,
			    "corrupt zip: entry '%s' is %lld bytes, its header says %lld",
			    show, (long long)f.read, (long long)f.claimed);
	}
	return 0;
}

void zip_entries_free(struct zip_entry_blob *e, size_t count)
{
	if (!e)
		return;
	for (size_t i = 0; i < count; i++)
		blob_discard(&e[i].blob);
	free(e);
}

static int open_error(int ze, char *err, size_t errlen)
{
	zip_error_t error;
	int rc;

	if (ze == ZIP_ER_NOZIP)
		return fail(err, errlen, -EINVAL, "not a zip file");
	if (ze == ZIP_ER_EXISTS)
		return fail(err, errlen, -EEXIST, "zip has an entry name twice");
	zip_error_init_with_code(&error, ze);
	rc = fail(err, errlen, ze == ZIP_ER_MEMORY ? -ENOMEM : -EBADMSG,
		  "corrupt zip: %s", zip_error_strerror(&error));
	zip_error_fini(&error);
	return rc;
}

int zip_extract(const char *store, const char *path, int64_t *budget,
		struct zip_entry_blob **out, size_t *count, char *err,
		size_t errlen)
{
	struct zip_limits lim;
	struct zip_entry_blob *e = NULL;
	struct stat zst;
	zip_int64_t n;
	int64_t total = 0;
	int ze = 0, rc = 0;
	zip_t *za;

	limits_get(&lim);
	if (stat(path, &zst) < 0)
		return fail(err, errlen, -errno, "cannot stat the zip: %s", strerror(errno));
	lim.zip_size = zst.st_size > 0 ? (int64_t)zst.st_size : 1;
	za = zip_open(path, ZIP_RDONLY | ZIP_CHECKCONS, &ze);
	if (!za)
		return open_error(ze, err, errlen);
	n = zip_get_num_entries(za, 0);
	if (n <= 0) {
		rc = fail(err, errlen, -EINVAL, "zip has no entries");
		goto out_close;
	}
	if (n > lim.max_entries) {
		rc = fail(err, errlen, -EFBIG,
			  "zip has %lld entries, more than %lld (FMFS_ZIP_MAX_ENTRIES)",
			  (long long)n, (long long)lim.max_entries);
		goto out_close;
	}
	e = calloc((size_t)n, sizeof(*e));
	if (!e) {
		rc = fail(err, errlen, -ENOMEM, "out of memory");
		goto out_free;
	}
	for (zip_int64_t i = 0; i < n; i++)
		e[i].blob.fd = -1;
	rc = entries_check(za, &lim, e, (zip_uint64_t)n, err, errlen);
	if (rc == 0)
		rc = entries_sort(e, (zip_uint64_t)n, err, errlen);
	for (zip_int64_t i = 0; rc == 0 && i < n; i++)
		rc = entry_extract(za, store, &lim, &total, budget, &e[i], err, errlen);
	if (rc == 0) {
		*out = e;
		*count = (size_t)n;
		e = NULL;
	}
out_free:
	zip_entries_free(e, e ? (size_t)n : 0);
out_close:
	zip_discard(za);
	return rc;
}
