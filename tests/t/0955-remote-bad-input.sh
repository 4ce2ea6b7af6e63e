# 0955-remote-bad-input.sh - a remote mount refuses bad input with one line
# and exit 2 (usage) or 1 (failure), leaving nothing behind: a malformed
# URL, an unknown scheme, no pubkey, a credentials file others may read, a
# cache folder that cannot be made, a wrong basic-auth password, a
# certificate no CA vouches for, a key that did not sign the org; the
# credentials never appear in a message. fmctl keygen/publish refusals.
source "$FMFS_TOP/tests/lib.sh"
source "$FMFS_TOP/tests/lib-remote.sh"
source "$FMFS_TOP/tests/lib-publish.sh"

publish_demo "$T/store" "$T/www"
write_netrc "$T/netrc" reader s3cret
start_nginx "$T" --tls --auth reader:s3cret
url=$NGINX_URL/www
mkdir "$T/mnt"

# refuse STATUS WHAT URL OPTIONS: fmfs exits STATUS with one line saying WHAT,
# nothing mounted, no cache folder made
refuse() {
	local want=$1 what=$2 u=$3 opts=$4 rc=0
	rm -rf "$T/c"
	"$BIN/fmfs" "$u" "$T/mnt" -f -o "$opts" >"$T/out" 2>"$T/err" || rc=$?
	assert_eq $rc "$want" "exit status ($what): $(cat "$T/err")"
	assert_eq "$(wc -l <"$T/err")" 1 "one line ($what): $(cat "$T/err")"
	grep -q -- "$what" "$T/err" || fail "message for $what: $(cat "$T/err")"
	grep -q s3cret "$T/err" && fail "a secret in the message"
	mountpoint -q "$T/mnt" && fail "mounted ($what)"
	[ ! -e "$T/c" ] || fail "cache folder left behind ($what)"
}
ok="pubkey=$T/publish.pub,cache=$T/c,cacert=$NGINX_CA,credentials=$T/netrc"

refuse 2 "unknown scheme" "ftp://127.0.0.1/www" "$ok"
refuse 2 "malformed URL" "https:///www" "$ok"
refuse 2 "malformed URL" "https://user:s3cret@127.0.0.1/www" "$ok"
refuse 2 "pubkey=" "$url" "cache=$T/c,cacert=$NGINX_CA,credentials=$T/netrc"
refuse 2 "cache=" "$url" "pubkey=$T/publish.pub,cacert=$NGINX_CA,credentials=$T/netrc"
refuse 2 "cache_max" "$url" "$ok,cache_max=lots"
refuse 2 "poll" "$url" "$ok,poll=0"
refuse 2 "mirrors" "$url" "$ok,mirrors=gopher://x"
refuse 2 "need a URL source" "$T/store" "$ok"
refuse 1 "publish.nokey" "$url" "pubkey=$T/publish.nokey,cache=$T/c,cacert=$NGINX_CA,credentials=$T/netrc"
chmod 644 "$T/netrc"
refuse 1 "netrc" "$url" "$ok"
chmod 600 "$T/netrc"
refuse 1 "netrc" "$url" "pubkey=$T/publish.pub,cache=$T/c,cacert=$NGINX_CA,credentials=$T/netrc.missing"
mkdir "$T/ro" && chmod 500 "$T/ro"
if [ "$(id -u)" != 0 ]; then
	refuse 1 "cannot create" "$url" "pubkey=$T/publish.pub,cache=$T/ro/c,cacert=$NGINX_CA,credentials=$T/netrc"
fi
refuse 1 "cannot create" "$url" "pubkey=$T/publish.pub,cache=$T/store/catalog.db/c,cacert=$NGINX_CA,credentials=$T/netrc"

note "wrong password, untrusted certificate, another publisher's key"
write_netrc "$T/badnetrc" reader wrong
refuse 1 "401\|denied\|credentials" "$url" "pubkey=$T/publish.pub,cache=$T/c,cacert=$NGINX_CA,credentials=$T/badnetrc"
refuse 1 "certificate\|TLS\|SSL" "$url" "pubkey=$T/publish.pub,cache=$T/c,credentials=$T/netrc"
openssl genpkey -algorithm ed25519 -out "$T/other.key" 2>/dev/null
openssl pkey -in "$T/other.key" -pubout -out "$T/other.pub"
refuse 1 "bad signature" "$url" "pubkey=$T/other.pub,cache=$T/c,cacert=$NGINX_CA,credentials=$T/netrc"

note "keygen and publish refusals"
expect_fail "already exists" fmctl keygen "$T/publish.key"
expect_fail "usage" fmctl keygen
chmod 644 "$T/publish.key"
expect_fail "readable by others" fmctl -s "$T/store" publish --org acme.example --key "$T/publish.key" "$T/www"
chmod 600 "$T/publish.key"
expect_fail "not in the store" fmctl -s "$T/store" publish --org none.example --key "$T/publish.key" "$T/www2"
expect_fail "usage" fmctl -s "$T/store" publish --org acme.example "$T/www"
expect_fail "a folder or s3" fmctl -s "$T/store" publish --org acme.example --key "$T/publish.key" "https://x/y"
fmctl keygen "$T/other2.key" >/dev/null
expect_fail "not published with this key" fmctl -s "$T/store" publish --org acme.example --key "$T/other2.key" "$T/www"
expect_fail "holds org acme.example" fmctl -s "$T/store" publish --org other.example --key "$T/publish.key" "$T/www"
