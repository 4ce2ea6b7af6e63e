/* policy.h - the storage rules that are billing rules, named in one place
 * (policy.c): which generated files get revisions and what they are called,
 * and which zips the archive also shows unzipped, where. The catalog stays
 * generic: callers pass it the folders these functions give. */
#ifndef FMFS_POLICY_H
#define FMFS_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#define POLICY_MAX_REV 99

/* The name of revision rev of stem+ext into out: rev 1 is the original
 * "stem.ext", rev 2.. "stem-rev02.ext" (docs/formats.md §4 Revisions). */
void policy_revision_name(const char *stem, const char *ext, int rev, char *out,
			  size_t outlen);
/* The revision a file name carries: 2.. for "...-revNN.ext", else 1. */
int policy_revision_of(const char *name);
/* The folder (org-relative) showing revision rev of period's revenue zip
 * unzipped: "Revenue/YYYY-MM", or "Revenue/YYYY-MM/revNN" for rev >= 2. */
void policy_revenue_folder(const char *period, int rev, char *out, size_t outlen);
/* Where a file ingested as kind/period/name is also archived unzipped:
 * a revenue zip (kind "revenue", name *.zip) is, into policy_revenue_folder
 * of its revision. Fills out and returns true, or false for any other file. */
bool policy_unzip_folder(const char *kind, const char *period, const char *name,
			 char *out, size_t outlen);

#endif
