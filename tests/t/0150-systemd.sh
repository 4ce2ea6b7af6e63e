# 0150-systemd.sh - the systemd units are valid (systemd-analyze verify), with
# their binaries pointed at this build.
source "$FMFS_TOP/tests/lib.sh"
command -v systemd-analyze >/dev/null || skip "systemd-analyze is not installed"

mkdir -p "$T/units"
for u in "$FMFS_TOP"/systemd/*.service "$FMFS_TOP"/systemd/*.timer "$FMFS_TOP"/systemd/*.path; do
	[ -f "$u" ] || continue
	sed -e "s|/usr/local/bin/|$BIN/|g" -e "s|/usr/local/libexec/fmfs/|$FMFS_TOP/tools/|g" \
		-e "s|/etc/fmfs/|$T/etc/|g" "$u" >"$T/units/$(basename "$u")"
done
mkdir -p "$T/etc"
cp "$FMFS_TOP/systemd/fmfs.conf.example" "$T/etc/fmfs.conf"
cp "$FMFS_TOP/systemd/publish.conf.example" "$T/etc/publish-acme.example.conf"
cp "$FMFS_TOP/systemd/remote.conf.example" "$T/etc/remote-acme.example.conf"
cd "$T/units"
units=()
for u in *@.service *@.timer; do # the templates, as instance acme.example
	ln -s "$u" "${u/@./@acme.example.}"
	units+=("${u/@./@acme.example.}")
done
for u in *.timer *.path *.service; do
	[[ -f $u && $u != *@* ]] && units+=("$u")
done
out=$(systemd-analyze verify --man=no "${units[@]}" 2>&1) || fail "systemd-analyze verify: $out"
# verify prints warnings without failing; treat any line about our units as an error
if grep -E "fmfs" <<<"$out"; then fail "systemd-analyze complains: $out"; fi
note "verified: ${units[*]}"
grep -q '^Restart=on-failure' fmfs@.service || fail "fmfs@.service does not restart on failure"
grep -q 'fusermount3 -uz' fmfs@.service || fail "fmfs@.service does not clean a stale mount"
# hardening: systemd's own exposure score of each service (0 best, 10 worst)
for u in fmfs@acme.example.service fmfs-usage.service fmfs-verify.service; do
	score=$(systemd-analyze security --offline=true "./$u" 2>/dev/null | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
	[ -n "$score" ] || { note "systemd-analyze security cannot score $u here"; continue; }
	note "$u: exposure $score"
	awk -v s="$score" 'BEGIN { exit !(s <= 4.0) }' || fail "$u: exposure $score (above 4.0): hardening options missing"
done
echo "systemd units verified"
