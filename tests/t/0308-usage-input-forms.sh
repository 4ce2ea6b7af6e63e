#!/usr/bin/env bash
# Every valid spelling of an export is accepted (docs/formats.md §1): ISO-8601
# times with fractions, a lowercase z, a space for the T, +0800 or +08;
# headers in any case, padded, reordered, with extra or empty columns (named
# once on stderr); a DNC check's valid_until counts from its local date. What
# is not valid stays refused: no offset, a date that does not exist, a
# missing column.
source "$FMFS_TOP/tests/lib.sh"
source "$FMFS_TOP/tests/usage-lib.sh"
S=$T/store O=sgcloud.example
export FMFS_NOW=2026-12-15T00:00:00Z
fmctl init "$S" >/dev/null
oct=$O/Usage/2026-10/$O-2026-10-call.csv

# a call: ID START ANSWER END DURATION TALK
row() {
	printf '%s,o1,Lim Trading Pte Ltd,w1,TX-%s,a,outgoing,%s,%s,%s,%s,%s,%s,+6561234567,+6598765432,answered,SG,0.030,0.03,0.02,SGD\r\n' \
		"$1" "$1" "$2" "$3" "$4" "$5" "$6" "$6"
}

note "times: fractions, z, a space, +0800, +08"
export_csv times.csv "$CALL_HDR" \
	"$(row f1 '2026-10-05T18:00:00.250+08:00' '2026-10-05T18:00:10.250+08:00' '2026-10-05T18:01:00.750+08:00' 60 50)" \
	"$(row f2 '2026-10-05T10:00:00z' '2026-10-05T10:00:00z' '2026-10-05T10:01:00z' 60 60)" \
	"$(row f3 '2026-10-05 10:00:00.000Z' '2026-10-05 10:00:05Z' '2026-10-05 10:01:00Z' 60 55)" \
	"$(row f4 '2026-10-05T18:00:00.125+0800' '2026-10-05T18:00:00.125+0800' '2026-10-05T18:00:30.125+08' 30 30)" \
	"$(row f5 '2026-10-05T10:00:00.123456789Z' '2026-10-05T10:00:00.123456789Z' '2026-10-05T10:00:01.123456Z' 1 1)"
fmctl -s "$S" usage --org $O times.csv >out 2>err || { cat err; fail "valid times refused"; }
ucat "$S" $oct | tail -n +2 | cut -d, -f1,8,9,10 | tr -d '\r' >got
# by instant (the fraction counts), then record_id; UTC, trailing zeros dropped
cat >want <<'W'
f2,2026-10-05T10:00:00Z,2026-10-05T10:00:00Z,2026-10-05T10:01:00Z
f3,2026-10-05T10:00:00Z,2026-10-05T10:00:05Z,2026-10-05T10:01:00Z
f5,2026-10-05T10:00:00.123456Z,2026-10-05T10:00:00.123456Z,2026-10-05T10:00:01.123456Z
f4,2026-10-05T10:00:00.125Z,2026-10-05T10:00:00.125Z,2026-10-05T10:00:30.125Z
f1,2026-10-05T10:00:00.25Z,2026-10-05T10:00:10.25Z,2026-10-05T10:01:00.75Z
W
diff want got || fail "normalised times"

note "times still refused: no offset, a date that does not exist"
export_csv nooff.csv "$CALL_HDR" "$(row n1 '2026-10-05 10:00:00' '2026-10-05 10:00:00' '2026-10-05 10:01:00' 60 60)"
expect_fail "nooff.csv:2: bad start_time '2026-10-05 10:00:00': no offset" fmctl -s "$S" usage --org $O nooff.csv
export_csv nodate.csv "$CALL_HDR" "$(row n2 2026-09-31T10:00:00Z 2026-09-31T10:00:00Z 2026-09-31T10:01:00Z 60 60)"
expect_fail "nodate.csv:2: bad start_time '2026-09-31T10:00:00Z': 2026-09-31 is not a date that exists" \
	fmctl -s "$S" usage --org $O nodate.csv

note "headers: any case, padded, reordered, extra and empty columns"
hdr='Record_ID, ORG_ID ,org_name,Wallet_Id,txn_id,leg_id,direction,start_time,answer_time,end_time,duration_s,talk_s,billable_s,caller,callee,status,dest_country,rate_per_min,price,cost,currency'
# currency moved to the front, a "notes" column, a trailing comma
IFS=, read -ra cols <<<"$hdr"
{
	printf 'Currency,%s,Notes,\r\n' "$(IFS=,; echo "${cols[*]:0:20}")"
	printf 'SGD,%s,first call of the day,\r\n' "$(row h1 2026-10-06T09:00:00+08:00 2026-10-06T09:00:00+08:00 2026-10-06T09:00:20+08:00 20 20 | tr -d '\r\n' | sed 's/,SGD$//')"
} >headers.csv
fmctl -s "$S" usage --org $O headers.csv >out 2>err || { cat err; fail "header variants refused"; }
grep -q "headers.csv:1: call columns ignored: 'Notes', (empty)" err || fail "ignored columns not named: $(cat err)"
assert_eq "$(grep -c 'ignored' err)" 1 "ignored columns named more than once"
ucat "$S" $O/Usage/2026-10/$O-2026-10-call-supplement-01.csv | tail -n +2 | tr -d '\r' >got
assert_eq "$(cat got)" "h1,o1,Lim Trading Pte Ltd,w1,TX-h1,a,outgoing,2026-10-06T01:00:00Z,2026-10-06T01:00:00Z,2026-10-06T01:00:20Z,20,20,20,+6561234567,+6598765432,answered,SG,0.030000,0.030000,0.020000,SGD" "reordered row"
note "a missing column is still an error"
sed '1s/,billable_s//' headers.csv >missing.csv
expect_fail "missing.csv:1: header matches no usage type: call column 'billable_s' missing" \
	fmctl -s "$S" usage --org $O missing.csv
sed '1s/Currency,/Currency,CURRENCY ,/; 2s/SGD,/SGD,SGD,/' headers.csv >dup.csv
expect_fail "dup.csv:1: column 'currency' given twice" fmctl -s "$S" usage --org $O dup.csv

note "DNC checked before 08:00 in Singapore: valid until its local date + 21 days"
dnc_row() {
	printf '%s,o1,Lim Trading Pte Ltd,w1,%s,B-77,voice,+6591234567,clear,%s,0.002,0.001,SGD\r\n' "$1" "$2" "$3"
}
export_csv dnc.csv "$DNC_HDR" "$(dnc_row d1 2026-10-15T07:30:00+08:00 2026-11-05)" \
	"$(dnc_row d2 2026-10-15T23:30:00+08:00 2026-11-05)"
fmctl -s "$S" usage --org $O dnc.csv >out 2>err || { cat err; fail "local-date valid_until refused"; }
ucat "$S" $O/Usage/2026-10/$O-2026-10-dnc.csv | tail -n +2 | cut -d, -f1,5,10 | tr -d '\r' >got
printf '%s\n' d1,2026-10-14T23:30:00Z,2026-11-05 d2,2026-10-15T15:30:00Z,2026-11-05 | diff - got ||
	fail "dnc rows"
export_csv dncutc.csv "$DNC_HDR" "$(dnc_row d3 2026-10-16T07:30:00+08:00 2026-11-05)"
expect_fail "dncutc.csv:2: valid_until is not the check date + 21 days (2026-11-06)" \
	fmctl -s "$S" usage --org $O dncutc.csv
