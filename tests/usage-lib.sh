# tests/usage-lib.sh - helpers for the fmctl usage tests (tests/t/03NN-*):
# export headers and one-line record makers; source after tests/lib.sh.
CALL_HDR='record_id,org_id,org_name,wallet_id,txn_id,leg_id,direction,start_time,answer_time,end_time,duration_s,talk_s,billable_s,caller,callee,status,dest_country,rate_per_min,price,cost,currency'
SMS_HDR='record_id,org_id,org_name,wallet_id,direction,submit_time,sender,recipient,dest_country,encoding,segments,status,rate_per_segment,price,cost,currency'
FAX_HDR='record_id,org_id,org_name,wallet_id,direction,start_time,end_time,duration_s,sender,recipient,dest_country,pages,status,rate_per_page,price,cost,currency'
DNC_HDR='record_id,org_id,org_name,wallet_id,check_time,batch_id,channel,number,result,valid_until,price,cost,currency'

_utc() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }

# call ID START [DURATION_S [ORG_NAME [PRICE [COST [CALLEE]]]]]: one call leg
# (answered if DURATION_S > 0, else unanswered and by default unbilled).
# ORG_NAME and CALLEE as CSV fields (quoted).
call() {
	local id=$1 start=$2 dur=${3:-60} name=${4:-Acme} price=${5:-0.015} cost=${6:-0.01}
	local callee=${7:-+15557654321} s end answer status talk
	[ "$dur" -gt 0 ] || { price=${5:-0} cost=${6:-0}; }
	s=$(date -u -d "$start" +%s)
	end=$(_utc $((s + dur)))
	if [ "$dur" -gt 0 ]; then answer=$start status=answered talk=$dur
	else answer= status=unanswered talk=0; fi
	printf '%s,o1,%s,w1,t-%s,l1,outgoing,%s,%s,%s,%s,%s,%s,+15551234567,%s,%s,US,0.015,%s,%s,USD\r\n' \
		"$id" "$name" "$id" "$start" "$answer" "$end" "$dur" "$talk" "$talk" "$callee" \
		"$status" "$price" "$cost"
}

# sms ID SUBMIT SEGMENTS RATE PRICE [STATUS [COST]] (a rejected one costs 0)
sms() {
	local cost=0.002
	[ "${6:-}" = rejected ] && cost=0
	printf '%s,o1,Acme,w1,outgoing,%s,ACME,+447700900123,GB,gsm7,%s,%s,%s,%s,%s,USD\r\n' \
		"$1" "$2" "$3" "${6:-delivered}" "$4" "$5" "${7:-$cost}"
}

# fax ID START DURATION_S PAGES
fax() {
	local s end
	s=$(date -u -d "$2" +%s)
	end=$(_utc $((s + $3)))
	printf '%s,o1,Acme,w1,outgoing,%s,%s,%s,+15551234567,+15557654321,US,%s,success,0.05,0.1,0.02,USD\r\n' \
		"$1" "$2" "$end" "$3" "$4"
}

# dnc ID CHECK_TIME: valid_until is the check's date as written (in the
# export's own offset) + 21 days
dnc() {
	local until
	until=$(date -u -d "${2:0:10} + 21 days" +%Y-%m-%d)
	printf '%s,o1,Acme,w1,%s,b1,voice,+15557654321,clear,%s,0.001,0.0005,USD\r\n' "$1" "$2" "$until"
}

# export FILE HEADER ROWS...: write an export (CRLF) from record lines
export_csv() {
	local f=$1 h=$2
	shift 2
	{ printf '%s\r\n' "$h"; printf '%s\n' "$@"; } >"$f"
}

# ucat STORE PATH: a file of the archive
ucat() { fmctl -s "$1" cat "$2"; }
