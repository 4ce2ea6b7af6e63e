/* money.h - exact money: int64 micro-units (1.000000 = 1000000), parsed and
 * formatted as docs/formats.md §1 says (6 decimals, never -0.000000, any
 * value in the int64 range: |v| at most 9223372036854.775807, which holds an
 * IDR or VND partner's monthly sums). No floating point anywhere. */
#ifndef FMFS_MONEY_H
#define FMFS_MONEY_H

#include <stdbool.h>
#include <stdint.h>

typedef int64_t money_t;

#define MONEY_SCALE 1000000
#define MONEY_MAX INT64_MAX /* 9223372036854.775807 */

/* Parse "-?(0|[1-9][0-9]*)(\.[0-9]{1,6})?" into micro-units. False for
 * anything else (separators, exponents, more than 6 decimals, out of range). */
bool money_parse(const char *s, money_t *out);
/* Format v as "-?D.DDDDDD" into out (at least MONEY_STR bytes). Returns out. */
#define MONEY_STR 24
char *money_format(money_t v, char out[MONEY_STR]);
/* a + b, false if the result leaves [-MONEY_MAX, MONEY_MAX]. */
bool money_add(money_t a, money_t b, money_t *out);
/* v × n (n an integer quantity), false on overflow. */
bool money_mul_int(money_t v, int64_t n, money_t *out);
/* v × num / den rounded half away from zero, false on overflow. */
bool money_mul_div(money_t v, int64_t num, int64_t den, money_t *out);

#endif
