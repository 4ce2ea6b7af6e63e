/* cmd_status.c - fmctl status [--json] MOUNTPOINT: the state of a remote
 * mount (fmfs URL MNT), read from its root's user.fmfs.remote.* xattrs:
 * revision, publish time, mirror in use, last check, last error, cache. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/xattr.h>

#include "fmctl.h"

static const struct {
	const char *name;
	bool number;
} fields[] = {
	{ "url", false }, { "revision", true }, { "published", false },
	{ "mirror", false }, { "checked", false }, { "error", false },
	{ "cache_bytes", true },
};

#define NFIELDS (sizeof(fields) / sizeof(*fields))

static void json_string(const char *s)
{
	putchar('"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p < 0x20)
			printf("\\u%04x", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

int cmd_status(int argc, char **argv)
{
	char values[NFIELDS][1024], name[64];
	const char *mnt;
	bool json = false;

	if (argc == 3 && !strcmp(argv[1], "--json")) {
		json = true;
		mnt = argv[2];
	} else if (argc == 2 && argv[1][0] != '-') {
		mnt = argv[1];
	} else {
		fmctl_error("status", "usage: fmctl status [--json] MOUNTPOINT");
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < NFIELDS; i++) {
		ssize_t n;

		snprintf(name, sizeof(name), "user.fmfs.remote.%s", fields[i].name);
		n = getxattr(mnt, name, values[i], sizeof(values[i]) - 1);
		if (n < 0) {
			if (errno == ENODATA || errno == EOPNOTSUPP || errno == ENOTSUP)
				fmctl_error("status", "%s: not a remote fmfs mount", mnt);
			else
				fmctl_error("status", "%s: %s", mnt, strerror(errno));
			return 1;
		}
		values[i][n] = 0;
	}
	if (json)
		putchar('{');
	for (size_t i = 0; i < NFIELDS; i++) {
		if (!json) {
			printf("%s: %s\n", fields[i].name, values[i]);
			continue;
		}
		printf("%s\"%s\": ", i ? ", " : "", fields[i].name);
		if (fields[i].number)
			fputs(values[i], stdout);
		else
			json_string(values[i]);
	}
	if (json)
		puts("}");
	return 0;
}
