# tests/lib-remote.sh - real servers for the remote-share tests, on
# 127.0.0.1 and free ports, each in its own folder under the test's temp
# folder, stopped by the EXIT trap (on_exit, tests/lib.sh). Source it after
# tests/lib.sh. Every start waits, bounded, until the server answers.
#   start_nginx WEBROOT [--tls] [--auth USER:PASS] [--http2] [--rate BYTES/s]
#   nginx_fault LOCATION 503|444|off       (on the last nginx started)
#   start_rgw [--tls]; rgw_bucket NAME     (Ceph RGW: S3 that checks signatures)
#   start_faults ROOT                      (tests/helpers/fault_server.py)
#   write_netrc FILE LOGIN PASS; write_aws_credentials FILE KEY SECRET
_srv_n=0 _rgw_pids=()

# free_port: a TCP port nobody listens on now (the kernel's pick).
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# _wait_http URL PID WHAT [curl args...]: until URL answers anything HTTP
# (any status), at most 20 s; fail if PID died first.
_wait_http() {
	local url=$1 pid=$2 what=$3 code
	shift 3
	for _ in $(seq 200); do
		code=$(curl -s -o /dev/null -m 2 -A fmfs-probe -w '%{http_code}' "$@" "$url" 2>/dev/null) || true
		[ "${code:-000}" != 000 ] && return 0
		kill -0 "$pid" 2>/dev/null || fail "$what exited before answering on $url"
		sleep 0.1
	done
	fail "$what did not answer on $url within 20 s"
}

# _stop_pids GRACE PID...: SIGTERM, up to GRACE seconds, then SIGKILL.
_stop_pids() {
	local grace=$1 p alive
	shift
	kill "$@" 2>/dev/null || true
	for _ in $(seq $((grace * 10))); do
		alive=0
		for p in "$@"; do kill -0 "$p" 2>/dev/null && alive=1; done
		[ $alive = 0 ] && break
		sleep 0.1
	done
	kill -9 "$@" 2>/dev/null || true
	for p in "$@"; do wait "$p" 2>/dev/null || true; done
}

# test_ca: a CA of this test ($T/ca/ca.pem, exported as TEST_CA) and a server
# certificate for IP 127.0.0.1 signed by it ($T/ca/server.pem, server.key).
test_ca() {
	local d=$T/ca
	export TEST_CA=$d/ca.pem
	[ -f "$d/server.pem" ] && return 0
	mkdir -p "$d"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$d/ca.key" -out "$d/ca.pem" -days 2 -subj /CN=fmfs-test-ca \
		-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign 2>/dev/null
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$d/server.key" -out "$d/server.csr" -subj /CN=127.0.0.1 2>/dev/null
	printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >"$d/ext"
	openssl x509 -req -in "$d/server.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial \
		-out "$d/server.pem" -days 2 -extfile "$d/ext" 2>/dev/null
}

# start_nginx WEBROOT [--tls] [--auth USER:PASS] [--http2] [--rate BYTES]:
# (--http2 with --tls: offered through ALPN; plain http stays HTTP/1.1)
# nginx in the foreground (its own conf, pid, logs in $T/nginx.N). Exports
# NGINX_URL (http[s]://127.0.0.1:PORT), NGINX_CA (with --tls), NGINX_DIR and
# NGINX_LOG: one line per request, `ADDR "REQUEST LINE" STATUS BYTES "RANGE"
# "IF-NONE-MATCH" "USER-AGENT" cCONNECTION`; readiness probes carry the
# agent fmfs-probe; CONNECTION is nginx's serial number of the connection.
start_nginx() {
	local root tls=0 auth= h2= rate= port d scheme=http listen pid
	root=$(realpath "$1")
	shift
	while [ $# -gt 0 ]; do
		case $1 in
		--tls) tls=1 ;;
		--auth) auth=$2; shift ;;
		--http2) h2=" http2" ;;
		--rate) rate="limit_rate $2;"; shift ;;
		*) fail "start_nginx: unknown option $1" ;;
		esac
		shift
	done
	command -v nginx >/dev/null || PATH=$PATH:/usr/sbin
	command -v nginx >/dev/null || skip "nginx is not installed (tools/install-deps.sh)"
	_srv_n=$((_srv_n + 1))
	d=$T/nginx.$_srv_n
	mkdir -p "$d/tmp"
	port=$(free_port)
	listen="listen 127.0.0.1:$port"
	local tlsconf= authconf=
	if [ $tls = 1 ]; then
		test_ca
		scheme=https
		listen="$listen ssl$h2"
		tlsconf="ssl_certificate $T/ca/server.pem; ssl_certificate_key $T/ca/server.key;"
	fi
	if [ -n "$auth" ]; then
		printf '%s:%s\n' "${auth%%:*}" "$(openssl passwd -apr1 "${auth#*:}")" >"$d/htpasswd"
		authconf="auth_basic fmfs; auth_basic_user_file $d/htpasswd;"
	fi
	: >"$d/faults.conf"
	cat >"$d/nginx.conf" <<-EOF
		$([ "$(id -u)" = 0 ] && echo "user root;")
		daemon off;
		worker_processes 1;
		pid $d/nginx.pid;
		error_log $d/error.log warn;
		events { worker_connections 512; }
		http {
		    log_format fmfs '\$remote_addr "\$request" \$status \$body_bytes_sent "\$http_range" "\$http_if_none_match" "\$http_user_agent" c\$connection';
		    access_log $d/access.log fmfs;
		    client_body_temp_path $d/tmp/body; proxy_temp_path $d/tmp/proxy;
		    fastcgi_temp_path $d/tmp/fastcgi; uwsgi_temp_path $d/tmp/uwsgi; scgi_temp_path $d/tmp/scgi;
		    default_type application/octet-stream;
		    sendfile on; keepalive_requests 100000;
		    server {
		        $listen;
		        $tlsconf
		        root $root;
		        $authconf
		        $rate
		        include $d/faults.conf;
		    }
		}
	EOF
	nginx -p "$d" -c "$d/nginx.conf" -e "$d/error.log" &
	pid=$!
	on_exit "_stop_pids 1 $pid"
	export NGINX_URL=$scheme://127.0.0.1:$port NGINX_DIR=$d NGINX_LOG=$d/access.log
	if [ $tls = 1 ]; then export NGINX_CA=$TEST_CA; else unset NGINX_CA; fi
	_wait_http "$NGINX_URL/" $pid nginx ${NGINX_CA:+--cacert "$NGINX_CA"}
}

# nginx_fault LOCATION 503|444|off: the last nginx started answers every
# request under the path prefix LOCATION with 503 (Retry-After: 1) or drops
# the connection (444), or serves it again (off). Returns once in force.
nginx_fault() {
	local loc=$1 what=$2 d=$NGINX_DIR want code old p
	case $what in
	503) echo "location ^~ $loc { add_header Retry-After 1 always; return 503; }" >"$d/faults.conf"; want=503 ;;
	444) echo "location ^~ $loc { return 444; }" >"$d/faults.conf"; want=000 ;;
	off) : >"$d/faults.conf"; want=other ;;
	*) fail "nginx_fault: $what" ;;
	esac
	old=$(pgrep -P "$(cat "$d/nginx.pid")") || true
	nginx -p "$d" -c "$d/nginx.conf" -e "$d/error.log" -s reload
	for p in $old; do # the old workers may still take new connections
		for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.05; done
	done
	for _ in $(seq 100); do
		code=$(curl -s -o /dev/null -m 2 -k -A fmfs-probe -w '%{http_code}' "$NGINX_URL$loc" 2>/dev/null) || true
		code=${code:-000}
		if [ $want = other ]; then
			[ "$code" != 503 ] && [ "$code" != 000 ] && return 0
		elif [ "$code" = $want ]; then
			return 0
		fi
		sleep 0.05
	done
	fail "nginx_fault $loc $what: not in force after 5 s (last status $code)"
}

# start_rgw [--tls]: one ceph-mon, one memstore ceph-osd and radosgw (the
# steps of Ceph's vstart.sh, facts in shared REMOTE.md), a user with a known
# key. Exports RGW_URL, RGW_KEY, RGW_SECRET, RGW_REGION, RGW_DIR, RGW_CA
# (--tls) and RGW_LOG (radosgw's log: one `beast: … "METHOD /bucket/key
# HTTP/1.1" STATUS …` line per request). Skips the test without Ceph.
start_rgw() {
	local tls=0 d mport rport fsid osdid scheme=http fe
	[ "${1:-}" = --tls ] && tls=1
	for b in ceph-mon ceph-osd radosgw radosgw-admin monmaptool ceph-authtool ceph; do
		command -v $b >/dev/null || skip "Ceph RGW is not installed ($b missing; tools/install-deps.sh)"
	done
	d=$T/rgw
	mkdir -p "$d/run" "$d/log" "$d/mon.a" "$d/osd.0"
	mport=$(free_port)
	rport=$(free_port)
	fsid=$(python3 -c 'import uuid; print(uuid.uuid4())')
	fe="beast endpoint=127.0.0.1:$rport"
	if [ $tls = 1 ]; then
		test_ca
		scheme=https
		fe="beast ssl_endpoint=127.0.0.1:$rport ssl_certificate=$T/ca/server.pem ssl_private_key=$T/ca/server.key"
	fi
	cat >"$d/ceph.conf" <<-EOF
		[global]
		fsid = $fsid
		mon host = [v2:127.0.0.1:$mport]
		mon initial members = a
		auth cluster required = none
		auth service required = none
		auth client required = none
		ms bind msgr1 = false
		osd objectstore = memstore
		memstore device bytes = 4294967296
		osd pool default size = 1
		osd pool default min size = 1
		osd pool default pg num = 8
		osd pool default pgp num = 8
		mon allow pool size one = true
		mon warn on pool no redundancy = false
		osd crush chooseleaf type = 0
		paxos propose interval = 0.05
		mon data avail crit = 1
		mon data avail warn = 1
		run dir = $d/run
		admin socket = $d/run/\$name.asok
		log file = $d/log/\$name.log
		pid file = $d/run/\$name.pid
		keyring = $d/keyring
		[mon.a]
		mon data = $d/mon.a
		public addr = 127.0.0.1
		[osd.0]
		osd data = $d/osd.0
		[client.rgw]
		ms mon client mode = crc
		rgw frontends = $fe
	EOF
	export CEPH_CONF=$d/ceph.conf
	ceph-authtool --create-keyring "$d/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
	monmaptool --create --clobber --fsid "$fsid" --addv a "[v2:127.0.0.1:$mport]" "$d/monmap" >/dev/null
	ceph-mon --mkfs -i a --monmap "$d/monmap" >"$d/log/setup" 2>&1 || fail "ceph-mon --mkfs: $(tail -n 1 "$d/log/setup")"
	ceph-mon -i a -f >>"$d/log/setup" 2>&1 &
	_rgw_pids+=($!)
	on_exit '_stop_pids 1 "${_rgw_pids[@]}"'
	osdid=$(python3 -c 'import uuid; print(uuid.uuid4())')
	timeout 30 ceph --connect-timeout 20 osd new "$osdid" >>"$d/log/setup" 2>&1 || fail "ceph osd new: $(tail -n 1 "$d/log/setup")"
	ceph-osd -i 0 --mkfs --osd-uuid "$osdid" >>"$d/log/setup" 2>&1 || fail "ceph-osd --mkfs: $(tail -n 1 "$d/log/setup")"
	ceph-osd -i 0 -f >>"$d/log/setup" 2>&1 &
	_rgw_pids+=($!)
	radosgw -n client.rgw -f >>"$d/log/setup" 2>&1 &
	_rgw_pids+=($!)
	export RGW_URL=$scheme://127.0.0.1:$rport RGW_KEY=FMFSTESTKEY0000000001 RGW_REGION=us-east-1
	export RGW_SECRET=fmfs-test-secret-0123456789abcdefghijklmn RGW_DIR=$d RGW_LOG=$d/log/client.rgw.log
	if [ $tls = 1 ]; then export RGW_CA=$TEST_CA; else unset RGW_CA; fi
	_wait_http "$RGW_URL/" "${_rgw_pids[2]}" radosgw ${RGW_CA:+--cacert "$RGW_CA"}
	timeout 30 radosgw-admin -n client.rgw user create --uid fmfs-test --display-name fmfs-test \
		--access-key "$RGW_KEY" --secret "$RGW_SECRET" >>"$d/log/setup" 2>&1 ||
		fail "radosgw-admin user create: $(tail -n 1 "$d/log/setup")"
}

# rgw_curl ARGS...: curl signed as the RGW test user (UNSIGNED-PAYLOAD).
rgw_curl() {
	curl -s -m 30 --aws-sigv4 "aws:amz:$RGW_REGION:s3" -u "$RGW_KEY:$RGW_SECRET" \
		-H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' ${RGW_CA:+--cacert "$RGW_CA"} "$@"
}

# rgw_bucket NAME: create the bucket (3-63 characters).
rgw_bucket() {
	local code
	code=$(rgw_curl -o /dev/null -w '%{http_code}' -X PUT "$RGW_URL/$1") || true
	[ "$code" = 200 ] || fail "rgw_bucket $1: HTTP $code"
}

# start_faults ROOT: tests/helpers/fault_server.py serving ROOT (its header
# lists the modes: $FAULTS_URL/MODE/KEY). Exports FAULTS_URL, FAULTS_LOG
# (one line per request: METHOD PATH STATUS RANGE).
start_faults() {
	local d pid root
	root=$(realpath "$1")
	_srv_n=$((_srv_n + 1))
	d=$T/faults.$_srv_n
	mkdir -p "$d"
	python3 "$TOP/tests/helpers/fault_server.py" "$root" "$d/port" "$d/requests.log" 2>"$d/error.log" &
	pid=$!
	on_exit "_stop_pids 1 $pid"
	for _ in $(seq 100); do
		[ -s "$d/port" ] && break
		kill -0 $pid 2>/dev/null || fail "fault_server.py exited: $(tail -n 1 "$d/error.log")"
		sleep 0.05
	done
	[ -s "$d/port" ] || fail "fault_server.py did not listen within 5 s"
	export FAULTS_URL=http://127.0.0.1:$(cat "$d/port") FAULTS_LOG=$d/requests.log
}

# faults_set KEY MODE [COUNT]: the next COUNT (default all) requests for KEY
# behave as MODE, whatever their URL's mode segment; MODE ok clears it.
faults_set() {
	curl -s -f -o /dev/null "$FAULTS_URL/_control?path=$1&mode=$2${3:+&count=$3}" || fail "faults_set $*"
}

# write_netrc FILE LOGIN PASS: a netrc for 127.0.0.1, mode 0600.
write_netrc() {
	(umask 077 && printf 'machine 127.0.0.1\nlogin %s\npassword %s\n' "$2" "$3" >"$1")
}

# write_aws_credentials FILE KEY SECRET: AWS shared-credentials format, 0600.
write_aws_credentials() {
	(umask 077 && printf '[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n' "$2" "$3" >"$1")
}
