# tests/lib-publish.sh - helpers of the remote-client tests (0950-0999):
# an archive of one org published to an nginx HTTPS web root (test CA,
# basic auth from a netrc), and its remote mount. Source after lib.sh and
# lib-remote.sh.

# publish_demo STORE WWW: a small archive (acme.example: 3 small files, one
# of 3 chunks, another org), a key pair ($T/publish.key/.pub), published.
publish_demo() {
	local store=$1 www=$2 src=$T/src
	mkdir -p "$src"
	fmctl init "$store" >/dev/null
	head -c 3072 /dev/urandom >"$src/INV-3k.pdf"
	head -c 2500000 /dev/urandom >"$src/big.bin"
	printf 'caf\xc3\xa9;1\r\n' >"$src/März-report.csv"
	: >"$src/empty.csv"
	touch -d 2026-10-15T12:00:00Z "$src/big.bin"
	fmctl -s "$store" ingest --org acme.example --kind invoice --direction incoming \
		--period 2026-10 --date 2026-11-01 "$src/INV-3k.pdf" >/dev/null
	fmctl -s "$store" ingest --org acme.example --kind soa --direction outgoing \
		--period 2026-10 "$src/big.bin" >/dev/null
	fmctl -s "$store" ingest --org acme.example --kind report --period 2026-10 \
		"$src/März-report.csv" "$src/empty.csv" >/dev/null
	fmctl -s "$store" ingest --org other.example --kind invoice --direction incoming \
		--period 2026-10 "$src/INV-3k.pdf" >/dev/null
	[ -f "$T/publish.key" ] || fmctl keygen "$T/publish.key" >/dev/null
	fmctl -s "$store" publish --org acme.example --key "$T/publish.key" "$www" >/dev/null
}

# remote_mount URL MNT CACHE [more -o options]: mount a published org with
# the test's key, CA and netrc ($T/netrc), poll 1 s.
# fmfs's stderr goes to $T/fmfs.log.
remote_mount() {
	local url=$1 mnt=$2 cache=$3 more=${4:+,$4}
	[ -f "$T/fmfs.log" ] || on_exit "sed 's/^/fmfs: /' '$T/fmfs.log'"
	touch "$T/fmfs.log"
	fmfs_mount "$url" "$mnt" -o "pubkey=$T/publish.pub,cache=$cache,cacert=$NGINX_CA,credentials=$T/netrc,poll=1$more" 2>>"$T/fmfs.log"
}

# sign_manifest FILE KEY: replace FILE's signature line by KEY's signature
# of the lines before it (a manifest whose fields a test changed).
sign_manifest() {
	local f=$1 key=$2
	grep -v '^signature ' "$f" >"$f.body"
	openssl pkeyutl -sign -rawin -inkey "$key" -in "$f.body" -out "$f.sig"
	{ cat "$f.body"; printf 'signature %s\n' "$(od -An -tx1 -v "$f.sig" | tr -d ' \n')"; } >"$f"
	rm -f "$f.body" "$f.sig"
}

# wait_for SECONDS CMD...: until CMD succeeds, at most SECONDS (fails then).
wait_for() {
	local s=$1
	shift
	for _ in $(seq $((s * 10))); do
		"$@" 2>/dev/null && return 0
		sleep 0.1
	done
	fail "not within $s s: $*"
}

# nginx_requests PATTERN: how many access-log lines (probes excluded) match.
nginx_requests() {
	grep -v fmfs-probe "$NGINX_LOG" | grep -c -- "$1" || true
}
