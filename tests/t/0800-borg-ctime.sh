# 0800-borg-ctime.sh - backups stay cheap: every file has its own, stable
# ctime (ingest instant + node id as nanoseconds), so a second borg create
# over the mount reads again only the very newest file, not the whole
# newest ingest batch (borg never trusts files whose ctime equals the
# newest it saw). Also: the ctimes are the same after a remount.
source "$FMFS_TOP/tests/lib.sh"
command -v borg >/dev/null || skip "borg not installed (Debian borgbackup)"

store=$T/store mnt=$T/mnt src=$T/src
mkdir -p "$src"
fmctl init "$store" >/dev/null
n=20
for i in $(seq -w 1 $n); do
	printf 'invoice %s\n' "$i" >"$src/INV-$i.pdf"
	printf '%s\tacme.example\tinvoice\tincoming\t2026-10\t2026-11-01\t\n' "$src/INV-$i.pdf"
done >"$T/batch.tsv"
fmctl -s "$store" ingest --manifest "$T/batch.tsv" >/dev/null

fmfs_mount "$store" "$mnt" -o org=acme.example
files=$mnt/Invoices/Incoming/2026-10

note "distinct ctimes within the batch, newest = the last added"
stat -c '%n %.9Z' "$files"/* | sort >"$T/ctimes1"
assert_eq "$(awk '{print $2}' "$T/ctimes1" | sort -u | wc -l)" "$n" "distinct ctimes"
newest=$(sort -k2,2n "$T/ctimes1" | tail -n 1 | awk '{print $1}')
assert_eq "$(basename "$newest")" "INV-$n.pdf" "the newest ctime"

note "stable across a remount"
fmfs_umount "$mnt"
fmfs_mount "$store" "$mnt" -o org=acme.example
stat -c '%n %.9Z' "$files"/* | sort >"$T/ctimes2"
cmp "$T/ctimes1" "$T/ctimes2" || fail "ctimes changed across a remount: $(diff "$T/ctimes1" "$T/ctimes2")"

note "borg create twice: the second run reads only the newest file again"
export BORG_BASE_DIR=$T/borg-home BORG_PASSPHRASE='' \
	BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK=yes BORG_RELOCATED_REPO_ACCESS_IS_OK=yes
borg init -e none "$T/repo"
(cd "$mnt" && borg create --list --filter=AME "$T/repo::one" .) >"$T/borg1" 2>&1
assert_eq "$(grep -c '^A ' "$T/borg1")" "$n" "first run: every file added"
(cd "$mnt" && borg create --list --filter=AME "$T/repo::two" .) >"$T/borg2" 2>&1
cat "$T/borg2"
assert_eq "$(grep -cE '^[AME] ' "$T/borg2")" 1 "second run: files read again"
assert_eq "$(grep -E '^[AME] ' "$T/borg2")" "A Invoices/Incoming/2026-10/INV-$n.pdf" "the one file read again"
