# 0940-remote-cache.sh - the remote share's local cache (catalog/cache.h)
# with nginx as the source: 16 threads wanting one missing unit make one
# download; a tiny cache_max evicts the least recently used units (not the
# ones held) and every read stays right; cached units are served with the
# source gone; after SIGKILL during downloads the cache is consistent, and a
# damaged unit is fetched again, never served; a folder that cannot be made
# or is in use: one line.
source "$FMFS_TOP/tests/lib.sh"
source "$FMFS_TOP/tests/lib-remote.sh"
R=$BIN/helpers/remote_cli
[ -x "$R" ] || fail "$R missing: make helpers"

mkdir -p www/acme.example/objects
for i in 1 2 3 4; do head -c 1000000 /dev/urandom >www/acme.example/objects/u$i; done
head -c 20000000 /dev/urandom >www/acme.example/objects/big
start_nginx www
sha() { sha256sum www/acme.example/objects/$1 | cut -c1-64; }
U=(--url "$NGINX_URL/acme.example")
gets() { grep -c "\"GET /acme.example/objects/$1 " "$NGINX_LOG" || true; }
units() { find cache/objects -type f -name '??????????????????????????????????????????????????????????????' | wc -l; }

note "16 readers, one missing unit: one download"
"$R" "${U[@]}" cache cache 100000000 "$(sha big)" objects/big 0 0 16 >out
assert_eq "$(gets big)" 1 "downloads of big"
assert_eq "$(cat out)" "cache bytes 20000000" "cache bytes"
[ "$(stat -c %a cache)" = 700 ] || fail "cache folder mode $(stat -c %a cache)"

note "a second process finds it cached; the file is named by its hash"
"$R" "${U[@]}" cache cache 100000000 "$(sha big)" objects/big 0 0 4 >/dev/null
assert_eq "$(gets big)" 1 "downloads of big after a restart"
s=$(sha big)
[ -f "cache/objects/${s:0:2}/${s:2}" ] || fail "no cache/objects/${s:0:2}/${s:2}"

note "a tiny cache_max: least recently used first (mtime across restarts), every read right"
rm -rf cache
max=2500000
for u in u1 u2 u3; do "$R" "${U[@]}" cache cache $max "$(sha $u)" objects/$u 0 0 >/dev/null; done
assert_eq "$(units)" 2 "units kept"
"$R" cache cache $max "$(sha u1)" objects/u1 0 0 2>/dev/null && fail "u1, the oldest, still cached"
"$R" "${U[@]}" cache cache $max "$(sha u1)" objects/u1 0 0 >/dev/null
assert_eq "$(gets u1)" 2 "u1 fetched again"
"$R" cache cache $max "$(sha u2)" objects/u2 0 0 2>/dev/null && fail "u2, now the oldest, still cached"
"$R" cache cache $max "$(sha u3)" objects/u3 0 0 >/dev/null || fail "u3 evicted"
"$R" cache cache $max "$(sha u1)" objects/u1 0 0 >/dev/null || fail "u1 evicted"
note "a unit held is not evicted past cache_max until released: 3 readers, one download"
"$R" "${U[@]}" cache cache 1000 "$(sha u4)" objects/u4 0 0 3 200 >out
assert_eq "$(gets u4)" 1 "downloads of u4"
assert_eq "$(cat out)" "cache bytes 0" "evicted once released"
assert_eq "$(units)" 0 "units left"
"$R" "${U[@]}" cache cache 100000000 "$(sha u4)" objects/u4 0 0 >/dev/null
note "8 threads, 40 units, a cache a few units big: eviction under load, every read right"
mkdir -p www/acme.example/objects/many
for i in $(seq 40); do
	head -c $((10000 + i * 7000)) /dev/urandom >www/acme.example/objects/many/m$i
	echo "objects/many/m$i $(sha256sum www/acme.example/objects/many/m$i | cut -c1-64)"
done >list
"$R" "${U[@]}" cache-stress stress 1000000 list 8 150 >out 2>err || fail "stress: $(cat err)"
bytes=$(sed -n 's/^cache bytes //p' out)
[ "$bytes" -le 1000000 ] || fail "cache bytes $bytes over cache_max after the readers left"
ondisk=$(find stress/objects -mindepth 2 -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')
assert_eq "$ondisk" "$bytes" "bytes of the units on disk"

note "offline: cached units served, others fail at once"
"$R" cache cache 100000000 "$(sha u4)" objects/u4 0 0 >/dev/null || fail "cached u4 not served offline"
expect_fail "objects/u2: not in the cache" "$R" cache cache 100000000 "$(sha u2)" objects/u2 0 0

note "SIGKILL during downloads: leftovers removed, nothing served wrong"
rm -rf cache
start_nginx www --rate 2000000
U=(--url "$NGINX_URL/acme.example")
for k in 1 2 3; do
	"$R" "${U[@]}" cache cache 100000000 "$(sha big)" objects/big 0 0 4 >/dev/null 2>&1 &
	pid=$!
	for _ in $(seq 200); do # until bytes arrive, then a little later
		find cache/objects -maxdepth 1 -name 'tmp-*' -size +0 2>/dev/null | grep -q . && break
		sleep 0.05
	done
	sleep 0.$((k * 2))
	kill -9 $pid
	wait $pid 2>/dev/null || true
done
ls cache/objects | grep -q '^tmp-' || fail "no temp left by the killed downloads (test is void)"
"$R" cache cache 100000000 "$(sha big)" objects/big 0 0 2>/dev/null && fail "a cut download was served"
ls cache/objects | grep -q '^tmp-' && fail "temps left after an open"
note "a damaged unit (a crash of the disk, a hand edit) is fetched again"
"$R" "${U[@]}" cache cache 100000000 "$(sha u1)" objects/u1 0 0 >/dev/null
s=$(sha u1)
chmod 644 "cache/objects/${s:0:2}/${s:2}"
printf 'X' | dd of="cache/objects/${s:0:2}/${s:2}" bs=1 seek=5000 conv=notrunc status=none
before=$(grep -c 'objects/u1 ' "$NGINX_LOG" || true)
"$R" "${U[@]}" cache cache 100000000 "$(sha u1)" objects/u1 0 0 4 >/dev/null
assert_eq "$(grep -c 'objects/u1 ' "$NGINX_LOG")" $((before + 1)) "damaged unit fetched again"
cmp "cache/objects/${s:0:2}/${s:2}" www/acme.example/objects/u1 || fail "damaged unit still there"
echo junk >cache/objects/ab
mkdir -p cache/objects/cd && echo junk >cache/objects/cd/not-a-hash
"$R" cache cache 100000000 "$(sha u1)" objects/u1 0 0 >/dev/null
[ ! -e cache/objects/ab ] && [ ! -e cache/objects/cd/not-a-hash ] || fail "strangers kept"

note "bad cache folders: one line"
touch file
expect_fail "cache: file/objects: cannot create: Not a directory" "$R" cache file 1000 "$(sha u1)" objects/u1 0 0
"$R" "${U[@]}" cache cache 100000000 "$(sha big)" objects/big 0 0 1 3000 >/dev/null 2>&1 &
pid=$!
for _ in $(seq 50); do ls cache/objects | grep -q '^tmp-' && break; sleep 0.1; done
expect_fail "cache: cache: in use by another process" "$R" cache cache 1000 "$(sha u1)" objects/u1 0 0
kill $pid
wait $pid 2>/dev/null || true
