# 0100-browse.sh - mount an archive and read it with ordinary tools: ls -lR,
# find, stat, cat/cmp/sha256sum against the originals, getfattr, df, mmap,
# readdir offsets, the operator's view, and mount-time errors.
source "$FMFS_TOP/tests/lib.sh"

store=$T/store mnt=$T/mnt src=$T/src
mkdir -p "$src"
make_demo "$store"
head -c 3072 /dev/urandom >"$src/INV-3k.pdf"
head -c 1000000 /dev/urandom >"$src/big.bin"
printf 'caf\xc3\xa9;1\r\n' >"$src/März-report.csv"
touch -d 2026-10-15T12:00:00Z "$src/big.bin"
fmctl -s "$store" ingest --org acme.example --kind invoice --direction incoming \
	--period 2026-10 --date 2026-11-01 "$src/INV-3k.pdf"
fmctl -s "$store" ingest --org acme.example --kind soa --direction outgoing \
	--period 2026-10 "$src/big.bin"
fmctl -s "$store" ingest --org acme.example --kind report --period 2026-10 "$src/März-report.csv"
fmctl -s "$store" ingest --org other.example --kind invoice --direction incoming \
	--period 2026-10 "$src/INV-3k.pdf"

fmfs_mount "$store" "$mnt" -o org=acme.example
inv=$mnt/Invoices/Incoming/2026-10

note "the mount identifies itself: source = store, type fuse.fmfs"
grep -q "^$(realpath "$store") $(realpath "$mnt") fuse.fmfs " /proc/mounts || fail "bad /proc/mounts line"

note "the five top folders, and every folder readable with ls -lR and find"
assert_eq "$(ls "$mnt" | tr '\n' ' ')" "Invoices Reports Revenue SOA Usage " "root listing"
ls -lR "$mnt" >"$T/lslR" || fail "ls -lR failed"
grep -q 'INV-3k.pdf' "$T/lslR" || fail "ls -lR misses a file"
nfiles=$(find "$mnt" -type f | wc -l)
assert_eq "$nfiles" "$(($(sqlite3 "$store/catalog.db" "SELECT count(*) FROM documents WHERE org='acme.example'")))" "find -type f count"
find "$mnt" -type d -printf '%m\n' | sort -u | grep -qv '^555$' && fail "a folder is not 0555"
find "$mnt" -type f -printf '%m\n' | sort -u | grep -qv '^444$' && fail "a file is not 0444"

note "stat: inode = node id, mtime = document date, honest blocks, nlink"
id=$(fmctl -s "$store" stat /acme.example/Invoices/Incoming/2026-10/INV-3k.pdf | sed -n 's/^inode: //p')
assert_eq "$(stat -c %i "$inv/INV-3k.pdf")" "$id" "inode"
assert_eq "$(stat -c '%s %Y %h' "$inv/INV-3k.pdf")" "3072 $(date -u -d 2026-11-01 +%s) 1" "size mtime nlink"
[ "$(stat -c %b "$inv/INV-3k.pdf")" -ge 6 ] || fail "st_blocks of a 3 KiB file is $(stat -c %b "$inv/INV-3k.pdf")"
assert_eq "$(stat -c %Y "$mnt/SOA/Outgoing/2026-10/big.bin")" "$(date -u -d 2026-10-15T12:00:00Z +%s)" "default date = source mtime"
assert_eq "$(stat -c %h "$mnt")" 7 "root nlink = 2 + 5 folders"
assert_eq "$(stat -c %h "$mnt/Invoices")" 4 "Invoices nlink"
assert_eq "$(stat -c %h "$inv")" 2 "leaf folder nlink"

note "content: cat, cmp and sha256sum against the originals and the xattr"
cmp "$src/INV-3k.pdf" "$inv/INV-3k.pdf"
cmp "$src/big.bin" "$mnt/SOA/Outgoing/2026-10/big.bin"
cmp "$src/März-report.csv" "$mnt/Reports/2026-10/März-report.csv"
for f in $(find "$mnt" -type f); do
	want=$(getfattr --only-values -n user.fmfs.sha256 "$f")
	got=$(sha256sum <"$f" | cut -d' ' -f1)
	assert_eq "$got" "$want" "sha256 of $f"
done
cat "$inv/INV-3k.pdf" | cmp - "$src/INV-3k.pdf"

note "xattrs: getfattr -d, and a missing one is ENODATA"
getfattr -d "$inv/INV-3k.pdf" >"$T/xattrs"
for k in sha256 kind direction period ingested_at org; do
	grep -q "^user.fmfs.$k=" "$T/xattrs" || fail "no user.fmfs.$k"
done
grep -q '^user.fmfs.kind="invoice"' "$T/xattrs" || fail "kind xattr"
grep -q '^user.fmfs.period="2026-10"' "$T/xattrs" || fail "period xattr"
expect_fail "No such attribute" getfattr -n user.nope "$inv/INV-3k.pdf"
expect_fail "No such attribute" getfattr -n user.fmfs.direction "$mnt/Reports/2026-10/März-report.csv"

note "statfs: non-zero totals, zero free, name max 255"
read -r blocks bfree files ffree namemax < <(stat -f -c '%b %f %c %d %l' "$mnt")
[ "$blocks" -gt 0 ] && [ "$files" -gt 0 ] || fail "statfs totals are zero: $blocks $files"
assert_eq "$bfree $ffree $namemax" "0 0 255" "statfs free/namemax"

note "lookups: over-long names, missing names, files as folders"
long=$(printf 'a%.0s' $(seq 300))
expect_fail "File name too long" stat "$mnt/$long"
expect_fail "No such file" stat "$mnt/Invoices/nope"
expect_fail "Not a directory" stat "$inv/INV-3k.pdf/x"

note "mmap of a file works, readdir offsets can be resumed and rewound"
python3 - "$inv/INV-3k.pdf" "$src/INV-3k.pdf" "$mnt/Invoices/Outgoing/2026-10" <<'PY'
import ctypes, mmap, os, sys
with open(sys.argv[1], 'rb') as f, open(sys.argv[2], 'rb') as g:
    m = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    assert m[:] == g.read(), "mmap bytes differ"
libc = ctypes.CDLL(None, use_errno=True)
class Dirent(ctypes.Structure):
    _fields_ = [("d_ino", ctypes.c_uint64), ("d_off", ctypes.c_int64),
                ("d_reclen", ctypes.c_ushort), ("d_type", ctypes.c_ubyte),
                ("d_name", ctypes.c_char * 256)]
libc.opendir.restype = ctypes.c_void_p
libc.readdir.restype = ctypes.POINTER(Dirent)
libc.readdir.argtypes = [ctypes.c_void_p]
libc.telldir.restype = ctypes.c_long
libc.telldir.argtypes = [ctypes.c_void_p]
libc.seekdir.argtypes = [ctypes.c_void_p, ctypes.c_long]
libc.rewinddir.argtypes = [ctypes.c_void_p]
d = libc.opendir(sys.argv[3].encode())
def read_all():
    out = []
    while True:
        e = libc.readdir(d)
        if not e: return out
        out.append(e.contents.d_name)
first = read_all()
assert len(first) == 5, first          # . .. and three invoices
libc.rewinddir(d)
assert read_all() == first, "rewind changed the listing"
libc.rewinddir(d)
libc.readdir(d); libc.readdir(d); libc.readdir(d)
pos = libc.telldir(d)
rest = read_all()
libc.seekdir(d, pos)
assert read_all() == rest, "seekdir did not resume"
assert rest == first[3:], (rest, first)
PY

note "the operator's view lists every org; org isolation by path"
fmfs_mount "$store" "$T/all"
assert_eq "$(ls "$T/all" | tr '\n' ' ')" "acme.example other.example " "operator root"
[ ! -e "$mnt/other.example" ] || fail "other org visible inside acme's mount"

note "mount-time errors: unknown org, not a store, ro refused"
mkdir -p "$T/m2"
expect_fail "org 'nope.example' is not in" "$BIN/fmfs" "$store" "$T/m2" -f -o org=nope.example
expect_fail "not an fmfs archive" "$BIN/fmfs" "$T/src" "$T/m2" -f

expect_fail "refused" "$BIN/fmfs" "$store" "$T/m2" -f -o ro
expect_fail "not a numeric group id" "$BIN/fmfs" "$store" "$T/m2" -f -o gid=wheel
expect_fail "usage" "$BIN/fmfs" "$store"
echo "all browse checks passed"
