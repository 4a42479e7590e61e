# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# xdpmxd end to end, sourced by run.sh (harness: lib.sh): the real daemon in
# the server namespace with the example zones and tests/fixtures/daemon/,
# queried with dig, kdig and crafted messages (daemon_helper.py) from the
# client over UDP (IPv4 and IPv6) and TCP: every answer kind, EDNS, TC and
# TCP, reloads (a broken zone keeps the old one), the control socket, the
# metrics endpoint, and a restart under a stream of fast-path hits.

DMN_FIX=$REPO/tests/fixtures/daemon
# dnspython is installed for Debian's python3, which a python3 earlier in
# PATH may not see.
DMN_PY=/usr/bin/python3
DMN_HELPER=$E2E_DIR/daemon_helper.py

dmn_py() { "$DMN_PY" "$DMN_HELPER" "$@"; }
# The helper in the client namespace. Background runs call nsenter
# directly instead, so that $! is the helper (teardown kills it), not a
# subshell around it.
dmn_cli_py() { nsenter --net=/run/netns/$CLI_NS -- "$DMN_PY" "$DMN_HELPER" "$@"; }

# Write $E2E_TMP/xdpmxd.conf: the server on both veth addresses with one
# worker (so cyclic rotation is one sequence), extra server lines from the
# arguments, and the three zones (e2e.test from $DMN_E2E_ZONE, default the
# fixture, in fixed order).
dmn_conf() {
	local l
	{
		echo "server:"
		echo "    listen: [ $SRV4, $SRV6 ]"
		echo "    control: $CONTROL"
		echo "    pin-dir: $PIN_DIR"
		echo "    udp-workers: 1"
		for l in "$@"; do echo "    $l"; done
		echo "zone:"
		echo "  - domain: mydomain.com"
		echo "    file: $EXAMPLES/mydomain.com.zone"
		echo "  - domain: 2.168.192.in-addr.arpa"
		echo "    file: $EXAMPLES/2.168.192.in-addr.arpa.zone"
		echo "  - domain: e2e.test"
		echo "    file: ${DMN_E2E_ZONE:-$DMN_FIX/e2e.test.zone}"
		echo "    rotation: fixed"
	} >"$E2E_TMP/xdpmxd.conf"
}

dmn_ctl() { dmn_py ctl "$CONTROL" "$@"; }
dmn_ready() { dmn_ctl status | grep -q '"ok":true'; }

# Start xdpmxd with the config of dmn_conf (plus arguments) and wait until
# its control socket answers.
dmn_start() {
	[ -x "$BIN/xdpmxd" ] || skip "xdpmxd not built in $BIN"
	bg_srv "$BIN/xdpmxd" -c "$E2E_TMP/xdpmxd.conf" "$@" >>"$E2E_TMP/xdpmxd.log" 2>&1
	DMN_PID=$BG_PID
	wait_for 20 dmn_ready || { cat "$E2E_TMP/xdpmxd.log"; fail "xdpmxd did not start"; }
}

# SIGTERM, and wait: the exit status is in DMN_RC.
dmn_stop() {
	kill -TERM "$DMN_PID"
	DMN_RC=0
	wait "$DMN_PID" || DMN_RC=$?
}

dmn_log_has() { grep -Eq -- "$1" "$E2E_TMP/xdpmxd.log"; }
# A counter of the slow path ("stats show"), and whether it has a value.
dmn_stat() { dmn_ctl "stats show" | dmn_py get "result.slowpath.$1"; }
dmn_stat_is() { [ "$(dmn_stat "$1")" = "$2" ]; }

# dig from the client at a server address: dmn_dig ADDR ARGS... One retry:
# on a loaded machine an answer can come after dig gave up on it.
dmn_dig() { local a=$1; shift; in_cli dig +tries=2 +time=2 @"$a" "$@"; }
# Whether NAME TYPE is answered with exactly DATA.
dmn_answers() { [ "$(dmn_dig $SRV4 +short "$1" "$2")" = "$3" ]; }
# The records of a section, one "name ttl type data" per line, sorted.
dmn_section() { # section dig-args...
	local sec=$1; shift
	dmn_dig $SRV4 +noall +"$sec" "$@" | awk '{ $3 = ""; print }' | tr -s ' ' | sort
}

test_daemon_answers() {
	# Over UDP and TCP, IPv4 and IPv6, the daemon answers as an
	# authoritative server: positive answers with AA and additional
	# records, cyclic rotation, the zone's fixed order, CNAME chains,
	# NXDOMAIN through a dangling CNAME, NODATA and NXDOMAIN with the SOA
	# at the negative TTL, wildcards and the names that block them,
	# referrals with glue and no AA, REFUSED outside the zones, and the
	# RFC 8482 answer to ANY.
	local out first a n t
	dmn_conf
	dmn_start

	for t in "" +tcp; do
		for a in $SRV4 $SRV6; do
			out=$(dmn_dig $a $t mydomain.com MX)
			assert_eq "NOERROR qr aa rd" "$(echo "$out" | dig_status)" "MX status ($a $t)"
			assert_match "ANSWER: 3, AUTHORITY: 0, ADDITIONAL: 4" "$out" "MX counts, OPT included ($a $t)"
		done
	done
	assert_eq "mail1.mydomain.com. 3600 A 192.168.2.1
mail2.mydomain.com. 3600 A 192.168.2.2
mail3.mydomain.com. 3600 A 192.168.2.3" "$(dmn_section additional mydomain.com MX)" \
		"MX additional: the exchanges' addresses"

	# cyclic: over 9 answers each address comes first 3 times
	out=$(for n in 1 2 3 4 5 6 7 8 9; do dmn_dig $SRV4 +short mail.mydomain.com A | head -n 1; done |
		sort | uniq -c | awk '{ print $1 }' | paste -sd' ')
	assert_eq "3 3 3" "$out" "cyclic rotation: how often each address came first"
	# fixed (the e2e.test zone's rotation): always zone order
	out=$(for n in 1 2 3 4; do dmn_dig $SRV4 +short e2e.test MX | paste -sd' '; done | sort -u)
	assert_eq "10 mx1.e2e.test. 20 mx2.e2e.test." "$out" "fixed order"

	assert_eq "host.e2e.test. 3600 A 198.18.2.1
web.e2e.test. 3600 CNAME host.e2e.test.
www.e2e.test. 3600 CNAME web.e2e.test." "$(dmn_section answer www.e2e.test A)" "CNAME chain"
	out=$(dmn_dig $SRV4 dangling.e2e.test A)
	assert_eq "NXDOMAIN qr aa rd" "$(echo "$out" | dig_status)" "dangling CNAME"
	assert_match "dangling.e2e.test.	+3600	IN	CNAME	nothere.e2e.test." "$out" "dangling CNAME answer"

	out=$(dmn_dig $SRV4 mail.mydomain.com AAAA)
	assert_eq "NOERROR qr aa rd" "$(echo "$out" | dig_status)" "NODATA status"
	assert_match "ANSWER: 0, AUTHORITY: 1" "$out" "NODATA counts"
	assert_eq "mydomain.com. 300 SOA ns1.mydomain.com. hostmaster.mydomain.com. 2026112801 7200 3600 1209600 300" \
		"$(dmn_section authority mail.mydomain.com AAAA)" "NODATA SOA at min(TTL, MINIMUM)"
	out=$(dmn_dig $SRV6 nope.mydomain.com A)
	assert_eq "NXDOMAIN qr aa rd" "$(echo "$out" | dig_status)" "NXDOMAIN status"
	assert_match "mydomain.com.	+300	IN	SOA" "$out" "NXDOMAIN SOA at the negative TTL"

	assert_eq "any.wild.e2e.test. 3600 A 198.18.3.1" "$(dmn_section answer any.wild.e2e.test A)" \
		"wildcard synthesizes the owner"
	assert_eq "real.wild.e2e.test. 3600 A 198.18.3.2" "$(dmn_section answer real.wild.e2e.test A)" \
		"an existing name is not the wildcard"
	out=$(dmn_dig $SRV4 real.wild.e2e.test TXT)
	assert_match "ANSWER: 0, AUTHORITY: 1" "$out" "an existing name blocks the wildcard (NODATA)"

	out=$(dmn_dig $SRV4 host.sub.e2e.test A)
	assert_eq "NOERROR qr rd" "$(echo "$out" | dig_status)" "referral: no AA"
	assert_eq "sub.e2e.test. 3600 NS ns.sub.e2e.test." "$(dmn_section authority host.sub.e2e.test A)" \
		"referral NS"
	assert_eq "ns.sub.e2e.test. 3600 A 198.18.4.1" "$(dmn_section additional host.sub.e2e.test A)" \
		"referral glue"

	out=$(dmn_dig $SRV4 www.example.org A)
	assert_eq "REFUSED qr rd" "$(echo "$out" | dig_status)" "outside the zones"

	for t in "" +tcp; do
		assert_eq "mydomain.com. 3600 HINFO \"RFC8482\" \"\"" \
			"$(dmn_section answer $t mydomain.com ANY)" "ANY ($t)"
	done
	dmn_stop
	assert_eq "0" "$DMN_RC" "exit status after SIGTERM"
	dmn_log_has "Stopping on Terminated" || fail "no stop message"
	[ ! -e "$CONTROL" ] || fail "control socket left behind"
}
ALL_TESTS+=(test_daemon_answers)

test_daemon_errors() {
	# - an opcode other than QUERY is NOTIMP; a query with QDCOUNT 0 is
	#   FORMERR; responses (QR=1) and runt messages get no answer;
	# - EDNS version 1 is BADVERS, with an OPT in the answer;
	# - the slow path's counters saw all of it (stats show).
	local out
	dmn_conf
	dmn_start

	assert_eq "NOTIMP qr rd" "$(dmn_cli_py opcode $SRV4 STATUS mydomain.com)" \
		"opcode STATUS"
	# id 0x1234, RD, QDCOUNT 0
	assert_eq "FORMERR qr rd" "$(dmn_cli_py raw $SRV4 123401000000000000000000)" \
		"QDCOUNT 0"
	# id 0x1234, QR, QDCOUNT 1, question mydomain.com A IN
	assert_eq "noanswer" "$(dmn_cli_py raw $SRV4 \
		123481000001000000000000086d79646f6d61696e03636f6d0000010001)" "QR=1 gets no answer"
	assert_eq "noanswer" "$(dmn_cli_py raw $SRV4 1234010000)" "runt"

	out=$(in_cli kdig +retry=0 +timeout=2 @$SRV4 +edns=1 mydomain.com MX)
	echo "$out"
	assert_match "status: BADVERS" "$out" "EDNS version 1"
	assert_match "Version: 0;" "$out" "BADVERS carries an OPT of version 0"
	assert_match "ANSWER: 0" "$out" "BADVERS has no answer"

	out=$(dmn_ctl "stats show")
	assert_eq "1" "$(echo "$out" | dmn_py get result.slowpath.rcode.NOTIMP)" "NOTIMP counted"
	assert_eq "1" "$(echo "$out" | dmn_py get result.slowpath.rcode.FORMERR)" "FORMERR counted"
	assert_eq "1" "$(echo "$out" | dmn_py get result.slowpath.rcode.BADVERS)" "BADVERS counted"
	assert_eq "2" "$(echo "$out" | dmn_py get result.slowpath.dropped)" "no-answer messages counted"
	assert_eq "5" "$(echo "$out" | dmn_py get result.slowpath.queries_udp)" "UDP messages counted"
}
ALL_TESTS+=(test_daemon_errors)

test_daemon_tc_tcp() {
	# - an answer larger than the client's UDP size is TC=1 with no
	#   records, without EDNS (512) and with it (our 1232);
	# - over TCP the same query gets all 20 records, and dig, seeing TC,
	#   retries over TCP by itself;
	# - several queries written at once on one TCP connection are all
	#   answered, in order.
	local out
	dmn_conf
	dmn_start

	for e in +noedns +bufsize=4096; do
		out=$(dmn_dig $SRV4 +ignore $e big.e2e.test TXT)
		assert_match "flags: qr aa tc rd;" "$out" "TC over UDP ($e)"
		assert_match "ANSWER: 0," "$out" "no records when truncated ($e)"
	done
	assert_eq 20 "$(dmn_dig $SRV4 +tcp +short big.e2e.test TXT | wc -l)" "all records over TCP"
	assert_eq 20 "$(dmn_dig $SRV6 +short big.e2e.test TXT | wc -l)" "dig falls back to TCP"

	out=$(dmn_cli_py pipeline $SRV4 mail.mydomain.com host.e2e.test \
		nope.mydomain.com ns1.mydomain.com)
	echo "$out"
	assert_eq "mail.mydomain.com. id-ok NOERROR 192.168.2.1 192.168.2.2 192.168.2.3
host.e2e.test. id-ok NOERROR 198.18.2.1
nope.mydomain.com. id-ok NXDOMAIN 
ns1.mydomain.com. id-ok NOERROR 192.168.2.53" "$out" "pipelined queries answered in order"
}
ALL_TESTS+=(test_daemon_tc_tcp)

test_daemon_tcp_idle() {
	# - a TCP client that sends nothing is closed after tcp-idle-timeout;
	# - so is one that stops halfway through a query;
	# - meanwhile other clients are answered at once.
	local out t p1 p2
	dmn_conf "tcp-idle-timeout: 1s"
	dmn_start

	out=$(dmn_cli_py idle $SRV4 5)
	echo "idle: $out"
	assert_match "^closed " "$out" "silent client closed"
	t=${out#closed }
	# 1 s, give or take the scheduling of a busy machine
	[ "${t%.*}" -le 3 ] || fail "closed after $t s, tcp-idle-timeout is 1s"
	# A client that sends half a query (the length says 40 bytes, 3 come)
	# is closed as well: only complete queries count as activity.
	out=$(in_cli "$DMN_PY" -c '
import socket, sys, time
s = socket.create_connection((sys.argv[1], 53), 5)
s.sendall(b"\x00\x28\x12\x34\x01")
t = time.monotonic()
for _ in range(5):
    time.sleep(0.4)
    try:
        s.sendall(b"\x00")
    except OSError:
        break
s.settimeout(5)
try:
    d = s.recv(1)
except OSError:
    d = b""
print("closed" if not d else "data", "%.1f" % (time.monotonic() - t))' $SRV4)
	echo "trickle: $out"
	assert_match "^closed " "$out" "half a query, trickled, is closed"
	# Two silent clients hold connections while dig over TCP is answered.
	nsenter --net=/run/netns/$CLI_NS -- "$DMN_PY" "$DMN_HELPER" idle $SRV4 5 >/dev/null &
	p1=$!
	track $p1
	nsenter --net=/run/netns/$CLI_NS -- "$DMN_PY" "$DMN_HELPER" idle $SRV4 5 >/dev/null &
	p2=$!
	track $p2
	wait_for 3 dmn_stat_is tcp_connections 4 || fail "the idle clients did not connect"
	assert_eq 3 "$(dmn_dig $SRV4 +tcp +short mail.mydomain.com A | wc -l)" "answered beside idle clients"
	wait $p1 $p2
	assert_eq 4 "$(dmn_stat tcp_timeouts)" "every idle connection timed out, the answered one not"
}
ALL_TESTS+=(test_daemon_tcp_idle)

test_daemon_tcp_limit() {
	# - past tcp-max-clients a new TCP connection is closed at once, and
	#   counted as refused;
	# - once a slot is free, TCP queries are answered again.
	local out p1 p2
	dmn_conf "tcp-max-clients: 2" "tcp-idle-timeout: 20s"
	dmn_start

	nsenter --net=/run/netns/$CLI_NS -- "$DMN_PY" "$DMN_HELPER" hold $SRV4 3 &
	p1=$!
	track $p1
	nsenter --net=/run/netns/$CLI_NS -- "$DMN_PY" "$DMN_HELPER" hold $SRV4 3 &
	p2=$!
	track $p2
	wait_for 3 dmn_stat_is tcp_connections 2 || fail "the two holding clients did not connect"
	out=$(dmn_cli_py idle $SRV4 2)
	echo "third: $out"
	assert_match "^(closed|reset) 0\." "$out" "third connection closed at once"
	assert_eq 1 "$(dmn_stat tcp_refused)" "refusal counted"
	wait $p1 $p2
	assert_eq 3 "$(dmn_dig $SRV4 +tcp +short mail.mydomain.com A | wc -l)" "answered once slots are free"
}
ALL_TESTS+=(test_daemon_tcp_limit)

test_daemon_reload() {
	# - SIGHUP reloads a changed zone file: the new record is answered;
	# - a broken zone file on reload leaves the previous version answering
	#   (its serial, its records); the error names file and line in the
	#   log, in `zone list` and in the result of `zone reload`;
	# - fixed again, `zone reload` swaps it in;
	# - a zone removed from the configuration is no longer served.
	local zf out line
	zf=$E2E_TMP/e2e.test.zone
	cp "$DMN_FIX/e2e.test.zone" "$zf"
	DMN_E2E_ZONE=$zf dmn_conf
	dmn_start

	assert_eq "NXDOMAIN qr aa rd" "$(dmn_dig $SRV4 new.e2e.test A | dig_status)" "before"
	sed -i 's/2026112801/2026112802/' "$zf"
	echo "new IN A 198.18.5.1" >>"$zf"
	kill -HUP "$DMN_PID"
	wait_for 5 dmn_answers new.e2e.test A 198.18.5.1 ||
		{ cat "$E2E_TMP/xdpmxd.log"; fail "new record not answered after SIGHUP"; }
	dmn_log_has "Zone e2e.test. serial 2026112802 loaded" || fail "reload not logged"

	sed -i 's/2026112802/2026112803/' "$zf"
	echo "new2 IN A 198.18.5.2" >>"$zf"
	echo "broken IN A not-an-address" >>"$zf"
	line=$(wc -l <"$zf")
	kill -HUP "$DMN_PID"
	wait_for 5 dmn_log_has "e2e.test.zone:$line:" ||
		{ cat "$E2E_TMP/xdpmxd.log"; fail "no error naming line $line"; }
	dmn_log_has "Couldn't reload zone e2e.test.: .*e2e.test.zone:$line: .*still serving serial 2026112802" ||
		{ cat "$E2E_TMP/xdpmxd.log"; fail "no message that the old zone stays"; }
	assert_eq "198.18.5.1" "$(dmn_dig $SRV4 +short new.e2e.test A)" "old version still answered"
	assert_eq "NXDOMAIN qr aa rd" "$(dmn_dig $SRV4 new2.e2e.test A | dig_status)" "broken version not served"
	assert_match " 2026112802 " "$(dmn_dig $SRV4 +short e2e.test SOA)" "old serial"
	out=$(dmn_ctl "zone list")
	assert_match "e2e.test.zone:$line: " "$(echo "$out" | dmn_py get result.2.last_error)" "zone list error"
	assert_eq "2026112802" "$(echo "$out" | dmn_py get result.2.serial)" "zone list serial"
	out=$(dmn_ctl "zone reload" '{"zone": "e2e.test"}')
	assert_eq "False" "$(echo "$out" | dmn_py get result.0.ok)" "zone reload fails"
	assert_match "e2e.test.zone:$line: " "$(echo "$out" | dmn_py get result.0.error)" "zone reload error"

	sed -i '$d' "$zf"
	out=$(dmn_ctl "zone reload" '{"zone": "e2e.test."}')
	assert_eq "True" "$(echo "$out" | dmn_py get result.0.ok)" "zone reload of the fixed file"
	assert_eq "2026112803" "$(echo "$out" | dmn_py get result.0.serial)" "new serial"
	assert_eq "198.18.5.2" "$(dmn_dig $SRV4 +short new2.e2e.test A)" "fixed version served"
	assert_eq "None" "$(dmn_ctl "zone list" | dmn_py get result.2.last_error)" "error cleared"

	# Drop the zone from the configuration.
	sed -i '/domain: e2e.test/,$d' "$E2E_TMP/xdpmxd.conf"
	kill -HUP "$DMN_PID"
	wait_for 5 dmn_log_has "Zone e2e.test. removed" || fail "removal not logged"
	assert_eq "REFUSED qr rd" "$(dmn_dig $SRV4 host.e2e.test A | dig_status)" "removed zone refused"
	assert_eq "2" "$(dmn_ctl status | dmn_py get result.zones)" "two zones left"
}
ALL_TESTS+=(test_daemon_reload)

test_daemon_control() {
	# - status, zone list, zone show, zone check and stats show answer as
	#   control.h says; an unknown command is an error naming it;
	# - the control socket is owner-only (0600).
	local out
	dmn_conf
	dmn_start

	assert_eq "srw-------" "$(stat -c %A "$CONTROL")" "control socket mode"
	out=$(dmn_ctl status)
	assert_eq "3" "$(echo "$out" | dmn_py get result.zones)" "status zones"
	assert_eq "$DMN_PID" "$(echo "$out" | dmn_py get result.pid)" "status pid"
	assert_eq "[\"$SRV4@53\", \"$SRV6@53\"]" "$(echo "$out" | dmn_py get result.listen)" "status listen"
	assert_eq "False" "$(echo "$out" | dmn_py get result.fastpath)" "no fast path"
	out=$(dmn_ctl "zone list")
	assert_eq "mydomain.com." "$(echo "$out" | dmn_py get result.0.name)" "zone list name"
	assert_eq "2026112801" "$(echo "$out" | dmn_py get result.0.serial)" "zone list serial"
	assert_eq "14" "$(echo "$out" | dmn_py get result.0.records)" "zone list records"
	out=$(dmn_ctl "zone show" '{"zone": "2.168.192.in-addr.arpa"}')
	assert_match "1.2.168.192.in-addr.arpa.	3600	IN	PTR	mail.mydomain.com." \
		"$(echo "$out" | dmn_py lines result.records)" "zone show records"
	out=$(dmn_ctl "zone check" "{\"file\": \"$EXAMPLES/mismatch/2.168.192.in-addr.arpa.zone\"}")
	echo "$out"
	assert_eq "0" "$(echo "$out" | dmn_py get result.errors)" "zone check errors"
	assert_ge 1 "$(echo "$out" | dmn_py get result.warnings)" "zone check: the mismatch warns"
	# over the served zones with this one in place: the mismatch's 2, and
	# e2e.test's exchanges without a reverse zone
	assert_eq "PTR rule: 5 warnings (1 of 6 addresses of 5 mail hosts forward-confirmed)" \
		"$(echo "$out" | dmn_py get result.ptr_rule.text)" "zone check: the PTR rule"
	out=$(dmn_ctl "zone check" '{"file": "/nonexistent.zone"}')
	assert_eq "1" "$(echo "$out" | dmn_py get result.errors)" "zone check of a missing file"
	assert_match "No such file" "$(echo "$out" | dmn_py get result.messages.0.text)" \
		"zone check of a missing file: message"
	out=$(dmn_ctl "frobnicate")
	assert_eq "unknown command 'frobnicate'" "$(echo "$out" | dmn_py get error)" "unknown command"

	dmn_dig $SRV4 +short mail.mydomain.com A >/dev/null
	dmn_dig $SRV4 +tcp +short mydomain.com MX >/dev/null
	out=$(dmn_ctl "stats show")
	assert_eq "1" "$(echo "$out" | dmn_py get result.slowpath.queries_udp)" "UDP queries"
	assert_eq "1" "$(echo "$out" | dmn_py get result.slowpath.queries_tcp)" "TCP queries"
	assert_eq "1" "$(echo "$out" | dmn_py get result.slowpath.qtype.MX)" "MX queries"
	assert_eq "2" "$(echo "$out" | dmn_py get result.slowpath.rcode.NOERROR)" "NOERROR answers"
	assert_eq "3" "$(echo "$out" | dmn_py get result.slowpath.zone_loads)" "zone loads"
	assert_eq "True" "$(dmn_ctl "stats reset" | dmn_py get ok)" "stats reset"
	assert_eq "0" "$(dmn_ctl "stats show" | dmn_py get result.slowpath.queries)" "reset to 0"
}
ALL_TESTS+=(test_daemon_control)

test_daemon_check_config() {
	# - --check-config loads every zone and exits 0 when all is well;
	# - it states the PTR rule's result (satisfied, with how many addresses
	#   of how many mail hosts, or how many warnings) and never calls the
	#   configuration valid without its warnings; so does xdpmxctl zone
	#   check;
	# - 1, naming file and line, for an unknown key or a broken zone;
	# - the daemon refuses a metrics address that is not loopback unless
	#   metrics-allow-remote is on.
	local out rc
	[ -x "$BIN/xdpmxd" ] || skip "xdpmxd not built in $BIN"
	dmn_conf
	out=$("$BIN/xdpmxd" -c "$E2E_TMP/xdpmxd.conf" --check-config 2>&1)
	echo "$out"
	# e2e.test's exchanges have addresses in no loaded reverse zone
	assert_match "xdpmxd\[warning\]: PTR rule: 3 warnings \(3 of 6 addresses of 5 mail hosts forward-confirmed\)$" \
		"$out" "the PTR rule, with warnings"
	assert_match "is valid: 3 zones load cleanly, 3 warnings$" "$out" "valid, with its warnings"

	# The whitepaper's zones: the rule holds.
	out=$("$BIN/xdpmxd" --check-config --zone "$EXAMPLES/mydomain.com.zone" \
		--zone "$EXAMPLES/2.168.192.in-addr.arpa.zone" 2>&1)
	assert_match "xdpmxd\[info\]: PTR rule: satisfied, 3 addresses of 3 mail hosts forward-confirmed$" \
		"$out" "the PTR rule, satisfied"
	assert_match "is valid: 2 zones load cleanly, 0 warnings$" "$out" "valid, no warnings"
	out=$("$BIN/xdpmxd" --check-config --zone "$EXAMPLES/mismatch/mydomain.com.zone" \
		--zone "$EXAMPLES/mismatch/2.168.192.in-addr.arpa.zone" 2>&1)
	assert_match "PTR rule: 2 warnings \(1 of 3 addresses of 3 mail hosts forward-confirmed\)$" \
		"$out" "the PTR rule, broken"
	assert_match "is valid: 2 zones load cleanly, 2 warnings$" "$out" "valid, with 2 warnings"
	# xdpmxctl zone check says it the same way.
	out=$("$BIN/xdpmxctl" zone check "$EXAMPLES/mismatch/mydomain.com.zone" \
		"$EXAMPLES/mismatch/2.168.192.in-addr.arpa.zone")
	assert_eq "PTR rule: 2 warnings (1 of 3 addresses of 3 mail hosts forward-confirmed)
0 errors, 2 warnings" "$(echo "$out" | tail -n 2)" "zone check: the PTR rule"
	out=$("$BIN/xdpmxctl" -j zone check "$EXAMPLES/mydomain.com.zone" \
		"$EXAMPLES/2.168.192.in-addr.arpa.zone")
	assert_eq "3 3 0" "$(for k in addresses confirmed warnings; do echo "$out" | dmn_py get ptr_rule.$k; done | paste -sd' ')" \
		"zone check -j: the PTR rule"
	assert_match "PTR rule: not checked" "$("$BIN/xdpmxctl" zone check "$EXAMPLES/mydomain.com.zone")" \
		"zone check of one zone: the PTR rule not checked"

	dmn_conf "udp-wrokers: 2"
	rc=0
	out=$("$BIN/xdpmxd" -c "$E2E_TMP/xdpmxd.conf" --check-config 2>&1) || rc=$?
	assert_eq 1 "$rc" "unknown key: exit status"
	assert_match "xdpmxd.conf:6: unknown key 'udp-wrokers' in section 'server'" "$out" "unknown key"

	printf '$ORIGIN x.test.\n@ SOA ns1 h 1 2 3 4 5\n@ NS ns1\nns1 A 1.2.3\n' >"$E2E_TMP/x.zone"
	DMN_E2E_ZONE=$E2E_TMP/x.zone dmn_conf
	sed -i 's/domain: e2e.test/domain: x.test/' "$E2E_TMP/xdpmxd.conf"
	rc=0
	out=$("$BIN/xdpmxd" -c "$E2E_TMP/xdpmxd.conf" --check-config 2>&1) || rc=$?
	echo "$out"
	assert_eq 1 "$rc" "broken zone: exit status"
	assert_match "x.zone:4: " "$out" "broken zone: file and line"

	dmn_conf "metrics: $SRV4@9153"
	rc=0
	out=$(in_srv "$BIN/xdpmxd" -c "$E2E_TMP/xdpmxd.conf" 2>&1) || rc=$?
	assert_eq 1 "$rc" "remote metrics refused"
	assert_match "not a loopback address" "$out" "remote metrics message"
}
ALL_TESTS+=(test_daemon_check_config)

# GET http://127.0.0.1:9153/PATH from the server namespace: "STATUS\nBODY".
dmn_http() {
	in_srv "$DMN_PY" -c '
import sys, urllib.request, urllib.error
try:
    r = urllib.request.urlopen("http://127.0.0.1:9153" + sys.argv[1], timeout=3)
    print(r.status); print(r.read().decode())
except urllib.error.HTTPError as e:
    print(e.code)
except OSError as e:
    print("unreachable", e)' "$1"
}

test_daemon_metrics() {
	# - the Prometheus endpoint is off by default;
	# - on, /metrics reports the slow path's counters (queries by
	#   transport, responses by RCODE, by QTYPE) and the zones; other
	#   paths are 404.
	local out
	dmn_conf
	dmn_start
	assert_match "^unreachable" "$(dmn_http /metrics)" "off by default"
	dmn_stop

	dmn_conf "metrics: 127.0.0.1@9153"
	dmn_start
	for n in 1 2 3; do dmn_dig $SRV4 +short mail.mydomain.com A >/dev/null; done
	dmn_dig $SRV4 +tcp +short nope.mydomain.com A >/dev/null
	out=$(dmn_http /metrics)
	echo "$out" | head -n 40
	assert_eq 200 "$(echo "$out" | head -n 1)" "HTTP status"
	for l in 'xdpmx_slowpath_queries_total{transport="udp"} 3' \
		'xdpmx_slowpath_queries_total{transport="tcp"} 1' \
		'xdpmx_slowpath_responses_total{rcode="NOERROR"} 3' \
		'xdpmx_slowpath_responses_total{rcode="NXDOMAIN"} 1' \
		'xdpmx_slowpath_query_types_total{qtype="A"} 4' \
		'xdpmx_zones 3' '# TYPE xdpmx_slowpath_responses_total counter'; do
		echo "$out" | grep -qxF "$l" || fail "metrics lack '$l'"
		echo "ok: $l"
	done
	assert_eq 404 "$(dmn_http / | head -n 1)" "other paths"
}
ALL_TESTS+=(test_daemon_metrics)

# Start the daemon with the fast path on the server's veth, through its
# --interface, in native mode (veth has it; the client end runs XDP_PASS,
# lib.sh, so XDP_TX answers are delivered at once).
dmn_start_fastpath() {
	dmn_conf "interface: $SRV_IF" "xdp-mode: native"
	dmn_start
	dmn_log_has "Fast path attached to $SRV_IF|Fast path already runs on $SRV_IF" ||
		{ cat "$E2E_TMP/xdpmxd.log"; fail "the daemon did not attach the fast path"; }
}

dmn_hits() { dmn_ctl "stats show" | dmn_py get "result.fastpath.hit.$1"; }

test_daemon_fast_slow_same() {
	# - with the program attached, UDP queries for the example zones'
	#   RRsets are answered by the fast path (its hit counters move, the
	#   slow path's UDP counter does not), and over TCP by the slow path;
	# - for every RRset of the example zones both answers are the same:
	#   flags, rcode, every record of every section, apart from order.
	local specs out n hits0 hits1 q0 q1
	dmn_start_fastpath
	specs=$(for z in mydomain.com 2.168.192.in-addr.arpa; do
		dmn_ctl "zone show" "{\"zone\": \"$z\"}" | dmn_py lines result.records |
			awk '{ print $1 "/" $4 }' | sort -u
	done)
	n=$(echo "$specs" | wc -l)
	echo "$specs" | paste -sd' '
	hits0=$(dmn_ctl "stats show" | dmn_py get result.fastpath | "$DMN_PY" -c \
		'import json, sys; j = json.load(sys.stdin); print(sum(v for k, v in j.items() if k.startswith("hit.")))')
	q0=$(dmn_ctl "stats show" | dmn_py get result.slowpath.queries_udp)
	out=$(dmn_cli_py compare $SRV4 $specs)
	echo "$out"
	assert_eq "same $n" "$out" "fast path and slow path agree on every RRset"
	hits1=$(dmn_ctl "stats show" | dmn_py get result.fastpath | "$DMN_PY" -c \
		'import json, sys; j = json.load(sys.stdin); print(sum(v for k, v in j.items() if k.startswith("hit.")))')
	q1=$(dmn_ctl "stats show" | dmn_py get result.slowpath.queries_udp)
	# MX, A, AAAA and PTR RRsets are hits; the others (SOA, NS) go up.
	assert_eq "$(echo "$specs" | grep -Ec '/(MX|A|AAAA|PTR)$')" "$((hits1 - hits0))" \
		"fast-path hits: one per MX/A/AAAA/PTR RRset"
	assert_eq "$(echo "$specs" | grep -Evc '/(MX|A|AAAA|PTR)$')" "$((q1 - q0))" \
		"slow-path UDP queries: the other RRsets only"
}
ALL_TESTS+=(test_daemon_fast_slow_same)

test_daemon_restart() {
	# - SIGTERM stops the daemon cleanly and leaves the program attached
	#   and its maps pinned;
	# - a bounded stream of A queries (fast-path hits) runs across the stop
	#   and the restart and loses none of them;
	# - the restarted daemon takes the pinned maps over without rewriting
	#   an unchanged RRset.
	local out
	dmn_start_fastpath
	assert_eq "192.168.2.1" "$(dmn_dig $SRV4 +short mail1.mydomain.com A)" "answer"
	assert_ge 1 "$(dmn_hits a)" "A answered by the fast path"

	nsenter --net=/run/netns/$CLI_NS -- "$DMN_PY" "$DMN_HELPER" stream $SRV4 mail.mydomain.com A \
		80 0.05 >"$E2E_TMP/stream" &
	local sp=$!
	track $sp
	sleep 1
	dmn_stop
	assert_eq "0" "$DMN_RC" "exit status after SIGTERM"
	dmn_log_has "the XDP program and its maps stay in place" || fail "no stop message"
	[ -e "$PIN_DIR/xdpmx_cfg" ] || fail "maps unpinned on stop"
	in_srv ip link show dev $SRV_IF | grep -q xdp || fail "program detached on stop"
	sleep 1
	dmn_start
	wait $sp
	out=$(cat "$E2E_TMP/stream")
	echo "stream: answered lost = $out"
	assert_eq "80 0" "$out" "no query lost across the restart"
	dmn_log_has "Took over the fast path's maps pinned in $PIN_DIR" || fail "no takeover"
	dmn_log_has "Zone mydomain.com. in the fast path: .* 0 added, 0 changed, 0 deleted, [1-9][0-9]* unchanged" ||
		{ cat "$E2E_TMP/xdpmxd.log"; fail "the restart rewrote RRsets"; }
}
ALL_TESTS+=(test_daemon_restart)

test_daemon_restart_changed_config() {
	# The daemon restarts over pinned maps with a configuration that
	# changed while it was down:
	# - a zone no longer configured leaves the fast path (its PTR is no
	#   longer a hit; the slow path refuses it);
	# - a configured zone whose file is now broken keeps the version the
	#   pinned maps hold: its RRsets are still fast-path hits, and the log
	#   says so and names the line of the error.
	local out hits
	dmn_start_fastpath
	assert_eq "mail.mydomain.com." "$(dmn_dig $SRV4 +short 1.2.168.192.in-addr.arpa PTR)" "PTR"
	assert_ge 1 "$(dmn_hits ptr)" "PTR answered by the fast path"
	assert_eq "198.18.1.1" "$(dmn_dig $SRV4 +short mx1.e2e.test A)" "e2e.test A"
	dmn_stop

	cp "$DMN_FIX/e2e.test.zone" "$E2E_TMP/e2e-broken.zone"
	echo "broken	IN	A	not-an-address" >>"$E2E_TMP/e2e-broken.zone"
	DMN_E2E_ZONE=$E2E_TMP/e2e-broken.zone dmn_conf "interface: $SRV_IF" "xdp-mode: native"
	sed -i '/2.168.192.in-addr.arpa/d' "$E2E_TMP/xdpmxd.conf"
	! grep -q in-addr "$E2E_TMP/xdpmxd.conf" || fail "the reverse zone is still configured"
	: >"$E2E_TMP/xdpmxd.log"
	dmn_start

	dmn_log_has "Zone 2\.168\.192\.in-addr\.arpa\. is in the pinned maps but not configured: removing it from the fast path" ||
		{ cat "$E2E_TMP/xdpmxd.log"; fail "the unconfigured zone was not removed"; }
	dmn_log_has "e2e-broken\.zone:[0-9]+:" ||
		{ cat "$E2E_TMP/xdpmxd.log"; fail "the load error does not name the line"; }
	dmn_log_has "Zone e2e\.test\. did not load: the fast path keeps answering the version in the pinned maps" ||
		{ cat "$E2E_TMP/xdpmxd.log"; fail "no word that the pinned version keeps answering"; }

	hits=$(dmn_hits ptr)
	out=$(dmn_dig $SRV4 1.2.168.192.in-addr.arpa PTR | dig_status)
	assert_match "^REFUSED" "$out" "PTR of the removed zone"
	assert_eq "$hits" "$(dmn_hits ptr)" "no fast-path PTR hit after the removal"

	hits=$(dmn_hits a)
	assert_eq "198.18.1.1" "$(dmn_dig $SRV4 +short mx1.e2e.test A)" "the pinned e2e.test answers"
	assert_ge "$((hits + 1))" "$(dmn_hits a)" "from the fast path"
	assert_eq "192.168.2.1" "$(dmn_dig $SRV4 +short mail1.mydomain.com A)" "mydomain.com still served"
}
ALL_TESTS+=(test_daemon_restart_changed_config)

test_daemon_edits() {
	# - `record add|set|del` change a served zone in memory: the fast path
	#   answers the change within a second, the SOA serial goes up, the
	#   result says the change is not persisted;
	# - `rrset order fixed` stops the rotation of an RRset;
	# - an edit the zone checks refuse (a CNAME beside an A) changes
	#   nothing and says why;
	# - reloading the zone from its file drops the edits.
	local out hits firsts
	dmn_start_fastpath

	# rotation, then fixed order, of mail.mydomain.com A (fast-path hits)
	firsts=$(for n in 1 2 3 4 5 6; do dmn_dig $SRV4 +short mail.mydomain.com A | head -n 1; done | sort -u | wc -l)
	assert_ge 2 "$firsts" "the A RRset rotates"
	out=$(dmn_ctl "rrset order" '{"name": "mail.mydomain.com.", "type": "A", "order": "fixed"}')
	assert_eq "True" "$(echo "$out" | dmn_py get result.fastpath)" "rrset order: fast path"
	assert_eq "mydomain.com." "$(echo "$out" | dmn_py get result.zone)" "rrset order: zone"
	hits=$(dmn_hits a)
	out=$(for n in 1 2 3 4 5 6; do dmn_dig $SRV4 +short mail.mydomain.com A | paste -sd' '; done | sort -u)
	assert_eq "192.168.2.1 192.168.2.2 192.168.2.3" "$out" "fixed: zone order every time"
	assert_ge "$((hits + 6))" "$(dmn_hits a)" "answered by the fast path"

	out=$(dmn_ctl "record add" '{"zone": "mydomain.com", "name": "mail4.mydomain.com.", "type": "A", "ttl": 600, "data": "192.168.2.4"}')
	echo "$out"
	assert_eq "False" "$(echo "$out" | dmn_py get result.persisted)" "add: not persisted"
	assert_eq "True" "$(echo "$out" | dmn_py get result.fastpath)" "add: in the fast path"
	assert_eq "2026112802" "$(echo "$out" | dmn_py get result.serial)" "add: serial incremented"
	hits=$(dmn_hits a)
	wait_for 1 dmn_answers mail4.mydomain.com A 192.168.2.4 || fail "added record not answered within 1 s"
	assert_ge "$((hits + 1))" "$(dmn_hits a)" "the added record is a fast-path hit"
	dmn_log_has "not written to .*mydomain.com.zone: a reload or restart forgets it" ||
		fail "no warning that the edit is not persisted"

	out=$(dmn_ctl "record set" '{"zone": "mydomain.com", "name": "mail.mydomain.com.", "type": "A", "ttl": 300, "data": "192.168.2.9"}')
	assert_eq "True" "$(echo "$out" | dmn_py get ok)" "set"
	wait_for 1 dmn_answers mail.mydomain.com A 192.168.2.9 || fail "replaced RRset not answered within 1 s"
	assert_match "^mail.mydomain.com.	300	IN	A	192.168.2.9$" \
		"$(dmn_dig $SRV4 +noall +answer mail.mydomain.com A)" "set: the new TTL"

	out=$(dmn_ctl "record del" '{"zone": "mydomain.com", "name": "mail4.mydomain.com.", "type": "A"}')
	assert_eq "True" "$(echo "$out" | dmn_py get ok)" "del"
	assert_eq "NXDOMAIN qr aa rd" "$(dmn_dig $SRV4 mail4.mydomain.com A | dig_status)" "deleted"
	out=$(dmn_ctl "record del" '{"zone": "mydomain.com", "name": "mail4.mydomain.com.", "type": "A"}')
	assert_match "no mail4.mydomain.com. A RRset" "$(echo "$out" | dmn_py get error)" "del of nothing"

	out=$(dmn_ctl "record add" '{"zone": "mydomain.com", "name": "mail1.mydomain.com.", "type": "CNAME", "ttl": 60, "data": "mail2.mydomain.com."}')
	echo "$out"
	assert_eq "False" "$(echo "$out" | dmn_py get ok)" "CNAME beside A refused"
	assert_match "CNAME" "$(echo "$out" | dmn_py get error)" "the refusal says why"
	assert_eq "192.168.2.1" "$(dmn_dig $SRV4 +short mail1.mydomain.com A)" "zone unchanged"
	assert_eq "True" "$(dmn_ctl "zone list" | dmn_py get result.0.edited)" "zone list: edited"

	out=$(dmn_ctl "zone reload" '{"zone": "mydomain.com"}')
	assert_eq "2026112801" "$(echo "$out" | dmn_py get result.0.serial)" "reload: the file's serial"
	assert_eq 3 "$(dmn_dig $SRV4 +short mail.mydomain.com A | wc -l)" "reload drops the edits"
	assert_eq "False" "$(dmn_ctl "zone list" | dmn_py get result.0.edited)" "zone list: not edited"

	out=$(dmn_ctl "map dump" | "$DMN_PY" -c 'import json, sys
for e in json.load(sys.stdin)["result"]:
    print(e["name"], e["type"], e["order"], "|", " | ".join(e["records"] + e["additional"]))')
	echo "$out"
	assert_match "^mail.mydomain.com. A cyclic \| mail.mydomain.com.	3600	IN	A	192.168.2.1 \| " \
		"$out" "map dump decodes the maps"
	assert_match "^mydomain.com. MX cyclic \| .*\| mail3.mydomain.com.	3600	IN	A	192.168.2.3$" \
		"$out" "map dump shows additional records"
}
ALL_TESTS+=(test_daemon_edits)

# ---- zones inside zones -------------------------------------------------------

# The parent nest.test. (no delegation to child.nest.test.) and the child,
# each with its own address for mail.child.nest.test.
nest_zones() {
	printf '%s\n' '$ORIGIN nest.test.' '$TTL 300' '@ SOA ns1 hostmaster 1 7200 3600 1209600 60' \
		'@ NS ns1' 'ns1 A 198.18.0.53' 'mail.child A 198.18.0.21' >"$E2E_TMP/nest.zone"
	printf '%s\n' '$ORIGIN child.nest.test.' '$TTL 300' \
		'@ SOA ns1.nest.test. hostmaster.nest.test. 1 7200 3600 1209600 60' \
		'@ NS ns1.nest.test.' 'mail A 198.18.0.22' >"$E2E_TMP/child.zone"
}

# The configuration: the fast path on the server's veth, then one zone per
# file named (origin from its SOA), in that order.
nest_conf() {
	local f
	{
		echo "server:"
		echo "    listen: [ $SRV4 ]"
		echo "    control: $CONTROL"
		echo "    pin-dir: $PIN_DIR"
		echo "    udp-workers: 1"
		echo "    interface: $SRV_IF"
		echo "    xdp-mode: native"
		echo "zone:"
		for f in "$@"; do echo "  - file: $E2E_TMP/$f.zone"; done
	} >"$E2E_TMP/xdpmxd.conf"
}

# mail.child.nest.test. A is answered with $1 by the fast path (its A hit
# counter moves, the slow path sees no UDP query) and by the slow path
# (over TCP). $2 says when.
nest_answer_is() {
	local hits q out
	wait_for 5 dmn_answers mail.child.nest.test A "$1" ||
		fail "$2: mail.child.nest.test. A is '$(dmn_dig $SRV4 +short mail.child.nest.test A)', not $1"
	hits=$(dmn_hits a)
	q=$(dmn_stat queries_udp)
	out=$(dmn_dig $SRV4 +short mail.child.nest.test A)
	assert_eq "$1" "$out" "$2: the fast path's answer"
	assert_eq "$((hits + 1))" "$(dmn_hits a)" "$2: a fast-path hit"
	assert_eq "$q" "$(dmn_stat queries_udp)" "$2: no UDP query reached the slow path"
	assert_eq "$1" "$(dmn_dig $SRV4 +tcp +short mail.child.nest.test A)" "$2: the slow path's answer"
}

test_daemon_nested_zones() {
	# A parent zone without a delegation holds a name of a child zone that
	# is loaded too; the child, the deeper zone, answers it in both paths:
	# - the parent loaded first, the child added by a reload;
	# - the child loaded first, the parent added by a reload;
	# - both at start, in either order in the configuration;
	# - the child removed: the parent's record is the answer again, from
	#   the fast path as well.
	nest_zones
	nest_conf nest
	dmn_start
	nest_answer_is 198.18.0.21 "parent alone"
	nest_conf nest child
	kill -HUP "$DMN_PID"
	wait_for 5 dmn_log_has "Zone child.nest.test. in the fast path" || fail "child not loaded"
	nest_answer_is 198.18.0.22 "child added below the parent"
	dmn_log_has "Zone nest.test. in the fast path: .* 1 left to zones below; 0 added, 0 changed, 1 deleted" ||
		{ cat "$E2E_TMP/xdpmxd.log"; fail "the parent did not give the name up"; }
	nest_conf nest
	kill -HUP "$DMN_PID"
	wait_for 5 dmn_log_has "Zone child.nest.test. removed" || fail "child not removed"
	nest_answer_is 198.18.0.21 "child removed"
	dmn_stop

	# Each start with a fresh log, so that a line awaited is this run's.
	: >"$E2E_TMP/xdpmxd.log"
	nest_conf child
	dmn_start
	nest_answer_is 198.18.0.22 "child alone"
	nest_conf child nest
	kill -HUP "$DMN_PID"
	wait_for 5 dmn_log_has "Zone nest.test. in the fast path" || fail "parent not loaded"
	nest_answer_is 198.18.0.22 "parent added above the child"
	dmn_stop

	# Restarts take over the maps the run before left.
	: >"$E2E_TMP/xdpmxd.log"
	nest_conf nest child
	dmn_start
	nest_answer_is 198.18.0.22 "both at start, parent first"
	dmn_stop
	: >"$E2E_TMP/xdpmxd.log"
	nest_conf child nest
	dmn_start
	nest_answer_is 198.18.0.22 "both at start, child first"
	nest_conf nest
	kill -HUP "$DMN_PID"
	wait_for 5 dmn_log_has "Zone child.nest.test. removed" || fail "child not removed"
	nest_answer_is 198.18.0.21 "child removed after a start with both"
}
ALL_TESTS+=(test_daemon_nested_zones)

# ---- reloads that change nothing ---------------------------------------------------

test_daemon_reload_unchanged() {
	# - `zone reload` of a file that did not change says changed: false
	#   and writes nothing into the fast path;
	# - a reload of every zone says so of each zone;
	# - a file touched but not changed is reloaded on SIGHUP, and the log
	#   says nothing changed;
	# - a real change says changed: true.
	local zf out i
	zf=$E2E_TMP/e2e.test.zone
	cp "$DMN_FIX/e2e.test.zone" "$zf"
	DMN_E2E_ZONE=$zf dmn_conf "interface: $SRV_IF" "xdp-mode: native"
	dmn_start

	out=$(dmn_ctl "zone reload" '{"zone": "e2e.test"}')
	echo "$out"
	assert_eq "True" "$(echo "$out" | dmn_py get result.0.ok)" "reload ok"
	assert_eq "False" "$(echo "$out" | dmn_py get result.0.changed)" "unchanged file: not changed"
	assert_eq "0 0 0" "$(for k in added changed deleted; do echo "$out" | dmn_py get result.0.fastpath.$k; done | paste -sd' ')" \
		"unchanged file: nothing written to the fast path"
	out=$(dmn_ctl "zone reload")
	for i in 0 1 2; do
		assert_eq "False" "$(echo "$out" | dmn_py get result.$i.changed)" "reload of every zone: zone $i"
	done

	# the reload of every zone above logged the line once already
	touch -d "+1 minute" "$zf"
	kill -HUP "$DMN_PID"
	wait_for 5 eval '[ "$(grep -c "Zone e2e.test. serial 2026112801 reloaded from .*: nothing changed" "$E2E_TMP/xdpmxd.log")" -ge 2 ]' ||
		{ cat "$E2E_TMP/xdpmxd.log"; fail "a touched file is not reloaded as unchanged"; }

	echo "new IN A 198.18.5.1" >>"$zf"
	out=$(dmn_ctl "zone reload" '{"zone": "e2e.test"}')
	assert_eq "True" "$(echo "$out" | dmn_py get result.0.changed)" "changed file: changed"
	assert_eq "1" "$(echo "$out" | dmn_py get result.0.fastpath.added)" "the new RRset written"
	assert_eq "198.18.5.1" "$(dmn_dig $SRV4 +short new.e2e.test A)" "the new record answered"
}
ALL_TESTS+=(test_daemon_reload_unchanged)

# ---- edits: what the fast path answers afterwards ------------------------------------

test_daemon_edit_dependents() {
	# An edit recompiles the RRsets it touches, and the MX RRsets whose
	# additional section depends on them; with the fast path on:
	# - a new address of an exchange shows in the MX answer's additional
	#   section (a fast-path hit), as the slow path has it; two RRsets
	#   are compiled for it, not the zone's nine;
	# - an exchange's address deleted leaves it;
	# - a delegation added at an exchange (NS below the apex) takes its
	#   name out of the zone's data: no fast-path answer, a referral from
	#   the slow path, and the MX answer without its address;
	# - every RRset of the zone is answered the same by both paths.
	local hits out specs
	dmn_start_fastpath

	out=$(dmn_ctl "record set" '{"zone": "mydomain.com", "name": "mail1.mydomain.com.", "type": "A", "ttl": 600, "data": "192.168.2.11"}')
	# mail1's A RRset and the apex MX, whose additional section holds it;
	# not the zone's other 7 compiled RRsets
	assert_eq "2" "$(echo "$out" | dmn_py get result.recompiled)" "RRsets recompiled for the edit"
	hits=$(dmn_hits mx)
	out=$(dmn_section additional mydomain.com MX)
	assert_eq "mail1.mydomain.com. 600 A 192.168.2.11
mail2.mydomain.com. 3600 A 192.168.2.2
mail3.mydomain.com. 3600 A 192.168.2.3" "$out" "the MX additional section follows the edit"
	assert_eq "$((hits + 1))" "$(dmn_hits mx)" "answered by the fast path"

	out=$(dmn_ctl "record del" '{"zone": "mydomain.com", "name": "mail3.mydomain.com.", "type": "A"}')
	assert_eq "1" "$(echo "$out" | dmn_py get result.recompiled)" "RRsets recompiled for the deletion"
	assert_eq "mail1.mydomain.com. 600 A 192.168.2.11
mail2.mydomain.com. 3600 A 192.168.2.2" "$(dmn_section additional mydomain.com MX)" \
		"a deleted address leaves the additional section"

	dmn_ctl "record add" '{"zone": "mydomain.com", "name": "mail2.mydomain.com.", "type": "NS", "ttl": 3600, "data": "ns1.mydomain.com."}' |
		grep -q '"ok":true' || fail "record add NS"
	hits=$(dmn_hits a)
	out=$(dmn_dig $SRV4 mail2.mydomain.com A)
	assert_eq "NOERROR qr rd" "$(echo "$out" | dig_status)" "below a delegation: a referral"
	assert_eq "$hits" "$(dmn_hits a)" "below a delegation: no fast-path answer"
	assert_eq "mail1.mydomain.com. 600 A 192.168.2.11" "$(dmn_section additional mydomain.com MX)" \
		"the delegated exchange leaves the additional section"

	specs=$(dmn_ctl "zone show" '{"zone": "mydomain.com"}' | dmn_py lines result.records |
		awk '$1 != "mail2.mydomain.com." { print $1 "/" $4 }' | sort -u)
	out=$(dmn_cli_py compare $SRV4 $specs)
	assert_eq "same $(echo "$specs" | wc -l)" "$out" "fast path and slow path agree after the edits"
}
ALL_TESTS+=(test_daemon_edit_dependents)

# ---- the MTU -----------------------------------------------------------------------

test_daemon_mtu() {
	# XDP_TX drops frames larger than the interface's MTU, so attaching
	# where answers of the EDNS size would not fit warns, with the numbers:
	# - the daemon attaching through its configuration;
	# - the daemon starting over an interface xdpmx-loader attached;
	# - xdpmx-loader itself;
	# - none where they fit.
	local out
	in_srv ip link set dev $SRV_IF mtu 1200
	dmn_start_fastpath
	dmn_log_has "The fast path on $SRV_IF may answer with frames its MTU of 1200 bytes does not allow: EDNS size 1232 plus 48 bytes of IPv6 and UDP headers is 1280 \\(1260 over IPv4\\).* Set edns-size to 1152 or less" ||
		{ cat "$E2E_TMP/xdpmxd.log"; fail "no MTU warning from the daemon"; }
	dmn_stop
	in_srv "$BIN/xdpmx-loader" unload --all --purge >/dev/null

	out=$(in_srv "$BIN/xdpmx-loader" load --mode native $SRV_IF 2>&1)
	echo "$out"
	assert_match "MTU of 1200 bytes does not allow: EDNS size 1232 plus 48 bytes" "$out" "xdpmx-loader warns"
	dmn_conf "edns-size: 1400"
	: >"$E2E_TMP/xdpmxd.log"
	dmn_start
	dmn_log_has "The fast path on $SRV_IF may answer with frames its MTU of 1200 bytes does not allow: EDNS size 1400 plus 48" ||
		{ cat "$E2E_TMP/xdpmxd.log"; fail "no MTU warning for the loader's interface"; }
	dmn_stop

	in_srv ip link set dev $SRV_IF mtu 1500
	: >"$E2E_TMP/xdpmxd.log"
	dmn_start_fastpath
	dmn_log_has "MTU" && { cat "$E2E_TMP/xdpmxd.log"; fail "a warning where answers fit"; }
	echo "ok: no warning with MTU 1500"
}
ALL_TESTS+=(test_daemon_mtu)

# ---- a measurement, not a test ---------------------------------------------------------

# Edit-to-fast-path time on a zone of 1,000,000 records: not in ALL_TESTS
# (a figure, not a pass or fail; run it by name:
#   bash tests/e2e/run.sh measure_daemon_edit_1m).
# The daemon serves big.test (999,994 names of one A record, an MX and its
# exchanges) with the fast path on; each round changes one A record with
# "record set" and queries the name over UDP every millisecond until the
# fast path answers the new address. It prints, per round, how long the
# control request took and when the new answer was first seen, both from
# the moment the request was sent; and asserts only that the answers are
# right and come from the fast path.
measure_daemon_edit_1m() {
	local zf=$E2E_TMP/big.test.zone out hits
	"$DMN_PY" - "$zf" <<-'PY'
		import sys
		with open(sys.argv[1], "w") as f:
		    f.write("$ORIGIN big.test.\n$TTL 3600\n"
		            "@ SOA ns1 hostmaster 1 7200 3600 1209600 300\n@ NS ns1\n"
		            "ns1 A 198.18.0.53\n@ MX 10 mx1\n@ MX 20 mx2\n"
		            "mx1 A 198.18.1.1\nmx2 A 198.18.1.2\n")
		    for i in range(1000000 - 7):
		        f.write(f"h{i} A 198.{18 + (i >> 16) % 2}.{(i >> 8) & 255}.{i & 255}\n")
	PY
	{
		echo "server:"
		echo "    listen: [ $SRV4 ]"
		echo "    control: $CONTROL"
		echo "    pin-dir: $PIN_DIR"
		echo "    interface: $SRV_IF"
		echo "    xdp-mode: native"
		echo "zone:"
		echo "  - file: $zf"
	} >"$E2E_TMP/xdpmxd.conf"
	bg_srv "$BIN/xdpmxd" -c "$E2E_TMP/xdpmxd.conf" >>"$E2E_TMP/xdpmxd.log" 2>&1
	DMN_PID=$BG_PID
	wait_for 120 dmn_ready || { cat "$E2E_TMP/xdpmxd.log"; fail "xdpmxd did not start"; }
	grep -E "Zone big.test. (serial|in the fast path)" "$E2E_TMP/xdpmxd.log"
	hits=$(dmn_hits a)
	out=$(nsenter --net=/run/netns/$CLI_NS -- "$DMN_PY" - "$CONTROL" $SRV4 <<-'PY'
		import json, socket, sys, time
		import dns.message, dns.query
		ctl_path, server = sys.argv[1], sys.argv[2]
		for r, i in enumerate((5, 250001, 500002, 750003, 999990)):
		    name, addr = f"h{i}.big.test.", f"198.19.200.{r + 1}"
		    q = dns.message.make_query(name, "A")
		    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
		    s.connect(ctl_path)
		    t0 = time.monotonic()
		    s.sendall((json.dumps({"cmd": "record set", "args": {"zone": "big.test",
		        "name": name, "type": "A", "ttl": 60, "data": addr}}) + "\n").encode())
		    buf = b""
		    seen = None
		    s.setblocking(False)
		    while seen is None or not buf.endswith(b"\n"):
		        try:
		            buf += s.recv(65536)
		        except BlockingIOError:
		            pass
		        if buf.endswith(b"\n") and "t_ctl" not in dir():
		            t_ctl = time.monotonic() - t0
		        if seen is None:
		            a = dns.query.udp(q, server, timeout=1)
		            if any(rr.address == addr for rrs in a.answer for rr in rrs):
		                seen = time.monotonic() - t0
		        time.sleep(0.001)
		    t_ctl = locals().get("t_ctl", time.monotonic() - t0)
		    res = json.loads(buf)
		    print(f"round {r + 1}: {name} A {addr}: control request {t_ctl * 1000:.0f} ms, "
		          f"answered by the fast path after {seen * 1000:.0f} ms, "
		          f"recompiled {res['result']['recompiled']}, ok {res['ok']}")
		    del t_ctl
	PY
	)
	echo "$out"
	assert_eq 5 "$(echo "$out" | grep -c 'recompiled 1, ok True')" "five edits, one RRset compiled each"
	assert_ge $((hits + 5)) "$(dmn_hits a)" "the new answers came from the fast path"
	grep -E "Zone big.test. in the fast path: .* 1 changed" "$E2E_TMP/xdpmxd.log" | tail -n 5
}

# - the capacities in the config (dir-max, blob128-max) size the maps the
#   daemon creates when it attaches with nothing pinned: the directory gets
#   2 * dir-max slots rounded up to a power of two, blob128 what was asked;
# - unset capacities keep the defaults of abi.h (blob64).
test_daemon_capacities() {
	local max
	dmn_conf "interface: $SRV_IF" "xdp-mode: native" "dir-max: 1000" "blob128-max: 64"
	dmn_start
	max() { bpftool -j map show pinned "$PIN_DIR/$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["max_entries"])'; }
	assert_eq 2048 "$(max xdpmx_dir)" "directory slots"
	assert_eq 64 "$(max xdpmx_blob128)" "blob128 entries"
	assert_eq $((1 << 20)) "$(max xdpmx_blob64)" "blob64 entries (default)"
	wait_for 5 dig_srv +short mail.mydomain.com A
	assert_eq 3 "$(dig_srv +short mail.mydomain.com A | wc -l)" "answer with small maps"
}
ALL_TESTS+=(test_daemon_capacities)
