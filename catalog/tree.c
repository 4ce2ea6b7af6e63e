/* tree.c - the archive's tree, named as policy in one place: the folders
 * every org gets (DESIGN's tree) and the folder each kind of document goes
 * into. Everything else in catalog/ is generic about names and folders. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "catalog.h"

const char *const tree_org_folders[TREE_ORG_NFOLDERS] = {
	"Invoices", "Invoices/Incoming", "Invoices/Outgoing", "SOA",
	"SOA/Incoming", "SOA/Outgoing", "Usage", "Revenue", "Reports",
};

int tree_folder(const char *kind, const char *direction, const char *period,
		char *out, size_t outlen, const char **why)
{
	int year, month;
	bool has_dir = direction && *direction;
	const char *top = NULL, *sub = NULL;

	if (!period_parse(period ? period : "", &year, &month)) {
		*why = "period must be YYYY-MM (a real month)";
		return -EINVAL;
	}
	if (!strcmp(kind, "invoice"))
		top = "Invoices";
	else if (!strcmp(kind, "soa"))
		top = "SOA";
	if (top) {
		if (!has_dir) {
			*why = "invoice and soa need --direction incoming|outgoing";
			return -EINVAL;
		}
		if (!strcmp(direction, "incoming"))
			sub = "Incoming";
		else if (!strcmp(direction, "outgoing"))
			sub = "Outgoing";
		else {
			*why = "direction must be incoming or outgoing";
			return -EINVAL;
		}
		snprintf(out, outlen, "%s/%s/%s", top, sub, period);
		return 0;
	}
	if (strcmp(kind, "usage") && strcmp(kind, "revenue") && strcmp(kind, "report")) {
		*why = "kind must be invoice, soa, usage, revenue or report";
		return -EINVAL;
	}
	if (has_dir) {
		*why = "--direction applies only to invoice and soa";
		return -EINVAL;
	}
	if (!strcmp(kind, "usage"))
		snprintf(out, outlen, "Usage/%s", period);
	else if (!strcmp(kind, "report"))
		snprintf(out, outlen, "Reports/%s", period);
	else
		snprintf(out, outlen, "Revenue");
	return 0;
}
