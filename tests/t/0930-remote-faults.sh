# 0930-remote-faults.sh - the transport's failure ladder against the fault
# server: truncated, short, reset and corrupt bodies are never returned;
# resets and 503s are retried (Retry-After honoured); a hang and a stall end
# within the configured timeouts; a bad first mirror is passed over for the
# next one, which serves the good bytes; bad everywhere: EIO naming each host.
source "$FMFS_TOP/tests/lib.sh"
source "$FMFS_TOP/tests/lib-remote.sh"
R=$BIN/helpers/remote_cli
[ -x "$R" ] || fail "$R missing: make helpers"

mkdir -p www/acme.example/objects
head -c 2000000 /dev/urandom >www/acme.example/objects/blob
sha=$(sha256sum www/acme.example/objects/blob | cut -c1-64)
start_faults www
T=(--connect-ms 1000 --io-ms 4000 --low-speed-s 1 --retries 2)
mirror() { echo "$FAULTS_URL/$1/acme.example"; }
requests() { grep -c "^GET /$1/acme.example/objects/blob " "$FAULTS_LOG" || true; }

# get MODE...: one get through those mirrors; sets OUT (stdout+stderr), RC, SECS
get() {
	local args=() t0
	for m in "$@"; do args+=(--url "$(mirror "$m")"); done
	rm -f out
	t0=$(date +%s%N)
	RC=0
	OUT=$("$R" "${T[@]}" "${args[@]}" get objects/blob "$sha" out 2>&1) || RC=$?
	SECS=$((($(date +%s%N) - t0) / 1000000000))
}

get ok
assert_eq "$RC" 0 "ok: $OUT"
cmp out www/acme.example/objects/blob

for m in truncate reset; do
	get $m
	assert_eq "$RC" 1 "$m: $OUT"
	assert_eq "$(requests $m)" 3 "$m: one try and two retries"
	grep -q "objects/blob: 127.0.0.1:[0-9]*: " <<<"$OUT" || fail "$m: $OUT"
	[ ! -s out ] || cmp -s out www/acme.example/objects/blob && fail "$m: bad bytes left as if good"
done
for m in badlen corrupt; do
	get $m
	assert_eq "$RC" 1 "$m: $OUT"
	assert_eq "$(requests $m)" 2 "$m: once more with no-cache, then no more"
	grep -q "objects/blob: 127.0.0.1:[0-9]*: sha256 mismatch" <<<"$OUT" || fail "$m: $OUT"
done

note "flaky: a 503 with Retry-After: 1, then the object"
get flaky
assert_eq "$RC" 0 "flaky: $OUT"
assert_eq "$(requests flaky)" 2 "flaky requests"
[ $SECS -ge 1 ] || fail "Retry-After was not honoured"
get 503
assert_eq "$RC" 1 "503"
grep -q "HTTP 503" <<<"$OUT" || fail "503: $OUT"
assert_eq "$(requests 503)" 3 "503 retried twice"

note "a hang and a stall end within the timeouts"
get hang
assert_eq "$RC" 1 "hang"
[ $SECS -le 8 ] || fail "hang took ${SECS}s"
get stall
assert_eq "$RC" 1 "stall"
[ $SECS -le 8 ] || fail "stall took ${SECS}s"
grep -q "objects/blob: 127.0.0.1:[0-9]*: Operation" <<<"$OUT" || fail "stall: $OUT"

note "mirrors: bad bytes on the first, good on the second"
get corrupt ok
assert_eq "$RC" 0 "corrupt then ok: $OUT"
cmp out www/acme.example/objects/blob || fail "the next mirror's bytes differ"
grep -q "warning: objects/blob: 127.0.0.1:[0-9]*: sha256 mismatch; served by" <<<"$OUT" || fail "$OUT"
get 404 reset ok
assert_eq "$RC" 0 "404, reset, ok: $OUT"
get corrupt badlen truncate
assert_eq "$RC" 1 "bad everywhere"
[ "$(grep -o "127.0.0.1:[0-9]*: " <<<"$OUT" | wc -l)" = 3 ] || fail "not each host named: $OUT"
grep -q "(Input/output error)" <<<"$OUT" || fail "not EIO: $OUT"
[ ! -s out ] || ! cmp -s out www/acme.example/objects/blob || true
get 404 404
assert_eq "$RC" 1 "missing everywhere"
grep -q "(No such file or directory)" <<<"$OUT" || fail "not ENOENT: $OUT"

note "the control endpoint: a fault on the key for one request"
faults_set acme.example/objects/blob reset 1
get ok
assert_eq "$RC" 0 "reset once, then ok: $OUT"
grep -q '^requests 2$' <<<"$OUT" || fail "$OUT"

note "a mirror that refuses connections is passed over at once"
port=$(free_port)
OUT=$("$R" "${T[@]}" --url "http://127.0.0.1:$port/x" --url "$(mirror ok)" get objects/blob "$sha" out 2>&1)
grep -q '^requests 2$' <<<"$OUT" || fail "refused: $OUT"
