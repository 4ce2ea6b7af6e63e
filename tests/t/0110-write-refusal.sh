# 0110-write-refusal.sh - every write through the mount fails and changes
# nothing: "Operation not permitted" from fmfs wherever the call reaches it
# (root; the owner of an owner-only mount); on a shared mount (allow_other,
# so default_permissions) the kernel answers a member's writes from the modes
# first ("Permission denied", or "Operation not permitted" for chmod and
# times); a user outside the group gets "Permission denied".
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

# refused WANT command...: the command fails saying WANT (an extended regex).
refused() {
	local want=$1 out rc=0
	shift
	out=$("$@" 2>&1) || rc=$?
	[ $rc -ne 0 ] || fail "expected failure from: $* - it succeeded: $out"
	grep -qE -- "$want" <<<"$out" || fail "expected '$want' from: $* - got (exit $rc): $out"
}

# try_writes WANT CHECK_W PREFIX...: every mutating command, run through
# PREFIX, fails saying WANT; CHECK_W=1: access(W_OK) says no too.
try_writes() {
	local want=$1 check_w=$2
	shift 2
	local -a as=("$@")
	refused "$want" "${as[@]}" touch "$file"
	refused "$want" "${as[@]}" touch "$dir/new.pdf"
	refused "$want" "${as[@]}" sh -c "echo x > '$file'"
	refused "$want" "${as[@]}" sh -c "echo x >> '$file'"
	refused "$want" "${as[@]}" sh -c "echo x > '$dir/new.pdf'"
	refused "$want" "${as[@]}" rm -f "$file"
	refused "$want" "${as[@]}" mv "$file" "$dir/renamed.pdf"
	refused "$want" "${as[@]}" mkdir "$dir/sub"
	refused "$want" "${as[@]}" rmdir "$mnt/Revenue"
	refused "$want" "${as[@]}" rm -rf "$mnt/Invoices"
	refused "$want" "${as[@]}" ln "$file" "$dir/hard.pdf"
	refused "$want" "${as[@]}" ln -s "$file" "$dir/soft.pdf"
	refused "$want" "${as[@]}" chmod 644 "$file"
	refused "$want" "${as[@]}" chmod 755 "$dir"
	refused "$want" "${as[@]}" truncate -s 0 "$file"
	refused "$want" "${as[@]}" setfattr -n user.x -v 1 "$file"
	refused "$want" "${as[@]}" setfattr -x user.fmfs.sha256 "$file"
	refused "$want" "${as[@]}" mknod "$dir/fifo" p
	refused "$want" "${as[@]}" touch -d 2000-01-01 "$dir"
	refused "$want" "${as[@]}" /usr/bin/python3 -c "import os; os.open('$file', os.O_RDWR)"
	# access(W_OK) fails, so file managers grey out delete and rename (on a
	# default_permissions mount the kernel answers it, and lets root write:
	# fmfs refuses then)
	if [ "$check_w" = 1 ]; then
		"${as[@]}" test -w "$file" && fail "test -w says the file is writable"
		"${as[@]}" test -w "$dir" && fail "test -w says the folder is writable"
	fi
	"${as[@]}" test -r "$file" || fail "test -r says the file is not readable"
	return 0
}

EPERM="Operation not permitted"
note "as root"
try_writes "$EPERM" 0 env
expect_fail "Operation not permitted" chown nobody "$file"

note "as an unprivileged member of the mount's group (setpriv, -o gid=4242)"
member=(setpriv --reuid=65534 --regid=65534 --groups=4242 --)
try_writes "Permission denied|$EPERM" 1 "${member[@]}"
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

note "an owner-only mount (no allow_other): every write reaches fmfs, EPERM"
fmfs_mount "$store" "$T/own"
file=$T/own/acme.example/Invoices/Incoming/2026-10/INV-2026-10-0001.pdf
dir=$(dirname "$file") mnt=$T/own/acme.example
try_writes "$EPERM" 1 env
assert_eq "$(store_state "$store")" "$before" "store state"
echo "all write-refusal checks passed"
