# 0954-remote-offline.sh - with the mirror unreachable: the whole tree and
# the cached files stay readable, an uncached file fails fast with EIO and
# one log line; once the mirror is back, reads work again without a
# remount. A first mount with no cache and no reachable mirror: one line,
# exit 1, no cache folder left.
source "$FMFS_TOP/tests/lib.sh"
source "$FMFS_TOP/tests/lib-remote.sh"
source "$FMFS_TOP/tests/lib-publish.sh"

publish_demo "$T/store" "$T/www"
write_netrc "$T/netrc" reader s3cret
start_nginx "$T" --tls --auth reader:s3cret
url=$NGINX_URL/www mnt=$T/mnt
remote_mount "$url" "$mnt" "$T/cache"
cat "$mnt/Invoices/Incoming/2026-10/INV-3k.pdf" "$mnt/SOA/Outgoing/2026-10/big.bin" >/dev/null
(cd "$mnt" && find . -printf '%p %i %s %T@\n' | sort) >"$T/tree"

note "the mirror drops every connection"
nginx_fault /www 444
(cd "$mnt" && find . -printf '%p %i %s %T@\n' | sort) | diff - "$T/tree" || fail "metadata offline"
cmp "$T/src/INV-3k.pdf" "$mnt/Invoices/Incoming/2026-10/INV-3k.pdf" || fail "a cached file offline"
cmp "$T/src/big.bin" "$mnt/SOA/Outgoing/2026-10/big.bin" || fail "a cached big file offline"
start=$(date +%s)
expect_fail "Input/output error" cat "$mnt/Reports/2026-10/März-report.csv"
elapsed=$(( $(date +%s) - start ))
note "an uncached file failed after $elapsed s"
[ $elapsed -le 30 ] || fail "an uncached read took $elapsed s"
grep -q "objects/.*127.0.0.1" "$T/fmfs.log" || fail "no log line naming the object and the host"
getfattr --absolute-names --only-values -n user.fmfs.remote.error "$mnt" | grep -q objects/ || fail "status: no last error"

note "the mirror is back: the same mount reads it"
nginx_fault /www off
cmp "$T/src/März-report.csv" "$mnt/Reports/2026-10/März-report.csv" || fail "no recovery"

note "a first mount with no cache and no reachable mirror: one line, exit 1"
nginx_fault /www 444
mkdir "$T/mnt2"
rc=0
"$BIN/fmfs" "$url" "$T/mnt2" -f -o "pubkey=$T/publish.pub,cache=$T/cache2,cacert=$NGINX_CA,credentials=$T/netrc" 2>"$T/err" || rc=$?
assert_eq $rc 1 "exit status"
assert_eq "$(wc -l <"$T/err")" 1 "one line: $(cat "$T/err")"
[ ! -e "$T/cache2" ] || fail "a cache folder was left behind"

note "a remount with the cache and no mirror serves the last revision"
fmfs_umount "$mnt"
remote_mount "$url" "$mnt" "$T/cache"
(cd "$mnt" && find . -printf '%p %i %s %T@\n' | sort) | diff - "$T/tree" || fail "tree from the cache"
cmp "$T/src/big.bin" "$mnt/SOA/Outgoing/2026-10/big.bin" || fail "cached file after a remount"
