#!/usr/bin/env bash
# fmctl usage refuses bad input whole: one line "FILE:LINE: what", exit 1,
# nothing ingested for any month (store_state unchanged), even when other
# exports of the same run are good. Empty exports are fine.
source "$FMFS_TOP/tests/lib.sh"
source "$FMFS_TOP/tests/usage-lib.sh"
S=$T/store O=acme.example
NOW=2026-12-01T00:00:00Z
fmctl init "$S" >/dev/null
export_csv good.csv "$CALL_HDR" "$(call g1 2026-10-05T10:00:00Z 60)"
export_csv good2.csv "$CALL_HDR" "$(call g2 2026-11-05T10:00:00Z 60)"
fmctl -s "$S" usage --org $O --now $NOW good.csv 2>/dev/null
before=$(store_state "$S")

# refused MESSAGE FILE...: fails with exit 1, one line, store unchanged
refused() {
	local want=$1
	shift
	expect_fail "$want" fmctl -s "$S" usage --org $O --now $NOW good2.csv "$@"
	assert_eq "$LAST_RC" 1 "exit status for $want"
	assert_eq "$(wc -l <<<"$LAST_OUT")" 1 "one line for $want: $LAST_OUT"
	assert_eq "$(store_state "$S")" "$before" "store changed by $want"
}
# bad NAME ROW: an export with one good and one bad record (line 3)
bad() { export_csv "$1" "$CALL_HDR" "$(call ok-$1 2026-10-06T00:00:00Z 1)" "$2"; }
good_row=$(call x1 2026-10-07T00:00:00Z 60)
sub() { sed "s/$1/$2/" <<<"$good_row"; }

bad t1.csv "$(sub 2026-10-07T00:00:00Z, 2026-13-01T00:00:00Z,)"
refused "fmctl usage: t1.csv:3: bad start_time '2026-13-01T00:00:00Z'" t1.csv
bad t2.csv "$(sub 2026-10-07T00:00:00Z, 2026-10-07T00:00:00,)"
refused "t2.csv:3: bad start_time '2026-10-07T00:00:00'" t2.csv
bad t3.csv "$(sub 2026-10-07T00:00:00Z, 2026-02-29T00:00:00Z,)"
refused "t3.csv:3: bad start_time '2026-02-29T00:00:00Z'" t3.csv
bad t4.csv "$(sub 2026-10-07T00:00:00Z, 2026-10-07T00:00:00+25:00,)"
refused "t4.csv:3: bad start_time" t4.csv
bad m1.csv "$(sub ,0.015,0.01,USD ,\"1,5\",0.01,USD)"
refused "m1.csv:3: bad price '1,5'" m1.csv
bad m2.csv "$(sub ,0.015,0.01,USD ,1e3,0.01,USD)"
refused "m2.csv:3: bad price '1e3'" m2.csv
bad m3.csv "$(sub ,0.015,0.01,USD ,0.015,0.01,usd)"
refused "m3.csv:3: bad currency 'usd'" m3.csv
bad e1.csv "$(sub answered ringing)"
refused "e1.csv:3: bad status 'ringing'" e1.csv
bad e2.csv "$(sub outgoing Outgoing)"
refused "e2.csv:3: bad direction 'Outgoing'" e2.csv
bad c1.csv "$(sub ,USD ,USD,extra)"
refused "c1.csv:3: 22 fields, the header has 21" c1.csv
bad c2.csv "$(sub ,0.01,USD ,USD)"
refused "c2.csv:3: 20 fields, the header has 21" c2.csv
bad u1.csv "$(sub ,Acme, ,Ac$'\xff'me,)"
refused "u1.csv:3: invalid UTF-8" u1.csv
bad q1.csv "$(sub ,Acme, ,\"Acme,)"
refused "q1.csv:3: unterminated quote" q1.csv
bad i1.csv "$(sub ^x1, 'x 1,')"
refused "i1.csv:3: bad record_id 'x 1'" i1.csv
bad d1.csv "$(sub ,60,60,60, ,61,60,60,)"
refused "d1.csv:3: duration_s 61 is not end_time - start_time (60)" d1.csv
bad d2.csv "$(sub ,60,60,60, ,60,60,59,)"
refused "d2.csv:3: billable_s 59 is less than talk_s 60" d2.csv
# a header that is no usage type
printf 'record_id,when\r\nx,y\r\n' >h1.csv
refused "h1.csv:1: header matches no usage type" h1.csv
# duplicate record_id with different fields, across two files
export_csv dup1.csv "$CALL_HDR" "$good_row"
export_csv dup2.csv "$CALL_HDR" "$(call y 2026-10-01T00:00:00Z 1)" "$(sub ,0.015,0.01,USD ,0.016,0.01,USD)"
refused "dup2.csv:3: record_id x1 seen before with different fields (dup1.csv:2)" dup1.csv dup2.csv
# ... also when the other copy belongs to a month still open
export_csv dup3.csv "$CALL_HDR" "$(call x1 2026-12-07T00:00:00Z 60)"
refused "dup3.csv:2: record_id x1 seen before with different fields (dup1.csv:2)" dup1.csv dup3.csv
# the same record twice is one record (and later, the same again: a no-op)
export_csv same.csv "$CALL_HDR" "$good_row" "$good_row"
# a missing export
refused "nothere.csv: cannot open" nothere.csv
# an org that is no domain name
expect_fail "org 'Acme_Inc' is not a valid domain name" fmctl -s "$S" usage --org Acme_Inc --now $NOW good.csv
assert_eq "$LAST_RC" 1 "exit for a bad org"
assert_eq "$(store_state "$S")" "$before" "store changed by a bad org"
# usage errors: exit 2
expect_fail "--through" fmctl -s "$S" usage --org $O --through 2026-13 good.csv
assert_eq "$LAST_RC" 2 "exit for a bad --through"
expect_fail "--now" fmctl -s "$S" usage --org $O --now yesterday good.csv
assert_eq "$LAST_RC" 2 "exit for a bad --now"
expect_fail "--type" fmctl -s "$S" usage --org $O --type mms good.csv
assert_eq "$(store_state "$S")" "$before" "store changed by usage errors"

# empty exports: nothing to do, exit 0
: >empty.csv
printf '%s\r\n' "$CALL_HDR" >header-only.csv
fmctl -s "$S" usage --org $O --now $NOW empty.csv header-only.csv 2>err || fail "empty export refused: $(cat err)"
assert_eq "$(store_state "$S")" "$before" "empty exports changed the store"

# the good exports of the failed runs were never ingested: now they are
fmctl -s "$S" usage --org $O --now $NOW good2.csv same.csv 2>/dev/null
fmctl -s "$S" ls $O/Usage/2026-11 | grep -q "$O-2026-11-call.csv" || fail "good2 not ingested"
ucat "$S" $O/Usage/2026-10/$O-2026-10-call-supplement-01.csv | grep -c '^x1,' | grep -qx 1 || fail "duplicate counted twice"
