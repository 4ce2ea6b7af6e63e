# 0959-remote-checkpoint.sh - fmctl publish --checkpoint: a fresh client
# starts from the newest checkpoint (the org's catalog at that revision,
# named and its chain state signed in the manifest) and fetches only the
# deltas after it; a client with a cache follows the deltas as before; the
# trees equal a local mount; a tampered checkpoint is refused.
source "$FMFS_TOP/tests/lib.sh"
source "$FMFS_TOP/tests/lib-remote.sh"
source "$FMFS_TOP/tests/lib-publish.sh"

publish_demo "$T/store" "$T/www"
start_nginx "$T" --tls --auth reader:s3cret
write_netrc "$T/netrc" reader s3cret
url=$NGINX_URL/www
add() { # NAME: ingest one new file
	echo "$1" >"$T/src/$1.pdf"
	fmctl -s "$T/store" ingest --org acme.example --kind invoice --direction incoming \
		--period 2026-11 "$T/src/$1.pdf" >/dev/null
}
pub() { fmctl -s "$T/store" publish --org acme.example --key "$T/publish.key" "$@" "$T/www"; }
tree() { (cd "$1" && find . -printf '%p %i %m %s %T@ %n\n' | sort); }

note "a client at revision 1 with a cache"
remote_mount "$url" "$T/old" "$T/oldcache"
fmfs_umount "$T/old"

add two && pub --checkpoint >"$T/out"
grep -q "revision 2 .*checkpoint [1-9][0-9]* bytes" "$T/out" || fail "no checkpoint: $(cat "$T/out")"
grep -q "^checkpoint 2 [0-9a-f]\{64\} $(sed -n 's/^state //p' "$T/www/manifest")$" "$T/www/manifest" || fail "manifest: $(cat "$T/www/manifest")"
add three && pub >/dev/null
grep -q "^checkpoint 2 " "$T/www/manifest" || fail "revision 3 does not name the checkpoint"
fmfs_mount "$T/store" "$T/local" -o org=acme.example

note "a fresh client: the checkpoint and revision 3's delta, nothing older"
: >"$NGINX_LOG"
remote_mount "$url" "$T/fresh" "$T/freshcache"
assert_eq "$(nginx_requests 'GET /www/checkpoints/')" 1 "checkpoint fetches"
assert_eq "$(nginx_requests 'GET /www/deltas/')" 1 "delta fetches"
diff <(tree "$T/local") <(tree "$T/fresh") || fail "the fresh client's tree differs"
cmp "$T/src/three.pdf" "$T/fresh/Invoices/Incoming/2026-11/three.pdf"

note "the client with a cache: deltas 2 and 3"
: >"$NGINX_LOG"
remote_mount "$url" "$T/old" "$T/oldcache"
assert_eq "$(nginx_requests 'GET /www/checkpoints/')" 0 "checkpoint fetches"
assert_eq "$(nginx_requests 'GET /www/deltas/')" 2 "delta fetches"
diff <(tree "$T/local") <(tree "$T/old") || fail "the cached client's tree differs"

note "a checkpoint on its own (nothing new) and then a tampered one"
pub --checkpoint >"$T/out"
grep -q "^checkpoint 3 " "$T/www/manifest" || fail "no checkpoint at revision 3: $(cat "$T/out")"
cp=$(sed -n 's/^checkpoint 3 \([0-9a-f]*\) .*/\1/p' "$T/www/manifest")
sed -i 's/three/thr3e/' "$T/www/checkpoints/$cp"
mkdir "$T/m2"
rc=0
"$BIN/fmfs" "$url" "$T/m2" -f -o "pubkey=$T/publish.pub,cache=$T/c2,cacert=$NGINX_CA,credentials=$T/netrc" 2>"$T/err" || rc=$?
assert_eq $rc 1 "a tampered checkpoint: $(cat "$T/err")"
fmctl clone "$url" "$T/clone" --pubkey "$T/publish.pub" --cacert "$NGINX_CA" --credentials "$T/netrc" 2>/dev/null && fail "cloned from a tampered checkpoint"
true
