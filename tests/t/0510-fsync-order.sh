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

# check_order TRACE FILES...: the durability order for each source file.
# The bytes of a blob's temp file are made durable before it is linked (its
# own fsync, or for a batch one syncfs of the store's filesystem), its name
# after the link (fsync of objects/ab, or the batch's second syncfs), and
# both before the catalog's WAL is fsynced for the commit.
check_order() {
	local trace=$1 f sha tmp data link name wal lt
	shift
	wal=$(grep -nE '^[0-9]+ +f(data)?sync\([0-9]+<[^>]*/catalog\.db-wal>' "$trace" | tail -n 1 | cut -d: -f1 || true)
	[ -n "$wal" ] || fail "no fsync of catalog.db-wal in the trace: $(cat "$trace")"
	for f in "$@"; do
		sha=$(sha256sum "$f" | cut -c1-64)
		# linkat(3</…/objects>, "tmp-XXXXXX", 4</…/objects/ab>, "cdef…", 0) = 0
		lt=$(grep -nE "linkat\([0-9]+<[^>]*/objects>, \"tmp-[A-Za-z0-9]+\", [0-9]+<[^>]*/objects/${sha:0:2}>, \"${sha:2}\", 0\) = 0" "$trace" | head -n 1 || true)
		[ -n "$lt" ] || fail "$f: no link of its blob ${sha:0:12}… in the trace: $(cat "$trace")"
		link=${lt%%:*}
		tmp=/objects/$(grep -oE 'tmp-[A-Za-z0-9]+' <<<"$lt" | head -n 1)
		data=$(awk -v l="$link" -v t="${tmp}>" 'NR < l && ((/^[0-9]+ +fsync\(/ && index($0, t)) || /^[0-9]+ +syncfs\(/) { n = NR } END { print n }' "$trace")
		name=$(awk -v l="$link" -v d="/objects/${sha:0:2}>" 'NR > l && ((/^[0-9]+ +fsync\(/ && index($0, d)) || /^[0-9]+ +syncfs\(/) { print NR; exit }' "$trace")
		[ -n "$data" ] || fail "$f: its temp blob $tmp is linked (line $link) before it is fsynced: $(cat "$trace")"
		[ -n "$name" ] || fail "$f: objects/${sha:0:2} is not fsynced after the link (line $link): $(cat "$trace")"
		[ "$name" -lt "$wal" ] || fail "$f: catalog committed (line $wal) before the blob's name was durable (line $name)"
		note "$f: bytes durable @$data ($(sed -n "${data}s/^[0-9]* *\([a-z]*\).*/\1/p" "$trace")) < link @$link < name durable @$name ($(sed -n "${name}s/^[0-9]* *\([a-z]*\).*/\1/p" "$trace")) < WAL fsync @$wal"
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
