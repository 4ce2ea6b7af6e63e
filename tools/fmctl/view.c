/* view.c - the spreadsheet view at ingest (docs/formats.md §6): every new CSV of
 * a known layout, generated or ingested by hand, gets SAME-NAME.xlsx beside
 * it in the same batch, through the catalog's derive hook. FMFS_XLSX_VIEW=0
 * turns it off (to measure what it costs). */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../billing/layout.h"
#include "../billing/xlsx.h"
#include "fmctl.h"

/* The derive hook: name.xlsx made from the CSV at fd, if name is known. */
static int view_derive(void *arg, const char *name, int fd,
		       char out_name[FM_NAME_MAX + 1], int *out_fd, char *why,
		       size_t whylen)
{
	const struct layout *l = layout_of_name(name);
	const char *tmp = getenv("TMPDIR");
	char path[4096], reason[512];
	size_t n = strlen(name);
	int in_fd, tmp_fd, rc;
	FILE *in;

	(void)arg;
	if (!l)
		return 0;
	if (n - 4 + 5 > FM_NAME_MAX) {
		snprintf(why, whylen, "no room for the spreadsheet view's name (.xlsx)");
		return -ENAMETOOLONG;
	}
	snprintf(out_name, FM_NAME_MAX + 1, "%.*s.xlsx", (int)(n - 4), name);
	if (!tmp || !*tmp)
		tmp = "/tmp";
	snprintf(path, sizeof(path), "%s/fmctl-view-XXXXXX", tmp);
	tmp_fd = mkstemp(path);
	if (tmp_fd < 0) {
		rc = -errno;
		snprintf(why, whylen, "%s: cannot make a temp file: %s", path, strerror(-rc));
		return rc;
	}
	in_fd = dup(fd);
	in = in_fd >= 0 ? fdopen(in_fd, "r") : NULL;
	if (!in) {
		rc = -errno;
		if (in_fd >= 0)
			close(in_fd);
		snprintf(why, whylen, "cannot read it: %s", strerror(-rc));
		goto out_unlink;
	}
	rc = xlsx_from_csv(in, l, path, tmp, reason, sizeof(reason));
	fclose(in);
	if (rc < 0) {
		snprintf(why, whylen, "cannot make its spreadsheet view %s: %s", out_name,
			 reason);
		goto out_unlink;
	}
	*out_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*out_fd < 0) {
		rc = -errno;
		snprintf(why, whylen, "%s: cannot open: %s", path, strerror(-rc));
		goto out_unlink;
	}
	rc = 1;
out_unlink:
	close(tmp_fd);
	unlink(path);
	return rc;
}

/* Not "0", "no" or "off". */
static bool view_wanted(void)
{
	const char *v = getenv("FMFS_XLSX_VIEW");

	return !v || (strcmp(v, "0") != 0 && strcmp(v, "no") != 0 && strcmp(v, "off") != 0);
}

int fmctl_ingest_open(struct catalog *cat, struct ingest **out)
{
	int rc = ingest_open(cat, fmctl_who(), out);

	if (rc == 0 && view_wanted())
		ingest_set_derive(*out, view_derive, NULL);
	return rc;
}
