# 0950-remote-mount.sh - publish an org to an nginx HTTPS web root (test CA,
# basic auth via netrc), mount it with fmfs https://…, and check that it is
# the same tree as a local mount: browse, contents, identity (inodes, modes,
# mtimes, sizes, xattrs), write refusal, rsync -aX agreeing entry by entry,
# the root's status xattrs and fmctl status; a second mount from the cache.
source "$FMFS_TOP/tests/lib.sh"
source "$FMFS_TOP/tests/lib-remote.sh"
source "$FMFS_TOP/tests/lib-publish.sh"

store=$T/store www=$T/www
publish_demo "$store" "$www"
start_nginx "$T" --tls --auth reader:s3cret --http2
write_netrc "$T/netrc" reader s3cret
url=$NGINX_URL/www

note "publish wrote a manifest, one delta and the org's blobs only"
[ -f "$www/manifest" ] || fail "no manifest"
assert_eq "$(ls "$www/deltas" | wc -l)" 1 "deltas"
assert_eq "$(find "$www/objects" -type f | wc -l)" 4 "objects: the 4 blobs of acme.example"
grep -q '^signature [0-9a-f]\{128\}$' "$www/manifest" || fail "manifest not signed"

local_mnt=$T/local mnt=$T/remote cache=$T/cache
fmfs_mount "$store" "$local_mnt" -o org=acme.example
remote_mount "$url" "$mnt" "$cache"
grep -q "^$url $(realpath "$mnt") fuse.fmfs " /proc/mounts || fail "bad /proc/mounts line: $(grep "$mnt" /proc/mounts)"

note "same tree: names, inodes, modes, sizes, mtimes, links"
(cd "$local_mnt" && find . -printf '%p %i %m %s %T@ %n %y\n' | sort) >"$T/local.list"
(cd "$mnt" && find . -printf '%p %i %m %s %T@ %n %y\n' | sort) >"$T/remote.list"
diff "$T/local.list" "$T/remote.list" || fail "the remote tree differs from the local one"
[ "$(wc -l <"$T/remote.list")" -ge 15 ] || fail "remote tree too small"

note "contents and xattrs equal, every file"
(cd "$local_mnt" && find . -type f) | while read -r f; do
	cmp "$local_mnt/$f" "$mnt/$f" || fail "content of $f"
	assert_eq "$(cd "$mnt" && getfattr -d "$f")" "$(cd "$local_mnt" && getfattr -d "$f")" "xattrs of $f"
done
cmp "$T/src/big.bin" "$mnt/SOA/Outgoing/2026-10/big.bin"
dd if="$mnt/SOA/Outgoing/2026-10/big.bin" bs=1000 skip=1500 count=100 2>/dev/null | cmp - <(dd if="$T/src/big.bin" bs=1000 skip=1500 count=100 2>/dev/null) || fail "range read"

note "write refusal: EPERM"
expect_fail "Operation not permitted" touch "$mnt/Invoices/new"
expect_fail "Operation not permitted" rm "$mnt/Reports/2026-10/empty.csv"
expect_fail "Operation not permitted" mkdir "$mnt/x"
expect_fail "Operation not permitted" setfattr -n user.x -v 1 "$mnt/Reports/2026-10/empty.csv"
expect_fail "" sh -c "echo x >>'$mnt/Reports/2026-10/empty.csv'"

note "rsync -aX from the local mount into a copy of the remote one: nothing"
rsync -aX "$mnt/" "$T/copy/"
out=$(rsync -aX --itemize-changes "$local_mnt/" "$T/copy/")
assert_eq "$out" "" "rsync -aX --itemize-changes"

note "status: the root's xattrs (by name, not listed) and fmctl status"
assert_eq "$(getfattr --only-values -n user.fmfs.remote.revision "$mnt")" 1 "revision"
assert_eq "$(getfattr --only-values -n user.fmfs.remote.error "$mnt")" none "last error"
assert_eq "$(getfattr -d "$mnt" 2>/dev/null | grep -c remote || true)" 0 "status xattrs listed"
fmctl status "$mnt" >"$T/status"
grep -q "^revision: 1$" "$T/status" || fail "fmctl status: $(cat "$T/status")"
grep -q "^mirror: $url$" "$T/status" || fail "fmctl status mirror: $(cat "$T/status")"
fmctl status --json "$mnt" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["revision"]==1 and d["cache_bytes"]>0, d'
expect_fail "not a remote fmfs mount" fmctl status "$local_mnt"

note "no byte of the network without a signed hash: every download was a GET of a known object"
grep -v fmfs-probe "$NGINX_LOG" | grep -v '"GET /www/\(manifest\|deltas/[0-9a-f]\{64\}\|objects/[0-9a-f]\{2\}/[0-9a-f]\{62\}\) HTTP' && fail "unexpected requests"

note "an idle poll is one conditional request: If-None-Match answered 304"
sleep 1.5
before=$(grep -vc fmfs-probe "$NGINX_LOG")
sleep 3.2
grep -v fmfs-probe "$NGINX_LOG" | tail -n +$((before + 1)) >"$T/idle"
polls=$(wc -l <"$T/idle")
[ "$polls" -ge 2 ] && [ "$polls" -le 4 ] || fail "$polls requests in 3.2 s of idle polls (poll=1)"
sed "s/^/# idle: /" "$T/idle"
grep -v '"GET /www/manifest HTTP/[0-9.]*" 304 0 "-" "[^"-][^"]*"' "$T/idle" && fail "an idle poll that is not one conditional GET"

note "a second mount from the same cache reads without downloading blobs again"
fmfs_umount "$mnt"
before=$(nginx_requests objects/)
remote_mount "$url" "$mnt" "$cache"
cat "$mnt"/SOA/Outgoing/2026-10/big.bin "$mnt"/Invoices/Incoming/2026-10/INV-3k.pdf >/dev/null
assert_eq "$(nginx_requests objects/)" "$before" "blob requests on the second mount"
