# 0900-test-servers.sh - The servers the remote tests stand on (tests/lib-remote.sh) do what those
# tests assume: nginx with TLS from the test CA, basic auth, HTTP/2 and
# switchable faults; the fault server's modes; RGW checks SigV4 signatures.
source "$FMFS_TOP/tests/lib.sh"
source "$FMFS_TOP/tests/lib-remote.sh"

mkdir www
head -c 100000 /dev/urandom >www/blob
start_nginx www --tls --auth reader:s3cret --http2
c() { curl -s --cacert "$NGINX_CA" -o out -w '%{http_code} %{http_version}' "$@"; }
assert_eq "$(c -u reader:s3cret "$NGINX_URL/blob")" "200 2" "nginx over TLS with the test CA, HTTP/2"
cmp -s out www/blob || fail "nginx served other bytes"
assert_eq "$(c -u reader:wrong "$NGINX_URL/blob")" "401 2" "wrong password"
rc=0; curl -s -o /dev/null -u reader:s3cret "$NGINX_URL/blob" || rc=$?
assert_eq $rc 60 "an untrusted certificate is refused by curl"
nginx_fault /blob 503
assert_eq "$(c -u reader:s3cret "$NGINX_URL/blob")" "503 2" "nginx_fault 503"
nginx_fault /blob off
assert_eq "$(c -u reader:s3cret -r 10-19 "$NGINX_URL/blob")" "206 2" "range after nginx_fault off"
grep -q '"GET /blob HTTP/2.0" 206 10 "bytes=10-19"' "$NGINX_LOG" || fail "access log lacks the range request"

start_faults www
f() { curl -s -m 2 -o out -w '%{http_code} %{size_download}' "$FAULTS_URL/$1/blob" || echo " rc=$?"; }
assert_eq "$(f ok)" "200 100000" ok
assert_eq "$(f truncate)" "200 50000 rc=18" truncate
assert_eq "$(f badlen)" "200 99999" badlen
assert_eq "$(f reset)" "200 50000 rc=56" reset
assert_eq "$(f stall)" "200 50000 rc=28" stall
assert_eq "$(f hang)" "000 0 rc=28" hang
assert_eq "$(f flaky)" "503 5" "flaky, first"
assert_eq "$(f flaky)" "200 100000" "flaky, then"
assert_eq "$(f corrupt)" "200 100000" corrupt
[ "$(cmp out www/blob | wc -l)" = 1 ] && [ "$(cmp -l out www/blob | wc -l)" = 1 ] || fail "corrupt: not one byte"
faults_set blob 503 1
assert_eq "$(f ok)" "503 5" "control endpoint, once"
assert_eq "$(f ok)" "200 100000" "control endpoint, then cleared"
grep -c '^GET /hang/blob hang' "$FAULTS_LOG" >/dev/null || fail "fault log"

start_rgw
rgw_bucket fmfs-test
echo hello >small
s() { curl -s -m 10 -o out -w '%{http_code}' --aws-sigv4 "aws:amz:$RGW_REGION:s3" "$@"; }
sum=$(sha256sum small | cut -c1-64)
assert_eq "$(s -u "$RGW_KEY:$RGW_SECRET" -H "x-amz-content-sha256: $sum" -T small "$RGW_URL/fmfs-test/a/small")" 200 "signed PUT"
assert_eq "$(s -u "$RGW_KEY:$RGW_SECRET" -H "x-amz-content-sha256: $(sha256sum www/blob | cut -c1-64)" -T small "$RGW_URL/fmfs-test/a/x")" 400 "PUT with a wrong body hash"
assert_eq "$(s -u "$RGW_KEY:wrong" -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' "$RGW_URL/fmfs-test/a/small")" 403 "wrong secret"
grep -q SignatureDoesNotMatch out || fail "wrong secret: $(cat out)"
assert_eq "$(curl -s -o /dev/null -w '%{http_code}' "$RGW_URL/fmfs-test/a/small")" 403 anonymous
assert_eq "$(s -u "$RGW_KEY:$RGW_SECRET" -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' "$RGW_URL/fmfs-test/a/small")" 200 "signed GET"
cmp -s out small || fail "RGW returned other bytes"
