# 0958-remote-clone.sh - fmctl clone rebuilds a full store from a published
# org (every byte checked): its fmctl verify is clean and its mount equals
# the original's; fmctl verify --remote checks a published org end to end
# and finds a tampered object or a store that is not the one published.
source "$FMFS_TOP/tests/lib.sh"
source "$FMFS_TOP/tests/lib-remote.sh"
source "$FMFS_TOP/tests/lib-publish.sh"

publish_demo "$T/store" "$T/www"
echo second >"$T/src/second.pdf"
fmctl -s "$T/store" ingest --org acme.example --kind invoice --direction outgoing \
	--period 2026-11 "$T/src/second.pdf" >/dev/null
fmctl -s "$T/store" publish --org acme.example --key "$T/publish.key" "$T/www" >/dev/null
start_nginx "$T" --tls --auth reader:s3cret --http2
write_netrc "$T/netrc" reader s3cret
url=$NGINX_URL/www
R=(--pubkey "$T/publish.pub" --cacert "$NGINX_CA" --credentials "$T/netrc")

note "clone: a store whose verify is clean and whose mount equals the original's"
fmctl clone "$url" "$T/clone" "${R[@]}" >"$T/out"
grep -q "cloned revision 2 of acme.example" "$T/out" || fail "clone: $(cat "$T/out")"
fmctl -s "$T/clone" verify >"$T/verify" || fail "verify of the clone: $(cat "$T/verify")"
fmfs_mount "$T/store" "$T/orig" -o org=acme.example
fmfs_mount "$T/clone" "$T/copy" -o org=acme.example
(cd "$T/orig" && find . -printf '%p %i %m %s %T@ %C@ %n\n' | sort) >"$T/a"
(cd "$T/copy" && find . -printf '%p %i %m %s %T@ %C@ %n\n' | sort) >"$T/b"
diff "$T/a" "$T/b" || fail "the clone's mount differs"
rsync -aX "$T/copy/" "$T/rs/"
assert_eq "$(rsync -aX --itemize-changes "$T/orig/" "$T/rs/")" "" "rsync -aX from the original into a copy of the clone"
expect_fail "already an archive" fmctl clone "$url" "$T/clone" "${R[@]}"

note "a failed clone leaves nothing"
openssl genpkey -algorithm ed25519 -out "$T/other.key" 2>/dev/null
openssl pkey -in "$T/other.key" -pubout -out "$T/other.pub"
expect_fail "bad signature" fmctl clone "$url" "$T/clone2" --pubkey "$T/other.pub" --cacert "$NGINX_CA" --credentials "$T/netrc"
[ ! -e "$T/clone2" ] || fail "a failed clone left $T/clone2"
expect_fail "usage" fmctl clone "$url" "${R[@]}"

note "verify --remote: good, then against the store"
fmctl verify --remote "$url" "${R[@]}" >"$T/out" || fail "verify --remote: $(cat "$T/out")"
grep -q "revision 2 of acme.example: signature, chain of 2 deltas, 5 blobs" "$T/out" || fail "verify --remote: $(cat "$T/out")"
fmctl -s "$T/store" verify --remote "$url" "${R[@]}" >"$T/out" || fail "verify --remote -s: $(cat "$T/out")"
grep -q "same as the store" "$T/out" || fail "$(cat "$T/out")"
fmctl -s "$T/clone" verify --remote "$url" "${R[@]}" >/dev/null || fail "the clone is not the published org"

note "verify --remote finds a tampered object, and a store that is not the published one"
sha=$(sha256sum <"$T/src/second.pdf" | cut -c1-64)
chmod u+w "$T/www/objects/${sha:0:2}/${sha:2}"
echo evil >"$T/www/objects/${sha:0:2}/${sha:2}"
expect_fail "objects/${sha:0:2}/${sha:2}" fmctl verify --remote "$url" "${R[@]}"
echo second >"$T/www/objects/${sha:0:2}/${sha:2}"
fmctl init "$T/other" >/dev/null
fmctl -s "$T/other" ingest --org acme.example --kind invoice --direction incoming \
	--period 2026-10 --date 2026-11-01 "$T/src/INV-3k.pdf" >/dev/null
expect_fail "the published row differs from the store" fmctl -s "$T/other" verify --remote "$url" "${R[@]}"
