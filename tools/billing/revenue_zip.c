/* revenue_zip.c - the revenue zip, deterministic (libzip): entries in name
 * order, each deflated at level 6 with the same mtime (the period end) and
 * the same attributes, so the same month gives the same bytes and re-running
 * is a no-op in the content-addressed archive. The mtime is written twice:
 * as the DOS time read in UTC, and as the UTC extended timestamp (extra
 * field 0x5455), which unzip prefers, so any TZ restores the same instant. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zip.h>

#include "revenue.h"

#define EXTRA_UT 0x5455 /* "UT": extended timestamp, seconds UTC */

static int name_cmp(const void *a, const void *b)
{
	return strcmp((*(const struct rev_file *const *)a)->name,
		      (*(const struct rev_file *const *)b)->name);
}

/* t as an MS-DOS date and time, read as UTC (never the local time zone). */
static void dos_time(int64_t t, zip_uint16_t *dtime, zip_uint16_t *ddate)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	*dtime = (zip_uint16_t)((tm.tm_hour << 11) | (tm.tm_min << 5) | (tm.tm_sec / 2));
	*ddate = (zip_uint16_t)(((tm.tm_year - 80) << 9) | ((tm.tm_mon + 1) << 5) |
				tm.tm_mday);
}

/* Entry idx gets mtime as its DOS time and, in the local and the central
 * header, the extended timestamp: flags 1 (mtime present), mtime LE32. */
static int entry_time_set(zip_t *za, zip_uint64_t idx, int64_t mtime)
{
	zip_uint8_t ut[5] = { 1, (zip_uint8_t)mtime, (zip_uint8_t)(mtime >> 8),
			      (zip_uint8_t)(mtime >> 16), (zip_uint8_t)(mtime >> 24) };
	zip_uint16_t dtime, ddate;

	dos_time(mtime, &dtime, &ddate);
	if (zip_file_set_dostime(za, idx, dtime, ddate, 0) < 0 ||
	    zip_file_extra_field_set(za, idx, EXTRA_UT, ZIP_EXTRA_FIELD_NEW, ut,
				     sizeof(ut), ZIP_FL_LOCAL) < 0 ||
	    zip_file_extra_field_set(za, idx, EXTRA_UT, ZIP_EXTRA_FIELD_NEW, ut,
				     sizeof(ut), ZIP_FL_CENTRAL) < 0)
		return -1;
	return 0;
}

int revenue_zip_write(const struct rev_files *rf, const char *path,
		      int64_t mtime, char *err, size_t errlen)
{
	const struct rev_file **sorted = calloc(rf->n + 1, sizeof(*sorted));
	int ze = 0;
	zip_t *za;

	if (!sorted) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (mtime < 0 || mtime > UINT32_MAX) {
		free(sorted);
		snprintf(err, errlen, "%s: mtime %lld does not fit a zip", path,
			 (long long)mtime);
		return -ERANGE;
	}
	for (size_t i = 0; i < rf->n; i++)
		sorted[i] = &rf->f[i];
	qsort(sorted, rf->n, sizeof(*sorted), name_cmp);
	za = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &ze);
	if (!za) {
		zip_error_t e;

		zip_error_init_with_code(&e, ze);
		snprintf(err, errlen, "%s: cannot create: %s", path, zip_error_strerror(&e));
		zip_error_fini(&e);
		free(sorted);
		return -EIO;
	}
	for (size_t i = 0; i < rf->n; i++) {
		const struct rev_file *f = sorted[i];
		zip_source_t *src = zip_source_buffer(za, f->buf, f->len, 0);
		zip_int64_t idx = src ? zip_file_add(za, f->name, src, ZIP_FL_ENC_UTF_8) : -1;

		if (idx < 0) {
			zip_source_free(src);
			goto out_discard;
		}
		if (zip_set_file_compression(za, (zip_uint64_t)idx, ZIP_CM_DEFLATE, 6) < 0 ||
		    entry_time_set(za, (zip_uint64_t)idx, mtime) < 0 ||
		    zip_file_set_external_attributes(za, (zip_uint64_t)idx, 0,
						     ZIP_OPSYS_UNIX, 0100444u << 16) < 0)
			goto out_discard;
	}
	if (zip_close(za) < 0)
		goto out_discard;
	free(sorted);
	return 0;
out_discard:
	snprintf(err, errlen, "%s: cannot write the zip: %s", path, zip_strerror(za));
	zip_discard(za);
	free(sorted);
	return -EIO;
}
