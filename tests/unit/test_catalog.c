/* test_catalog.c - the catalog and blob store: put/dedup, ingest rules,
 * append-only triggers, schema checks, read-only opening. */
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../catalog/catalog.h"
#include "check.h"

static char store[4096];

static int ingest_one(struct catalog *cat, const char *name, const char *data,
		      size_t *added)
{
	struct ingest *in;
	struct ingest_item item = {
		.org = "acme.example", .kind = "invoice", .direction = "incoming",
		.period = "2026-10", .name = name, .doc_date = 1793491200,
		.data = data, .len = strlen(data),
	};
	int rc = ingest_open(cat, "test", &in);

	if (rc == 0)
		rc = ingest_add(in, &item);
	if (rc == 0)
		rc = ingest_commit(in, added, NULL);
	ingest_close(in);
	return rc;
}

static int count_files(const char *dir)
{
	char cmd[4200];
	int n = -1;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "find %s -type f | wc -l", dir);
	p = popen(cmd, "r");
	if (p && fscanf(p, "%d", &n) != 1)
		n = -1;
	if (p)
		pclose(p);
	return n;
}

static int sql(const char *statement)
{
	char path[4200];
	sqlite3 *db;
	int rc;

	snprintf(path, sizeof(path), "%s/catalog.db", store);
	if (sqlite3_open(path, &db) != SQLITE_OK)
		return -1;
	rc = sqlite3_exec(db, statement, NULL, NULL, NULL);
	sqlite3_close(db);
	return rc;
}

int main(void)
{
	struct catalog *cat = NULL, *ro = NULL;
	char objects[8400], err[512], path[4200];
	struct node n, f;
	struct stat st;
	size_t added = 99;
	int fd;

	snprintf(store, sizeof(store), "%s/store", check_tmpdir());
	snprintf(objects, sizeof(objects), "%s/objects", store);
	CHECK(catalog_open(store, 0, &cat, err, sizeof(err)) < 0); /* no store yet */
	CHECK(catalog_open(store, CATALOG_CREATE, &cat, err, sizeof(err)) == 0);
	if (!cat)
		return check_done("test_catalog");

	/* blobs: named by sha256, 0444, stored once */
	CHECK(ingest_one(cat, "a.pdf", "hello\n", &added) == 0 && added == 1);
	CHECK(node_resolve(cat, "/acme.example/Invoices/Incoming/2026-10/a.pdf", &f) == 0);
	CHECK(!strcmp(f.sha256, "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"));
	CHECK(f.size == 6 && f.mtime == 1793491200 && f.type == NODE_FILE);
	blob_path(store, f.sha256, path, sizeof(path));
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0444);
	CHECK(blob_verify(store, f.sha256) == 0);
	CHECK(ingest_one(cat, "b.pdf", "hello\n", &added) == 0 && added == 1);
	CHECK(count_files(objects) == 1); /* two names, one blob */
	CHECK(ingest_one(cat, "a.pdf", "hello\n", &added) == 0 && added == 0); /* no-op */
	CHECK(ingest_one(cat, "a.pdf", "changed\n", &added) == -EEXIST);
	CHECK(count_files(objects) == 1); /* refused: nothing stored */
	CHECK(ingest_one(cat, "x/y.pdf", "z", &added) == -EINVAL);
	CHECK(ingest_one(cat, "..", "z", &added) == -EINVAL);

	/* the tree: fixed folders exist, folder mtime/nlink follow children */
	CHECK(node_resolve(cat, "/acme.example/SOA/Outgoing", &n) == 0 && n.type == NODE_DIR);
	CHECK(node_resolve(cat, "/acme.example/Reports", &n) == 0);
	CHECK(node_resolve(cat, "/acme.example", &n) == 0 && n.nsubdirs == 5);
	CHECK(node_resolve(cat, "/acme.example/Invoices/Incoming/2026-10/a.pdf/x", &n) == -ENOTDIR);
	CHECK(node_resolve(cat, "/nope", &n) == -ENOENT);

	/* blob verification catches damage */
	chmod(path, 0644);
	fd = open(path, O_WRONLY);
	CHECK(fd >= 0 && pwrite(fd, "J", 1, 0) == 1);
	close(fd);
	CHECK(blob_verify(store, f.sha256) == -EBADMSG);
	CHECK(pwrite(fd = open(path, O_WRONLY), "h", 1, 0) == 1);
	close(fd);
	chmod(path, 0444);
	CHECK(blob_verify(store, f.sha256) == 0);

	/* append-only inside SQLite itself */
	CHECK(sql("UPDATE nodes SET name='x' WHERE type='f'") == SQLITE_CONSTRAINT);
	CHECK(sql("UPDATE nodes SET size=1 WHERE type='f'") == SQLITE_CONSTRAINT);
	CHECK(sql("DELETE FROM nodes WHERE type='f'") == SQLITE_CONSTRAINT);
	CHECK(sql("UPDATE nodes SET mtime=0 WHERE id=1") == SQLITE_CONSTRAINT);
	CHECK(sql("UPDATE nodes SET name='renamed' WHERE type='d' AND id>1") == SQLITE_CONSTRAINT);
	CHECK(sql("UPDATE documents SET kind='soa'") == SQLITE_CONSTRAINT);
	CHECK(sql("DELETE FROM documents") == SQLITE_CONSTRAINT);
	CHECK(sql("DELETE FROM audit") == SQLITE_CONSTRAINT);
	CHECK(sql("UPDATE audit SET who='x'") == SQLITE_CONSTRAINT);
	CHECK(node_resolve(cat, "/acme.example/Invoices/Incoming/2026-10/a.pdf", &n) == 0 &&
	      n.id == f.id && n.size == 6);

	/* read-only connections cannot write */
	CHECK(catalog_open(store, CATALOG_READONLY, &ro, err, sizeof(err)) == 0);
	CHECK(ro && node_get(ro, f.id, &n) == 0 && !strcmp(n.name, "a.pdf"));
	catalog_close(ro);

	/* not a catalog, newer schema: refused with a reason */
	CHECK(sql("PRAGMA user_version=99") == SQLITE_OK);
	CHECK(catalog_open(store, 0, &ro, err, sizeof(err)) == -EPROTO);
	CHECK(strstr(err, "newer") != NULL);
	CHECK(sql("PRAGMA user_version=1") == SQLITE_OK);
	catalog_close(cat);
	snprintf(path, sizeof(path), "%s/other", check_tmpdir());
	mkdir(path, 0700);
	snprintf(objects, sizeof(objects), "%s/catalog.db", path);
	fd = open(objects, O_WRONLY | O_CREAT, 0600);
	CHECK(fd >= 0 && write(fd, "not a database at all, just text", 32) == 32);
	close(fd);
	CHECK(catalog_open(path, 0, &ro, err, sizeof(err)) == -EINVAL);
	CHECK(strstr(err, "not an fmfs catalog") != NULL);
	catalog_close(NULL);
	return check_done("test_catalog");
}
