#!/usr/bin/env bash
# tests/fuzz/run.sh BUILD_DIR SECONDS - run every libFuzzer target in
# BUILD_DIR/bin for SECONDS each, starting from its seed corpus in
# tests/fuzz/corpus/<target>/ (new inputs go to a temp folder, not the repo).
# Prints executions per target; exits 1 if any target crashed (the input is
# kept in BUILD_DIR/crashes/).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-build-fuzz}" && pwd)
secs=${2:-60}
mkdir -p "$build/crashes"
failed=0 total=0
for bin in "$build"/bin/fuzz_*; do
	# the binaries only (make writes fuzz_X.d dependency files beside them)
	[[ -x $bin && $bin != *.d ]] || continue
	t=$(basename "$bin")
	work=$(mktemp -d /tmp/fmfs-fuzz.XXXXXX)
	log=$build/$t.log
	"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$build/crashes/$t-" "$work" "$top/tests/fuzz/corpus/$t" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	rm -rf "$work"
	total=$((total + ${execs:-0}))
	if [ $rc -ne 0 ]; then
		failed=1
		echo "FAILED  $t (exit $rc) after ${execs:-?} executions - $log:"
		grep -E 'ERROR|SUMMARY|==[0-9]+==' "$log" | head -n 10 | sed 's/^/    /'
	else
		echo "ok      $t: ${execs:-?} executions in ${secs} s, no crash"
	fi
done
echo "fuzzing: $total executions in total"
exit $failed
