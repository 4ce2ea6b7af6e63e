# 0951-remote-refusal.sh - the client refuses a manifest that is forged
# (another key), expired, rolled back or forked; it keeps serving the last
# good revision and logs one line why; a good revision after that is taken.
source "$FMFS_TOP/tests/lib.sh"
source "$FMFS_TOP/tests/lib-remote.sh"
source "$FMFS_TOP/tests/lib-publish.sh"

store=$T/store www=$T/www mnt=$T/mnt cache=$T/cache
publish_demo "$store" "$www"
start_nginx "$T" --tls --auth reader:s3cret
write_netrc "$T/netrc" reader s3cret
url=$NGINX_URL/www
remote_mount "$url" "$mnt" "$cache"
rev() { getfattr --absolute-names --only-values -n user.fmfs.remote.revision "$mnt"; }
# nginx's ETag is the mtime in seconds and the size: give each manifest the
# test writes an mtime of its own, as fmctl publish does
bump=0
bump() { bump=$((bump + 1)); touch -d "@$(($(date +%s) + 5 + bump))" "$www/manifest"; }
status_error() { getfattr --absolute-names --only-values -n user.fmfs.remote.error "$mnt"; }
assert_eq "$(rev)" 1 "first revision"

note "revision 2 (one new file) shows within poll + 1 s"
echo new >"$T/src/late.pdf"
fmctl -s "$store" ingest --org acme.example --kind invoice --direction incoming \
	--period 2026-10 "$T/src/late.pdf" >/dev/null
fmctl -s "$store" publish --org acme.example --key "$T/publish.key" "$www" >/dev/null
cp "$www/manifest" "$T/manifest.2"
wait_for 2 test -f "$mnt/Invoices/Incoming/2026-10/late.pdf"
assert_eq "$(cat "$mnt/Invoices/Incoming/2026-10/late.pdf")" new "late.pdf"
assert_eq "$(rev)" 2 "revision 2"
good_tree=$(cd "$mnt" && find . -printf '%p %i %s %T@\n' | sort)

# refused WHY: the manifest now in www is refused with WHY logged, once;
# revision 2 is still served, then the good manifest is put back.
refused() {
	local why=$1 before
	before=$(grep -c "$why" "$T/fmfs.log" || true)
	wait_for 3 sh -c "[ \$(grep -c '$why' '$T/fmfs.log') -gt $before ]"
	sleep 1.2 # one more poll: still refused, not logged again
	assert_eq "$(grep -c "$why" "$T/fmfs.log")" $((before + 1)) "log lines for: $why"
	assert_eq "$(rev)" 2 "revision after: $why"
	case $(status_error) in *"$why"*) ;; *) fail "status error: $(status_error)" ;; esac
	assert_eq "$(cd "$mnt" && find . -printf '%p %i %s %T@\n' | sort)" "$good_tree" "tree after: $why"
	cmp "$T/src/big.bin" "$mnt/SOA/Outgoing/2026-10/big.bin"
	cp "$T/manifest.2" "$www/manifest"
	bump
	wait_for 3 sh -c "[ \"\$(getfattr --absolute-names --only-values -n user.fmfs.remote.error '$mnt')\" = none ]"
}

note "forged: signed by another key"
openssl genpkey -algorithm ed25519 -out "$T/other.key" 2>/dev/null
cp "$T/manifest.2" "$www/manifest"
sed -i 's/^revision 2$/revision 3/' "$www/manifest"
sign_manifest "$www/manifest" "$T/other.key"
bump
refused "bad signature"

note "tampered: a field changed after signing"
sed 's/^through \(.*\)$/through 99999/' "$T/manifest.2" >"$www/manifest"
bump
refused "bad signature"

note "expired: signed by the right key, expiry in the past"
sed "s/^expires .*/expires $(($(date +%s) - 10))/" "$T/manifest.2" >"$www/manifest"
sign_manifest "$www/manifest" "$T/publish.key"
bump
refused "expired"

note "rolled back: revision 1's own manifest"
sed -n '1,/^delta /p' "$T/manifest.2" >/dev/null
cp "$T/manifest.1" "$www/manifest" 2>/dev/null || {
	# revision 1's manifest: rebuild it from the first delta
	d1=$(sed -n 's/^prev //p' "$www/deltas/$(sed -n 's/^delta //p' "$T/manifest.2")")
	s1=$(sed -n 's/^prev-state //p' "$T/manifest.2")
	t1=$(sed -n 's/^through //p' "$www/deltas/$d1")
	sed -e "s/^revision 2$/revision 1/" -e "s/^through .*/through $t1/" \
		-e "s/^state .*/state $s1/" -e "s/^prev-state .*/prev-state $(printf '0%.0s' $(seq 64))/" \
		-e "s/^delta .*/delta $d1/" "$T/manifest.2" >"$www/manifest"
	sign_manifest "$www/manifest" "$T/publish.key"
}
bump
refused "rollback"

note "forked: another store, same key, two revisions of another history"
fork=$T/fork forkwww=$T/forkwww
fmctl init "$fork" >/dev/null
fmctl -s "$fork" ingest --org acme.example --kind invoice --direction incoming \
	--period 2026-10 "$T/src/INV-3k.pdf" >/dev/null
fmctl -s "$fork" publish --org acme.example --key "$T/publish.key" "$forkwww" >/dev/null
fmctl -s "$fork" ingest --org acme.example --kind invoice --direction incoming \
	--period 2026-11 "$T/src/late.pdf" >/dev/null
fmctl -s "$fork" publish --org acme.example --key "$T/publish.key" "$forkwww" >/dev/null
cp -r "$forkwww/deltas/." "$www/deltas/"
cp "$forkwww/manifest" "$www/manifest"
bump
refused "fork"
note "forked one revision ahead: its delta does not extend revision 2"
fmctl -s "$fork" ingest --org acme.example --kind invoice --direction incoming \
	--period 2026-12 "$T/src/late.pdf" >/dev/null
fmctl -s "$fork" publish --org acme.example --key "$T/publish.key" "$forkwww" >/dev/null
cp -r "$forkwww/deltas/." "$www/deltas/"
cp "$forkwww/manifest" "$www/manifest"
bump
refused "does not extend"

note "after all that, a good revision 3 is taken"
echo newer >"$T/src/later.pdf"
fmctl -s "$store" ingest --org acme.example --kind invoice --direction incoming \
	--period 2026-10 "$T/src/later.pdf" >/dev/null
fmctl -s "$store" publish --org acme.example --key "$T/publish.key" "$www" >/dev/null
wait_for 2 test -f "$mnt/Invoices/Incoming/2026-10/later.pdf"
assert_eq "$(rev)" 3 "revision 3"
