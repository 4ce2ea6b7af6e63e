/* cmd_log.c - fmctl log [--json]: the audit log, oldest first. */
#include <stdio.h>
#include <string.h>

#include "fmctl.h"
#include "json.h"

static int print_entry(void *arg, int64_t at, const char *who, const char *action,
		       const char *detail)
{
	char when[21];

	(void)arg;
	fmctl_time(at, when);
	printf("%s %s %s %s\n", when, who, action, detail);
	return 0;
}

static int json_entry(void *arg, int64_t at, const char *who, const char *action,
		      const char *detail)
{
	struct json *j = arg;

	json_object_begin(j);
	json_kv_time(j, "at", at);
	json_kv_string(j, "who", who);
	json_kv_string(j, "action", action);
	json_kv_string(j, "detail", detail);
	json_object_end(j);
	return 0;
}

int cmd_log(int argc, char **argv)
{
	bool as_json = fmctl_flag(&argc, argv, "--json");
	struct catalog *cat;
	struct json j;
	int rc;

	if (argc != 1) {
		fmctl_error("log", "usage: fmctl log [--json]");
		return EXIT_USAGE;
	}
	if (fmctl_open("log", CATALOG_READONLY, &cat) < 0)
		return 1;
	if (!as_json) {
		rc = audit_list(cat, print_entry, NULL);
		catalog_close(cat);
		return rc < 0 ? 1 : 0;
	}
	rc = json_open(&j, "log");
	if (rc == 0) {
		json_key(&j, "entries");
		json_array_begin(&j);
		rc = audit_list(cat, json_entry, &j);
		json_array_end(&j);
		rc = rc < 0 ? rc : json_close(&j, stdout);
		if (rc < 0)
			json_discard(&j);
	}
	catalog_close(cat);
	if (rc < 0)
		fmctl_error("log", "%s: %s", fmctl_store, strerror(-rc));
	return rc < 0 ? 1 : 0;
}
