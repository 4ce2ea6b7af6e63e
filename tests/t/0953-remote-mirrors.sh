# 0953-remote-mirrors.sh - verify before serve: a blob tampered on the first
# mirror is never served nor cached, the second mirror serves it; tampered on
# every mirror: EIO and one log line naming object and host.
source "$FMFS_TOP/tests/lib.sh"
source "$FMFS_TOP/tests/lib-remote.sh"
source "$FMFS_TOP/tests/lib-publish.sh"

publish_demo "$T/store" "$T/m1/www"
cp -a "$T/m1" "$T/m2"
write_netrc "$T/netrc" reader s3cret
start_nginx "$T/m2" --tls --auth reader:s3cret
url2=$NGINX_URL/www log2=$NGINX_LOG
start_nginx "$T/m1" --tls --auth reader:s3cret
url1=$NGINX_URL/www log1=$NGINX_LOG
inv=Invoices/Incoming/2026-10/INV-3k.pdf rep=Reports/2026-10/März-report.csv
big=SOA/Outgoing/2026-10/big.bin
blob() { # the published object of a file of the store
	local sha
	sha=$(fmctl -s "$T/store" stat "/acme.example/$1" | sed -n 's/^sha256: //p')
	echo "objects/${sha:0:2}/${sha:2}"
}
corrupt() { # flip one byte of object $2 under web root $1
	chmod u+w "$1/www/$2"
	printf '\xff' | dd of="$1/www/$2" bs=1 seek=1 conv=notrunc 2>/dev/null
}

remote_mount "$url1" "$T/mnt" "$T/cache" "mirrors=$url2"
mnt=$T/mnt

note "tampered on the first mirror: the second serves the good bytes"
corrupt "$T/m1" "$(blob "$inv")"
cmp "$T/src/INV-3k.pdf" "$mnt/$inv" || fail "wrong bytes served"
grep -q "GET /www/$(blob "$inv")" "$log2" || fail "mirror 2 was not asked"
assert_eq "$(grep -c "GET /www/$(blob "$inv")" "$log1")" 2 "mirror 1: first try and one no-cache retry"
find "$T/cache/objects" -type f ! -name '.*' -exec sha256sum {} + | while read -r sum path; do
	assert_eq "$sum" "$(basename "$(dirname "$path")")$(basename "$path")" "cache unit $path"
done

note "a chunk of a big file tampered on the first mirror: the same"
corrupt "$T/m1" "$(blob "$big")"
cmp "$T/src/big.bin" "$mnt/$big" || fail "wrong bytes of big.bin"

note "tampered on every mirror: EIO, one log line naming the object and the host"
corrupt "$T/m1" "$(blob "$rep")"
corrupt "$T/m2" "$(blob "$rep")"
expect_fail "Input/output error" cat "$mnt/$rep"
grep -q "$(blob "$rep").*127.0.0.1" "$T/fmfs.log" || fail "no log line naming the object and host"
assert_eq "$(find "$T/cache/objects" -name "$(sha256sum <"$T/src/März-report.csv" | cut -c3-64)" | wc -l)" 0 "unit cached"
cp "$T/src/März-report.csv" "$T/m1/www/$(blob "$rep")"
cmp "$T/src/März-report.csv" "$mnt/$rep" || fail "not served once repaired"

