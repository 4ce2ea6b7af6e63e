# 0130-live.sh - files ingested while mounted appear within a second without
# a remount (also names looked up before they existed, and new folders),
# never half-visible; archived files and folder mtimes stay put otherwise.
source "$FMFS_TOP/tests/lib.sh"

store=$T/store mnt=$T/mnt
make_demo "$store"
fmfs_mount "$store" "$mnt" -o org=acme.example
dir=$mnt/Invoices/Outgoing/2026-10

# within_1s TEST...: poll the condition for up to 1 s.
within_1s() {
	local deadline=$(($(date +%s%N) + 1000000000))
	while [ "$(date +%s%N)" -lt $deadline ]; do
		"$@" && return 0
		sleep 0.02
	done
	"$@"
}

ls -l "$dir" >/dev/null
old_mtime=$(stat -c %Y "$dir")
file_before=$(stat -c '%i %Y %s' "$dir/ACME-2026-10-C001.pdf")
stat "$dir/late.pdf" 2>/dev/null && fail "late.pdf exists before ingest"
stat "$mnt/Invoices/Outgoing/2027-01" 2>/dev/null && fail "2027-01 exists before ingest"

note "a file in an existing folder (name looked up before: negative entry)"
head -c 200000 /dev/urandom >"$T/late.pdf"
sleep 1.1 # so the folder's new mtime differs
fmctl -s "$store" ingest --org acme.example --kind invoice --direction outgoing \
	--period 2026-10 --date 2026-11-03 "$T/late.pdf"
within_1s test -f "$dir/late.pdf" || fail "late.pdf not visible within 1 s"
within_1s sh -c "ls '$dir' | grep -qx late.pdf" || fail "late.pdf not listed within 1 s"
cmp "$T/late.pdf" "$dir/late.pdf"
within_1s test "$(stat -c %Y "$dir")" -gt "$old_mtime" || fail "folder mtime did not move"
assert_eq "$(stat -c '%i %Y %s' "$dir/ACME-2026-10-C001.pdf")" "$file_before" "existing file changed"

note "a file in a new folder"
echo jan >"$T/jan.pdf"
fmctl -s "$store" ingest --org acme.example --kind invoice --direction outgoing \
	--period 2027-01 "$T/jan.pdf"
within_1s test -f "$mnt/Invoices/Outgoing/2027-01/jan.pdf" || fail "new folder not visible within 1 s"
within_1s test "$(stat -c %h "$mnt/Invoices/Outgoing")" = 5 || fail "nlink of Outgoing not updated"

note "a new org appears in the operator's view"
fmfs_mount "$store" "$T/all"
ls "$T/all" >/dev/null
fmctl -s "$store" ingest --org new.example --kind report --period 2026-10 "$T/jan.pdf"
within_1s test -f "$T/all/new.example/Reports/2026-10/jan.pdf" || fail "new org not visible within 1 s"

note "never half-visible: a reader polling during a large ingest sees all or nothing"
head -c 30000000 /dev/urandom >"$T/big.bin"
want=$(sha256sum <"$T/big.bin" | cut -d' ' -f1)
(
	# poll until the file shows, or 2 s after the ingest has returned
	while :; do
		if [ -e "$mnt/Reports/2026-10/big.bin" ]; then
			got=$(sha256sum <"$mnt/Reports/2026-10/big.bin" | cut -d' ' -f1)
			[ "$got" = "$want" ] || { echo "half-visible: $got"; exit 1; }
			exit 0
		fi
		if [ -e "$T/ingest-done" ] && [ $(($(date +%s%N) - $(cat "$T/ingest-done"))) -gt 2000000000 ]; then
			echo "never appeared"; exit 1
		fi
		sleep 0.01
	done
) &
reader=$!
fmctl -s "$store" ingest --org acme.example --kind report --period 2026-10 "$T/big.bin"
date +%s%N >"$T/ingest-done.tmp" && mv "$T/ingest-done.tmp" "$T/ingest-done"
wait $reader || fail "reader saw a partial file"
echo "live checks passed"
