/* remote_state.c - the last revision of an org published to a destination
 * (fmctl publish compares it with the remote manifest: a publish with
 * nothing new costs one request) or, in a client's catalog, the revision
 * applied (place "source"). Schema v3. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "db_internal.h"
#include "publication.h"

int remote_state_get(struct catalog *cat, const char *place, struct remote_state *out)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(cat->db, "SELECT org,revision,through,state,delta,"
				    "published,expires FROM remote_state WHERE place=?1",
				    -1, &st, NULL);

	if (rc != SQLITE_OK)
		return -EIO;
	sqlite3_bind_text(st, 1, place, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		memset(out, 0, sizeof(*out));
		snprintf(out->org, sizeof(out->org), "%s", sqlite3_column_text(st, 0));
		out->revision = (uint64_t)sqlite3_column_int64(st, 1);
		out->through = (uint64_t)sqlite3_column_int64(st, 2);
		snprintf(out->state, sizeof(out->state), "%s", sqlite3_column_text(st, 3));
		snprintf(out->delta, sizeof(out->delta), "%s", sqlite3_column_text(st, 4));
		out->published = sqlite3_column_int64(st, 5);
		out->expires = sqlite3_column_int64(st, 6);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? -ENOENT : -EIO;
}

int remote_state_put(struct catalog *cat, const char *place,
		     const struct remote_state *s)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(cat->db, "INSERT OR REPLACE INTO remote_state"
				    "(place,org,revision,through,state,delta,published,"
				    "expires) VALUES (?1,?2,?3,?4,?5,?6,?7,?8)", -1, &st, NULL);

	if (rc != SQLITE_OK)
		return -EIO;
	sqlite3_bind_text(st, 1, place, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, s->org, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)s->revision);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)s->through);
	sqlite3_bind_text(st, 5, s->state, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, s->delta, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, s->published);
	sqlite3_bind_int64(st, 8, s->expires);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : sqlite_to_errno(rc) ? sqlite_to_errno(rc) : -EIO;
}

