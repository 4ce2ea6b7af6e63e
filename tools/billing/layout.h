/* layout.h - every CSV layout fmfs generates (docs/formats.md §3-§5): the usage
 * files, the revenue zip's ten files and the subscription-billing report;
 * which file name is which layout, and the type of each column. One table,
 * for whoever needs to know what a generated file holds. */
#ifndef FMFS_LAYOUT_H
#define FMFS_LAYOUT_H

#include <stddef.h>

/* The column types of docs/formats.md §1. */
enum cell_type {
	CELL_TEXT,  /* free text (sanitised, may carry the ' guard) */
	CELL_ID,    /* [A-Za-z0-9._:-]{1,64} */
	CELL_E164,  /* +[1-9][0-9]{1,14} */
	CELL_ENUM,  /* lowercase snake_case from a set; also country codes */
	CELL_CCY,   /* ISO 4217 */
	CELL_INT,   /* -?[0-9]+ */
	CELL_MONEY, /* -?D.DDDDDD */
	CELL_TS,    /* YYYY-MM-DDTHH:MM:SS[.ffffff]Z */
	CELL_DATE,  /* YYYY-MM-DD */
	CELL_BOOL,  /* true | false */
};

struct layout_col {
	const char *name;
	enum cell_type type;
};

struct layout {
	const char *name;             /* "call", "wallet", "product-summary" … */
	const struct layout_col *cols; /* in file order */
	size_t ncols;
};

/* The layout of a generated file called name (its folder does not matter):
 * DOMAIN-YYYY-MM-{call,sms,fax,dnc}[-supplement-NN][-partNNN].csv,
 * DOMAIN-YYYY-MM-wallet-WALLETID.csv, DOMAIN-YYYY-MM-<one of the other nine
 * revenue files>.csv, DOMAIN-YYYY-MM-subscription-billing.csv, these also
 * with -revNN, and each with -partNNN. NULL for any other name. Static
 * data. */
const struct layout *layout_of_name(const char *name);
/* The type of the column called name in l; CELL_TEXT for a name l does not
 * have (a column added later, or a file edited by hand). */
enum cell_type layout_col_type(const struct layout *l, const char *name);

#endif
