/* fmctl.c - the fmctl command: global options (-s STORE, FMFS_STORE) and the
 * table of subcommands, each in its own cmd_<sub>.c (git's builtin/). */
#include <errno.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fmctl.h"
#include "progress.h"

const char *fmctl_store;

struct subcommand {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

static const struct subcommand subcommands[] = {
	{ "init", cmd_init, "init STORE                 create a new, empty archive" },
	{ "ingest", cmd_ingest, "ingest --org D --kind K [--direction D] --period YYYY-MM [--date YYYY-MM-DD] [--name N] FILE...\n"
	  "       ingest --manifest LIST.tsv   add files to the archive (all or nothing)" },
	{ "ls", cmd_ls, "ls [--json] [PATH]         list a folder of the archive" },
	{ "stat", cmd_stat, "stat [--json] PATH         show a node and its document metadata" },
	{ "cat", cmd_cat, "cat PATH                   write a file's bytes to stdout" },
	{ "usage", cmd_usage, "usage --org D [--through YYYY-MM] [--type call|sms|fax|dnc] [--now TIME] EXPORT.csv...\n"
	  "       usage exports into monthly UTC files (Usage/YYYY-MM/), late records as supplements" },
	{ "log", cmd_log, "log [--json]               show the audit log" },
	{ "verify", cmd_verify, "verify [--repair] [--json] check every blob, the catalog and the modes;\n"
	  "                                   --repair removes leftovers of interrupted ingests\n"
	  "       verify --remote URL --pubkey P [--credentials F] [--cacert F] [--endpoint URL]\n"
	  "                                   check a published org end to end (and against the store)" },
	{ "revenue", cmd_revenue, "revenue --org D --period YYYY-MM LEDGER_DIR\n"
	  "       the month's revenue zip (ten CSVs, identities checked), ingested" },
	{ "report", cmd_report, "report subscription-billing --org D --period YYYY-MM LEDGER_DIR\n"
	  "       the month's subscription billing report, ingested" },
	{ "keygen", cmd_keygen, "keygen FILE                an Ed25519 pair for publish: FILE (0600) and its .pub" },
	{ "publish", cmd_publish, "publish --org D --key KEY [--expires-in S] [--checkpoint] [--endpoint URL] [--credentials FILE] DEST\n"
	  "       publish org D's new files to DEST (a folder, or s3://BUCKET/PREFIX), signed" },
	{ "clone", cmd_clone, "clone URL STORE --pubkey P [--credentials F] [--cacert F] [--endpoint URL] [--mirrors U2|U3]\n"
	  "       a new full local store of a published org, every byte checked" },
	{ "status", cmd_status, "status [--json] MOUNTPOINT  the state of a remote mount (revision, mirror, errors)" },
};

#define N_SUBCOMMANDS (sizeof(subcommands) / sizeof(*subcommands))

void fmctl_error(const char *sub, const char *fmt, ...)
{
	va_list ap;

	progress_clear();
	fprintf(stderr, "fmctl %s: ", sub);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int fmctl_open(const char *sub, int flags, struct catalog **out)
{
	char err[1024];
	int rc;

	if (!fmctl_store || !*fmctl_store) {
		fmctl_error(sub, "no store: give -s STORE or set FMFS_STORE");
		return -EINVAL;
	}
	rc = catalog_open(fmctl_store, flags, out, err, sizeof(err));
	if (rc < 0)
		fmctl_error(sub, "%s", err);
	return rc;
}

const char *fmctl_who(void)
{
	static char who[128];
	char host[64] = "localhost";
	struct passwd *pw = getpwuid(getuid());

	/* the real uid and its name in the passwd database: $USER and
	 * $SUDO_USER are whatever the caller says they are */
	gethostname(host, sizeof(host) - 1);
	if (pw)
		snprintf(who, sizeof(who), "%s(%u)@%s", pw->pw_name, (unsigned)getuid(), host);
	else
		snprintf(who, sizeof(who), "uid %u@%s", (unsigned)getuid(), host);
	return who;
}

void fmctl_time(int64_t t, char out[21])
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

bool fmctl_flag(int *argc, char **argv, const char *flag)
{
	bool found = false;
	int i, o;

	for (i = o = 0; i < *argc; i++) {
		if (!strcmp(argv[i], "--")) {
			while (i < *argc)
				argv[o++] = argv[i++];
			break;
		}
		if (i > 0 && !strcmp(argv[i], flag))
			found = true;
		else
			argv[o++] = argv[i];
	}
	*argc = o;
	argv[o] = NULL;
	return found;
}

static void usage(FILE *out)
{
	fprintf(out, "usage: fmctl [-s STORE] [--progress|--quiet] COMMAND [ARGS]\n\n");
	for (size_t i = 0; i < N_SUBCOMMANDS; i++)
		fprintf(out, "  fmctl %s\n", subcommands[i].help);
	fprintf(out, "\n  --progress                show the progress of long runs on stderr even when\n"
		"                            it is not a terminal (default: only on a terminal)\n"
		"  -q, --quiet               never show progress\n"
		"The store may also be given as FMFS_STORE. Exit: 0 ok, 1 failed, 2 usage.\n");
}

int main(int argc, char **argv)
{
	int i = 1;

	fmctl_store = getenv("FMFS_STORE");
	while (i < argc && argv[i][0] == '-') {
		if (!strcmp(argv[i], "-s") || !strcmp(argv[i], "--store")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "fmctl: %s needs a STORE\n", argv[i]);
				return EXIT_USAGE;
			}
			fmctl_store = argv[i + 1];
			i += 2;
		} else if (!strcmp(argv[i], "--progress")) {
			progress_mode = PROGRESS_ALWAYS;
			i++;
		} else if (!strcmp(argv[i], "-q") || !strcmp(argv[i], "--quiet")) {
			progress_mode = PROGRESS_NEVER;
			i++;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "fmctl: unknown option '%s' (see fmctl --help)\n", argv[i]);
			return EXIT_USAGE;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	for (size_t c = 0; c < N_SUBCOMMANDS; c++)
		if (!strcmp(argv[i], subcommands[c].name))
			return subcommands[c].fn(argc - i, argv + i);
	fprintf(stderr, "fmctl: '%s' is not a command (see fmctl --help)\n", argv[i]);
	return EXIT_USAGE;
}
