#!/usr/bin/env bash
# tools/demo.sh BUILD_DIR - build a demo archive for the sample partner
# acme.example (files in every folder) and mount it at /tmp/fmfs-demo/mnt.
# tools/demo.sh --store-only BUILD_DIR STORE - only create the store.
set -eu -o pipefail
store_only=0
if [ "${1:-}" = --store-only ]; then store_only=1; shift; fi
bin=$(cd "${1:-build}" && pwd)
top=$(cd "$(dirname "$0")/.." && pwd)
demo=/tmp/fmfs-demo
store=${2:-$demo/store}
mnt=$demo/mnt
org=acme.example

if [ $store_only = 0 ]; then
	mkdir -p "$demo"
	if mountpoint -q "$mnt" 2>/dev/null; then fusermount3 -u "$mnt"; fi
	rm -rf "$store"
fi
src=$(mktemp -d)
trap 'rm -rf "$src"' EXIT

# A one-page PDF saying $2, written to $1.
pdf() {
	local text=$2 body
	body="BT /F1 14 Tf 72 720 Td ($text) Tj ET"
	{
		printf '%%PDF-1.4\n'
		printf '1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n'
		printf '2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n'
		printf '3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >> endobj\n'
		printf '4 0 obj << /Length %d >> stream\n%s\nendstream endobj\n' ${#body} "$body"
		printf '5 0 obj << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> endobj\n'
		printf 'trailer << /Root 1 0 R >>\n%%%%EOF\n'
	} >"$1"
}


"$bin/fmctl" init "$store" >/dev/null
manifest=$src/manifest.tsv
printf 'path\torg\tkind\tdirection\tperiod\tdate\tname\n' >"$manifest"
add() { printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$org" "$2" "$3" "$4" "$5" "" >>"$manifest"; }

for period in 2026-09 2026-10; do
	next=$(date -u -d "$period-01 +1 month" +%Y-%m)
	pdf "$src/INV-$period-0001.pdf" "Invoice INV-$period-0001 from the platform to $org"
	add "INV-$period-0001.pdf" invoice incoming "$period" "$next-01"
	for c in 1 2 3; do
		pdf "$src/ACME-$period-C00$c.pdf" "Invoice ACME-$period-C00$c to customer $c"
		add "ACME-$period-C00$c.pdf" invoice outgoing "$period" "$next-02"
	done
	pdf "$src/SOA-$period.pdf" "Statement of account $period for $org"
	add "SOA-$period.pdf" soa incoming "$period" "$next-01"
	pdf "$src/SOA-$period-customer-1.pdf" "Statement of account $period for customer 1"
	add "SOA-$period-customer-1.pdf" soa outgoing "$period" "$next-03"
done
"$bin/fmctl" -s "$store" ingest --manifest "$manifest" >/dev/null

# Usage, revenue and reports come from the real generators, fed with a small
# ledger export (tests/revenue_ledger.py writes one, with matching usage).
for period in 2026-09 2026-10; do
	python3 "$top/tests/revenue_ledger.py" "$src/ledger-$period" --org $org \
		--period $period --customers 4 --transactions 300 --seed ${period#*-} >/dev/null
done
for period in 2026-09 2026-10; do
	"$bin/fmctl" -s "$store" usage --org $org --through $period \
		"$src/ledger-$period"/usage/*.csv >/dev/null
	"$bin/fmctl" -s "$store" report subscription-billing --org $org --period $period \
		"$src/ledger-$period" >/dev/null
done
"$bin/fmctl" -s "$store" revenue --org $org --period 2026-10 "$src/ledger-2026-10" >/dev/null

if [ $store_only = 1 ]; then exit 0; fi
mkdir -p "$mnt"
"$bin/fmfs" "$store" "$mnt" -o org=$org
echo "demo archive of $org in $store, mounted read-only at $mnt:"
echo
find "$mnt" | sed "s|^$mnt|  mnt|" | sort
echo
echo "try:   ls -l $mnt/Invoices/Incoming/2026-10;  getfattr -d $mnt/Usage/2026-10/*"
echo "unmount with:  fusermount3 -u $mnt"
