#!/usr/bin/env bash
# Status and charge agree (docs/formats.md §3): what is not answered, rejected or
# failed costs nothing and has no talk time or pages; usage money is never
# negative; country and currency codes come from the real ISO lists. Each
# refusal names FILE:LINE and nothing is ingested; the valid forms pass.
source "$FMFS_TOP/tests/lib.sh"
source "$FMFS_TOP/tests/usage-lib.sh"
S=$T/store O=sgcloud.example
export FMFS_NOW=2026-12-15T00:00:00Z
fmctl init "$S" >/dev/null
before=$(store_state "$S")

# refused WHY ROW [HEADER]: a one-record export is refused with FILE:2: WHY
n=0
refused() {
	n=$((n + 1))
	export_csv "bad$n.csv" "${3:-$CALL_HDR}" "$2"
	expect_fail "bad$n.csv:2: $1" fmctl -s "$S" usage --org $O "bad$n.csv"
	assert_eq "$(store_state "$S")" "$before" "bad$n.csv changed the store"
}
# a call leg: ID STATUS ANSWER_TIME TALK_S PRICE COST [COUNTRY [CCY]]
# (10:00:00 to 10:01:00 UTC)
leg() {
	printf '%s,o1,Lim Trading Pte Ltd,w1,TX-%s,a,outgoing,2026-10-05T10:00:00Z,%s,2026-10-05T10:01:00Z,60,%s,%s,+6561234567,+6598765432,%s,%s,0.030,%s,%s,%s\r\n' \
		"$1" "$1" "$3" "$4" "$4" "$2" "${7:-SG}" "$5" "$6" "${8:-SGD}"
}
# fax ID STATUS PAGES PRICE COST
fx() {
	printf '%s,o1,Lim Trading Pte Ltd,w1,outgoing,2026-10-06T09:00:00+08:00,2026-10-06T09:02:00+08:00,120,+6561234567,+6562223333,SG,%s,%s,0.10,%s,%s,SGD\r\n' \
		"$1" "$3" "$2" "$4" "$5"
}

note "calls"
refused "a call with status unanswered has price and cost 0" "$(leg c1 unanswered '' 0 0.03 0.02)"
refused "a call with status busy has no answer_time" "$(leg c2 busy 2026-10-05T10:00:30Z 30 0 0)"
refused "a call with status busy has talk_s 0 (not 30)" "$(leg c3 busy '' 30 0 0)"
refused "a call with status cancel has price and cost 0" "$(leg c4 cancel '' 0 0 0.01)"
refused "an answered call has an answer_time" "$(leg c5 answered '' 0 0.03 0.02)"
refused "price is negative" "$(leg c6 answered 2026-10-05T10:00:00Z 60 -0.03 0.02)"
refused "cost is negative" "$(leg c7 answered 2026-10-05T10:00:00Z 60 0.03 -0.02)"
refused "bad dest_country 'UK'" "$(leg c8 answered 2026-10-05T10:00:00Z 60 0.03 0.02 UK)"
refused "bad dest_country 'ZZ'" "$(leg c9 answered 2026-10-05T10:00:00Z 60 0.03 0.02 ZZ)"
refused "bad currency 'SGX'" "$(leg c10 answered 2026-10-05T10:00:00Z 60 0.03 0.02 SG SGX)"
refused "bad currency 'XYZ'" "$(leg c11 answered 2026-10-05T10:00:00Z 60 0.03 0.02 SG XYZ)"

note "sms"
refused "a rejected sms has price and cost 0" "$(sms s1 2026-10-07T02:00:00Z 2 0.02 0.04 rejected 0)" "$SMS_HDR"
refused "a rejected sms has price and cost 0" "$(sms s2 2026-10-07T02:00:00Z 2 0.02 0 rejected 0.004)" "$SMS_HDR"
refused "price 0.050000 is neither 0 nor segments x rate_per_segment (0.040000)" \
	"$(sms s3 2026-10-07T02:00:00Z 2 0.02 0.05)" "$SMS_HDR"
refused "price is negative" "$(sms s4 2026-10-07T02:00:00Z 2 0.02 -0.04)" "$SMS_HDR"

note "fax"
refused "a fax with status failed has pages 0 (not 3)" "$(fx f1 failed 3 0.30 0.12)" "$FAX_HDR"
refused "a fax with status busy has price and cost 0" "$(fx f2 busy 0 0.10 0)" "$FAX_HDR"
refused "a fax with status no_answer has price and cost 0" "$(fx f3 no_answer 0 0 0.05)" "$FAX_HDR"

note "the valid forms pass"
export_csv ok.csv "$CALL_HDR" \
	"$(leg k1 answered 2026-10-05T10:00:20Z 40 0.02 0.012 XK EUR)" \
	"$(leg k2 unanswered '' 0 0 0 SG SGD)" \
	"$(leg k3 busy '' 0 0.000000 0.000000 '' SGD)"
export_csv oksms.csv "$SMS_HDR" \
	"$(sms t1 2026-10-07T02:00:00Z 2 0.02 0.04)" \
	"$(sms t2 2026-10-07T02:00:01Z 3 0.02 0 pending)" \
	"$(sms t3 2026-10-07T02:00:02Z 1 0.02 0 rejected)"
export_csv okfax.csv "$FAX_HDR" "$(fx g1 success 3 0.30 0.12)" "$(fx g2 failed 0 0 0)"
fmctl -s "$S" usage --org $O ok.csv oksms.csv okfax.csv >out 2>err || { cat err; fail "valid rows refused"; }
grep -q "2026-10 call: 3 new records" err || fail "calls: $(cat err)"
grep -q "2026-10 sms: 3 new records" err || fail "sms: $(cat err)"
grep -q "2026-10 fax: 2 new records" err || fail "fax: $(cat err)"
