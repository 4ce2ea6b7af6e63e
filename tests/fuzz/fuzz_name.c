/* fuzz_name.c - libFuzzer target: the name validator and NFC normaliser
 * (catalog/name.c). Invariants: a valid name has no '/', control character
 * or invalid UTF-8 and fits FM_NAME_MAX; normalising is idempotent and its
 * result is valid. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../catalog/catalog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *name = malloc(size + 1), nfc[FM_NAME_MAX + 1], again[FM_NAME_MAX + 1];

	if (!name)
		return 0;
	memcpy(name, data, size);
	name[size] = 0;
	if (name_is_valid(name)) {
		if (strchr(name, '/') || strlen(name) > FM_NAME_MAX || !strcmp(name, ".") ||
		    !strcmp(name, ".."))
			abort();
		for (const unsigned char *c = (const unsigned char *)name; *c; c++)
			if (*c < 0x20 || *c == 0x7f)
				abort();
	}
	if (name_normalize(name, nfc) == 0) {
		if (!name_is_valid(nfc))
			abort();
		if (name_normalize(nfc, again) != 0 || strcmp(nfc, again))
			abort(); /* NFC of NFC is itself */
	}
	org_is_valid(name);
	{
		int y, m;
		int64_t t;

		period_parse(name, &y, &m);
		date_parse(name, &t);
	}
	free(name);
	return 0;
}
