/* cmd_log.c - fmctl log: the audit log, oldest first. */
#include <stdio.h>

#include "fmctl.h"

static int print_entry(void *arg, int64_t at, const char *who, const char *action,
		       const char *detail)
{
	char when[21];

	(void)arg;
	fmctl_time(at, when);
	printf("%s %s %s %s\n", when, who, action, detail);
	return 0;
}

int cmd_log(int argc, char **argv)
{
	struct catalog *cat;
	int rc;

	(void)argv;
	if (argc != 1) {
		fmctl_error("log", "usage: fmctl log");
		return EXIT_USAGE;
	}
	if (fmctl_open("log", CATALOG_READONLY, &cat) < 0)
		return 1;
	rc = audit_list(cat, print_entry, NULL);
	catalog_close(cat);
	return rc < 0 ? 1 : 0;
}
