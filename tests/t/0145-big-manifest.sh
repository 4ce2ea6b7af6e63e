# 0145-big-manifest.sh - one manifest of more files than the process may
# have open descriptors: the batch holds no fd per file, so it ingests whole.
source "$FMFS_TOP/tests/lib.sh"

n=3000
mkdir -p "$T/f"
for i in $(seq $n); do echo "invoice $i" >"$T/f/INV-$i.pdf"; done
{
	printf 'path\torg\tkind\tdirection\tperiod\tdate\tname\n'
	for i in $(seq $n); do printf 'f/INV-%s.pdf\tacme.example\tinvoice\toutgoing\t2026-10\t2026-11-02\t\n' $i; done
} >"$T/m.tsv"
fmctl init "$T/s" >/dev/null
out=$(ulimit -n 256 && ulimit -Hn 256 && fmctl -s "$T/s" ingest --manifest "$T/m.tsv")
assert_eq "$out" "ingested $n file(s)" "ingest of $n files with 256 descriptors"
assert_eq "$(fmctl -s "$T/s" ls /acme.example/Invoices/Outgoing/2026-10 | wc -l)" $n "files listed"
assert_eq "$(find "$T/s/objects" -name 'tmp-*' | wc -l)" 0 "temp files left"
echo "big manifest checks passed"
