/* cmd_ls.c - fmctl ls [PATH]: list a folder of the archive without mounting. */
#include <stdio.h>
#include <string.h>

#include "fmctl.h"

static int print_child(void *arg, const struct node *n)
{
	char when[21];

	(void)arg;
	fmctl_time(n->mtime, when);
	printf("%c %12lld %s %s%s\n", n->type, (long long)n->size, when, n->name,
	       n->type == NODE_DIR ? "/" : "");
	return 0;
}

int cmd_ls(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "/";
	struct catalog *cat;
	struct node n;
	int rc;

	if (argc > 2) {
		fmctl_error("ls", "usage: fmctl ls [PATH]");
		return EXIT_USAGE;
	}
	if (fmctl_open("ls", CATALOG_READONLY, &cat) < 0)
		return 1;
	rc = node_resolve(cat, path, &n);
	if (rc < 0) {
		fmctl_error("ls", "%s: %s", path, strerror(-rc));
		catalog_close(cat);
		return 1;
	}
	if (n.type == NODE_DIR)
		rc = node_list(cat, n.id, 0, print_child, NULL);
	else
		rc = print_child(NULL, &n);
	catalog_close(cat);
	return rc < 0 ? 1 : 0;
}
