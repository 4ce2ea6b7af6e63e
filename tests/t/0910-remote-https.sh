# 0910-remote-https.sh - the remote share's transport (catalog/remote.h)
# against nginx over HTTPS with a CA made here, HTTP/2 and basic auth from a
# netrc: verified gets whole and by range on one reused connection, the
# manifest's conditional get, HEAD; a wrong password, an untrusted
# certificate, a readable credentials file, credentials in a URL: one clear
# line each, nothing served, no secret echoed.
source "$FMFS_TOP/tests/lib.sh"
source "$FMFS_TOP/tests/lib-remote.sh"
R=$BIN/helpers/remote_cli
[ -x "$R" ] || fail "$R missing: make helpers"

mkdir -p www/acme.example/objects/ab
head -c 3000000 /dev/urandom >www/acme.example/objects/ab/big
echo "revision 1" >www/acme.example/manifest
sha=$(sha256sum www/acme.example/objects/ab/big | cut -c1-64)
start_nginx www --tls --http2 --auth reader:Pa55-w0rd-xyz
write_netrc netrc reader Pa55-w0rd-xyz
U=(--url "$NGINX_URL/acme.example" --cacert "$NGINX_CA" --credentials netrc)

note "a verified whole get, and a range over HTTP/2"
"$R" "${U[@]}" get objects/ab/big "$sha" out 2>err
cmp out www/acme.example/objects/ab/big || fail "whole get: other bytes"
grep -q '^requests 1$' err || fail "whole get: $(cat err)"
"$R" "${U[@]}" get objects/ab/big - 1000000 4096 >part 2>err
slice() { dd if="$1" iflag=skip_bytes,count_bytes skip="$2" count="$3" status=none; }
cmp part <(slice www/acme.example/objects/ab/big 1000000 4096) || fail "range: other bytes"
grep -q '"GET /acme.example/objects/ab/big HTTP/2.0" 206 4096 "bytes=1000000-1004095"' "$NGINX_LOG" ||
	fail "no HTTP/2 range request in the log: $(tail -n 2 "$NGINX_LOG")"
chunk_sha=$(slice www/acme.example/objects/ab/big 1000000 4096 | sha256sum | cut -c1-64)
"$R" "${U[@]}" get objects/ab/big "$chunk_sha" 1000000 4096 >/dev/null

note "the manifest: a new body with its ETag, then not modified"
"$R" "${U[@]}" manifest manifest >m 2>err
etag=$(head -n 1 m)
[ -n "$etag" ] && tail -n 1 m | grep -q "revision 1" || fail "manifest: $(cat m)"
assert_eq "$("$R" "${U[@]}" manifest manifest "$etag" 2>/dev/null)" "not modified" "conditional get"
grep -q "\"GET /acme.example/manifest HTTP/2.0\" 304 0 \"-\" \"\\\\x22" "$NGINX_LOG" || fail "no 304 in the log"
assert_eq "$("$R" "${U[@]}" head objects/ab/big 2>/dev/null)" 3000000 "head"
expect_fail "objects/ab/none: 127.0.0.1:" "$R" "${U[@]}" head objects/ab/none
grep -q "HTTP 404" <<<"$LAST_OUT" || fail "head of a missing object: $LAST_OUT"


note "connections are reused: 20 gets of one thread on one connection, of 4 threads on at most 4"
mkdir -p www/acme.example/objects/cd
for i in $(seq 20); do
	echo "small $i" >www/acme.example/objects/cd/s$i
	echo "objects/cd/s$i $(sha256sum www/acme.example/objects/cd/s$i | cut -c1-64)" >>list
done
"$R" "${U[@]}" get-list list 2>/dev/null
assert_eq "$(grep -c '/objects/cd/s' "$NGINX_LOG")" 20 "gets"
assert_eq "$(grep '/objects/cd/s' "$NGINX_LOG" | awk '{print $NF}' | sort -u | wc -l)" 1 "connections"
"$R" "${U[@]}" get-list list 4 2>/dev/null
n=$(grep '/objects/cd/s' "$NGINX_LOG" | tail -n 20 | awk '{print $NF}' | sort -u | wc -l)
[ "$n" -le 4 ] || fail "4 threads used $n connections"

note "a wrong password: one line naming object and host, nothing served"
write_netrc bad reader wrong-password
expect_fail "objects/ab/big: 127.0.0.1:" "$R" --url "$NGINX_URL/acme.example" --cacert "$NGINX_CA" \
	--credentials bad get objects/ab/big "$sha"
grep -q "HTTP 401" <<<"$LAST_OUT" || fail "wrong password: $LAST_OUT"
! grep -q "wrong-password" <<<"$LAST_OUT" || fail "the password was echoed"
assert_eq "$(grep -vc '^requests' <<<"$LAST_OUT")" 1 "one line"
expect_fail "HTTP 401" "$R" --url "$NGINX_URL/acme.example" --cacert "$NGINX_CA" get objects/ab/big "$sha"

note "an untrusted certificate (no cacert: the system CAs)"
expect_fail "certificate" "$R" --url "$NGINX_URL/acme.example" --credentials netrc get objects/ab/big "$sha"
grep -q "cacert=FILE" <<<"$LAST_OUT" || fail "untrusted: $LAST_OUT"
assert_eq "$(grep -vc '^requests' <<<"$LAST_OUT")" 1 "one line"

note "a credentials file group or others can read: refused, its content not echoed"
chmod 644 netrc
expect_fail "credentials: netrc: mode 0644" "$R" "${U[@]}" get objects/ab/big "$sha"
! grep -q "Pa55-w0rd-xyz" <<<"$LAST_OUT" || fail "the password was echoed"
assert_eq "$LAST_RC" 1 "exit status"
chmod 600 netrc
expect_fail "credentials: missing: No such file" "$R" --url "$NGINX_URL/x" --credentials missing head k
expect_fail "credentials in a URL are refused" "$R" \
	--url "https://reader:Pa55-w0rd-xyz@127.0.0.1:1/acme.example" head k
! grep -q "Pa55-w0rd-xyz" <<<"$LAST_OUT" || fail "the password in the URL was echoed"
expect_fail "ftp: unknown scheme" "$R" --url "ftp://127.0.0.1/x" head k
expect_fail "not a valid object key" "$R" "${U[@]}" head ../etc/passwd
expect_fail "writing over http(s) is not supported" "$R" "${U[@]}" put objects/x netrc
