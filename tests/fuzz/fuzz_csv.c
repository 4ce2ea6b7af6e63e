/* fuzz_csv.c - libFuzzer target: the CSV export reader (tools/billing/csv.c's
 * csv_read), as fmctl usage and revenue read untrusted exports. Invariants:
 * it ends (1, 0 or -1), fields are NUL-terminated strings, errors say why. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../tools/billing/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct csv_reader r;
	FILE *in = fmemopen((void *)data, size, "r");
	int rc, records = 0;

	if (!in)
		return 0;
	csv_reader_init(&r, in, "fuzz.csv");
	while ((rc = csv_read(&r)) == 1) {
		for (size_t i = 0; i < r.nfields; i++)
			if (strlen(r.fields[i]) > size)
				abort();
		if (++records > (int)size + 1)
			abort(); /* more records than bytes: a loop */
	}
	if (rc == -1 && !r.error[0])
		abort();
	if (rc != 0 && rc != -1)
		abort();
	csv_reader_release(&r);
	fclose(in);
	return 0;
}
