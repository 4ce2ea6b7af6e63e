/* cmd_ls.c - fmctl ls [--json] [PATH]: list a folder of the archive without
 * mounting. */
#include <stdio.h>
#include <string.h>

#include "fmctl.h"
#include "json.h"

static int print_child(void *arg, const struct node *n)
{
	char when[21];

	(void)arg;
	fmctl_time(n->mtime, when);
	printf("%c %12lld %s %s%s\n", n->type, (long long)n->size, when, n->name,
	       n->type == NODE_DIR ? "/" : "");
	return 0;
}

static int json_child(void *arg, const struct node *n)
{
	struct json *j = arg;

	json_object_begin(j);
	json_node(j, n);
	json_object_end(j);
	return 0;
}

int cmd_ls(int argc, char **argv)
{
	bool as_json = fmctl_flag(&argc, argv, "--json");
	const char *path = argc > 1 ? argv[1] : "/";
	struct catalog *cat;
	struct json j;
	struct node n;
	int rc;

	if (argc > 2) {
		fmctl_error("ls", "usage: fmctl ls [--json] [PATH]");
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
	if (!as_json) {
		if (n.type == NODE_DIR)
			rc = node_list(cat, n.id, 0, print_child, NULL);
		else
			rc = print_child(NULL, &n);
		catalog_close(cat);
		return rc < 0 ? 1 : 0;
	}
	rc = json_open(&j, "ls");
	if (rc == 0) {
		json_kv_string(&j, "path", path);
		json_key(&j, "entries");
		json_array_begin(&j);
		if (n.type == NODE_DIR)
			rc = node_list(cat, n.id, 0, json_child, &j);
		else
			rc = json_child(&j, &n);
		json_array_end(&j);
		rc = rc < 0 ? rc : json_close(&j, stdout);
		if (rc < 0)
			json_discard(&j);
	}
	catalog_close(cat);
	if (rc < 0)
		fmctl_error("ls", "%s: %s", path, strerror(-rc));
	return rc < 0 ? 1 : 0;
}
