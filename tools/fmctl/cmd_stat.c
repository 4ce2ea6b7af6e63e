/* cmd_stat.c - fmctl stat [--json] PATH: a node and its document metadata. */
#include <stdio.h>
#include <string.h>

#include "fmctl.h"
#include "json.h"

static void print_text(const char *path, const struct node *n, const struct document *d,
		       const struct node *zip)
{
	char t1[21], t2[21];

	fmctl_time(n->mtime, t1);
	printf("path: %s\ninode: %llu\ntype: %s\nsize: %lld\nmtime: %s\n", path,
	       (unsigned long long)n->id, n->type == NODE_DIR ? "folder" : "file",
	       (long long)n->size, t1);
	if (!d)
		return;
	fmctl_time(d->ingested_at, t2);
	printf("sha256: %s\norg: %s\nkind: %s\n", n->sha256, d->org, d->kind);
	if (d->direction[0])
		printf("direction: %s\n", d->direction);
	printf("period: %s\ningested_at: %s\ningested_by: %s\noriginal_name: %s\n",
	       d->period, t2, d->ingested_by, d->original_name);
	if (zip)
		printf("extracted_from: %s (inode %llu)\n", zip->name,
		       (unsigned long long)zip->id);
}

/* the schema: README "JSON output" and fmctl(1) */
static int print_json(const char *path, const struct node *n, const struct document *d,
		      const struct node *zip)
{
	struct timespec ct = node_ctime(n);
	char when[21], ctime[40];
	struct json j;
	int rc = json_open(&j, "stat");

	if (rc < 0)
		return rc;
	json_kv_string(&j, "path", path);
	json_node(&j, n);
	fmctl_time(ct.tv_sec, when);
	snprintf(ctime, sizeof(ctime), "%.19s.%09ldZ", when, ct.tv_nsec);
	json_kv_string(&j, "ctime", ctime);
	json_key(&j, "document");
	if (!d) {
		json_null(&j);
		return json_close(&j, stdout);
	}
	json_object_begin(&j);
	json_kv_string(&j, "org", d->org);
	json_kv_string(&j, "kind", d->kind);
	json_kv_string(&j, "direction", d->direction[0] ? d->direction : NULL);
	json_kv_string(&j, "period", d->period);
	json_kv_time(&j, "date", d->doc_date);
	json_kv_time(&j, "ingested_at", d->ingested_at);
	json_kv_string(&j, "ingested_by", d->ingested_by);
	json_kv_string(&j, "original_name", d->original_name);
	json_key(&j, "extracted_from");
	if (zip) {
		json_object_begin(&j);
		json_kv_string(&j, "name", zip->name);
		json_kv_uint(&j, "inode", zip->id);
		json_object_end(&j);
	} else {
		json_null(&j);
	}
	return json_close(&j, stdout);
}

int cmd_stat(int argc, char **argv)
{
	bool as_json = fmctl_flag(&argc, argv, "--json");
	struct catalog *cat;
	struct document d;
	struct node n, zip;
	bool has_doc = false, has_zip = false;
	int rc;

	if (argc != 2) {
		fmctl_error("stat", "usage: fmctl stat [--json] PATH");
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
	if (n.type == NODE_FILE && document_get(cat, n.id, &d) == 0) {
		has_doc = true;
		has_zip = d.container && node_get(cat, d.container, &zip) == 0;
	}
	catalog_close(cat);
	if (!as_json) {
		print_text(argv[1], &n, has_doc ? &d : NULL, has_zip ? &zip : NULL);
		return 0;
	}
	rc = print_json(argv[1], &n, has_doc ? &d : NULL, has_zip ? &zip : NULL);
	if (rc < 0)
		fmctl_error("stat", "%s: %s", argv[1], strerror(-rc));
	return rc < 0 ? 1 : 0;
}
