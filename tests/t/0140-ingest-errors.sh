# 0140-ingest-errors.sh - every ingest error is one line on stderr, exit 1
# (2 for usage), and leaves the catalog and blob store exactly as before.
source "$FMFS_TOP/tests/lib.sh"

store=$T/store
make_demo "$store"
echo "fine" >"$T/ok.pdf"
echo "other" >"$T/changed.pdf"
inv=(--org acme.example --kind invoice --direction incoming --period 2026-10)
fmctl -s "$store" ingest "${inv[@]}" --name same.pdf "$T/ok.pdf"
before=$(store_state "$store")

# refused CODE "message" ARGS...: fmctl -s STORE ARGS fails with CODE, one
# line saying message, and nothing in the store changed.
refused() {
	local code=$1 want=$2
	shift 2
	expect_fail "$want" fmctl -s "$store" "$@"
	assert_eq "$LAST_RC" "$code" "exit code of fmctl $*"
	[ "$code" = 2 ] || assert_eq "$(wc -l <<<"$LAST_OUT")" 1 "one-line error for fmctl $* ($LAST_OUT)"
	assert_eq "$(store_state "$store")" "$before" "store after fmctl $*"
}

note "same path, same content: a no-op that says so"
out=$(fmctl -s "$store" ingest "${inv[@]}" --name same.pdf "$T/ok.pdf")
grep -q "already archived" <<<"$out" || fail "no-op not reported: $out"
assert_eq "$(store_state "$store")" "$before" "store after no-op"

note "content and source errors"
refused 1 "already archived with different content" ingest "${inv[@]}" --name same.pdf "$T/changed.pdf"
refused 1 "cannot open: No such file or directory" ingest "${inv[@]}" "$T/missing.pdf"
refused 1 "not a regular file" ingest "${inv[@]}" "$T"
mkdir -p "$T/d1" "$T/d2" && echo a >"$T/d1/dup.pdf" && echo b >"$T/d2/dup.pdf"
refused 1 "listed twice with different content" ingest "${inv[@]}" "$T/d1/dup.pdf" "$T/d2/dup.pdf"

note "unreadable source (as an unprivileged owner of the store)"
cp -a "$store" "$T/ustore" && chown -R nobody "$T/ustore" && chmod 755 "$T"
echo secret >"$T/secret.pdf" && chmod 600 "$T/secret.pdf"
ubefore=$(store_state "$T/ustore")
expect_fail "Permission denied" setpriv --reuid=65534 --regid=65534 --clear-groups -- \
	"$BIN/fmctl" -s "$T/ustore" ingest "${inv[@]}" "$T/secret.pdf"
assert_eq "$LAST_RC" 1 "exit code for an unreadable file"
assert_eq "$(store_state "$T/ustore")" "$ubefore" "store after unreadable source"

note "validation errors"
refused 1 "name contains a control character" ingest "${inv[@]}" --name $'bad\tname' "$T/ok.pdf"
refused 1 "name is '.' or '..'" ingest "${inv[@]}" --name .. "$T/ok.pdf"
refused 1 "name contains '/'" ingest "${inv[@]}" --name a/b "$T/ok.pdf"
refused 1 "not valid UTF-8" ingest "${inv[@]}" --name $'\xff.pdf' "$T/ok.pdf"
refused 1 "longer than 255 bytes" ingest "${inv[@]}" --name "$(printf 'n%.0s' $(seq 256))" "$T/ok.pdf"
refused 1 "period must be YYYY-MM" ingest --org acme.example --kind usage --period 2026-13 "$T/ok.pdf"
refused 1 "period must be YYYY-MM" ingest --org acme.example --kind usage --period 26-10 "$T/ok.pdf"
refused 1 "kind must be" ingest --org acme.example --kind receipt --period 2026-10 "$T/ok.pdf"
refused 1 "need --direction" ingest --org acme.example --kind soa --period 2026-10 "$T/ok.pdf"
refused 1 "direction must be incoming or outgoing" ingest --org acme.example --kind soa --direction sideways --period 2026-10 "$T/ok.pdf"
refused 1 "--direction applies only" ingest --org acme.example --kind usage --direction incoming --period 2026-10 "$T/ok.pdf"
refused 1 "not a valid domain name" ingest --org ACME --kind usage --period 2026-10 "$T/ok.pdf"
refused 1 "not a valid domain name" ingest --org ../x --kind usage --period 2026-10 "$T/ok.pdf"

note "usage errors: exit 2"
refused 2 "not a real date" ingest "${inv[@]}" --date 2026-02-30 "$T/ok.pdf"
refused 2 "--org, --kind and --period are required" ingest --kind usage "$T/ok.pdf"
refused 2 "no FILE given" ingest "${inv[@]}"
refused 2 "--name needs exactly one FILE" ingest "${inv[@]}" --name a.pdf "$T/ok.pdf" "$T/changed.pdf"
refused 2 "given twice" ingest "${inv[@]}" --org acme.example "$T/ok.pdf"
refused 2 "unknown option" ingest "${inv[@]}" --frobnicate "$T/ok.pdf"
refused 2 "--manifest takes no other options" ingest --manifest "$T/m.tsv" --org acme.example
refused 2 "is not a command" frobnicate
expect_fail "no store" env -u FMFS_STORE "$BIN/fmctl" ls
assert_eq "$LAST_RC" 1 "exit code without a store"

note "manifests: all or nothing"
mkdir -p "$T/batch"
for i in 1 2 3; do echo "file $i" >"$T/batch/f$i.pdf"; done
{
	printf 'path\torg\tkind\tdirection\tperiod\tdate\tname\n'
	printf 'f1.pdf\tacme.example\tinvoice\toutgoing\t2026-10\t2026-11-02\t\n'
	printf 'f2.pdf\tacme.example\tinvoice\toutgoing\t2026-10\t\t\n'
	printf 'f3.pdf\tacme.example\tinvoice\toutgoing\t2026-14\t\t\n'
} >"$T/batch/bad-period.tsv"
refused 1 "bad-period.tsv:4: f3.pdf: period must be YYYY-MM" ingest --manifest "$T/batch/bad-period.tsv"
printf 'f1.pdf\tacme.example\tinvoice\toutgoing\t2026-10\nmissing.pdf\tacme.example\tinvoice\toutgoing\t2026-10\n' >"$T/batch/missing.tsv"
refused 1 "missing.tsv:2: missing.pdf: cannot open" ingest --manifest "$T/batch/missing.tsv"
printf 'f1.pdf\tacme.example\tinvoice\n' >"$T/batch/short.tsv"
refused 1 "short.tsv:1: expected path, org, kind" ingest --manifest "$T/batch/short.tsv"
printf 'f1.pdf\tacme.example\tinvoice\toutgoing\t2026-10\t2026-13-01\n' >"$T/batch/date.tsv"
refused 1 "date.tsv:1: date '2026-13-01' is not a real date" ingest --manifest "$T/batch/date.tsv"
printf 'f1.pdf\tacme.example\tinvoice\toutgoing\t2026-10\x00x\n' >"$T/batch/nul.tsv"
refused 1 "nul.tsv:1: line contains a NUL byte" ingest --manifest "$T/batch/nul.tsv"
refused 1 "cannot open" ingest --manifest "$T/batch/none.tsv"

note "a locked catalog beyond the busy timeout"
sqlite3 "$store/catalog.db" "BEGIN IMMEDIATE; INSERT INTO audit(at,who,action,detail) VALUES (0,'t','t','t'); SELECT 1 FROM (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < 30000000) SELECT count(*) FROM c); ROLLBACK;" >/dev/null &
locker=$!
sleep 0.3
FMFS_BUSY_TIMEOUT_MS=200 expect_fail "locked" fmctl -s "$store" ingest "${inv[@]}" "$T/batch/f1.pdf"
assert_eq "$LAST_RC" 1 "exit code when locked"
wait $locker
diff <(store_state "$store") <(echo "$before") || fail "store after a locked catalog"

note "not a catalog, a newer schema, no store at all"
mkdir -p "$T/fake/objects" && echo "hello" >"$T/fake/catalog.db"
expect_fail "not an fmfs catalog" fmctl -s "$T/fake" ingest "${inv[@]}" "$T/ok.pdf"
sqlite3 "$T/fake2.db" "CREATE TABLE t(x)" && mkdir -p "$T/fake2" && mv "$T/fake2.db" "$T/fake2/catalog.db"
expect_fail "not an fmfs catalog" fmctl -s "$T/fake2" ls
cp -a "$store" "$T/newer" && sqlite3 "$T/newer/catalog.db" "PRAGMA user_version=7"
expect_fail "schema version 7 is newer" fmctl -s "$T/newer" ingest "${inv[@]}" "$T/ok.pdf"
expect_fail "not an fmfs archive" fmctl -s "$T/nowhere" ls
expect_fail "already an archive" fmctl init "$store"
[ -z "$(find "$store/objects" -name 'tmp-*')" ] || fail "temp files left behind"
assert_eq "$(store_state "$store")" "$before" "store at the end"
echo "ingest error checks passed"
