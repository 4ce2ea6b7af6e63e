/* cmd_cat.c - fmctl cat PATH: a file's bytes to stdout, from its blob,
 * verified against its SHA-256 first (rotten bytes are never passed on). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fmctl.h"

int cmd_cat(int argc, char **argv)
{
	struct catalog *cat;
	struct node n;
	char buf[65536];
	ssize_t got;
	int fd, rc;

	if (argc != 2) {
		fmctl_error("cat", "usage: fmctl cat PATH");
		return EXIT_USAGE;
	}
	if (fmctl_open("cat", CATALOG_READONLY, &cat) < 0)
		return 1;
	rc = node_resolve(cat, argv[1], &n);
	if (rc == 0 && n.type != NODE_FILE)
		rc = -EISDIR;
	/* checked against its SHA-256 before a byte is written */
	fd = rc == 0 ? blob_open_verified(catalog_store(cat), n.sha256, n.size) : rc;
	catalog_close(cat);
	if (fd < 0) {
		fmctl_error("cat", "%s: %s", argv[1], rc == 0 ? blob_strerror(fd) :
			    strerror(-fd));
		return 1;
	}
	while ((got = read(fd, buf, sizeof(buf))) > 0)
		if (fwrite(buf, 1, (size_t)got, stdout) != (size_t)got)
			break;
	close(fd);
	if (got != 0 || fflush(stdout) != 0) {
		fmctl_error("cat", "%s: %s", argv[1], strerror(errno));
		return 1;
	}
	return 0;
}
