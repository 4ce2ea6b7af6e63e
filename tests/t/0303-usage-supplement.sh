#!/usr/bin/env bash
# Late records for an archived month go into -supplement-01.csv, -02, ...
# holding only the new records; the archived files are never replaced; a
# late record that contradicts the archive is refused; all visible at once
# through a mount of the org.
source "$FMFS_TOP/tests/lib.sh"
source "$FMFS_TOP/tests/usage-lib.sh"
S=$T/store M=$T/mnt O=acme.example
export FMFS_NOW=2026-12-15T00:00:00Z
fmctl init "$S" >/dev/null
a=$(call a 2026-10-03T00:00:00Z 60) b=$(call b 2026-10-01T00:00:00Z 60)
c=$(call c 2026-10-02T00:00:00Z 60) d=$(call d 2026-11-30T23:00:00+01:00 60)
e=$(call e 2026-10-31T23:59:59Z 60)
export_csv x1.csv "$CALL_HDR" "$a" "$b"
fmctl -s "$S" usage --org $O x1.csv 2>/dev/null
main=$O/Usage/2026-10/$O-2026-10-call.csv
ucat "$S" $main >main.csv
main_sum=$(sha256sum <main.csv)

fmfs_mount "$S" "$M" -o org=$O
U=$M/Usage

note "late record c and a new month: supplement-01 holds only c"
export_csv x2.csv "$CALL_HDR" "$d" "$c" "$b" "$a"
fmctl -s "$S" usage --org $O x2.csv >out 2>err || { cat err; fail "run 2"; }
grep -q "2026-10 call: 1 new records (supplement), 2 already archived" err || fail "summary: $(cat err)"
assert_eq "$(ucat "$S" $main | sha256sum)" "$main_sum" "main file changed"
s1=$O/Usage/2026-10/$O-2026-10-call-supplement-01.csv
ucat "$S" $s1 >s1.csv
assert_eq "$(tail -n +2 s1.csv | cut -d, -f1)" c "supplement-01 rows"
head -c 3 s1.csv | od -An -tx1 | grep -q 'ef bb bf' || fail "supplement without BOM"
# visible through the mount at once, with the month's fixed mtime
for _ in $(seq 50); do [ -f "$U/2026-10/$O-2026-10-call-supplement-01.csv" ] && break; sleep 0.1; done
cmp "$U/2026-10/$O-2026-10-call-supplement-01.csv" s1.csv || fail "mount: supplement"
assert_eq "$(stat -c %Y "$U/2026-10/$O-2026-10-call-supplement-01.csv")" \
	"$(date -u -d 2026-11-01 +%s)" "supplement mtime"
for _ in $(seq 50); do [ -f "$U/2026-11/$O-2026-11-call.csv" ] && break; sleep 0.1; done
[ -f "$U/2026-11/$O-2026-11-call.csv" ] || fail "mount: November"
ucat "$S" $O/Usage/2026-11/$O-2026-11-call.csv | grep -q '^d,.*,2026-11-30T22:00:00Z,2026-11-30T22:00:00Z,2026-11-30T22:01:00Z,' ||
	fail "d (23:00+01:00 on Nov 30) in UTC"

note "the same exports again: nothing changes"
before=$(store_state "$S")
fmctl -s "$S" usage --org $O x1.csv x2.csv 2>/dev/null
assert_eq "$(store_state "$S")" "$before" "rerun changed the store"

note "another late record: supplement-02 with only it"
export_csv x3.csv "$CALL_HDR" "$e" "$c" "$a"
fmctl -s "$S" usage --org $O x3.csv 2>/dev/null
assert_eq "$(ucat "$S" $O/Usage/2026-10/$O-2026-10-call-supplement-02.csv | tail -n +2 | cut -d, -f1)" e "supplement-02"
assert_eq "$(ls "$U/2026-10" | tr '\n' ' ')" \
	"$O-2026-10-call-supplement-01.csv $O-2026-10-call-supplement-01.xlsx $O-2026-10-call-supplement-02.csv $O-2026-10-call-supplement-02.xlsx $O-2026-10-call.csv $O-2026-10-call.xlsx " \
	"October files (each CSV with its .xlsx view)"

note "a late copy of an archived record with other fields is refused"
before=$(store_state "$S")
export_csv x4.csv "$CALL_HDR" "$(call new 2026-10-09T00:00:00Z 1)" "$(call a 2026-10-03T00:00:00Z 60 Acme 0.02)"
expect_fail "x4.csv:3: record_id a is already archived in $O/Usage/2026-10/$O-2026-10-call.csv with different rated fields" fmctl -s "$S" usage --org $O x4.csv
assert_eq "$LAST_RC" 1 "exit status"
assert_eq "$(store_state "$S")" "$before" "store changed"
