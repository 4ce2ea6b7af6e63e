#!/usr/bin/env bash
# A record's identity spans the org's whole usage archive (docs/formats.md §3):
# a record exported again is the same record when its rated fields are equal
# by meaning (instants, money as numbers), whatever month, type or file holds
# it; org_name is descriptive. A corrected record is refused naming the
# archived file, also when the correction moves it into another month or
# type; a call leg is rated once. A month ingested by hand, in the export's
# own spelling, is indexed the first time fmctl usage meets the org.
source "$FMFS_TOP/tests/lib.sh"
source "$FMFS_TOP/tests/usage-lib.sh"
S=$T/store O=sgcloud.example
export FMFS_NOW=2026-12-15T00:00:00Z
fmctl init "$S" >/dev/null
oct=$O/Usage/2026-10/$O-2026-10-call.csv

# leg ID TXN LEG START DUR [ORG_NAME [PRICE COST]]: a call row with its own leg
leg() {
	call "$1" "$4" "$5" "${6:-Lim Trading Pte Ltd}" "${7:-0.05}" "${8:-0.03}" |
		sed "s/,t-$1,l1,/,$2,$3,/"
}

export_csv oct.csv "$CALL_HDR" \
	"$(leg CDR-1001 TX-501 a 2026-10-30T09:15:00+08:00 125)" \
	"$(leg CDR-1002 TX-502 a 2026-10-31T23:59:30Z 45 'Lim Trading Pte Ltd' 0.02 0.01)" \
	"$(leg CDR-1003 TX-502 b 2026-10-31T23:59:40Z 35 'Lim Trading Pte Ltd' 0.02 0.01)"
fmctl -s "$S" usage --org $O oct.csv >/dev/null 2>err || { cat err; fail "October"; }
before=$(store_state "$S")

note "a corrected start time moving a record into November is refused"
export_csv nov.csv "$CALL_HDR" \
	"$(leg CDR-2001 TX-601 a 2026-11-03T10:00:00+08:00 60)" \
	"$(leg CDR-1002 TX-502 a 2026-11-01T00:00:10Z 45 'Lim Trading Pte Ltd' 0.02 0.01)"
expect_fail "nov.csv:3: record_id CDR-1002 is already archived in $oct with different rated fields" \
	fmctl -s "$S" usage --org $O nov.csv
assert_eq "$(store_state "$S")" "$before" "a refused run changed the store"

note "a corrected price in the same month is refused too"
export_csv fix.csv "$CALL_HDR" "$(leg CDR-1001 TX-501 a 2026-10-30T09:15:00+08:00 125 'Lim Trading Pte Ltd' 0.06 0.03)"
expect_fail "fix.csv:2: record_id CDR-1001 is already archived in $oct with different rated fields" \
	fmctl -s "$S" usage --org $O fix.csv

note "the same record_id as another type is refused"
export_csv sms.csv "$SMS_HDR" "$(sms CDR-1001 2026-10-30T01:15:00Z 1 0.05 0.05)"
expect_fail "sms.csv:2: record_id CDR-1001 is already archived in $oct with different rated fields" \
	fmctl -s "$S" usage --org $O sms.csv
assert_eq "$(store_state "$S")" "$before" "a refused run changed the store"

note "a second record_id for an archived call leg is refused"
export_csv leg2.csv "$CALL_HDR" "$(leg CDR-9002 TX-502 a 2026-10-31T23:59:30Z 45 'Lim Trading Pte Ltd' 0.02 0.01)"
expect_fail "leg2.csv:2: record_id CDR-9002 rates call leg (txn_id TX-502, leg_id a), already rated as record_id CDR-1002 in $oct" \
	fmctl -s "$S" usage --org $O leg2.csv
note "... and two record_ids for one leg in one export"
export_csv leg3.csv "$CALL_HDR" \
	"$(leg CDR-3001 TX-700 a 2026-11-05T08:00:00Z 30)" \
	"$(leg CDR-3002 TX-700 a 2026-11-05T08:00:00Z 30)"
expect_fail "record_id CDR-3002 rates call leg (txn_id TX-700, leg_id a), also rated as record_id CDR-3001" \
	fmctl -s "$S" usage --org $O leg3.csv
assert_eq "$(store_state "$S")" "$before" "a refused run changed the store"

note "the customer renamed since: the same record, the archived row stands"
export_csv renamed.csv "$CALL_HDR" \
	"$(leg CDR-1001 TX-501 a 2026-10-30T01:15:00Z 125 'Lim Trading Holdings Pte Ltd')" \
	"$(leg CDR-2001 TX-601 a 2026-11-03T10:00:00+08:00 60 'Lim Trading Holdings Pte Ltd')"
fmctl -s "$S" usage --org $O renamed.csv >out 2>err || { cat err; fail "renamed customer refused"; }
grep -q "2026-10 call: 0 new records, 1 already archived" err || fail "summary: $(cat err)"
ucat "$S" $oct | grep -q '^CDR-1001,o1,Lim Trading Pte Ltd,' || fail "the archived row changed"
ucat "$S" $O/Usage/2026-11/$O-2026-11-call.csv | grep -q '^CDR-2001,o1,Lim Trading Holdings Pte Ltd,' ||
	fail "November"

note "a month ingested by hand (0.012, +08:00) is compared by meaning"
sep=$O-2026-09-call.csv
# the platform's own export, archived as it came: offsets, short money
export_csv "$sep" "$CALL_HDR" \
	"$(leg CDR-0901 TX-401 a 2026-09-10T12:00:00+08:00 60 'Lim Trading Pte Ltd' 0.012 0.0075)" \
	"$(leg CDR-0902 TX-402 a 2026-09-11T18:30:00+08:00 0 'Lim Trading Pte Ltd' 0 0)"
fmctl -s "$S" ingest --org $O --kind usage --period 2026-09 "$sep" >/dev/null
# met again through a later export: UTC, 6 decimals, the customer renamed
export_csv again.csv "$CALL_HDR" \
	"$(leg CDR-0901 TX-401 a 2026-09-10T04:00:00Z 60 'Lim Trading Holdings Pte Ltd' 0.012000 0.007500)" \
	"$(leg CDR-0902 TX-402 a 2026-09-11T10:30:00Z 0 'Lim Trading Holdings Pte Ltd' 0.000000 0.000000)"
fmctl -s "$S" usage --org $O again.csv >out 2>err || { cat err; fail "the hand-ingested month was not recognised"; }
grep -q "2026-09 call: 0 new records, 2 already archived" err || fail "summary: $(cat err)"
grep -q "0 files added" err || fail "files added: $(cat err)"
note "... and a real change to it is refused, naming the file"
export_csv again2.csv "$CALL_HDR" \
	"$(leg CDR-0901 TX-401 a 2026-09-10T04:00:01Z 59 'Lim Trading Pte Ltd' 0.012 0.0075)"
expect_fail "again2.csv:2: record_id CDR-0901 is already archived in $O/Usage/2026-09/$sep with different rated fields" \
	fmctl -s "$S" usage --org $O again2.csv
