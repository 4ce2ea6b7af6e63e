/* cmd_keygen.c - fmctl keygen FILE: a new Ed25519 pair for fmctl publish,
 * FILE (private, 0600) and FILE's .pub (handed to partners). */
#include <stdio.h>

#include "../../catalog/publication.h"
#include "fmctl.h"

int cmd_keygen(int argc, char **argv)
{
	char err[4200], pub[4096];

	if (argc != 2 || argv[1][0] == '-') {
		fmctl_error("keygen", "usage: fmctl keygen FILE");
		return EXIT_USAGE;
	}
	if (pubkey_generate(argv[1], err, sizeof(err)) < 0) {
		fmctl_error("keygen", "%s", err);
		return 1;
	}
	pubkey_pub_path(argv[1], pub, sizeof(pub));
	printf("wrote %s (private, keep it) and %s (give it to partners)\n", argv[1], pub);
	return 0;
}
