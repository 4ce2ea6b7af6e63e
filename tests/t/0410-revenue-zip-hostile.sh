#!/usr/bin/env bash
# 0410: a revenue zip from elsewhere is untrusted: zip slip, zip bombs (from
# the header and while inflating), encryption, corruption, duplicate names and
# non-zips are refused with one line each, and nothing in the store changes.
source "$FMFS_TOP/tests/lib.sh"
org=acme.example
fmctl init S >/dev/null
ing() { fmctl -s S ingest --org $org --kind revenue --period 2026-10 "$@"; }

python3 - <<'PY'
import struct, warnings, zipfile
warnings.simplefilter('ignore')
def mk(fn, names):
    with zipfile.ZipFile(fn, 'w') as z:
        for n in names:
            z.writestr(n, 'a,b\r\n1,2\r\n')
mk('ok.zip', ['x.csv', 'y.csv'])
mk('slip-dotdot.zip', ['good.csv', '../x.csv'])
mk('slip-abs.zip', ['/abs.csv'])
mk('slip-backslash.zip', ['a\\b.csv'])
mk('subfolder.zip', ['d/x.csv'])
mk('dup.zip', ['x.csv', 'x.csv'])
mk('ctrl.zip', ['\u00e9\x01.csv'])
# 64 MiB of zeros compress ~1000:1
with zipfile.ZipFile('bomb.zip', 'w', zipfile.ZIP_DEFLATED) as z:
    with z.open('zeros.csv', 'w') as f:
        for _ in range(64):
            f.write(bytes(1 << 20))
# the same bomb whose headers lie: they claim 1000 bytes
d = bytearray(open('bomb.zip', 'rb').read())
d[22:26] = struct.pack('<I', 1000)
cd = d.rfind(b'PK\x01\x02')
d[cd + 24:cd + 28] = struct.pack('<I', 1000)
open('liar.zip', 'wb').write(d)
# flip bytes in the middle of a deflated entry
with zipfile.ZipFile('big.zip', 'w', zipfile.ZIP_DEFLATED) as z:
    z.writestr('r.csv', ''.join('%d,%d\r\n' % (i, i * 7919 % 1000) for i in range(20000)))
d = bytearray(open('big.zip', 'rb').read())
for i in range(len(d) // 2, len(d) // 2 + 16):
    d[i] ^= 0x5a
open('corrupt.zip', 'wb').write(d)
PY
printf 'a,b\r\n' > x.csv
zip -q -P secret enc.zip x.csv
echo 'hello, not a zip' > text.zip
: > empty.zip

before=$(store_state S)
expect_fail "zip entry '../x.csv': name contains '..' (zip slip)" ing slip-dotdot.zip
expect_fail "zip entry '/abs.csv': name is an absolute path (zip slip)" ing slip-abs.zip
expect_fail "zip entry 'a\\b.csv': name contains a backslash (zip slip)" ing slip-backslash.zip
expect_fail "zip entry 'd/x.csv': name is in a subfolder" ing subfolder.zip
expect_fail "ctrl.zip: " ing ctrl.zip
expect_fail "dup.zip: zip has an entry name twice" ing dup.zip
expect_fail "zip bomb: entry 'zeros.csv' claims a compression ratio above 200" ing bomb.zip
expect_fail "zip bomb: entries claim more than 1000000 bytes" env FMFS_ZIP_MAX_RATIO=100000 FMFS_ZIP_MAX_BYTES=1000000 "$BIN/fmctl" -s S ingest --org $org --kind revenue --period 2026-10 bomb.zip
expect_fail "zip entry 'zeros.csv': corrupt zip: inflates beyond its declared size of 1000 bytes" ing liar.zip
expect_fail "enc.zip: zip entry 'x.csv': encrypted zips are refused" ing enc.zip
expect_fail "corrupt.zip: " ing corrupt.zip
grep -qiE "corrupt zip|crc|zlib" <<<"$LAST_OUT" || fail "corrupt.zip: unclear error: $LAST_OUT"
expect_fail "text.zip: not a zip file" ing text.zip
expect_fail "empty.zip: " ing empty.zip
expect_fail "zip has 2 entries, more than 1" env FMFS_ZIP_MAX_ENTRIES=1 "$BIN/fmctl" -s S ingest --org $org --kind revenue --period 2026-10 ok.zip
# a batch with a good zip and a bad one: nothing at all
expect_fail "zip slip" ing ok.zip slip-dotdot.zip
[ "$(wc -l <<<"$LAST_OUT")" = 1 ] || fail "more than one line: $LAST_OUT"
assert_eq "$(store_state S)" "$before" "a refused zip changed the store"
grep -q tmp <<<"$(ls S/objects)" && fail "temp blobs left behind"

# the good one goes in, unzipped too, and again is a no-op
ing ok.zip >/dev/null
assert_eq "$(fmctl -s S ls /$org/Revenue/2026-10 | awk '{print $NF}' | tr '\n' ' ')" "x.csv y.csv " "entries"
fmctl -s S cat /$org/Revenue/2026-10/x.csv | cmp - <(unzip -p ok.zip x.csv) || fail "x.csv differs"
zipid=$(sqlite3 "file:S/catalog.db?mode=ro" "SELECT id FROM nodes WHERE name='ok.zip'")
assert_eq "$(sqlite3 "file:S/catalog.db?mode=ro" "SELECT count(*) FROM documents WHERE container=$zipid")" 2 "container of the entries"
after=$(store_state S)
grep -q "nothing to do" <<<"$(ing ok.zip)" || fail "re-ingest was not a no-op"
assert_eq "$(store_state S)" "$after" "re-ingest changed the store"
# a different zip whose entry collides with an archived one: refused whole
python3 -c "
import zipfile
with zipfile.ZipFile('other.zip','w') as z: z.writestr('x.csv','changed\r\n'); z.writestr('new.csv','n\r\n')"
expect_fail "is already archived with different content" ing other.zip
assert_eq "$(store_state S)" "$after" "a refused zip changed the store"
