# 0580-bad-input: every fmctl subcommand and fmfs, given missing, malformed,
# duplicated and contradictory arguments: each answers with one error line
# (a usage synopsis may follow), exits non-zero (2 for usage), and nothing
# in the store changes; fmfs mounts nothing.
source "$FMFS_TOP/tests/lib.sh"
source "$FMFS_TOP/tests/lib-safety.sh"

S=$T/store M=$T/mnt
make_demo "$S"
export FMFS_STORE=$S
mkdir -p src "$M" ledger
random_file src/a.pdf 1000
random_file src/b.pdf 1000
printf 'a.pdf\tacme.example\tinvoice\n' >src/short.tsv
printf 'a.pdf\tacme.example\tinvoice\tincoming\t2026-01\t-\t-\textra\n' >src/long.tsv
before=$(store_state "$S")
cases=0

# bad RC WANT CMD...: fails with exit RC (1 or 2), saying WANT, in one line
bad() {
	local rc=$1 want=$2
	shift 2
	expect_fail "$want" "$@"
	[ "$LAST_RC" = "$rc" ] || fail "exit $LAST_RC, expected $rc, from: $* ($LAST_OUT)"
	local lines
	lines=$(grep -cvE '^(usage:|[[:space:]]|$)' <<<"$LAST_OUT" || true)
	# a bare usage line is the error when nothing else is said
	[ "$lines" = 0 ] && [ "$(wc -l <<<"$LAST_OUT")" = 1 ] && lines=1
	[ "$lines" = 1 ] || fail "$lines error lines from: $*: $LAST_OUT"
	cases=$((cases + 1))
}
f=fmctl
# global
bad 2 "usage: fmctl" $f
bad 2 "needs a STORE" $f -s
bad 2 "unknown option '--bogus'" $f --bogus ls
bad 2 "'frobnicate' is not a command" $f frobnicate
bad 1 "not an fmfs archive" $f -s "$T/nowhere" ls
bad 1 "no store" env -u FMFS_STORE "$BIN/fmctl" ls
# init
bad 2 "usage: fmctl init STORE" env -u FMFS_STORE "$BIN/fmctl" init
bad 2 "usage: fmctl init STORE" $f init a b
bad 1 "already an archive" $f init "$S"
# ingest
bad 2 "no FILE given" $f ingest
bad 2 "--org, --kind and --period are required" $f ingest --org acme.example src/a.pdf
bad 2 "--org, --kind and --period are required" $f ingest --org acme.example --kind usage src/a.pdf
bad 2 "an option is given twice" $f ingest --org acme.example --org other.example --kind usage --period 2026-01 src/a.pdf
bad 2 "an option is given twice" $f ingest --org acme.example --kind usage --kind soa --period 2026-01 src/a.pdf
bad 2 "--manifest takes no other options or files" $f ingest --manifest src/short.tsv --org acme.example
bad 2 "--manifest takes no other options or files" $f ingest --manifest src/short.tsv src/a.pdf
bad 2 "--name needs exactly one FILE" $f ingest --org acme.example --kind usage --period 2026-01 --name x.pdf src/a.pdf src/b.pdf
bad 2 "unknown option" $f ingest --frobnicate --org acme.example --kind usage --period 2026-01 src/a.pdf
bad 2 "missing its value" $f ingest --org acme.example --kind usage --period
bad 2 "not a real date" $f ingest --org acme.example --kind usage --period 2026-01 --date 2026-02-30 src/a.pdf
bad 1 "period must be YYYY-MM" $f ingest --org acme.example --kind usage --period 2026-13 src/a.pdf
bad 1 "period must be YYYY-MM" $f ingest --org acme.example --kind usage --period 26-01 src/a.pdf
bad 1 "kind must be" $f ingest --org acme.example --kind memo --period 2026-01 src/a.pdf
bad 1 "--direction applies only to invoice and soa" $f ingest --org acme.example --kind usage --direction incoming --period 2026-01 src/a.pdf
bad 1 "need --direction" $f ingest --org acme.example --kind invoice --period 2026-01 src/a.pdf
bad 1 "direction must be incoming or outgoing" $f ingest --org acme.example --kind soa --direction sideways --period 2026-01 src/a.pdf
bad 1 "not a valid domain" $f ingest --org 'ACME!' --kind usage --period 2026-01 src/a.pdf
bad 1 "not a valid domain" $f ingest --org ../etc --kind usage --period 2026-01 src/a.pdf
bad 1 "cannot open" $f ingest --org acme.example --kind usage --period 2026-01 src/missing.pdf
bad 1 "not a regular file" $f ingest --org acme.example --kind usage --period 2026-01 src
bad 1 "cannot open" $f ingest --manifest src/none.tsv
bad 1 "expected path, org, kind" $f ingest --manifest src/short.tsv
bad 1 "more than 7 tab-separated columns" $f ingest --manifest src/long.tsv
# read commands
bad 2 "usage: fmctl ls" $f ls / /acme.example
bad 1 "No such file or directory" $f ls /nowhere.example
bad 2 "usage: fmctl stat" $f stat
bad 2 "usage: fmctl stat" $f stat / /
bad 1 "No such file or directory" $f stat /acme.example/nothing
bad 2 "usage: fmctl cat" $f cat
bad 1 "Is a directory" $f cat /acme.example
bad 1 "No such file or directory" $f cat /acme.example/Usage/nothing.csv
bad 2 "usage: fmctl log" $f log extra
# verify
bad 2 "unknown option" $f verify --bogus
bad 2 "--repair given twice" $f verify --repair --repair
bad 2 "unexpected argument 'now'" $f verify now
# generators, when present
if "$BIN/fmctl" --help | grep -q '^  fmctl usage'; then
	bad 2 "" $f usage
	bad 2 "" $f usage --org
	bad 2 "" $f usage --org acme.example
fi
if "$BIN/fmctl" --help | grep -q '^  fmctl revenue'; then
	bad 2 "--org, --period and one LEDGER_DIR are required" $f revenue
	bad 2 "" $f revenue --org acme.example --period 2026-01
	bad 1 "" $f revenue --org acme.example --period 2026-01 "$T/no-ledger"
fi
if "$BIN/fmctl" --help | grep -q '^  fmctl report'; then
	bad 2 "" $f report
	bad 2 "the only report is subscription-billing" $f report invoices --org acme.example --period 2026-01 ledger
fi
assert_eq "$(store_state "$S")" "$before" "bad input changed the store"
note "fmctl: $cases bad command lines refused, store unchanged"

# fmfs: nothing is mounted by any of these
n=$cases
fm="$BIN/fmfs"
bad 2 "usage: fmfs STORE MOUNTPOINT" $fm
bad 2 "usage: fmfs STORE MOUNTPOINT" $fm "$S"
bad 2 "-o org=: empty value" $fm "$S" "$M" -f -o org=
bad 2 "-o org given twice" $fm "$S" "$M" -f -o org=acme.example,org=other.example
bad 2 "-o org given twice" $fm "$S" "$M" -f -o org=acme.example -o org=acme.example
bad 2 "-o gid given twice" $fm "$S" "$M" -f -o gid=1,gid=2
bad 2 "not a numeric group id" $fm "$S" "$M" -f -o gid=staff
bad 2 "not a numeric group id" $fm "$S" "$M" -f -o gid=-1
bad 2 "refused" $fm "$S" "$M" -f -o ro
bad 2 "refused" $fm "$S" "$M" -f -o default_permissions
bad 1 "No such file or directory" $fm "$T/nowhere" "$M" -f
bad 1 "not an fmfs archive" $fm "$T/src" "$M" -f
bad 1 "is not in" $fm "$S" "$M" -f -o org=unknown.example
bad 1 "not a valid org domain" $fm "$S" "$M" -f -o org=../acme.example
bad 2 "bad mount point" $fm "$S" "$T/no-mountpoint" -f
bad 2 "invalid argument" $fm "$S" "$M" extra -f
bad 1 "unknown option(s): \`-o frobnicate'" $fm "$S" "$M" -f -o frobnicate
mountpoint -q "$M" && fail "a refused fmfs left a mount"
assert_eq "$(store_state "$S")" "$before" "fmfs changed the store"
note "fmfs: $((cases - n)) bad command lines refused, nothing mounted"
