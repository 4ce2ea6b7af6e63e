# 0602-bidi-names: names that show as other names are refused, at ingest and
# inside zips: bidirectional overrides ("invoice<U+202E>fdp.exe" shows as
# "invoiceexe.pdf"), zero-width characters, a BOM, line and paragraph
# separators (Unicode categories Cf, Zl, Zp). Old fmctl archived them.
source "$FMFS_TOP/tests/lib.sh"

S=$T/store
fmctl init "$S" >/dev/null
export FMFS_STORE=$S
mkdir src
n=0
for name in $'invoice\u202efdp.exe' $'zero\u200bwidth.pdf' $'\ufeffbom.pdf' $'line\u2028sep.pdf' $'para\u2029sep.pdf' $'iso\u2066late.pdf'; do
	n=$((n + 1))
	echo "doc $n" >"src/$name"
	expect_fail "name contains" fmctl ingest --org bidi.example --kind invoice --direction incoming --period 2026-01 "src/$name"
	# the same name given with --name
	echo "doc $n" >src/plain.pdf
	expect_fail "name contains" fmctl ingest --org bidi.example --kind invoice --direction incoming --period 2026-01 --name "$name" src/plain.pdf
done
# inside a revenue zip
python3 - <<'PY'
import zipfile
with zipfile.ZipFile("src/rev.zip", "w") as z:
    z.writestr("good.csv", "a,b\n1,2\n")
    z.writestr("evil\u202ecsv.exe", "a,b\n1,2\n")
PY
expect_fail "name contains" fmctl ingest --org bidi.example --kind revenue --period 2026-01 src/rev.zip
[ -z "$(fmctl ls / 2>/dev/null | grep bidi.example)" ] || fail "something of bidi.example was archived"
# a no-break space or Arabic letters are fine
echo fine >$'src/no\u00a0break.pdf'
fmctl ingest --org bidi.example --kind invoice --direction incoming --period 2026-01 $'src/no\u00a0break.pdf' >/dev/null
echo "names that show as others are refused"
