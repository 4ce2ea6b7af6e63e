#!/usr/bin/env bash
# tests/run.sh BUILD_DIR [PATTERN] - run every unit test binary and every
# integration script (tests/t/NNNN-*.sh), each in its own temp folder, scan
# their output for sanitizer reports, and end with "N passed, N failed, N skipped".
# Exit status 77 from a test means skipped; its last line says why.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "$top/${1:-build-san}" && pwd)
pattern=${2:-}
export FMFS_BIN="$build" FMFS_TOP="$top"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
logdir=$build/test-logs
rm -rf "$logdir" && mkdir -p "$logdir"
passed=0 failed=0 skipped=0 failed_names=()

run_one() { # name command...
	local name=$1 log="$logdir/$1.log" tmp rc start end
	shift
	tmp=$(mktemp -d /tmp/fmfs-test.XXXXXX)
	start=$(date +%s.%N)
	(cd "$tmp" && TEST_TMP="$tmp" timeout -k 10 "${FMFS_TEST_TIMEOUT:-600}" "$@") >"$log" 2>&1 </dev/null
	rc=$?
	end=$(date +%s.%N)
	if [ $rc -ne 77 ] && grep -qE 'ERROR: (Address|Leak|Undefined)Sanitizer|runtime error:' "$log"; then
		echo "sanitizer report in $name" >>"$log"
		rc=1
	fi
	rm -rf "$tmp" 2>/dev/null || { fusermount3 -uz "$tmp"/* 2>/dev/null; rm -rf "$tmp"; }
	local t
	t=$(printf '%.1f' "$(echo "$end - $start" | bc)")
	if [ $rc -eq 0 ]; then
		passed=$((passed + 1)); echo "ok      $name (${t}s)"
	elif [ $rc -eq 77 ]; then
		skipped=$((skipped + 1)); echo "skipped $name: $(tail -n 1 "$log")"
	else
		failed=$((failed + 1)); failed_names+=("$name")
		echo "FAILED  $name (exit $rc, ${t}s) - last lines of $log:"
		tail -n 15 "$log" | sed 's/^/    /'
	fi
}

for bin in "$build"/tests/test_*; do
	[ -x "$bin" ] || continue
	name=unit/$(basename "$bin")
	[[ -n $pattern && $name != *$pattern* ]] && continue
	run_one "$(basename "$bin")" "$bin"
done
for script in "$top"/tests/t/[0-9]*.sh; do
	[ -f "$script" ] || continue
	name=$(basename "$script" .sh)
	[[ -n $pattern && $name != *$pattern* ]] && continue
	run_one "$name" bash "$script"
done
echo
[ ${#failed_names[@]} -gt 0 ] && echo "failed: ${failed_names[*]} (logs in $logdir)"
echo "$passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ]
