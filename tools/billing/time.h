/* time.h - the one ISO-8601 time parser every export goes through (usage
 * and ledger, docs/formats.md §1 "Input times"), the UTC `ts` and `date`
 * formatters of the generated files, and the civil-calendar arithmetic
 * under them. Instants are int64 microseconds since 1970-01-01T00:00:00Z. */
#ifndef FMFS_BILLING_TIME_H
#define FMFS_BILLING_TIME_H

#include <stddef.h>
#include <stdint.h>

#define TIME_US INT64_C(1000000)  /* microseconds per second */
#define TIME_DAY INT64_C(86400)   /* seconds per day */
#define TIME_STR 28               /* "YYYY-MM-DDTHH:MM:SS.ffffffZ" + NUL */
#define DATE_STR 11               /* "YYYY-MM-DD" + NUL */

/* Parse YYYY-MM-DD[T| ]HH:MM:SS[.f{1,9}](Z|z|±HH:MM|±HHMM|±HH) into *us
 * (the instant, the fraction kept to the microsecond, truncated) and, if
 * offset is not NULL, *offset (the offset the export wrote, in seconds east
 * of UTC). A time without an offset, a date or time of day that does not
 * exist, or an instant outside 1970..9999 is refused. Returns 0, or -EINVAL
 * with the reason in why (why may be NULL). Outputs set only on success. */
int time_parse(const char *s, int64_t *us, int *offset, char *why, size_t whylen);

/* The instant us (1970..9999) as UTC "YYYY-MM-DDTHH:MM:SS[.f{1,6}]Z": the
 * fraction with its trailing zeros dropped, none when zero. Returns out. */
char *time_format(int64_t us, char out[TIME_STR]);

/* Parse "YYYY-MM-DD" (a real date, 1970..9999) into seconds since the epoch
 * at 00:00 UTC. 0 or -EINVAL with the reason in why (may be NULL). */
int time_date_parse(const char *s, int64_t *sec, char *why, size_t whylen);
/* The UTC date of t (seconds since the epoch) as "YYYY-MM-DD". Returns out. */
char *time_date_format(int64_t sec, char out[DATE_STR]);

/* Days since 1970-01-01 of a proleptic Gregorian date, and back. */
int64_t time_days_from_civil(int64_t y, int m, int d);
void time_civil_from_days(int64_t days, int *y, int *m, int *d);
/* Days of month m (1..12) of year y. */
int time_days_in_month(int y, int m);

#endif
