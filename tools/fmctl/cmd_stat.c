/* cmd_stat.c - fmctl stat PATH: a node and its document metadata. */
#include <stdio.h>
#include <string.h>

#include "fmctl.h"

int cmd_stat(int argc, char **argv)
{
	struct catalog *cat;
	struct document d;
	struct node n, zip;
	char t1[21], t2[21];
	int rc;

	if (argc != 2) {
		fmctl_error("stat", "usage: fmctl stat PATH");
		return EXIT_USAGE;
	}
	if (fmctl_open("stat", CATALOG_READONLY, &cat) < 0)
		return 1;
	rc = node_resolve(cat, argv[1], &n);
	if (rc < 0) {
		fmctl_error("stat", "%s: %s", argv[1], strerror(-rc));
		catalog_close(cat);
		return 1;
	}
	fmctl_time(n.mtime, t1);
	printf("path: %s\ninode: %llu\ntype: %s\nsize: %lld\nmtime: %s\n", argv[1],
	       (unsigned long long)n.id, n.type == NODE_DIR ? "folder" : "file",
	       (long long)n.size, t1);
	if (n.type == NODE_FILE && document_get(cat, n.id, &d) == 0) {
		fmctl_time(d.ingested_at, t2);
		printf("sha256: %s\norg: %s\nkind: %s\n", n.sha256, d.org, d.kind);
		if (d.direction[0])
			printf("direction: %s\n", d.direction);
		printf("period: %s\ningested_at: %s\ningested_by: %s\noriginal_name: %s\n",
		       d.period, t2, d.ingested_by, d.original_name);
		if (d.container && node_get(cat, d.container, &zip) == 0)
			printf("extracted_from: %s (inode %llu)\n", zip.name,
			       (unsigned long long)zip.id);
	}
	catalog_close(cat);
	return 0;
}
