#!/usr/bin/env bash
# fmctl usage: records go to the UTC month of their start time (offsets,
# month and year ends, leap day), sorted by start time then record_id; open
# months are left and counted; --through caps; reruns are no-ops; the files
# are visible through the mount at once with a fixed mtime.
source "$FMFS_TOP/tests/lib.sh"
source "$FMFS_TOP/tests/usage-lib.sh"
S=$T/store M=$T/mnt O=acme.example
fmctl init "$S" >/dev/null
# mounted before the org exists: the whole store
fmfs_mount "$S" "$M"

export_csv calls.csv "$CALL_HDR" \
	"$(call c-nov0 2026-11-01T00:00:00Z 30)" \
	"$(call c-oct2 2026-11-01T07:59:59+08:00 5)" \
	"$(call c-oct1 2026-10-31T23:59:59Z 61)" \
	"$(call c-oct0 2026-10-01T00:00:00Z 0)" \
	"$(call c-sep 2026-09-30T23:59:59-00:30 1)" \
	"$(call c-dec-last 2026-12-31T23:59:59Z 10)" \
	"$(call c-dec-tz 2027-01-01T00:59:59+01:00 10)" \
	"$(call c-jan 2027-01-01T00:00:00Z 10)" \
	"$(call c-leap 2028-02-29T12:00:00Z 10)" \
	"$(call c-oct1 2026-10-31T23:59:59Z 61)"
# 2026-09-30T23:59:59-00:30 is 2026-10-01T00:29:59Z: October

# --now in December: Sep..Nov closed, Dec and later open
fmctl -s "$S" usage --org $O --now 2026-12-01T00:00:00Z calls.csv >out 2>err || { cat err; fail "usage failed"; }
cat out err
grep -q "2026-12 call: 2 records left" err || fail "December not left: $(cat err)"
grep -q "2027-01 call: 1 records left" err || fail "January not left"
grep -q "2028-02 call: 1 records left" err || fail "leap month not left"
grep -q "4 records of open months left" err || fail "open total"
oct=$O/Usage/2026-10/$O-2026-10-call.csv
nov=$O/Usage/2026-11/$O-2026-11-call.csv
ucat "$S" "$oct" >oct.csv
ucat "$S" "$nov" >nov.csv
# records sorted by start, then record_id; the offsets normalised to Z
cut -d, -f1,8 oct.csv | tr -d '\r' | tail -n +2 >got
printf '%s\n' c-oct0,2026-10-01T00:00:00Z c-sep,2026-10-01T00:29:59Z \
	c-oct1,2026-10-31T23:59:59Z c-oct2,2026-10-31T23:59:59Z >want
diff want got || fail "October rows"
assert_eq "$(tail -n +2 nov.csv | cut -d, -f1)" c-nov0 "November rows"
[ "$(fmctl -s "$S" ls $O/Usage | grep -c 2026-)" = 2 ] || fail "only Oct and Nov expected"

# the files are visible through the mount at once, with mtime = the first
# instant after the month
for _ in $(seq 50); do [ -f "$M/$oct" ] && break; sleep 0.1; done
cmp "$M/$oct" oct.csv || fail "mount shows other bytes"
assert_eq "$(stat -c %Y "$M/$oct")" "$(date -u -d 2026-11-01T00:00:00Z +%s)" "October mtime"
assert_eq "$(stat -c %Y "$M/$nov")" "$(date -u -d 2026-12-01T00:00:00Z +%s)" "November mtime"

# rerun: nothing changes (same bytes, same store)
before=$(store_state "$S")
sum=$(sha256sum <oct.csv)
fmctl -s "$S" usage --org $O --now 2026-12-01T00:00:00Z calls.csv >/dev/null 2>err2
assert_eq "$(store_state "$S")" "$before" "rerun changed the store"
assert_eq "$(ucat "$S" "$oct" | sha256sum)" "$sum" "rerun changed October"
grep -q "0 files added" err2 || fail "rerun added files"

# later run with --through 2027-01: December (year end, +01:00) and January
# only, the leap month stays open
FMFS_NOW=2030-01-01T00:00:00Z fmctl -s "$S" usage --org $O --through 2027-01 calls.csv >/dev/null 2>err3
grep -q "2028-02 call: 1 records left: the month is after --through" err3 || fail "--through: $(cat err3)"
dec=$(ucat "$S" $O/Usage/2026-12/$O-2026-12-call.csv | tail -n +2 | cut -d, -f1,8 | tr -d '\r')
assert_eq "$dec" "$(printf 'c-dec-last,2026-12-31T23:59:59Z\nc-dec-tz,2026-12-31T23:59:59Z')" "December"
ucat "$S" $O/Usage/2027-01/$O-2027-01-call.csv | grep -q '^c-jan,' || fail "January"
fmctl -s "$S" usage --org $O --now 2028-03-01T00:00:00Z calls.csv >/dev/null 2>&1
ucat "$S" $O/Usage/2028-02/$O-2028-02-call.csv | grep -q '^c-leap,.*,2028-02-29T12:00:00Z,' || fail "leap day"
# the open month is now closed: the leap file is there, nothing else changed
assert_eq "$(fmctl -s "$S" ls $O/Usage | grep -c 20)" 5 "months"

# the other types, in one run, type from the header or --type
export_csv sms.csv "$SMS_HDR" "$(sms s1 2026-10-15T10:00:00+02:00 3 0.01 0.03)" \
	"$(sms s2 2026-10-15T09:00:00Z 2 0.01 0 rejected)"
export_csv fax.csv "$FAX_HDR" "$(fax f1 2026-10-02T00:00:00Z 90 4)"
export_csv dnc.csv "$DNC_HDR" "$(dnc d1 2026-10-31T23:30:00-05:00)"
fmctl -s "$S" usage --org $O --now 2027-01-01T00:00:00Z sms.csv fax.csv dnc.csv 2>/dev/null
fmctl -s "$S" ls $O/Usage/2026-10 >ls
for t in call sms fax; do grep -q "$O-2026-10-$t.csv" ls || fail "no $t file"; done
ucat "$S" $O/Usage/2026-10/$O-2026-10-sms.csv | tail -n +2 | cut -d, -f1,6 | tr -d '\r' >got
printf '%s\n' s1,2026-10-15T08:00:00Z s2,2026-10-15T09:00:00Z | diff - got || fail "sms order"
# 2026-10-31T23:30:00-05:00 is November 1st in UTC: the DNC check is November's
fmctl -s "$S" ls $O/Usage/2026-11 | grep -q "$O-2026-11-dnc.csv" || fail "dnc month"
ucat "$S" $O/Usage/2026-11/$O-2026-11-dnc.csv | grep -q '2026-11-01T04:30:00Z,b1,voice,+15557654321,clear,2026-11-21,' || fail "dnc row"
# --type must agree with the header
expect_fail "fax column 'start_time' missing" fmctl -s "$S" usage --org $O --type fax sms.csv
fmctl -s "$S" usage --org $O --type sms --now 2027-01-01T00:00:00Z sms.csv 2>/dev/null
