/* test_usage_record.c - the UTC month of a record's time, the usage type
 * names, header matching and a record's fingerprint by meaning (the times
 * themselves: test_time.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../tools/billing/time.h"
#include "../../tools/billing/usage_record.h"
#include "check.h"

static int64_t t(const char *s)
{
	int64_t v = -1;

	return time_parse(s, &v, NULL, NULL, 0) == 0 ? v / TIME_US : -1;
}

static const char *month(const char *s)
{
	static char m[8];

	usage_month_name(usage_month_of(t(s)), m);
	return m;
}

/* Split a CSV line without quotes into fields (in place). */
static size_t split(char *line, char **f)
{
	size_t n = 0;

	for (char *p = line;; p++) {
		f[n++] = p;
		p = strchr(p, ',');
		if (!p)
			return n;
		*p = '\0';
	}
}

static const char hdr[] = "record_id,org_id,org_name,wallet_id,txn_id,leg_id,direction,"
	"start_time,answer_time,end_time,duration_s,talk_s,billable_s,caller,callee,status,"
	"dest_country,rate_per_min,price,cost,currency";

/* The fingerprint of one call row as an archived file holds it (0 if the
 * row is refused). */
static uint64_t fp(const char *header, const char *line)
{
	char h[1024], r[1024], why[256], *hf[64], *rf[64];
	struct usage_layout l;
	struct usage_row row;
	size_t nh, nr;

	snprintf(h, sizeof(h), "%s", header);
	snprintf(r, sizeof(r), "%s", line);
	nh = split(h, hf);
	nr = split(r, rf);
	if (usage_layout_init(&l, -1, hf, nh, why, sizeof(why)) < 0 ||
	    usage_record_identify(&l, rf, nr, &row, why, sizeof(why)) < 0)
		return 0;
	return row.fp;
}

int main(void)
{
	char h[1024], why[256], *hf[64];
	struct usage_layout l;
	uint64_t a;
	CHECK(!strcmp(month("2026-10-31T23:59:59Z"), "2026-10"));
	CHECK(!strcmp(month("2026-11-01T07:59:59+08:00"), "2026-10"));
	CHECK(!strcmp(month("2026-11-01T00:00:00Z"), "2026-11"));
	CHECK(!strcmp(month("2027-01-01T00:59:59+01:00"), "2026-12"));
	CHECK(!strcmp(month("2028-02-29T23:59:59Z"), "2028-02"));
	CHECK(!strcmp(month("2028-03-01T00:00:00Z"), "2028-03"));
	CHECK(usage_month_start(usage_month_of(t("2026-12-15T00:00:00Z")) + 1) ==
	      t("2027-01-01T00:00:00Z"));
	CHECK(usage_month_start(usage_month_of(t("2028-02-10T00:00:00Z")) + 1) ==
	      t("2028-03-01T00:00:00Z"));

	/* header rules: case, spaces, order, extra and empty columns */
	snprintf(h, sizeof(h), "%s", "Record_ID, org_id ,org_name,wallet_id,txn_id,leg_id,"
		 "direction,start_time,answer_time,end_time,duration_s,talk_s,billable_s,caller,"
		 "callee,status,dest_country,rate_per_min,price,cost,currency,Notes,");
	CHECK(usage_layout_init(&l, -1, hf, split(h, hf), why, sizeof(why)) == 0);
	CHECK(l.type == USAGE_CALL && l.nfields == 23 && l.nextra == 2);
	CHECK(!strcmp(l.extra, "'Notes', (empty)"));
	snprintf(h, sizeof(h), "%s", "record_id,org_id,org_name,wallet_id,direction,submit_time");
	CHECK(usage_layout_init(&l, -1, hf, split(h, hf), why, sizeof(why)) == -EINVAL);
	CHECK(strstr(why, "sms column 'sender' missing") != NULL);

	/* the fingerprint: rated fields by meaning, org_name aside */
	a = fp(hdr, "c1,o1,Acme,w1,t1,l1,outgoing,2026-10-01T08:00:00+08:00,2026-10-01T08:00:00+08:00,"
	       "2026-10-01T08:01:00+08:00,60,60,60,+6561234567,+6598765432,answered,SG,0.03,0.03,0.012,SGD");
	CHECK(a != 0);
	CHECK(fp(hdr, "c1,o1,Acme Holdings,w1,t1,l1,outgoing,2026-10-01T00:00:00Z,2026-10-01T00:00:00z,"
		 "2026-10-01 00:01:00.000Z,60,60,60,+6561234567,+6598765432,answered,SG,0.030000,0.030000,0.012000,SGD") == a);
	CHECK(fp(hdr, "c1,o1,Acme,w1,t1,l1,outgoing,2026-10-01T00:00:00Z,2026-10-01T00:00:00Z,"
		 "2026-10-01T00:01:00Z,60,60,60,+6561234567,+6598765432,answered,SG,0.03,0.03,0.013,SGD") != a);
	CHECK(fp(hdr, "c1,o1,Acme,w1,t1,l1,outgoing,2026-10-01T00:00:01Z,2026-10-01T00:00:01Z,"
		 "2026-10-01T00:01:00Z,59,59,59,+6561234567,+6598765432,answered,SG,0.03,0.03,0.012,SGD") != a);
	/* a text cell reads the same raw or neutralised ('=...) */
	CHECK(fp(hdr, "c2,o1,Acme,w1,t1,l1,outgoing,2026-10-01T00:00:00Z,,2026-10-01T00:01:00Z,"
		 "60,0,0,=1+2,+6598765432,busy,SG,0.03,0,0,SGD") ==
	      fp(hdr, "c2,o1,Acme,w1,t1,l1,outgoing,2026-10-01T00:00:00Z,,2026-10-01T00:01:00Z,"
		 "60,0,0,'=1+2,+6598765432,busy,SG,0.03,0.000000,0,SGD"));
	CHECK(fp(hdr, "c3,o1,Acme,w1,t1,l1,outgoing,2026-10-01T00:00:00,,2026-10-01T00:01:00Z,"
		 "60,0,0,x,y,busy,SG,0.03,0,0,SGD") == 0);

	CHECK(usage_type_parse("call") == USAGE_CALL);
	CHECK(usage_type_parse("dnc") == USAGE_DNC);
	CHECK(usage_type_parse("mms") == -1);
	return check_done("test_usage_record");
}
