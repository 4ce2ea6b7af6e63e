/* json.h - a small JSON writer for fmctl's --json output: one document,
 * built in memory and written to stdout only when complete (a failed command
 * prints nothing half-written). Strings are emitted as UTF-8 with the
 * escapes RFC 8259 requires (invalid UTF-8 bytes become U+FFFD); integers
 * are exact (64 bits); money goes in as a string.
 *
 *	struct json j;
 *	if (json_open(&j, "status") < 0) ...      // {"command":"status","schema":1,
 *	json_key(&j, "remote"); json_string(&j, url);
 *	json_key(&j, "objects"); json_uint(&j, n);
 *	json_key(&j, "items"); json_array_begin(&j); ... json_array_end(&j);
 *	return json_close(&j, stdout);            // }  + newline, 0 or -errno
 */
#ifndef FMFS_FMCTL_JSON_H
#define FMFS_FMCTL_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define FMCTL_JSON_SCHEMA 1 /* bump only when a field changes meaning or goes */

struct json {
	FILE *mem;       /* open_memstream over buf */
	char *buf;
	size_t len;
	unsigned depth;
	bool comma[32];  /* per nesting level: a value was written already */
	char closer[32]; /* per nesting level: '}' or ']' */
	bool after_key;
};

/* Start the document: an object with "command" and "schema" already in it.
 * 0 or -errno (nothing allocated then). */
int json_open(struct json *j, const char *command);
/* Close every object and array still open, write the document and a newline to
 * out, free. 0 or -errno (write error). */
int json_close(struct json *j, FILE *out);
/* Free without writing anything (a failed command). */
void json_discard(struct json *j);

void json_object_begin(struct json *j);
void json_object_end(struct json *j);
void json_array_begin(struct json *j);
void json_array_end(struct json *j);
/* The next value's key, inside an object. */
void json_key(struct json *j, const char *key);
void json_string(struct json *j, const char *s); /* NULL writes null */
void json_int(struct json *j, int64_t v);
void json_uint(struct json *j, uint64_t v);
void json_bool(struct json *j, bool v);
void json_null(struct json *j);
/* A time in seconds UTC as "YYYY-MM-DDTHH:MM:SSZ". */
void json_time(struct json *j, int64_t t);

/* key + value in one call */
void json_kv_string(struct json *j, const char *key, const char *s);
void json_kv_int(struct json *j, const char *key, int64_t v);
void json_kv_uint(struct json *j, const char *key, uint64_t v);
void json_kv_bool(struct json *j, const char *key, bool v);
void json_kv_time(struct json *j, const char *key, int64_t t);

struct node;
/* The fields every listed node has: name, type ("file"|"folder"), inode,
 * size, mtime, sha256 (null for folders). */
void json_node(struct json *j, const struct node *n);

#endif
