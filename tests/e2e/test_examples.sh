# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# The whitepaper's example zones end to end (issue 5), sourced by run.sh
# (harness: lib.sh): the real xdpmx-loader and xdpmxd on the server's veth,
# dig and kdig on the client's. Every answer of the example zones over
# UDP/IPv4, UDP/IPv6 and TCP against the zone data; rotation as a client
# sees it; EDNS cookies and NSID on the fast path; a zone reload under a
# stream of queries; the daemon killed with SIGKILL and restarted.
#
# XDPMX_XDP_MODE (auto, native, generic; default auto) is the loader's
# --mode, as in examples/demo.sh.

EXAMPLES_DNS=$E2E_DIR/examples_dns.py
EXAMPLES_ZONES=("$EXAMPLES/mydomain.com.zone" "$EXAMPLES/2.168.192.in-addr.arpa.zone")
EXAMPLES_PID=

# Attach the fast path to the server's veth (lib.sh has put an XDP_PASS
# program on the client's end, which native-mode XDP_TX on veth needs).
examples_load() {
	in_srv "$BIN/xdpmx-loader" load --mode "${XDPMX_XDP_MODE:-auto}" "$SRV_IF"
}

# Start xdpmxd on the given zone files (default: the examples), listening
# on both server addresses; EXAMPLES_PID is its pid (bg_srv: the daemon's
# own).
examples_start_daemon() {
	local z args=()
	[ $# -gt 0 ] || set -- "${EXAMPLES_ZONES[@]}"
	for z in "$@"; do args+=(--zone "$z"); done
	bg_srv "$BIN/xdpmxd" --foreground --pin-dir "$PIN_DIR" --control "$CONTROL" \
		--listen "$SRV4" --listen "$SRV6" "${args[@]}" >>"$E2E_TMP/xdpmxd.log" 2>&1
	EXAMPLES_PID=$BG_PID
	wait_for 10 examples_ctl status ||
		{ cat "$E2E_TMP/xdpmxd.log"; fail "xdpmxd did not answer on $CONTROL"; }
}

# in_cli for commands put in the background: no function between $! and
# the command, so teardown's kill reaches the command itself.
examples_in_cli() { exec nsenter --net=/run/netns/$CLI_NS -- "$@"; }

examples_ctl() { "$BIN/xdpmxctl" --control "$CONTROL" --pin-dir "$PIN_DIR" "$@"; }

# One counter of `xdpmxctl -j stats show`: keys joined by '/'; a last key
# "hits" sums the fast path's hit.* counters. Works without the daemon
# too (xdpmxctl then reads the fast path's counters from the pins).
examples_counter() {
	examples_ctl -j stats show | python3 -c '
import json, sys
v = json.load(sys.stdin)
keys = sys.argv[1].split("/")
for k in keys[:-1]:
    v = v[k]
k = keys[-1]
print(sum(n for c, n in v.items() if c.startswith("hit.")) if k == "hits" else v[k])' "$1"
}

# Whether the fast path has answered at least $1 queries so far.
examples_hits_reach() { [ "$(examples_counter fastpath/hits)" -ge "$1" ]; }

# The data fields of the answer records of dig +noall +answer, in order,
# joined by spaces (MX: the exchange).
examples_answer_order() {
	awk '$0 !~ /^;/ && NF >= 5 { print $NF }' | paste -sd' '
}

test_examples_answers() {
	# - every name of the two example zones, asked for A, AAAA, MX, PTR, NS,
	#   SOA and TXT, plus names that do not exist and names in mixed case,
	#   by dig over UDP/IPv4, UDP/IPv6 and TCP: rcode, AA (and QR, RD; no
	#   TC, no RA), the question back byte for byte, the answer and
	#   authority sections as sets with their TTLs, the A records of the
	#   MX and NS targets in the additional section, all as the zone data
	#   says (examples_dns.py states the rules);
	# - NODATA and NXDOMAIN carry the zone's SOA with TTL min(TTL, minimum);
	# - over UDP the fast path answers exactly the queries for A, MX and PTR
	#   RRsets that exist (its hit counter for that type moves, the slow
	#   path's does not: 15 queries of the 99), the daemon all the others
	#   and everything over TCP.
	local out
	examples_load >/dev/null
	examples_start_daemon
	out=$(in_cli "$EXAMPLES_DNS" answers --server $SRV4 --control "$CONTROL" \
		"${EXAMPLES_ZONES[@]}") || { echo "$out"; fail "answers over UDP/IPv4"; }
	echo "$out" | tail -n 1
	assert_match "^checked 99 queries over udp to $SRV4: 15 from the fast path, 84 from the daemon, 0 failed$" \
		"$(echo "$out" | tail -n 1)" "UDP/IPv4"
	out=$(in_cli "$EXAMPLES_DNS" answers --server $SRV6 --control "$CONTROL" \
		"${EXAMPLES_ZONES[@]}") || { echo "$out"; fail "answers over UDP/IPv6"; }
	assert_match "^checked 99 queries over udp to $SRV6: 15 from the fast path, 84 from the daemon, 0 failed$" \
		"$(echo "$out" | tail -n 1)" "UDP/IPv6"
	out=$(in_cli "$EXAMPLES_DNS" answers --tcp --server $SRV4 --control "$CONTROL" \
		"${EXAMPLES_ZONES[@]}") || { echo "$out"; fail "answers over TCP"; }
	assert_match "^checked 99 queries over tcp to $SRV4: 0 from the fast path, 99 from the daemon, 0 failed$" \
		"$(echo "$out" | tail -n 1)" "TCP"
}
ALL_TESTS+=(test_examples_answers)

test_examples_rotation() {
	# - nine consecutive queries from one client pinned to one CPU, for the
	#   MX RRset (IPv4 and IPv6) and for the A RRset of mail.mydomain.com:
	#   every answer holds the three records, and each answer is the one
	#   before rotated by exactly one place (its first record is the
	#   previous answer's second), so each record comes first once in
	#   every three consecutive answers: cyclic order as the client sees it;
	# - all of them are fast-path hits.
	# Why the strict property holds: the cursor is per CPU and moves once
	# per answer; dig is pinned with taskset, and veth delivers its frames
	# to XDP (NAPI or the generic hook) on the sending CPU, and nothing
	# else is answered there during the loop.
	local cpu spec name type srv i prev cur hits0 want
	cpu=$(sed -n 's/^Cpus_allowed_list:[[:space:]]*\([0-9]*\).*/\1/p' /proc/self/status)
	examples_load >/dev/null
	examples_start_daemon
	for spec in "$SRV4 mydomain.com MX" "$SRV6 mydomain.com MX" "$SRV4 mail.mydomain.com A"; do
		read -r srv name type <<<"$spec"
		[ "$type" = MX ] &&
			want="mail1.mydomain.com. mail2.mydomain.com. mail3.mydomain.com." ||
			want="192.168.2.1 192.168.2.2 192.168.2.3"
		hits0=$(examples_counter fastpath/hits)
		prev=
		for ((i = 1; i <= 9; i++)); do
			cur=$(in_cli taskset -c "${cpu:-0}" dig +tries=1 +time=2 @"$srv" +noall +answer \
				"$name" "$type" | examples_answer_order)
			echo "$type @$srv answer $i: $cur"
			assert_eq "$want" "$(echo "$cur" | tr ' ' '\n' | sort | paste -sd' ')" \
				"$type answer $i holds the three records"
			if [ -n "$prev" ]; then
				# rotated by one: "a b c" -> "b c a"
				assert_eq "$(echo "$prev" | awk '{ print $2, $3, $1 }')" "$cur" \
					"$type answer $i is answer $((i - 1)) rotated by one"
			fi
			prev=$cur
		done
		assert_eq "$((hits0 + 9))" "$(examples_counter fastpath/hits)" "fast-path hits for $type @$srv"
	done
}
ALL_TESTS+=(test_examples_rotation)

test_examples_edns_cookie_nsid() {
	# - kdig with an EDNS client cookie (+cookie), with an NSID request
	#   (+nsid), and with both, for A, MX and PTR: the query carried the
	#   option (kdig +qr shows it), the answer is the zone's RRset with AA,
	#   an OPT record and neither a COOKIE nor an NSID option (the fast
	#   path accepts options and echoes none);
	# - each is a fast-path hit of its type, and the slow path sees none.
	local spec opts name type want out query resp hits0 slow0 t o
	examples_load >/dev/null
	examples_start_daemon
	for spec in "+cookie mail.mydomain.com A 192.168.2.1,192.168.2.2,192.168.2.3" \
		"+nsid mydomain.com MX mail1.mydomain.com.,mail2.mydomain.com.,mail3.mydomain.com." \
		"+cookie,+nsid 1.2.168.192.in-addr.arpa PTR mail.mydomain.com."; do
		read -r opts name type want <<<"$spec"
		t=$(echo "$type" | tr 'A-Z' 'a-z')
		hits0=$(examples_counter fastpath/hit.$t)
		slow0=$(examples_counter slowpath/queries)
		out=$(kdig_srv +qr ${opts//,/ } "$name" "$type")
		echo "$out"
		query=$(echo "$out" | sed -n '1,/^;; Sent/p')
		resp=$(echo "$out" | sed -n '/^;; Sent/,$p')
		for o in ${opts//,/ }; do
			o=$(echo "${o#+}" | tr 'a-z' 'A-Z')
			assert_match "^;; $o:" "$query" "the query carries $o"
			echo "$resp" | grep -q "^;; $o:" && fail "the answer echoes $o"
			echo "ok: no $o in the answer"
		done
		assert_match "status: NOERROR" "$resp" "$type rcode"
		assert_match "Flags: qr aa rd;" "$resp" "$type flags"
		assert_match "EDNS PSEUDOSECTION" "$resp" "$type answer has an OPT record"
		assert_eq "$want" "$(echo "$resp" | awk -v t="$type" '$0 !~ /^;/ && $4 == t { print $NF }' |
			sort | paste -sd,)" "$type records"
		assert_eq "$((hits0 + 1))" "$(examples_counter fastpath/hit.$t)" "fast-path hit.$t"
		assert_eq "$slow0" "$(examples_counter slowpath/queries)" "slow-path queries"
	done
}
ALL_TESTS+=(test_examples_edns_cookie_nsid)

# Version 2 of mydomain.com for the reload test: everything the fast path
# serves changes (MX TTL, the A RRset of mail, the address of mail1 in the
# MX additional section), and the serial.
examples_zone_v2() {
	sed -e 's/2026112801/2026112802/' \
		-e 's/^\tIN\tMX\t10 /\t1800\tIN\tMX\t10 /' \
		-e 's/^mail1\tIN\tA\t192.168.2.1$/mail1\tIN\tA\t192.168.2.11/' \
		-e 's/^mail\tIN\tA\t192.168.2.1$/mail\t600\tIN\tA\t192.168.2.4/' \
		-e 's/^\tIN\tA\t192.168.2.2$/\t600\tIN\tA\t192.168.2.5/' \
		-e 's/^\tIN\tA\t192.168.2.3$/\t600\tIN\tA\t192.168.2.6/' "$1"
}

test_examples_reload_under_queries() {
	# - while one client sends a stream of UDP queries (A of mail, MX with
	#   its additional section, both fast path; SOA, slow path), one at a
	#   time, bounded to 20000 queries and 40 s, the zone is reloaded ten
	#   times, alternating between two versions that differ in every RRset
	#   asked: every query is answered, and every answer is exactly the old
	#   version's or exactly the new one's (TTLs and additional records
	#   included), never a mix; both versions are seen;
	# - every reload reports success, and the fast path served the stream.
	local v1=$E2E_TMP/v1.zone v2=$E2E_TMP/v2.zone live=$E2E_TMP/mydomain.com.zone
	local i spid out sent old new wrong lost hits0 hits
	cp "${EXAMPLES_ZONES[0]}" "$v1"
	examples_zone_v2 "$v1" >"$v2"
	cmp -s "$v1" "$v2" && fail "version 2 of the zone is the same as version 1"
	assert_eq 8 "$(diff "$v1" "$v2" | grep -c '^>')" "lines changed in version 2"
	cp "$v1" "$live"
	examples_load >/dev/null
	examples_start_daemon "$live" "${EXAMPLES_ZONES[1]}"
	hits0=$(examples_counter fastpath/hits)

	examples_in_cli "$EXAMPLES_DNS" stream --server $SRV4 --old "$v1" --new "$v2" \
		--stop "$E2E_TMP/stop" --max 20000 --seconds 40 \
		mail.mydomain.com./A mydomain.com./MX mydomain.com./SOA >"$E2E_TMP/stream.out" 2>&1 &
	spid=$!
	track $spid
	wait_for 10 examples_hits_reach $((hits0 + 50)) || fail "the query stream did not start"
	for ((i = 1; i <= 10; i++)); do
		if ((i % 2)); then cp "$v2" "$live.tmp"; else cp "$v1" "$live.tmp"; fi
		mv "$live.tmp" "$live"
		out=$(examples_ctl zone reload mydomain.com.)
		echo "reload $i: $out"
		assert_match "reloaded, serial 202611280$((i % 2 ? 2 : 1))" "$out" "reload $i"
		sleep 0.3
	done
	sleep 0.3
	touch "$E2E_TMP/stop"
	wait $spid || fail "the query stream failed"
	out=$(cat "$E2E_TMP/stream.out")
	echo "$out"
	read -r _ sent _ old _ new _ wrong _ lost <<<"$(echo "$out" | head -n 1)"
	assert_ge 300 "$sent" "queries sent"
	assert_eq 0 "$lost" "queries unanswered"
	assert_eq 0 "$wrong" "answers neither the old nor the new zone"
	assert_ge 1 "$old" "answers from version 1"
	assert_ge 1 "$new" "answers from version 2"
	hits=$(($(examples_counter fastpath/hits) - hits0))
	assert_ge $((sent / 2)) "$hits" "fast-path hits during the stream"
	# The last reload put version 1 back.
	assert_eq "192.168.2.1 192.168.2.2 192.168.2.3" \
		"$(dig_srv +noall +answer mail.mydomain.com A | examples_answer_order | tr ' ' '\n' | sort | paste -sd' ')" \
		"mail after the last reload"
}
ALL_TESTS+=(test_examples_reload_under_queries)

test_examples_daemon_sigkill() {
	# - with xdpmxd killed by SIGKILL (no clean-up at all), the fast path
	#   still answers its queries (A, MX, PTR: right records, AA, hit
	#   counters move, read from the pinned maps), while queries it passes
	#   up (SOA, NXDOMAIN) and TCP get no answer;
	# - a stream of fast-path queries across the kill and the restart is
	#   answered without a loss;
	# - xdpmxd started again (same flags, its old control socket still on
	#   disk) takes over the pinned maps: the slow path answers again and
	#   the hits go on.
	local out hits0 ptr0 rc spid sent lost wrong lines
	examples_load >/dev/null
	examples_start_daemon
	assert_eq "NOERROR qr aa rd" "$(dig_srv mydomain.com SOA | dig_status)" "SOA before the kill"

	examples_in_cli "$EXAMPLES_DNS" stream --server $SRV4 --old "${EXAMPLES_ZONES[0]}" \
		--new "${EXAMPLES_ZONES[0]}" --stop "$E2E_TMP/stop" --max 20000 --seconds 40 \
		mail.mydomain.com./A mydomain.com./MX >"$E2E_TMP/stream.out" 2>&1 &
	spid=$!
	track $spid
	wait_for 10 examples_hits_reach 50 || fail "the query stream did not start"

	kill -KILL "$EXAMPLES_PID"
	wait "$EXAMPLES_PID" 2>/dev/null || true
	kill -0 "$EXAMPLES_PID" 2>/dev/null && fail "xdpmxd survived SIGKILL"
	echo "ok: xdpmxd killed"
	# The stream moves the A and MX hit counters; PTR is counted exactly.
	hits0=$(examples_counter fastpath/hits)
	ptr0=$(examples_counter fastpath/hit.ptr)
	out=$(dig_srv mail.mydomain.com A)
	assert_eq "NOERROR qr aa rd" "$(echo "$out" | dig_status)" "A without the daemon"
	assert_eq 3 "$(echo "$out" | grep -c '^mail.mydomain.com.*IN.A')" "A records without the daemon"
	out=$(dig_srv mydomain.com MX)
	assert_eq 3 "$(echo "$out" | grep -c '^mydomain.com.*IN.MX')" "MX records without the daemon"
	out=$(dig_srv -x 192.168.2.2)
	assert_match "PTR.mail.mydomain.com." "$out" "PTR without the daemon"
	assert_eq $((ptr0 + 1)) "$(examples_counter fastpath/hit.ptr)" "hit.ptr without the daemon"
	assert_ge $((hits0 + 3)) "$(examples_counter fastpath/hits)" "hits without the daemon"
	rc=0
	dig_srv +time=1 mydomain.com SOA >/dev/null || rc=$?
	assert_eq 9 "$rc" "dig exit status for SOA without the daemon (no answer)"
	rc=0
	dig_srv +time=1 nosuch.mydomain.com A >/dev/null || rc=$?
	assert_eq 9 "$rc" "dig exit status for a missing name without the daemon"
	rc=0
	dig_srv +time=1 +tcp mail.mydomain.com A >/dev/null || rc=$?
	assert_eq 9 "$rc" "dig exit status over TCP without the daemon"

	lines=$(wc -l <"$E2E_TMP/xdpmxd.log")
	examples_start_daemon
	tail -n +$((lines + 1)) "$E2E_TMP/xdpmxd.log" | grep -q "Took over the fast path's maps" ||
		fail "the restarted daemon did not say it took over the maps"
	echo "ok: the restarted daemon took over the pinned maps"
	assert_eq "NOERROR qr aa rd" "$(dig_srv mydomain.com SOA | dig_status)" "SOA after the restart"
	assert_eq "NXDOMAIN qr aa rd" "$(dig_srv nosuch.mydomain.com A | dig_status)" \
		"NXDOMAIN after the restart"
	assert_eq 3 "$(dig_srv +tcp mail.mydomain.com A | grep -c '^mail.mydomain.com.*IN.A')" \
		"TCP after the restart"
	ptr0=$(examples_counter fastpath/hit.ptr)
	assert_match "PTR.mail.mydomain.com." "$(dig_srv -x 192.168.2.3)" "PTR after the restart"
	assert_eq $((ptr0 + 1)) "$(examples_counter fastpath/hit.ptr)" "hit.ptr after the restart"

	touch "$E2E_TMP/stop"
	wait $spid || fail "the query stream failed"
	out=$(cat "$E2E_TMP/stream.out")
	echo "$out"
	read -r _ sent _ _ _ _ _ wrong _ lost <<<"$(echo "$out" | head -n 1)"
	assert_ge 100 "$sent" "queries in the stream"
	assert_eq 0 "$lost" "stream queries unanswered across the kill and restart"
	assert_eq 0 "$wrong" "wrong answers in the stream"
}
ALL_TESTS+=(test_examples_daemon_sigkill)
