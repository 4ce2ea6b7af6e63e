/* fuzz_catalog.c - libFuzzer target: a crafted catalog.db, opened and walked
 * through the catalog API as fmfs does (catalog/db.c, node.c, chunks.c,
 * blob.c). The input is SQL run (unprotected, as whoever owns the store
 * could) against a small valid catalog, or, if it starts with SQLite's
 * magic, the catalog file itself. Invariants: no crash, no hang (each
 * statement has a time limit), and everything the API hands out is in range:
 * file nodes have a blob name of 64 hex digits and a size within
 * FM_SIZE_MAX, chunk sums come in the one chunk size, and no blob opens
 * from outside objects/. */
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../catalog/catalog.h"

static char store[64] = "/tmp/fmfs-fuzz-catalog.XXXXXX", db[128];
static unsigned char *template;
static size_t template_len;

static void add(struct catalog *cat, const char *kind, const char *dir,
		const char *name, const char *text)
{
	struct ingest_item item = { .org = "acme.example", .kind = kind, .direction = dir,
				    .period = "2026-10", .name = name, .doc_date = 1790000000,
				    .data = text, .len = strlen(text) };
	struct ingest *in;

	if (ingest_open(cat, "fuzz", &in) < 0 || ingest_add(in, &item) < 0 ||
	    ingest_commit(in, NULL, NULL) < 0)
		abort();
	ingest_close(in);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct catalog *cat;
	char err[256];
	sqlite3 *s;
	FILE *f;
	long len;

	(void)argc, (void)argv;
	if (!mkdtemp(store))
		abort();
	snprintf(db, sizeof(db), "%s/catalog.db", store);
	setenv("FMFS_QUERY_LIMIT_MS", "200", 1);
	if (catalog_open(store, CATALOG_CREATE, &cat, err, sizeof(err)) < 0)
		abort();
	add(cat, "invoice", "incoming", "a.pdf", "hello\n");
	add(cat, "usage", NULL, "b.csv", "record_id\n1\n");
	catalog_close(cat);
	/* one file, no write-ahead log: the template every input starts from */
	if (sqlite3_open(db, &s) != SQLITE_OK ||
	    sqlite3_exec(s, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL) != SQLITE_OK)
		abort();
	sqlite3_close(s);
	f = fopen(db, "rb");
	if (!f || fseek(f, 0, SEEK_END) < 0 || (len = ftell(f)) <= 0)
		abort();
	rewind(f);
	template = malloc((size_t)len);
	template_len = (size_t)len;
	if (!template || fread(template, 1, template_len, f) != template_len)
		abort();
	fclose(f);
	return 0;
}

static void put_db(const void *data, size_t len)
{
	char side[160];
	FILE *f = fopen(db, "wb");

	if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0)
		abort();
	for (const char *ext = "-wal"; ext; ext = strcmp(ext, "-wal") ? NULL : "-shm") {
		snprintf(side, sizeof(side), "%s%s", db, ext);
		unlink(side);
	}
}

static int budget_left;

static int stop_script(void *arg)
{
	(void)arg;
	return --budget_left < 0; /* the script itself may loop: bounded */
}

/* Run the input as SQL against the template (no defensive mode: the
 * attacker writes the file as they like). */
static void apply_sql(const uint8_t *data, size_t size)
{
	char *sql = malloc(size + 1);
	sqlite3 *s;

	put_db(template, template_len);
	if (!sql)
		abort();
	memcpy(sql, data, size);
	sql[size] = 0;
	if (sqlite3_open(db, &s) == SQLITE_OK) {
		budget_left = 1000;
		sqlite3_progress_handler(s, 1000, stop_script, NULL);
		sqlite3_exec(s, sql, NULL, NULL, NULL);
	}
	sqlite3_close(s);
	free(sql);
}

static void check_node(const struct node *n)
{
	if (n->type != NODE_FILE && n->type != NODE_DIR)
		abort();
	if (n->type == NODE_FILE && (!sha256_is_valid(n->sha256) || n->size < 0 ||
				     n->size > FM_SIZE_MAX))
		abort();
	if (strlen(n->name) > FM_NAME_MAX || strchr(n->name, '/'))
		abort();
}

struct walk {
	struct catalog *cat;
	int depth, visited;
};

static int visit(void *arg, const struct node *n)
{
	struct walk *w = arg;
	struct document d;
	uint64_t *sums = NULL;
	uint32_t chunk_size = 0;
	size_t count = 0;
	struct node again;
	int fd;

	check_node(n);
	if (++w->visited > 200)
		return 1;
	if (node_get(w->cat, n->id, &again) == 0)
		check_node(&again);
	if (n->type == NODE_FILE) {
		document_get(w->cat, n->id, &d);
		if (chunks_get(w->cat, n->sha256, &chunk_size, &sums, &count) == 0 &&
		    chunk_size != FM_CHUNK_SIZE)
			abort();
		free(sums);
		fd = blob_open(store, n->sha256, n->size);
		if (fd >= 0)
			close(fd);
	} else if (w->depth < 8 && n->id != n->parent) {
		w->depth++;
		node_list(w->cat, n->id, 0, visit, w);
		w->depth--;
	}
	return 0;
}

static int audit_seen(void *arg, int64_t at, const char *who, const char *action,
		      const char *detail)
{
	(void)arg, (void)at;
	if (!who || !action || !detail)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct catalog *cat;
	struct catalog_stats st;
	struct walk w = { 0 };
	struct node n;
	uint64_t id;
	char err[512];

	if (size >= 16 && !memcmp(data, "SQLite format 3", 16))
		put_db(data, size);
	else
		apply_sql(data, size);
	if (catalog_open(store, CATALOG_READONLY, &cat, err, sizeof(err)) < 0) {
		if (!err[0])
			abort(); /* refused without saying why */
		return 0;
	}
	w.cat = cat;
	if (node_get(cat, FM_ROOT_ID, &n) == 0) {
		check_node(&n);
		visit(&w, &n);
	}
	if (node_resolve(cat, "/acme.example/Invoices/Incoming/2026-10/a.pdf", &n) == 0)
		check_node(&n);
	if (node_org(cat, "acme.example", &id) == 0)
		catalog_org_stats(cat, id, &st);
	catalog_stats(cat, &st);
	catalog_max_id(cat, &id);
	node_since(cat, 0, visit, &w);
	audit_list(cat, audit_seen, NULL);
	catalog_close(cat);
	return 0;
}
