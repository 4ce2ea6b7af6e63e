/* money.h - exact money: int64 micro-units (1.000000 = 1000000), parsed and
 * formatted as FORMATS.md says (6 decimals, never -0.000000, |v| at most
 * 999999999.999999). No floating point anywhere. */
#ifndef FMFS_MONEY_H
#define FMFS_MONEY_H

#include <stdbool.h>
#include <stdint.h>

typedef int64_t money_t;

#define MONEY_SCALE 1000000
#define MONEY_MAX INT64_C(999999999999999) /* 999999999.999999 */

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
