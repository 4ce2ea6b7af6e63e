# 0600-crafted-catalog-escape: whoever can write the store must not read the
# host's files through a mount run by root. A catalog row whose sha256 is a
# path ("../../…/secret") and a blob planted as a symbolic link to a file
# outside the store are both refused (EIO, logged), never served; fmctl cat
# refuses them too. Old fmfs served the outside file's bytes.
source "$FMFS_TOP/tests/lib.sh"
source "$FMFS_TOP/tests/lib-safety.sh"

S=$T/store M=$T/mnt org=evil.example
fmctl init "$S" >/dev/null
export FMFS_STORE=$S
mkdir src outside
random_file outside/secret 3000
chmod 600 outside/secret
cp outside/secret src/copy.pdf
random_file src/other.pdf 2000
fmctl ingest --org $org --kind invoice --direction incoming --period 2026-01 src/copy.pdf src/other.pdf >/dev/null
sha=$(sha256sum <src/copy.pdf | cut -c1-64)
other=$(sha256sum <src/other.pdf | cut -c1-64)
dir=$(sql "$S" "SELECT parent FROM nodes WHERE name='copy.pdf'")
orgid=$(sql "$S" "SELECT org FROM nodes WHERE name='copy.pdf'")

# 1. a row whose "sha256" climbs out of objects/ to the secret; the chunk
#    sums copied from the legitimate copy, so old fmfs's check passed
#    (old fmfs kept 64 characters of it: climb exactly to /)
depth=$(awk -F/ '{ print NF - 1 }' <<<"$S/objects")
evil=..$(printf '/..%.0s' $(seq 2 "$depth"))$T/outside/secret
[ ${#evil} -le 64 ] || skip "the test folder's path is too long for the crafted row"
sqlite3 "$S/catalog.db" "INSERT INTO nodes(parent, org, type, name, size, mtime, ctime, sha256)
	VALUES ($dir, $orgid, 'f', 'shadow.pdf', 3000, 0, 0, '$evil');
	INSERT INTO chunks SELECT '$evil', chunk_size, sums FROM chunks WHERE sha256='$sha';"
# 2. the blob of other.pdf replaced by a link to the secret (same size)
head -c 2000 outside/secret >outside/secret2k
rm -f "$S/objects/${other:0:2}/${other:2}"
ln -s "$T/outside/secret2k" "$S/objects/${other:0:2}/${other:2}"
# the legitimate copy's blob is gone: only the outside file holds its bytes
rm -f "$S/objects/${sha:0:2}/${sha:2}"

fmfs_mount "$S" "$M" 2>fmfs.log
D=$M/$org/Invoices/Incoming/2026-01
got=$(timeout 10 cat "$D/shadow.pdf" 2>&1 | sha256sum | cut -c1-64) || true
[ "$got" != "$sha" ] || fail "the mount served a file outside the store (crafted sha256)"
expect_fail "Input/output error" timeout 10 cat "$D/shadow.pdf"
expect_fail "Input/output error" timeout 10 cat "$D/other.pdf"
grep -q "out of range\|not a blob name" fmfs.log || fail "no log line for the crafted row: $(cat fmfs.log)"
grep -q "symbolic link" fmfs.log || fail "no log line for the planted link: $(cat fmfs.log)"
expect_fail "symbolic link" fmctl cat /$org/Invoices/Incoming/2026-01/other.pdf
expect_fail "fmctl cat" fmctl cat /$org/Invoices/Incoming/2026-01/shadow.pdf
# verify names the planted link, leaves the secret alone
expect_fail "symbolic link" fmctl verify
cmp -s outside/secret2k <(head -c 2000 outside/secret) || fail "the link's target changed"
echo "crafted rows and planted links are refused"
