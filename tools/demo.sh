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

crlf() { sed 's/$/\r/' ; }
bom() { printf '\xef\xbb\xbf'; }

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
	{
		bom
		echo 'record_id,org_id,org_name,wallet_id,txn_id,leg_id,direction,start_time,answer_time,end_time,duration_s,talk_s,billable_s,caller,callee,status,dest_country,rate_per_min,price,cost,currency'
		echo "c-$period-1,org-1,Customer One,w-1,t-1,l-1,outgoing,$period-03T09:00:00Z,$period-03T09:00:05Z,$period-03T09:02:05Z,125,120,120,+15551230001,+15551230002,answered,US,0.020000,0.040000,0.010000,USD"
	} | crlf >"$src/$org-$period-call.csv"
	add "$org-$period-call.csv" usage "" "$period" "$next-01"
	{
		bom
		echo 'period,org_id,org_name,wallet_id,subscription_id,product_sku,product_name,status,cycle_months,cycle_start,cycle_end,unit,quantity_start,quantity_end,quantity_billed,charged_in_period,unit_price,amount,cost,currency'
		echo "$period,org-1,Customer One,w-1,sub-1,LIC-SEAT,Seat licence,active,1,$period-01,$period-28,license,5,5,5,true,10.000000,50.000000,30.000000,USD"
	} | crlf >"$src/$org-$period-subscription-billing.csv"
	add "$org-$period-subscription-billing.csv" report "" "$period" "$next-01"
done
"$bin/fmctl" -s "$store" ingest --manifest "$manifest" >/dev/null

if [ $store_only = 1 ]; then exit 0; fi
mkdir -p "$mnt"
"$bin/fmfs" "$store" "$mnt" -o org=$org
echo "demo archive of $org in $store, mounted read-only at $mnt:"
echo
find "$mnt" | sed "s|^$mnt|  mnt|" | sort
echo
echo "try:   ls -l $mnt/Invoices/Incoming/2026-10;  getfattr -d $mnt/Usage/2026-10/*"
echo "unmount with:  fusermount3 -u $mnt"
