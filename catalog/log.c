/* log.c - fm_log(): one logging function for the library, the daemon and the
 * tools; the level is checked before anything is formatted. */
#include <stdarg.h>
#include <stdio.h>

#include "catalog.h"

static enum fm_log_level current_level = FM_LOG_WARNING;

void fm_log_set_level(enum fm_log_level level)
{
	current_level = level;
}

void fm_log(enum fm_log_level level, const char *fmt, ...)
{
	static const char *const prefix[] = { "error", "warning", "info", "debug" };
	char line[2048];
	va_list ap;

	if (level > current_level)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "fmfs: %s: %s\n", prefix[level], line);
}
