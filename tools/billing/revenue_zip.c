/* revenue_zip.c - the revenue zip, deterministic (libzip): entries in name
 * order, each deflated at level 6 with the same mtime (the period end, in
 * UTC whatever TZ says) and the same attributes, so the same month gives the
 * same bytes and re-running is a no-op in the content-addressed archive. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zip.h>

#include "../fmctl/fmctl.h"
#include "revenue.h"

static int name_cmp(const void *a, const void *b)
{
	return strcmp((*(const struct rev_file *const *)a)->name,
		      (*(const struct rev_file *const *)b)->name);
}

/* libzip stores DOS times in local time: make local time UTC. */
static void tz_utc(void)
{
	setenv("TZ", "UTC0", 1);
	tzset();
}

int revenue_zip_write(const struct rev_files *rf, const char *path,
		      int64_t mtime, const char *sub)
{
	const struct rev_file **sorted = calloc(rf->n + 1, sizeof(*sorted));
	int ze = 0, rc = -1;
	zip_t *za;

	if (!sorted) {
		fmctl_error(sub, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < rf->n; i++)
		sorted[i] = &rf->f[i];
	qsort(sorted, rf->n, sizeof(*sorted), name_cmp);
	tz_utc();
	za = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &ze);
	if (!za) {
		zip_error_t err;

		zip_error_init_with_code(&err, ze);
		fmctl_error(sub, "%s: cannot create: %s", path, zip_error_strerror(&err));
		zip_error_fini(&err);
		free(sorted);
		return -1;
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
		    zip_file_set_mtime(za, (zip_uint64_t)idx, (time_t)mtime, 0) < 0 ||
		    zip_file_set_external_attributes(za, (zip_uint64_t)idx, 0,
						     ZIP_OPSYS_UNIX, 0100444u << 16) < 0)
			goto out_discard;
	}
	if (zip_close(za) < 0)
		goto out_discard;
	free(sorted);
	return 0;
out_discard:
	fmctl_error(sub, "%s: cannot write the zip: %s", path, zip_strerror(za));
	zip_discard(za);
	free(sorted);
	return rc;
}
