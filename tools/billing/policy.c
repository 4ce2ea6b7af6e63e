/* policy.c - the billing rules of the archive's layout (policy.h): revision
 * names and the folder a revenue zip is shown unzipped in. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "policy.h"

void policy_revision_name(const char *stem, const char *ext, int rev, char *out,
			  size_t outlen)
{
	if (rev <= 1)
		snprintf(out, outlen, "%s%s", stem, ext);
	else
		snprintf(out, outlen, "%s-rev%02d%s", stem, rev, ext);
}

int policy_revision_of(const char *name)
{
	const char *dot = strrchr(name, '.'), *p;
	int rev;

	if (!dot || dot - name < 6)
		return 1;
	p = dot - 6; /* "-revNN" */
	if (strncmp(p, "-rev", 4) || p[4] < '0' || p[4] > '9' || p[5] < '0' || p[5] > '9')
		return 1;
	rev = (p[4] - '0') * 10 + (p[5] - '0');
	return rev >= 2 ? rev : 1;
}

void policy_revenue_folder(const char *period, int rev, char *out, size_t outlen)
{
	if (rev <= 1)
		snprintf(out, outlen, "Revenue/%s", period);
	else
		snprintf(out, outlen, "Revenue/%s/rev%02d", period, rev);
}

bool policy_unzip_folder(const char *kind, const char *period, const char *name,
			 char *out, size_t outlen)
{
	size_t len = strlen(name);

	if (!kind || !period || strcmp(kind, "revenue") || len <= 4 ||
	    strcasecmp(name + len - 4, ".zip"))
		return false;
	policy_revenue_folder(period, policy_revision_of(name), out, outlen);
	return true;
}
