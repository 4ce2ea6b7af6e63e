# 0510-fsync-order: what power loss can be tested without pulling the plug:
# the order in which an ingest makes things durable, seen with strace. Each
# blob's temp file is fsynced before it is linked under its name, its folder
# is fsynced after the link, and all of that happens before the catalog's
# write-ahead log is fsynced for the commit (the row that refers to it).
source "$FMFS_TOP/tests/lib.sh"
source "$FMFS_TOP/tests/lib-safety.sh"
command -v strace >/dev/null || skip "strace is not installed"

S=$T/store
fmctl init "$S" >/dev/null
export FMFS_STORE=$S
mkdir src
for j in 0 1 2 3; do random_file src/f$j.pdf $((j * 70000 + 1)); done
printf 'f1.pdf\tpower.example\tinvoice\tincoming\t2026-05\t-\t-\nf2.pdf\tpower.example\tsoa\toutgoing\t2026-05\t-\t-\nf3.pdf\tpower.example\tusage\t-\t2026-05\t-\t-\n' >src/list.tsv

# check_order TRACE FILES...: the durability order for each source file
check_order() {
	local trace=$1 f sha tmp_fsync link dir_fsync wal_fsync lt
	shift
	wal_fsync=$(grep -nE '^[0-9]+ +f(data)?sync\([0-9]+<[^>]*/catalog\.db-wal>' "$trace" | tail -n 1 | cut -d: -f1)
	[ -n "$wal_fsync" ] || fail "no fsync of catalog.db-wal in the trace: $(cat "$trace")"
	for f in "$@"; do
		sha=$(sha256sum "$f" | cut -c1-64)
		# link("…/objects/tmp-XXXXXX", "…/objects/ab/cdef…") = 0
		lt=$(grep -nE "link(at)?\(.*\"[^\"]*/objects/tmp-[^\"]*\".*\"[^\"]*/objects/${sha:0:2}/${sha:2}\"" "$trace" | head -n 1)
		[ -n "$lt" ] || fail "$f: no link of its blob ${sha:0:12}… in the trace"
		link=${lt%%:*}
		tmp=$(grep -oE '/objects/tmp-[A-Za-z0-9]+' <<<"$lt" | head -n 1)
		tmp_fsync=$(grep -nE "^[0-9]+ +fsync\([0-9]+<[^>]*${tmp}>" "$trace" | head -n 1 | cut -d: -f1)
		dir_fsync=$(awk -v l="$link" -v d="/objects/${sha:0:2}>" 'NR > l && /fsync\(/ && index($0, d) { print NR; exit }' "$trace")
		[ -n "$tmp_fsync" ] || fail "$f: its temp blob $tmp is never fsynced"
		[ -n "$dir_fsync" ] || fail "$f: objects/${sha:0:2} is not fsynced after the link"
		[ "$tmp_fsync" -lt "$link" ] || fail "$f: blob linked (line $link) before its fsync (line $tmp_fsync)"
		[ "$dir_fsync" -lt "$wal_fsync" ] || fail "$f: catalog committed (line $wal_fsync) before the blob's folder was fsynced (line $dir_fsync)"
		note "$f: fsync temp @$tmp_fsync < link @$link < fsync folder @$dir_fsync < fsync WAL @$wal_fsync"
	done
}

ASAN_OPTIONS=detect_leaks=0 strace -f -y -qq -e trace=fsync,fdatasync,rename,renameat2,link,linkat,syncfs -o single.trace \
	"$BIN/fmctl" ingest --org power.example --kind invoice --direction outgoing --period 2026-04 src/f0.pdf >/dev/null \
	|| fail "ingest under strace failed"
check_order single.trace src/f0.pdf
ASAN_OPTIONS=detect_leaks=0 strace -f -y -qq -e trace=fsync,fdatasync,rename,renameat2,link,linkat,syncfs -o batch.trace \
	"$BIN/fmctl" ingest --manifest src/list.tsv >/dev/null || fail "manifest ingest under strace failed"
check_order batch.trace src/f1.pdf src/f2.pdf src/f3.pdf
# (LeakSanitizer cannot run under ptrace; the other tests check for leaks)
# nothing is renamed over an existing blob in normal operation
! grep -qE 'rename' batch.trace || fail "unexpected rename: $(grep rename batch.trace)"
