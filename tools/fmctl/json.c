/* json.c - fmctl's JSON writer (json.h): nesting, commas, string escapes
 * (utf8proc decides what is valid UTF-8), exact integers. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <utf8proc.h>

#include "../../catalog/catalog.h"
#include "json.h"

static void value_begin(struct json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (j->comma[j->depth])
		fputc(',', j->mem);
	j->comma[j->depth] = true;
}

static void nest(struct json *j, char open, char close)
{
	value_begin(j);
	fputc(open, j->mem);
	if (j->depth + 1 < sizeof(j->comma) / sizeof(*j->comma))
		j->depth++;
	j->comma[j->depth] = false;
	j->closer[j->depth] = close;
}

static void unnest(struct json *j)
{
	if (j->depth == 0)
		return;
	fputc(j->closer[j->depth], j->mem);
	j->depth--;
}

void json_object_begin(struct json *j)
{
	nest(j, '{', '}');
}

void json_object_end(struct json *j)
{
	unnest(j);
}

void json_array_begin(struct json *j)
{
	nest(j, '[', ']');
}

void json_array_end(struct json *j)
{
	unnest(j);
}

static void put_string(FILE *f, const char *s)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;

	fputc('"', f);
	while (*p) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t n = utf8proc_iterate(p, -1, &cp);

		if (n <= 0) { /* not UTF-8: one byte becomes U+FFFD */
			fputs("\\ufffd", f);
			p++;
			continue;
		}
		switch (cp) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		case '\b': fputs("\\b", f); break;
		case '\f': fputs("\\f", f); break;
		default:
			if (cp < 0x20)
				fprintf(f, "\\u%04x", (unsigned)cp);
			else
				fwrite(p, 1, (size_t)n, f);
		}
		p += n;
	}
	fputc('"', f);
}

void json_key(struct json *j, const char *key)
{
	value_begin(j);
	put_string(j->mem, key);
	fputc(':', j->mem);
	j->after_key = true;
}

void json_string(struct json *j, const char *s)
{
	if (!s) {
		json_null(j);
		return;
	}
	value_begin(j);
	put_string(j->mem, s);
}

void json_int(struct json *j, int64_t v)
{
	value_begin(j);
	fprintf(j->mem, "%" PRId64, v);
}

void json_uint(struct json *j, uint64_t v)
{
	value_begin(j);
	fprintf(j->mem, "%" PRIu64, v);
}

void json_bool(struct json *j, bool v)
{
	value_begin(j);
	fputs(v ? "true" : "false", j->mem);
}

void json_null(struct json *j)
{
	value_begin(j);
	fputs("null", j->mem);
}

void json_time(struct json *j, int64_t t)
{
	time_t tt = (time_t)t;
	char when[32];
	struct tm tm;

	if (!gmtime_r(&tt, &tm) || !strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm)) {
		json_null(j);
		return;
	}
	json_string(j, when);
}

void json_kv_string(struct json *j, const char *key, const char *s)
{
	json_key(j, key);
	json_string(j, s);
}

void json_kv_int(struct json *j, const char *key, int64_t v)
{
	json_key(j, key);
	json_int(j, v);
}

void json_kv_uint(struct json *j, const char *key, uint64_t v)
{
	json_key(j, key);
	json_uint(j, v);
}

void json_kv_bool(struct json *j, const char *key, bool v)
{
	json_key(j, key);
	json_bool(j, v);
}

void json_kv_time(struct json *j, const char *key, int64_t t)
{
	json_key(j, key);
	json_time(j, t);
}

void json_node(struct json *j, const struct node *n)
{
	json_kv_string(j, "name", n->name);
	json_kv_string(j, "type", n->type == NODE_DIR ? "folder" : "file");
	json_kv_uint(j, "inode", n->id);
	json_kv_int(j, "size", n->size);
	json_kv_time(j, "mtime", n->mtime);
	json_kv_string(j, "sha256", n->type == NODE_FILE ? n->sha256 : NULL);
}

int json_open(struct json *j, const char *command)
{
	memset(j, 0, sizeof(*j));
	j->mem = open_memstream(&j->buf, &j->len);
	if (!j->mem)
		return -errno;
	json_object_begin(j);
	json_kv_string(j, "command", command);
	json_kv_int(j, "schema", FMCTL_JSON_SCHEMA);
	return 0;
}

void json_discard(struct json *j)
{
	if (j->mem)
		fclose(j->mem);
	free(j->buf);
	memset(j, 0, sizeof(*j));
}

int json_close(struct json *j, FILE *out)
{
	int rc = 0;

	while (j->depth > 0)
		unnest(j);
	fputc('\n', j->mem);
	if (fclose(j->mem) != 0)
		rc = -ENOMEM;
	j->mem = NULL;
	if (rc == 0 && (fwrite(j->buf, 1, j->len, out) != j->len || fflush(out) != 0))
		rc = errno ? -errno : -EIO;
	free(j->buf);
	j->buf = NULL;
	return rc;
}
