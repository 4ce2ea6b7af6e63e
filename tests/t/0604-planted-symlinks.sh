# 0604-planted-symlinks: fmctl run as root never follows a symbolic link
# planted in the store by whoever can write it. With .ingest-lock, objects/XY
# or objects/ replaced by a link, ingest is refused and creates nothing
# outside the store (old fmctl created files and hard-linked blobs there);
# verify --repair chmods nothing a link points to (old: chmod 0770 of the
# target).
source "$FMFS_TOP/tests/lib.sh"
source "$FMFS_TOP/tests/lib-safety.sh"

S=$T/store org=links.example
fmctl init "$S" >/dev/null
export FMFS_STORE=$S
mkdir src outside outside/dir outside/objects
random_file src/a.pdf 3000
ingest() { timeout 20 "$BIN/fmctl" ingest --org $org --kind invoice --direction incoming --period 2026-01 "$@"; }
outside_empty() {
	local got
	got=$(find outside -mindepth 1 ! -name victim ! -path outside/dir ! -path outside/objects | head -n 5)
	[ -z "$got" ] || fail "$1: created outside the store: $got"
}

# 1. .ingest-lock is a link
rm -f "$S/.ingest-lock"
ln -s "$T/outside/lockfile" "$S/.ingest-lock"
expect_fail ".ingest-lock" ingest src/a.pdf
outside_empty ".ingest-lock link"
rm -f "$S/.ingest-lock"

# 2. objects/XY (of the file about to be ingested) is a link
sha=$(sha256sum <src/a.pdf | cut -c1-64)
ln -s "$T/outside/dir" "$S/objects/${sha:0:2}"
expect_fail "cannot store the blobs" ingest src/a.pdf
outside_empty "objects/${sha:0:2} link"
rm -f "$S/objects/${sha:0:2}"

# 3. objects/ itself is a link
mv "$S/objects" "$S/objects.real"
ln -s "$T/outside/objects" "$S/objects"
expect_fail "symbolic links" ingest src/a.pdf
outside_empty "objects link"

# 4. verify --repair chmods no link's target
echo victim >outside/victim
chmod 0644 outside/victim
chmod 0751 outside/objects
expect_fail "symbolic link" fmctl verify --repair
assert_eq "$(stat -c %a outside/victim)" 644 "mode of a file outside the store"
assert_eq "$(stat -c %a outside/objects)" 751 "mode of a folder outside the store"
rm -f "$S/objects"
mv "$S/objects.real" "$S/objects"
ln -s "$T/outside/victim" "$S/objects/ab"
fmctl verify --repair >verify.out 2>&1 || true
grep -q "objects/ab: not a blob folder\|symbolic link" verify.out || fail "verify does not name the link: $(cat verify.out)"
assert_eq "$(stat -c %a outside/victim)" 644 "mode of the target of objects/ab"
rm -f "$S/objects/ab"
# the store still works
ingest src/a.pdf >/dev/null || fail "ingest after the links were removed"
check_rows "$S"
echo "planted links are never followed"
