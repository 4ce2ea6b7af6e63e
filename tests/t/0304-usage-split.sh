#!/usr/bin/env bash
# A file holds at most 1,000,000 data rows (FMFS_CSV_MAX_ROWS lowers the
# limit for tests): beyond it -part001.csv, -part002.csv, ... each with the
# header, rows continuing in order; supplements split the same way.
source "$FMFS_TOP/tests/lib.sh"
source "$FMFS_TOP/tests/usage-lib.sh"
S=$T/store O=acme.example
export FMFS_NOW=2027-01-01T00:00:00Z FMFS_CSV_MAX_ROWS=3
fmctl init "$S" >/dev/null
rows=() more=() nov=()
for i in 1 2 3 4 5 6 7; do rows+=("$(call r$i 2026-10-0${i}T12:00:00Z 60)"); done
for i in 1 2 3 4; do more+=("$(call s$i 2026-10-1${i}T12:00:00Z 60)"); done
for i in 1 2 3; do nov+=("$(call n$i 2026-11-0${i}T12:00:00Z 60)"); done
export_csv x1.csv "$CALL_HDR" "${rows[@]}" "${nov[@]}"
fmctl -s "$S" usage --org $O x1.csv 2>/dev/null
D=$O/Usage/2026-10 B=$O-2026-10-call
assert_eq "$(fmctl -s "$S" ls $D | awk '{print $NF}' | tr '\n' ' ')" \
	"$B-part001.csv $B-part001.xlsx $B-part002.csv $B-part002.xlsx $B-part003.csv $B-part003.xlsx " \
	"October parts (each with its .xlsx view)"
for p in 1 2 3; do
	ucat "$S" $D/$B-part00$p.csv >p$p.csv
	assert_eq "$(head -n 1 p$p.csv)" "$(printf '\xef\xbb\xbf%s\r' "$CALL_HDR")" "header of part $p"
done
assert_eq "$(tail -q -n +2 p1.csv p2.csv p3.csv | cut -d, -f1 | tr '\n' ' ')" "r1 r2 r3 r4 r5 r6 r7 " "rows across parts"
# exactly the limit: one file, no part suffix
fmctl -s "$S" ls $O/Usage/2026-11 | grep -q " $O-2026-11-call.csv$" || fail "November should be one file"

note "a supplement of 4 records splits too; a rerun reads the parts back"
export_csv x2.csv "$CALL_HDR" "${more[@]}" "${rows[@]}"
fmctl -s "$S" usage --org $O x2.csv 2>/dev/null
assert_eq "$(fmctl -s "$S" ls $D | awk '{print $NF}' | grep supplement | tr '\n' ' ')" \
	"$B-supplement-01-part001.csv $B-supplement-01-part001.xlsx $B-supplement-01-part002.csv $B-supplement-01-part002.xlsx " \
	"supplement parts (each with its .xlsx view)"
assert_eq "$(ucat "$S" $D/$B-supplement-01-part002.csv | tail -n +2 | cut -d, -f1)" s4 "supplement part 2"
before=$(store_state "$S")
fmctl -s "$S" usage --org $O x1.csv x2.csv 2>/dev/null
assert_eq "$(store_state "$S")" "$before" "rerun changed the store"

expect_fail "FMFS_CSV_MAX_ROWS" env FMFS_CSV_MAX_ROWS=0 "$BIN/fmctl" -s "$S" usage --org $O x1.csv
assert_eq "$LAST_RC" 2 "bad FMFS_CSV_MAX_ROWS"
