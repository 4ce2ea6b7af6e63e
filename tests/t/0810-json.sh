# 0810-json.sh - fmctl ls/stat/log/verify --json: one JSON document each
# (parsed with python3's json module), the documented fields with exact
# types, names with quotes, backslashes and non-ASCII intact, a failure
# prints nothing on stdout, verify --json reports damage and exits 1.
source "$FMFS_TOP/tests/lib.sh"

store=$T/store src=$T/src
mkdir -p "$src"
fmctl init "$store" >/dev/null
export FMFS_STORE=$store
weird='q"uo\te €𝄞 é.pdf'
printf 'invoice\n' >"$src/$weird"
head -c 5000000 /dev/urandom >"$src/big.bin"
fmctl ingest --org acme.example --kind invoice --direction incoming --period 2026-10 \
	--date 2026-11-01 "$src/$weird" "$src/big.bin" >/dev/null

check() { # python code reading the document as d; argv[1] = the file
	python3 -c "import json,sys; d=json.load(open(sys.argv[1])); $1" "$2" || fail "json check failed: $1 on $(cat "$2")"
}

note "ls --json: the folder's entries, exact integers, names intact"
fmctl ls --json /acme.example/Invoices/Incoming/2026-10 >"$T/ls.json"
check "assert d['command']=='ls' and d['schema']==1 and d['path']=='/acme.example/Invoices/Incoming/2026-10'" "$T/ls.json"
python3 - "$T/ls.json" "$weird" <<'PY' || fail "ls --json entries"
import json, sys, unicodedata
d = json.load(open(sys.argv[1]))
e = d["entries"]
assert [x["name"] for x in e] == [unicodedata.normalize("NFC", sys.argv[2]), "big.bin"], e
big = e[1]
assert big["type"] == "file" and big["size"] == 5000000 and isinstance(big["size"], int), big
assert isinstance(big["inode"], int) and big["mtime"] == "2026-11-01T00:00:00Z", big
assert len(big["sha256"]) == 64, big
assert set(big) == {"name", "type", "inode", "size", "mtime", "sha256"}, big
PY
fmctl ls --json / >"$T/root.json"
check "assert d['entries'][0]['type']=='folder' and d['entries'][0]['sha256'] is None and d['entries'][0]['name']=='acme.example'" "$T/root.json"
[ "$(wc -l <"$T/root.json")" -eq 1 ] || fail "not one line"

note "stat --json: node, ctime with nanoseconds, document"
fmctl stat --json /acme.example/Invoices/Incoming/2026-10/big.bin >"$T/stat.json"
python3 - "$T/stat.json" <<'PY' || fail "stat --json"
import json, sys, re
d = json.load(open(sys.argv[1]))
assert d["command"] == "stat" and d["type"] == "file" and d["size"] == 5000000
assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z", d["ctime"]), d["ctime"]
doc = d["document"]
assert doc["org"] == "acme.example" and doc["kind"] == "invoice" and doc["direction"] == "incoming"
assert doc["period"] == "2026-10" and doc["date"] == "2026-11-01T00:00:00Z"
assert doc["original_name"].endswith("/big.bin") and doc["extracted_from"] is None
PY
fmctl stat --json /acme.example/Usage >"$T/dir.json"
check "assert d['type']=='folder' and d['document'] is None and d['size']==0" "$T/dir.json"

note "log --json"
fmctl log --json >"$T/log.json"
check "assert [x['action'] for x in d['entries']][:1]==['org'] and all(set(x)=={'at','who','action','detail'} for x in d['entries'])" "$T/log.json"

note "a failure: nothing on stdout, one error line, exit 1"
rc=0; fmctl stat --json /acme.example/nope >"$T/nope.json" 2>"$T/nope.err" || rc=$?
assert_eq "$rc" 1 "exit of stat --json on a missing path"
[ -s "$T/nope.json" ] && fail "stdout not empty on failure: $(cat "$T/nope.json")"
grep -q 'fmctl stat: /acme.example/nope: No such file' "$T/nope.err" || fail "error line: $(cat "$T/nope.err")"

note "verify --json: clean, then a damaged blob"
fmctl verify --json >"$T/v1.json"
check "assert d['ok'] is True and d['totals']['blobs']==2 and d['totals']['bytes']>=5000000 and d['findings']==[] and d['catalog_ok'] is True" "$T/v1.json"
sha=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['sha256'])" "$T/stat.json")
blob=$store/objects/${sha:0:2}/${sha:2}
chmod u+w "$blob"; printf 'X' | dd of="$blob" bs=1 seek=1000 conv=notrunc status=none
rc=0; fmctl verify --json >"$T/v2.json" 2>/dev/null || rc=$?
assert_eq "$rc" 1 "exit of verify --json with a damaged blob"
python3 - "$T/v2.json" "$blob" <<'PY' || fail "verify --json damaged: $(cat "$T/v2.json")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["ok"] is False and d["totals"]["damaged"] == 1
f = [x for x in d["findings"] if x["kind"] == "damaged"]
assert len(f) == 1 and f[0]["path"] == sys.argv[2] and f[0]["failure"] is True
assert "big.bin" in f[0]["detail"]
PY
expect_fail "usage" fmctl log --json extra
