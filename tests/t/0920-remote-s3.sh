# 0920-remote-s3.sh - the remote share's transport against Ceph RGW over
# HTTPS (a CA made here), an S3 server that checks SigV4 signatures and body hashes: PUT (the body's
# SHA-256 signed), GET whole and by range, HEAD, the manifest's ETag; a
# wrong secret, an unknown key, a readable or malformed credentials file:
# one clear line each, nothing served, no secret echoed.
source "$FMFS_TOP/tests/lib.sh"
source "$FMFS_TOP/tests/lib-remote.sh"
R=$BIN/helpers/remote_cli
[ -x "$R" ] || fail "$R missing: make helpers"

start_rgw --tls
rgw_bucket fmfs-acme
write_aws_credentials aws "$RGW_KEY" "$RGW_SECRET"
S=(--endpoint "$RGW_URL" --cacert "$RGW_CA" --credentials aws --url s3://fmfs-acme/acme.example)
head -c 2500000 /dev/urandom >big
sha=$(sha256sum big | cut -c1-64)

note "PUT, HEAD, GET whole and by range"
"$R" "${S[@]}" put objects/ab/big big
assert_eq "$("$R" "${S[@]}" head objects/ab/big 2>/dev/null)" 2500000 "head"
"$R" "${S[@]}" get objects/ab/big "$sha" out
cmp out big || fail "get: other bytes"
rgw_curl -o direct "$RGW_URL/fmfs-acme/acme.example/objects/ab/big"
cmp direct big || fail "the object is not where a plain S3 client finds it"
part_sha=$(dd if=big iflag=skip_bytes,count_bytes skip=2000000 count=65536 status=none | sha256sum | cut -c1-64)
"$R" "${S[@]}" get objects/ab/big "$part_sha" 2000000 65536 >part
assert_eq "$(stat -c %s part)" 65536 "range size"
expect_fail "objects/ab/none: 127.0.0.1:" "$R" "${S[@]}" head objects/ab/none
grep -q "HTTP 404" <<<"$LAST_OUT" || fail "$LAST_OUT"
echo "revision 1" >m1
"$R" "${S[@]}" put manifest m1
"$R" "${S[@]}" manifest manifest >m 2>/dev/null
etag=$(head -n 1 m)
assert_eq "$("$R" "${S[@]}" manifest manifest "$etag" 2>/dev/null)" "not modified" "conditional get"
echo "revision 2" >m2
"$R" "${S[@]}" put manifest m2
"$R" "${S[@]}" manifest manifest "$etag" 2>/dev/null | tail -n 1 | grep -q "revision 2" || fail "new manifest not seen"

note "many small objects from threads"
mkdir many
for i in $(seq 100); do echo "file $i" >many/f$i; done
"$R" "${S[@]}" put-dir many small 4 2>err
grep -q '^requests 100$' err || fail "put-dir: $(cat err)"
assert_eq "$("$R" "${S[@]}" get small/f42 - 2>/dev/null)" "file 42" "a small object"

note "a wrong secret, an unknown key: one line, nothing served, no secret echoed"
write_aws_credentials bad "$RGW_KEY" wrong-secret-4711
expect_fail "objects/ab/big: 127.0.0.1:" "$R" --endpoint "$RGW_URL" --cacert "$RGW_CA" --credentials bad \
	--url s3://fmfs-acme/acme.example get objects/ab/big "$sha"
grep -q "HTTP 403 SignatureDoesNotMatch" <<<"$LAST_OUT" || fail "wrong secret: $LAST_OUT"
assert_eq "$(grep -vc '^requests' <<<"$LAST_OUT")" 1 "one line"
! grep -q "wrong-secret-4711" <<<"$LAST_OUT" || fail "the secret was echoed"
expect_fail "HTTP 403 SignatureDoesNotMatch" "$R" --endpoint "$RGW_URL" --cacert "$RGW_CA" --credentials bad \
	--url s3://fmfs-acme/acme.example put objects/x m1
write_aws_credentials unknown NOSUCHKEY0000000000 "$RGW_SECRET"
expect_fail "HTTP 403 InvalidAccessKeyId" "$R" --endpoint "$RGW_URL" --cacert "$RGW_CA" --credentials unknown \
	--url s3://fmfs-acme/acme.example get objects/ab/big "$sha"
expect_fail "HTTP 403" "$R" --endpoint "$RGW_URL" --cacert "$RGW_CA" --url s3://fmfs-acme/acme.example head objects/ab/big

note "credentials files: mode, format; bucket names"
chmod 640 aws
expect_fail "credentials: aws: mode 0640, group or others may read it" "$R" "${S[@]}" head objects/ab/big
! grep -q "$RGW_SECRET" <<<"$LAST_OUT" || fail "the secret was echoed"
chmod 600 aws
(umask 077 && printf '[other]\naws_access_key_id = A\naws_secret_access_key = %s\n' "$RGW_SECRET" >other)
expect_fail "no aws_access_key_id and aws_secret_access_key under [default]" \
	"$R" --endpoint "$RGW_URL" --cacert "$RGW_CA" --credentials other --url s3://fmfs-acme/x head k
(umask 077 && printf '[default]\n%s\n' "$RGW_SECRET" >garbled)
expect_fail "credentials: garbled:2: not 'name = value'" \
	"$R" --endpoint "$RGW_URL" --cacert "$RGW_CA" --credentials garbled --url s3://fmfs-acme/x head k
! grep -q "$RGW_SECRET" <<<"$LAST_OUT" || fail "the secret was echoed"
expect_fail "certificate is not trusted" "$R" --endpoint "$RGW_URL" --credentials aws \
	--url s3://fmfs-acme/acme.example head objects/ab/big
expect_fail "bucket names are 3 to 63" "$R" "${S[@]/s3:\/\/fmfs-acme/s3://AB}" head k
