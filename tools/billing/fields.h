/* fields.h - the value types of the exports and generated files
 * (docs/formats.md §1 "Types"): id, int, e164, enum, ccy (the active ISO 4217
 * list) and country (ISO 3166-1 alpha-2 plus XK). Pure predicates and
 * parsers: no I/O, no state. */
#ifndef FMFS_BILLING_FIELDS_H
#define FMFS_BILLING_FIELDS_H

#include <stdbool.h>
#include <stdint.h>

#define ID_MAX 64 /* bytes of an id */

/* n ASCII digits at s into *out (no sign, no NUL needed after them). */
bool field_digits(const char *s, int n, int *out);
/* `id`: [A-Za-z0-9._:-]{1,64}. */
bool field_is_id(const char *s);
/* `int`: -?[0-9]{1,18} into *out. */
bool field_int(const char *s, int64_t *out);
/* `e164`: \+[1-9][0-9]{1,14}. */
bool field_is_e164(const char *s);
/* An active ISO 4217 currency code. */
bool field_is_ccy(const char *s);
/* An ISO 3166-1 alpha-2 country code, or XK (Kosovo). */
bool field_is_country(const char *s);
/* The index of s in the NULL-terminated names, or -1. */
int field_enum(const char *s, const char *const *names);

#endif
