# 0606-zip-overlap: a zip whose entries overlap in the archive (each entry's
# data quotes the next entry's local header and runs on into the same
# deflate stream, so every entry is under the ratio cap) is refused before a
# byte is inflated; the whole zip may not inflate beyond FMFS_ZIP_MAX_RATIO
# times its size; the zips of one ingest share FMFS_ZIP_MAX_TOTAL. Old
# fmctl archived 60x the zip's size for ever. A zip whose local header
# disagrees with its central directory (name, CRC, size) is refused too.
source "$FMFS_TOP/tests/lib.sh"
source "$FMFS_TOP/tests/lib-safety.sh"

S=$T/store org=zip.example
fmctl init "$S" >/dev/null
export FMFS_STORE=$S
python3 - <<'PY'
import struct, zlib, random
random.seed(7)
# the kernel: 1 MiB of text that deflates about 8x (each entry far under 200x)
kernel = bytes(random.choice(b"0123456789,;\n") for _ in range(1 << 20))
c = zlib.compressobj(9, zlib.DEFLATED, -15)
kdata = c.compress(kernel) + c.flush()
N = 60
names = [("part%03d.csv" % i).encode() for i in range(N)]
def local(name, crc, csize, usize):
    return struct.pack("<IHHHHHIIIHH", 0x04034b50, 20, 0, 8, 0, 0x21, crc, csize, usize, len(name), 0) + name
data = [None] * N; plain = [None] * N; heads = [None] * N
data[N - 1], plain[N - 1] = kdata, kernel
heads[N - 1] = local(names[N - 1], zlib.crc32(kernel), len(kdata), len(kernel))
for i in range(N - 2, -1, -1):
    h = heads[i + 1]
    data[i] = struct.pack("<BHH", 0, len(h), len(h) ^ 0xffff) + h + data[i + 1]
    plain[i] = h + plain[i + 1]
    heads[i] = local(names[i], zlib.crc32(plain[i]), len(data[i]), len(plain[i]))
body = heads[0] + data[0]
offsets, off = [], 0
for i in range(N):
    offsets.append(off)
    off += len(heads[i]) + 5   # header, then the stored block's 5 bytes
cd = b""
for i in range(N):
    cd += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014b50, 20, 20, 0, 8, 0, 0x21,
                      zlib.crc32(plain[i]), len(data[i]), len(plain[i]), len(names[i]),
                      0, 0, 0, 0, 0, offsets[i]) + names[i]
eocd = struct.pack("<IHHHHIIH", 0x06054b50, 0, 0, N, N, len(cd), len(body), 0)
open("overlap.zip", "wb").write(body + cd + eocd)
# an honest zip for the per-ingest budget
import zipfile
with zipfile.ZipFile("honest.zip", "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("a.csv", kernel[:300000])
with zipfile.ZipFile("honest2.zip", "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("b.csv", kernel[300000:600000])
PY
python3 -c "import zipfile; z = zipfile.ZipFile('overlap.zip'); assert len(z.namelist()) == 60 and z.read('part000.csv')" \
	|| fail "the crafted zip is not a valid zip"
size=$(stat -c %s overlap.zip)
note "overlap.zip: $size bytes, 60 entries of ~1 MiB each"
before=$(store_state "$S")
expect_fail "entries overlap" fmctl ingest --org $org --kind revenue --period 2026-01 overlap.zip
assert_eq "$(store_state "$S")" "$before" "store after the overlapping zip"
# one ingest's zips share a budget
expect_fail "FMFS_ZIP_MAX_TOTAL" env FMFS_ZIP_MAX_TOTAL=500000 "$BIN/fmctl" ingest --org $org --kind revenue --period 2026-01 honest.zip honest2.zip
assert_eq "$(store_state "$S")" "$before" "store after the budget"
fmctl ingest --org $org --kind revenue --period 2026-01 honest.zip honest2.zip >/dev/null || fail "honest zips refused"

# local header vs central directory: the same entry, told two ways
python3 - <<'PY'
import struct, zipfile
with zipfile.ZipFile("one.zip", "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("a.csv", "x,y\r\n1,2\r\n" * 50)
good = open("one.zip", "rb").read()
def patched(name, fn):
    b = bytearray(good)
    fn(b)
    open(name, "wb").write(b)
n = struct.unpack_from("<H", good, 26)[0]
assert good[30:30 + n] == b"a.csv"
patched("local-name.zip", lambda b: b.__setitem__(slice(30, 35), b"b.csv"))
patched("local-crc.zip", lambda b: struct.pack_into("<I", b, 14, struct.unpack_from("<I", b, 14)[0] ^ 1))
patched("local-size.zip", lambda b: struct.pack_into("<I", b, 22, struct.unpack_from("<I", b, 22)[0] + 100))
PY
before=$(store_state "$S")
for z in local-name local-crc local-size; do
	expect_fail "$z.zip: corrupt zip: Zip archive inconsistent" fmctl ingest --org $org --kind revenue --period 2026-02 $z.zip
	assert_eq "$(store_state "$S")" "$before" "store after $z.zip"
done
fmctl ingest --org $org --kind revenue --period 2026-02 one.zip >/dev/null || fail "the unpatched zip is refused"
echo "overlapping zips and zips whose headers disagree are refused"
