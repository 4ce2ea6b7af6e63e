#!/usr/bin/env bash
# The systemd units of the monthly usage conversion pass systemd-analyze
# verify, the timer fires on the 1st at 00:10 UTC, and the spool script they
# run converts what is dropped into new/, moves finished exports to done/
# and keeps those with records of open months in pending/.
source "$FMFS_TOP/tests/lib.sh"
source "$FMFS_TOP/tests/usage-lib.sh"
command -v systemd-analyze >/dev/null || skip "systemd-analyze not installed"

note "systemd-analyze verify, with the paths the units name made to exist here"
P=$T/prefix U=$T/units
mkdir -p "$P/libexec/fmfs" "$P/bin" "$U"
install -m 755 "$TOP/tools/usage-spool.sh" "$P/libexec/fmfs/"
ln -s "$BIN/fmctl" "$P/bin/fmctl"
for f in fmfs-usage.service fmfs-usage.timer fmfs-usage.path; do
	sed -e "s|/usr/local/|$P/|g" -e "s|/var/spool/fmfs/usage|$T/spool|g" \
		-e "s|/etc/fmfs/usage.conf|$T/usage.conf|" "$TOP/systemd/$f" >"$U/$f"
done
grep -q "^ExecStart=$P/libexec/fmfs/usage-spool.sh$" "$U/fmfs-usage.service" || fail "ExecStart"
grep -q '^OnCalendar=\*-\*-01 00:10:00 UTC$' "$U/fmfs-usage.timer" || fail "OnCalendar"
grep -q "^PathExistsGlob=$T/spool/new/\*.csv$" "$U/fmfs-usage.path" || fail "PathExistsGlob"
cp "$TOP/systemd/usage.conf.example" "$T/usage.conf"
(cd "$U" && SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no \
	./fmfs-usage.service ./fmfs-usage.timer ./fmfs-usage.path) >verify.log 2>&1 || {
	cat verify.log; fail "systemd-analyze verify"; }
grep -v 'Failed to prepare filename\|Operation not permitted' verify.log | grep -i 'fmfs-usage' &&
	fail "systemd-analyze warns about the units"
# a unit that points at a missing script must fail verify: the check works
sed -i "s|^ExecStart=.*|ExecStart=$P/libexec/fmfs/missing.sh|" "$U/fmfs-usage.service"
(cd "$U" && systemd-analyze verify --man=no ./fmfs-usage.service) >/dev/null 2>&1 &&
	fail "verify accepted a missing ExecStart"
next=$(systemd-analyze calendar --iterations=2 --base-time='2026-11-15 12:00:00 UTC' \
	'*-*-01 00:10:00 UTC' 2>/dev/null | grep -i 'next elapse\|iter' | tr '\n' ' ')
[[ $next == *"2026-12-01 00:10:00 UTC"* ]] || [[ $next == *"Tue 2026-12-01"* ]] ||
	fail "timer does not fire on 2026-12-01 00:10 UTC: $next"

note "the spool script"
S=$T/store O=acme.example
fmctl init "$S" >/dev/null
mkdir -p "$T/spool/new"
export_csv "$T/spool/new/oct.csv" "$CALL_HDR" "$(call a 2026-10-05T00:00:00Z 60)"
export_csv "$T/spool/new/mixed.csv" "$CALL_HDR" "$(call b 2026-10-06T00:00:00Z 60)" \
	"$(call c 2026-11-20T00:00:00Z 60)"
run_spool() {
	FMFS_STORE=$S FMFS_ORG=$O FMFS_SPOOL=$T/spool FMFS_FMCTL=$BIN/fmctl FMFS_TMPDIR=$T \
		"$P/libexec/fmfs/usage-spool.sh"
}
FMFS_NOW=2026-11-25T00:00:00Z run_spool >out 2>err || { cat out err; fail "spool run 1"; }
ls "$T/spool/done" | grep -q -- '-oct.csv$' || fail "oct.csv not done: $(ls -R "$T/spool")"
[ -f "$T/spool/pending/mixed.csv" ] || fail "mixed.csv should wait in pending/"
[ -z "$(ls "$T/spool/new")" ] || fail "new/ not emptied"
ucat "$S" $O/Usage/2026-10/$O-2026-10-call.csv | cut -d, -f1 | tail -n +2 | tr '\n' ' ' | grep -qx 'a b ' ||
	fail "October not converted"
# the 1st of the month: November closes, mixed.csv is done, nothing else changes
FMFS_NOW=2026-12-01T00:10:00Z run_spool >out 2>err || { cat out err; fail "spool run 2"; }
[ -z "$(ls "$T/spool/pending")" ] || fail "pending/ not emptied"
ucat "$S" $O/Usage/2026-11/$O-2026-11-call.csv | grep -q '^c,' || fail "November not converted"
fmctl -s "$S" ls $O/Usage/2026-10 | grep -q supplement && fail "a supplement for nothing new"
# a bad export fails the service and stays in pending/
printf 'nonsense\r\n' >"$T/spool/new/bad.csv"
before=$(store_state "$S")
FMFS_NOW=2026-12-01T00:10:00Z run_spool >out 2>err && fail "a bad export passed"
grep -q 'bad.csv:1: header matches no usage type' err || fail "message: $(cat err)"
[ -f "$T/spool/pending/bad.csv" ] || fail "bad.csv not kept"
assert_eq "$(store_state "$S")" "$before" "store changed by a bad spool run"
