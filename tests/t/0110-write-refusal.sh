# 0110-write-refusal.sh - every write through the mount fails with "Operation
# not permitted" and changes nothing, for root and for a reader in the
# mount's group; a user outside the group gets "Permission denied".
source "$FMFS_TOP/tests/lib.sh"

store=$T/store mnt=$T/mnt
chmod 755 "$T" # other users must reach the mount point
make_demo "$store"
fmfs_mount "$store" "$mnt" -o org=acme.example,allow_other,gid=4242
dir=$mnt/Invoices/Incoming/2026-10
file=$dir/INV-2026-10-0001.pdf
before=$(store_state "$store")
listing=$(ls -lR --time-style=+%s "$mnt")
sum=$(sha256sum "$file")

# try_writes PREFIX...: every mutating command, run through PREFIX.
try_writes() {
	local -a as=("$@")
	expect_fail "Operation not permitted" "${as[@]}" touch "$file"
	expect_fail "Operation not permitted" "${as[@]}" touch "$dir/new.pdf"
	expect_fail "Operation not permitted" "${as[@]}" sh -c "echo x > '$file'"
	expect_fail "Operation not permitted" "${as[@]}" sh -c "echo x >> '$file'"
	expect_fail "Operation not permitted" "${as[@]}" sh -c "echo x > '$dir/new.pdf'"
	expect_fail "Operation not permitted" "${as[@]}" rm -f "$file"
	expect_fail "Operation not permitted" "${as[@]}" mv "$file" "$dir/renamed.pdf"
	expect_fail "Operation not permitted" "${as[@]}" mkdir "$dir/sub"
	expect_fail "Operation not permitted" "${as[@]}" rmdir "$mnt/Revenue"
	expect_fail "Operation not permitted" "${as[@]}" rm -rf "$mnt/Invoices"
	expect_fail "Operation not permitted" "${as[@]}" ln "$file" "$dir/hard.pdf"
	expect_fail "Operation not permitted" "${as[@]}" ln -s "$file" "$dir/soft.pdf"
	expect_fail "Operation not permitted" "${as[@]}" chmod 644 "$file"
	expect_fail "Operation not permitted" "${as[@]}" chmod 755 "$dir"
	expect_fail "Operation not permitted" "${as[@]}" truncate -s 0 "$file"
	expect_fail "Operation not permitted" "${as[@]}" setfattr -n user.x -v 1 "$file"
	expect_fail "Operation not permitted" "${as[@]}" setfattr -x user.fmfs.sha256 "$file"
	expect_fail "Operation not permitted" "${as[@]}" mknod "$dir/fifo" p
	expect_fail "Operation not permitted" "${as[@]}" touch -d 2000-01-01 "$dir"
	expect_fail "Operation not permitted" "${as[@]}" /usr/bin/python3 -c "import os; os.open('$file', os.O_RDWR)"
	# access(W_OK) fails, so file managers grey out delete and rename
	"${as[@]}" test -w "$file" && fail "test -w says the file is writable"
	"${as[@]}" test -w "$dir" && fail "test -w says the folder is writable"
	"${as[@]}" test -r "$file" || fail "test -r says the file is not readable"
	return 0
}

note "as root"
try_writes env
expect_fail "Operation not permitted" chown nobody "$file"

note "as an unprivileged member of the mount's group (setpriv, -o gid=4242)"
member=(setpriv --reuid=65534 --regid=65534 --groups=4242 --)
try_writes "${member[@]}"
"${member[@]}" cat "$file" >/dev/null || fail "a group member cannot read"
"${member[@]}" ls "$dir" >/dev/null || fail "a group member cannot list"

note "as a user outside the group: Permission denied even for reading"
outsider=(setpriv --reuid=65534 --regid=65534 --clear-groups --)
expect_fail "Permission denied" "${outsider[@]}" ls "$mnt/SOA"
expect_fail "Permission denied" "${outsider[@]}" cat "$mnt/SOA/Incoming/2026-10/SOA-2026-10.pdf"
expect_fail "Permission denied" "${outsider[@]}" cat "$file"
expect_fail "Permission denied" "${outsider[@]}" getfattr -n user.fmfs.sha256 "$file"

note "nothing changed"
assert_eq "$(store_state "$store")" "$before" "store state"
assert_eq "$(ls -lR --time-style=+%s "$mnt")" "$listing" "listing"
assert_eq "$(sha256sum "$file")" "$sum" "content"
echo "all write-refusal checks passed"
