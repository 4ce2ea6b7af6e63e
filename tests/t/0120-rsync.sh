# 0120-rsync.sh - a backup job's view: rsync -a of the mount twice, the
# second run transferring nothing; a new file makes exactly one transfer;
# tar of the mount matches the originals.
source "$FMFS_TOP/tests/lib.sh"
command -v rsync >/dev/null || skip "rsync is not installed"

store=$T/store mnt=$T/mnt
make_demo "$store"
fmfs_mount "$store" "$mnt" -o org=acme.example

transferred() { sed -n 's/^Number of regular files transferred: //p' <<<"$1" | tr -d ,; }

out=$(rsync -a --stats "$mnt/" "$T/backup/")
total=$(find "$mnt" -type f | wc -l)
assert_eq "$(transferred "$out")" "$total" "first rsync transfers every file"
diff -r "$mnt" "$T/backup" || fail "backup differs from the mount"

sleep 1.1 # a changed folder mtime would show now
out=$(rsync -a --stats "$mnt/" "$T/backup/")
assert_eq "$(transferred "$out")" 0 "second rsync transfers nothing"
rsync -a --itemize-changes --dry-run "$mnt/" "$T/backup/" >"$T/changes"
[ ! -s "$T/changes" ] || fail "second rsync would change: $(head -3 "$T/changes")"

echo new >"$T/new.pdf"
fmctl -s "$store" ingest --org acme.example --kind invoice --direction outgoing \
	--period 2026-10 --date 2026-11-05 "$T/new.pdf"
sleep 0.5
out=$(rsync -a --stats "$mnt/" "$T/backup/")
assert_eq "$(transferred "$out")" 1 "after one ingest rsync transfers one file"
out=$(rsync -a --stats "$mnt/" "$T/backup/")
assert_eq "$(transferred "$out")" 0 "and then nothing again"

tar -C "$mnt" -cf "$T/a.tar" . || fail "tar of the mount failed"
mkdir "$T/untar" && tar -C "$T/untar" -xf "$T/a.tar"
diff -r "$mnt" "$T/untar" || fail "tar copy differs"
echo "rsync checks passed"
