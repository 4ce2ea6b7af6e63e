# 0956-remote-cache.sh - the cache under pressure: a tiny cache_max evicts
# and every read stays correct; 16 readers of one uncached 100 MiB file make
# one download of each chunk (nginx's log); a client SIGKILLed while
# downloading leaves a cache in which every unit matches its name, and the
# restarted mount serves the right bytes.
source "$FMFS_TOP/tests/lib.sh"
source "$FMFS_TOP/tests/lib-remote.sh"
source "$FMFS_TOP/tests/lib-publish.sh"

publish_demo "$T/store" "$T/www"
head -c $((100 << 20)) /dev/urandom >"$T/src/huge.bin"
fmctl -s "$T/store" ingest --org acme.example --kind report --period 2026-11 "$T/src/huge.bin" >/dev/null
fmctl -s "$T/store" publish --org acme.example --key "$T/publish.key" "$T/www" >/dev/null
write_netrc "$T/netrc" reader s3cret
start_nginx "$T" --tls --auth reader:s3cret --http2
url=$NGINX_URL/www mnt=$T/mnt
sha=$(sha256sum <"$T/src/huge.bin" | cut -c1-64)
key=objects/${sha:0:2}/${sha:2}
units_ok() { # every unit in the cache matches its name (temps aside)
	find "$1/objects" -type f -path '*/objects/??/*' | while read -r p; do
		assert_eq "$(sha256sum <"$p" | cut -c1-64)" "$(basename "$(dirname "$p")")$(basename "$p")" "unit $p"
	done
}

note "16 readers of one uncached 100 MiB file: each chunk downloaded once"
remote_mount "$url" "$mnt" "$T/cache"
pids=()
for i in $(seq 15); do
	cat "$mnt/Reports/2026-11/huge.bin" >/dev/null &
	pids+=($!)
done
cmp "$T/src/huge.bin" "$mnt/Reports/2026-11/huge.bin" &
pids+=($!)
for p in "${pids[@]}"; do wait "$p" || fail "a reader got other bytes"; done
assert_eq "$(grep -c "GET /www/$key" "$NGINX_LOG")" 100 "GETs of the 100 chunks"
units_ok "$T/cache"
fmfs_umount "$mnt"

note "a tiny cache_max: eviction, and every read still correct"
remote_mount "$url" "$mnt" "$T/small" "cache_max=3M"
for round in 1 2; do
	cmp "$T/src/big.bin" "$mnt/SOA/Outgoing/2026-10/big.bin"
	cmp "$T/src/INV-3k.pdf" "$mnt/Invoices/Incoming/2026-10/INV-3k.pdf"
	dd if="$mnt/Reports/2026-11/huge.bin" bs=1M skip=40 count=4 2>/dev/null |
		cmp - <(dd if="$T/src/huge.bin" bs=1M skip=40 count=4 2>/dev/null) || fail "huge.bin round $round"
done
bytes=$(getfattr --absolute-names --only-values -n user.fmfs.remote.cache_bytes "$mnt")
[ "$bytes" -le $((3 << 20)) ] || fail "cache holds $bytes bytes, cache_max is 3M"
[ "$(du -sb "$T/small/objects" | cut -f1)" -le $((4 << 20)) ] || fail "cache folder: $(du -sb "$T/small/objects")"
units_ok "$T/small"
fmfs_umount "$mnt"

note "SIGKILL while downloading, then a restart on the same cache"
start_nginx "$T" --tls --auth reader:s3cret --rate 4m
url=$NGINX_URL/www
mkdir -p "$T/mnt3"
"$BIN/fmfs" "$url" "$T/mnt3" -f -o "pubkey=$T/publish.pub,cache=$T/killed,cacert=$NGINX_CA,credentials=$T/netrc" 2>>"$T/fmfs.log" &
pid=$!
_pids+=("$pid") _mounts+=("$T/mnt3")
wait_for 5 mountpoint -q "$T/mnt3"
cat "$T/mnt3/Reports/2026-11/huge.bin" >/dev/null 2>&1 &
reader=$!
sleep 1.5
kill -9 "$pid"
wait "$reader" 2>/dev/null || true
# (fmfs started as root leaves unmounting to fusermount3, auto_unmount: the
# mount may be gone already)
fusermount3 -uz "$T/mnt3" 2>/dev/null || true
for _ in $(seq 100); do grep -q " $T/mnt3 " /proc/mounts || break; sleep 0.05; done
units_ok "$T/killed"
n=$(find "$T/killed/objects" -type f -path '*/objects/??/*' | wc -l)
note "$n units cached before the kill"
remote_mount "$url" "$T/mnt4" "$T/killed"
cmp "$T/src/big.bin" "$T/mnt4/SOA/Outgoing/2026-10/big.bin"
dd if="$T/mnt4/Reports/2026-11/huge.bin" bs=1M count=8 2>/dev/null |
	cmp - <(head -c $((8 << 20)) "$T/src/huge.bin") || fail "huge.bin after the restart"
units_ok "$T/killed"
