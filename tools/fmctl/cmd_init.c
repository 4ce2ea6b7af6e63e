/* cmd_init.c - fmctl init STORE: a new, empty archive (catalog.db, objects/). */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "fmctl.h"

int cmd_init(int argc, char **argv)
{
	char err[1024], path[4096];
	struct catalog *cat;
	const char *store = argc == 2 ? argv[1] : argc == 1 ? fmctl_store : NULL;

	if (argc > 2 || !store || !*store) {
		fmctl_error("init", "usage: fmctl init STORE");
		return EXIT_USAGE;
	}
	if (catalog_open(store, CATALOG_CREATE, &cat, err, sizeof(err)) < 0) {
		fmctl_error("init", "%s", err);
		return 1;
	}
	catalog_close(cat);
	snprintf(path, sizeof(path), "%s/catalog.db", store);
	chmod(path, 0640);
	printf("initialised empty archive in %s\n", store);
	return 0;
}
