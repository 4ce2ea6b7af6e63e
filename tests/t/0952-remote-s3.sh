# 0952-remote-s3.sh - publish an org to Ceph RGW (S3 that checks SigV4
# signatures) and mount it from s3://: the same tree as a local mount; a
# no-op publish costs one request (RGW's log); a wrong secret is one clear
# line and nothing mounted.
source "$FMFS_TOP/tests/lib.sh"
source "$FMFS_TOP/tests/lib-remote.sh"
source "$FMFS_TOP/tests/lib-publish.sh"

store=$T/store
start_rgw
rgw_bucket fmfs-acme
write_aws_credentials "$T/aws" "$RGW_KEY" "$RGW_SECRET"
s3=s3://fmfs-acme/acme.example
publish_demo "$store" "$T/unused-www"
fmctl -s "$store" publish --org acme.example --key "$T/publish.key" \
	--endpoint "$RGW_URL" --credentials "$T/aws" "$s3" >"$T/out"
grep -q "revision 1 of acme.example: 4 new objects" "$T/out" || fail "publish: $(cat "$T/out")"

note "a no-op publish: one request in RGW's log (nothing mounted yet)"
sleep 1
before=$(grep -c '"\(GET\|PUT\|HEAD\|POST\|DELETE\) /fmfs-acme' "$RGW_LOG" || true)
fmctl -s "$store" publish --org acme.example --key "$T/publish.key" \
	--endpoint "$RGW_URL" --credentials "$T/aws" "$s3" >"$T/out"
grep -q "is up to date (1 requests)" "$T/out" || fail "no-op publish: $(cat "$T/out")"
sleep 1 # radosgw writes its log line after the reply
assert_eq $(( $(grep -c '"\(GET\|PUT\|HEAD\|POST\|DELETE\) /fmfs-acme' "$RGW_LOG") - before )) 1 "requests of a no-op publish"

note "mount s3:// and compare with the local mount"
fmfs_mount "$store" "$T/local" -o org=acme.example
fmfs_mount "$s3" "$T/mnt" -o "endpoint=$RGW_URL,credentials=$T/aws,pubkey=$T/publish.pub,cache=$T/cache,poll=1" 2>>"$T/fmfs.log"
(cd "$T/local" && find . -printf '%p %i %m %s %T@ %n\n' | sort) >"$T/local.list"
(cd "$T/mnt" && find . -printf '%p %i %m %s %T@ %n\n' | sort) >"$T/remote.list"
diff "$T/local.list" "$T/remote.list" || fail "the s3 tree differs from the local one"
cmp "$T/src/big.bin" "$T/mnt/SOA/Outgoing/2026-10/big.bin"
rsync -aX "$T/mnt/" "$T/copy/"
assert_eq "$(rsync -aX --itemize-changes "$T/local/" "$T/copy/")" "" "rsync -aX --itemize-changes"

note "a new file over s3: uploaded, visible through the mount"
echo late >"$T/src/late.pdf"
fmctl -s "$store" ingest --org acme.example --kind invoice --direction incoming \
	--period 2026-10 "$T/src/late.pdf" >/dev/null
fmctl -s "$store" publish --org acme.example --key "$T/publish.key" \
	--endpoint "$RGW_URL" --credentials "$T/aws" "$s3" >"$T/out"
grep -q "revision 2 of acme.example: 1 new objects" "$T/out" || fail "publish 2: $(cat "$T/out")"
wait_for 3 test -f "$T/mnt/Invoices/Incoming/2026-10/late.pdf"
assert_eq "$(cat "$T/mnt/Invoices/Incoming/2026-10/late.pdf")" late "late.pdf over s3"

note "a wrong secret: one line, exit 1, nothing mounted, no cache left"
write_aws_credentials "$T/bad" "$RGW_KEY" wrong-secret
rc=0
mkdir "$T/mnt2"
"$BIN/fmfs" "$s3" "$T/mnt2" -f -o "endpoint=$RGW_URL,credentials=$T/bad,pubkey=$T/publish.pub,cache=$T/cache2" 2>"$T/err" || rc=$?
assert_eq $rc 1 "exit status with a wrong secret"
assert_eq "$(wc -l <"$T/err")" 1 "one line: $(cat "$T/err")"
grep -q wrong-secret "$T/err" && fail "the secret is in the message"
[ ! -e "$T/cache2" ] || fail "a cache folder was left behind"
expect_fail "" fmctl -s "$store" publish --org acme.example --key "$T/publish.key" \
	--endpoint "$RGW_URL" --credentials "$T/bad" "$s3"
