#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# The whitepaper's example end to end, on this machine, in two network
# namespaces: what `make demo` (and so the first README command) runs.
#
#   bash examples/demo.sh         (as root, after `make`)
#
# It checks the example zones with the daemon's zone check (the PTR rule),
# builds a server and a client namespace joined by a veth pair, attaches the
# XDP fast path to the server's end, starts xdpmxd with the example zones,
# then asks from the client with dig: MX and A three times each (rotation),
# a PTR, a SOA and an NXDOMAIN (answered by the slow path), a TCP query; it
# shows the statistics, then the zone check on examples/mismatch/. Every
# step checks that it did what it says (answers, and the counter that moved).
#
# It only uses 198.18.53.0/24 and fd00:53::/64 inside its own namespaces
# (xdemo-srv, xdemo-cli), pins under /sys/fs/bpf/xdemo, and removes all it
# made on exit, also after Ctrl-C or a failed step.
#
# Environment:
#   XDPMX_BUILD     directory holding the built binaries (default: build)
#   XDPMX_XDP_MODE  how the loader attaches: auto (default), native, generic
#
# Exit status: 0 when every step did what it says, 1 when one did not (the
# log says which), 2 when it could not start (not root, not built, a tool
# missing, another demo running).
set -u

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO" || exit 2

BUILD=${XDPMX_BUILD:-$REPO/build}
BUILD=${BUILD%/}
BIN=${BUILD#"$REPO"/} # shown as build/xdpmxd when it is under the repo
MODE=${XDPMX_XDP_MODE:-auto}

SRV_NS=xdemo-srv CLI_NS=xdemo-cli SRV_IF=xdemo-s0 CLI_IF=xdemo-c0
SRV_MAC=02:00:c6:12:35:01 CLI_MAC=02:00:c6:12:35:02
SRV4=198.18.53.1 CLI4=198.18.53.2 SRV6=fd00:53::1 CLI6=fd00:53::2
BPFFS=/sys/fs/bpf
PIN_DIR=$BPFFS/xdemo
ZONES=(examples/mydomain.com.zone examples/2.168.192.in-addr.arpa.zone)
MISMATCH=(examples/mismatch/mydomain.com.zone examples/mismatch/2.168.192.in-addr.arpa.zone)

# What this run made, so the cleanup removes exactly that.
MADE_NS=() MOUNTED_BPFFS=0 LOADED=0 DAEMON_PID= WORK= LOCK=
FAILED=()
STEP=0
INTERRUPTED=

# ---- output --------------------------------------------------------------

step() {
	STEP=$((STEP + 1))
	printf '\n==> Step %d: %s\n' "$STEP" "$*"
}
explain() { printf '    %s\n' "$@"; }
notice() { printf 'Notice: %s\n' "$*"; }
ok() { printf '    ok: %s\n' "$*"; }
bad() {
	printf '    FAILED: %s\n' "$*"
	FAILED+=("step $STEP: $*")
}
check() { # message command...: ok or FAILED depending on the command
	local msg=$1
	shift
	if "$@"; then ok "$msg"; else bad "$msg"; fi
}
die() {
	printf 'demo: %s\n' "$*" >&2
	exit 2
}

# ---- running commands ----------------------------------------------------

# Run a command line on the host, in the server or in the client namespace.
# nsenter (not `ip netns exec`) keeps this mount namespace, and with it the
# bpffs the pins live on.
in_host() { bash -c "$1"; }
in_server() { nsenter --net=/run/netns/$SRV_NS -- bash -c "$1"; }
in_client() { nsenter --net=/run/netns/$CLI_NS -- bash -c "$1"; }

# run WHERE COMMAND_LINE: print the command line as it is run, run it, print
# its output indented. Leaves the output in OUT and the exit status in RC.
run() {
	printf '[%s]$ %s\n' "$1" "$2"
	OUT=$(in_"$1" "$2" 2>&1)
	RC=$?
	[ -z "$OUT" ] || printf '%s\n' "$OUT" | sed 's/^/    /'
	[ $RC -eq 0 ] || printf '    (exit status %d)\n' $RC
}

# run_setup: the same for set-up commands, printed but with output only
# when they fail; a failure ends the demo (nothing after it can work).
run_setup() {
	printf '[%s]$ %s\n' "$1" "$2"
	OUT=$(in_"$1" "$2" 2>&1) && return 0
	RC=$?
	printf '%s\n' "$OUT" | sed 's/^/    /'
	bad "set-up command failed (exit status $RC): $2"
	exit 1
}

# ---- statistics ----------------------------------------------------------

CTL="$BIN/xdpmxctl --control \$SOCK"
ctl_json() { "$BUILD/xdpmxctl" --control "$SOCK" -j stats show 2>/dev/null; }

# counter JSON PATH: one counter of `xdpmxctl -j stats show`. PATH is keys
# joined by '/' ("fastpath/hit.mx", "slowpath/rcode/NXDOMAIN"); a last key
# "hits" or "misses" sums the fast path's hit.* or miss.* counters.
counter() {
	python3 - "$1" "$2" <<-'EOF'
		import json, sys
		v = json.loads(sys.argv[1])
		keys = sys.argv[2].split("/")
		for k in keys[:-1]:
		    v = v[k]
		last = keys[-1]
		if last in ("hits", "misses"):
		    pre = "hit." if last == "hits" else "miss."
		    print(sum(n for k, n in v.items() if k.startswith(pre)))
		else:
		    print(v[last])
	EOF
}

# Snapshot the counters before a step (BEFORE) and after it (AFTER).
snap_before() { BEFORE=$(ctl_json) || BEFORE='{}'; }
snap_after() { AFTER=$(ctl_json) || AFTER='{}'; }

# moved PATH WANT WHAT: check that a counter moved by exactly WANT between
# the two snapshots.
moved() {
	local b a
	b=$(counter "$BEFORE" "$1" 2>/dev/null) || b='?'
	a=$(counter "$AFTER" "$1" 2>/dev/null) || a='?'
	if [ "$b" != '?' ] && [ "$a" != '?' ] && [ $((a - b)) -eq "$2" ]; then
		ok "$3 ($1: $b -> $a)"
	else
		bad "$3: $1 went from $b to $a, expected a change of $2"
	fi
}

# ---- answers -------------------------------------------------------------

# The answer-section lines of dig +noall +answer output, for one type.
answer_lines() { # text type
	printf '%s\n' "$1" | awk -v t="$2" '$0 !~ /^;/ && $4 == t'
}
# The last field (the data) of each record line, sorted: the RRset as a set.
rdata_set() { awk '{ print $NF }' | sort | paste -sd' '; }

# ask_three_times NAME TYPE WHAT RRSET: ask for NAME TYPE three times from
# the client on CPU $CPU; check that each answer holds WHAT, exactly RRSET
# (as rdata_set prints it). The first record of each answer goes in FIRSTS.
ask_three_times() {
	local i lines
	FIRSTS=()
	for i in 1 2 3; do
		run client "taskset -c $CPU dig @$SRV4 +tries=1 +time=2 +noall +answer $1 $2"
		lines=$(answer_lines "$OUT" "$2")
		check "answer $i has $3" [ "$(printf '%s\n' "$lines" | rdata_set)" = "$4" ]
		FIRSTS+=("$(printf '%s\n' "$lines" | awk 'NR == 1 { print $NF }')")
	done
}

# The three first records of three answers are all different.
three_different() { [ "$(printf '%s\n' "$@" | sort -u | wc -l)" -eq 3 ]; }

# ---- set-up and clean-up -------------------------------------------------

preflight() {
	local t
	if [ "$(id -u)" -ne 0 ]; then
		echo "demo: needs root: it creates network namespaces, attaches an XDP program" >&2
		echo "      and pins BPF maps. Run it as root: sudo make demo" >&2
		exit 2
	fi
	for t in xdpmx-loader xdpmxd xdpmxctl; do
		[ -x "$BUILD/$t" ] || die "$BUILD/$t is missing: build first with make (or set XDPMX_BUILD)"
	done
	[ -r "$BUILD/tests/bpf/xdp_pass.bpf.o" ] ||
		die "$BUILD/tests/bpf/xdp_pass.bpf.o is missing: build first with make (or set XDPMX_BUILD)"
	for t in ip nsenter ethtool dig taskset python3 mountpoint flock; do
		command -v $t >/dev/null ||
			die "the command '$t' is missing: install it (scripts/bootstrap.sh deps installs everything)"
	done
	case $MODE in
	auto | native | generic) ;;
	*) die "XDPMX_XDP_MODE must be auto, native or generic, not '$MODE'" ;;
	esac
}

# One demo at a time per mount namespace (the namespace names and pins
# live in its /run/netns and bpffs): a lock named after it. A demo holding
# it is running; with the lock taken, whatever an earlier demo left (it was
# killed: SIGKILL, a closed terminal) is stale and removed here, its daemon
# stopped by pid.
take_lock_and_remove_leftovers() {
	local ns p orphans=() left=()
	LOCK=/run/lock/xdpmx-demo.$(stat -L -c %i /proc/self/ns/mnt).lock
	exec 9>"$LOCK" || die "cannot open the lock file $LOCK"
	# The children of a demo killed a moment ago (a dig waiting for its
	# answer) hold the lock for a few seconds more.
	flock -n 9 || die "another demo is running (or one was stopped just now: try again in a few seconds)"
	for ns in $SRV_NS $CLI_NS; do
		[ -e /run/netns/$ns ] || continue
		for p in $(ip netns pids $ns 2>/dev/null); do
			orphans+=("$p")
		done
	done
	if [ ${#orphans[@]} -gt 0 ]; then
		kill -TERM "${orphans[@]}" 2>/dev/null
		for ((p = 0; p < 50; p++)); do
			kill -0 "${orphans[@]}" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "${orphans[@]}" 2>/dev/null
		left+=("processes ${orphans[*]}")
	fi
	for ns in $SRV_NS $CLI_NS; do
		[ -e /run/netns/$ns ] && ip netns del $ns && left+=("namespace $ns")
	done
	[ -d "$PIN_DIR" ] && rm -rf "$PIN_DIR" && left+=("$PIN_DIR")
	[ ${#left[@]} -eq 0 ] ||
		echo "demo: removed what an interrupted earlier demo left behind: ${left[*]}"
}

# Whether a process runs (a zombie waiting for us to reap it does not).
alive() {
	[ -e /proc/$1 ] && ! grep -q '^State:[[:space:]]*Z' /proc/$1/status 2>/dev/null
}

cleanup() {
	local rc=$? i ns st gone=()
	# Clean-up runs to its end: a second Ctrl-C must not cut it short.
	trap '' INT TERM HUP
	trap - EXIT
	printf '\n==> Cleaning up: everything this demo made goes away\n'
	if [ -n "$DAEMON_PID" ] && alive "$DAEMON_PID"; then
		kill -TERM "$DAEMON_PID" 2>/dev/null
		for ((i = 0; i < 50; i++)); do
			alive "$DAEMON_PID" || break
			sleep 0.1
		done
		if alive "$DAEMON_PID"; then
			kill -KILL "$DAEMON_PID" 2>/dev/null
			echo "    xdpmxd did not stop on SIGTERM within 5 s: killed"
		fi
	fi
	if [ -n "$DAEMON_PID" ]; then
		wait "$DAEMON_PID" 2>/dev/null
		st=$?
		gone+=("the daemon (pid $DAEMON_PID)")
		if [ $st -ne 0 ]; then
			echo "    FAILED: xdpmxd did not stop cleanly on SIGTERM (exit status $st); the end of its log:"
			tail -n 5 "$WORK/xdpmxd.log" 2>/dev/null | sed 's/^/        /'
			FAILED+=("clean-up: xdpmxd did not stop cleanly on SIGTERM (exit status $st)")
		fi
	fi
	if [ $LOADED -eq 1 ]; then
		nsenter --net=/run/netns/$SRV_NS -- "$BUILD/xdpmx-loader" unload --all --purge \
			--pin-dir "$PIN_DIR" >/dev/null 2>&1 ||
			echo "    xdpmx-loader unload failed; deleting the namespace detaches XDP anyway"
		gone+=("the XDP program on $SRV_IF")
	fi
	for ns in "${MADE_NS[@]}"; do
		ip netns del "$ns" 2>/dev/null
		gone+=("namespace $ns")
	done
	if [ -e "$PIN_DIR" ]; then
		rm -rf "$PIN_DIR" # ours: the lock keeps other demos away
	fi
	[ $LOADED -eq 1 ] && gone+=("the pins in $PIN_DIR")
	[ -n "$WORK" ] && rm -rf "$WORK"
	if [ $MOUNTED_BPFFS -eq 1 ]; then
		umount "$BPFFS" 2>/dev/null && gone+=("the bpffs this demo mounted on $BPFFS")
	fi
	[ ${#gone[@]} -eq 0 ] || printf '    removed: %s\n' "${gone[@]}"
	# Nothing may stay behind.
	for ns in $SRV_NS $CLI_NS; do
		[ ! -e /run/netns/$ns ] || { echo "    FAILED: namespace $ns is still there"; rc=1; }
	done
	[ ! -e "$PIN_DIR" ] || { echo "    FAILED: $PIN_DIR is still there"; rc=1; }
	rm -f "$LOCK"

	if [ -n "$INTERRUPTED" ]; then
		printf '\nThe demo was interrupted (%s) during step %d; what it had made is removed.\n' \
			"$INTERRUPTED" "$STEP"
		[ ${#FAILED[@]} -eq 0 ] || printf '  - %s\n' "${FAILED[@]}"
	elif [ ${#FAILED[@]} -gt 0 ]; then
		printf '\nThe demo FAILED: these steps did not do what they say:\n'
		printf '  - %s\n' "${FAILED[@]}"
		[ $rc -ne 0 ] || rc=1
	elif [ $rc -eq 0 ]; then
		printf '\nThe demo is complete: every step did what it says.\n'
	fi
	exit $rc
}

on_signal() {
	printf '\ndemo: interrupted (%s): cleaning up\n' "$1"
	INTERRUPTED=$1
	exit 130
}

# ---- the demo ------------------------------------------------------------

preflight
take_lock_and_remove_leftovers
trap cleanup EXIT
trap 'on_signal SIGINT' INT
trap 'on_signal SIGTERM' TERM
trap 'on_signal SIGHUP' HUP
WORK=$(mktemp -d /tmp/xdemo.XXXXXX) || die "cannot make a temporary directory"
export SOCK=$WORK/xdpmxd.sock
# dig runs on one CPU: each CPU keeps its own rotation cursor, so the
# round robin shows cleanly from one CPU (with several, each advances its own).
CPU=$(sed -n 's/^Cpus_allowed_list:[[:space:]]*\([0-9]*\).*/\1/p' /proc/self/status)
CPU=${CPU:-0}

cat <<EOF
xdpmx demo: the whitepaper's mail load balancing, answered in XDP.

mydomain.com spreads its mail over three servers (192.168.2.1 to .3) in
two ways: three MX records of equal preference (mail1, mail2, mail3), and
one host name, mail.mydomain.com, with three addresses. xdpmx answers those
queries in the network driver (the "fast path", an XDP program) and rotates
the records on every answer; everything else goes up to the daemon xdpmxd
(the "slow path"), a complete authoritative server for the same zones.

Commands run on the host, in the server namespace ($SRV_NS) or in the
client namespace ($CLI_NS); each is shown after [host]\$, [server]\$ or
[client]\$ as it is run. \$SOCK is the daemon's control socket, $SOCK.
EOF

step "check the example zones - every mail server address has a PTR pointing back"
explain "Receivers check forward-confirmed reverse DNS: the PTR of the address a" \
	"message came from must name a host whose A records include that address."
run host "$BIN/xdpmxd --check-config --zone ${ZONES[0]} --zone ${ZONES[1]}"
notice "both zones load with 0 warnings, and no [ptr-missing] or [ptr-mismatch] warning: the PTR rule holds for mail, mail1, mail2 and mail3."
check "the zone check passes (exit status $RC)" [ $RC -eq 0 ]
check "the zone check reports no PTR problem" \
	eval '! printf "%s\n" "$OUT" | grep -q "\[ptr-"'
check "both zones loaded" eval '[ "$(printf "%s\n" "$OUT" | grep -c "loaded from")" -eq 2 ]'

step "make a small network: a server and a client namespace joined by a veth pair"
explain "Addresses from the benchmarking range only: server $SRV4 and $SRV6," \
	"client $CLI4 and $CLI6. Nothing leaves the two namespaces."
if [ "$(stat -f -c %T "$BPFFS" 2>/dev/null)" != bpf_fs ]; then
	run_setup host "mount -t bpf bpf $BPFFS"
	MOUNTED_BPFFS=1
fi
run_setup host "ip netns add $SRV_NS"
MADE_NS+=($SRV_NS)
run_setup host "ip netns add $CLI_NS"
MADE_NS+=($CLI_NS)
run_setup host "ip link add $SRV_IF netns $SRV_NS address $SRV_MAC type veth peer name $CLI_IF netns $CLI_NS address $CLI_MAC"
run_setup server "ip link set lo up && ip addr add $SRV4/24 dev $SRV_IF && ip addr add $SRV6/64 dev $SRV_IF nodad && ip link set $SRV_IF up"
run_setup client "ip link set lo up && ip addr add $CLI4/24 dev $CLI_IF && ip addr add $CLI6/64 dev $CLI_IF nodad && ip link set $CLI_IF up"
explain "Fixed neighbour entries (no ARP or neighbour discovery needed), and real" \
	"checksums on the wire (TX checksum offload off)."
run_setup server "ip neigh add $CLI4 lladdr $CLI_MAC dev $SRV_IF nud permanent && ip neigh add $CLI6 lladdr $CLI_MAC dev $SRV_IF nud permanent && ethtool -K $SRV_IF tx off >/dev/null"
run_setup client "ip neigh add $SRV4 lladdr $SRV_MAC dev $CLI_IF nud permanent && ip neigh add $SRV6 lladdr $SRV_MAC dev $CLI_IF nud permanent && ethtool -K $CLI_IF tx off >/dev/null"
explain "A do-nothing XDP program (XDP_PASS, tests/bpf/xdp_pass.bpf.c) on the client's" \
	"end: veth hands the answers the fast path sends back (XDP_TX) straight to its" \
	"peer only when the peer runs XDP itself; otherwise they wait there for the" \
	"next ordinary packet."
run_setup client "ip link set dev $CLI_IF xdp obj $BIN/tests/bpf/xdp_pass.bpf.o sec xdp"
notice "the client reaches the server only through $CLI_IF <-> $SRV_IF, where the fast path will sit."

step "attach the XDP fast path to the server's interface"
run server "$BIN/xdpmx-loader load --mode $MODE --pin-dir $PIN_DIR $SRV_IF"
[ $RC -eq 0 ] && LOADED=1
check "the loader attached the program" [ $RC -eq 0 ]
[ $LOADED -eq 1 ] || exit 1
run server "$BIN/xdpmx-loader status --pin-dir $PIN_DIR"
notice "the program runs on $SRV_IF and its maps are pinned in $PIN_DIR; they are empty until the daemon fills them."

step "start the daemon with the example zones"
printf '[server]$ %s &\n' "$BIN/xdpmxd --foreground --pin-dir $PIN_DIR --control \$SOCK --listen $SRV4 --listen $SRV6 --zone ${ZONES[0]} --zone ${ZONES[1]}"
# (9>&-: the daemon must not hold the lock if this shell is killed.)
nsenter --net=/run/netns/$SRV_NS -- "$BUILD/xdpmxd" --foreground --pin-dir "$PIN_DIR" \
	--control "$SOCK" --listen "$SRV4" --listen "$SRV6" --zone "${ZONES[0]}" \
	--zone "${ZONES[1]}" >"$WORK/xdpmxd.log" 2>&1 9>&- &
DAEMON_PID=$!
for ((i = 0; i < 100; i++)); do
	"$BUILD/xdpmxctl" --control "$SOCK" status >/dev/null 2>&1 && break
	kill -0 $DAEMON_PID 2>/dev/null || break
	sleep 0.1
done
sed 's/^/    /' "$WORK/xdpmxd.log"
if ! "$BUILD/xdpmxctl" --control "$SOCK" status >/dev/null 2>&1; then
	bad "xdpmxd did not start (its log is above)"
	exit 1
fi
run server "$CTL status"
notice "the daemon loaded both zones, wrote their MX, A and PTR records into the fast path's maps, and listens for what the fast path passes up."
check "the daemon is serving" [ $RC -eq 0 ]

step "ask for the MX records three times - watch the order rotate"
explain "(taskset keeps dig on CPU $CPU: every CPU rotates with its own counter.)"
snap_before
ask_three_times mydomain.com MX "the three exchanges" \
	"mail1.mydomain.com. mail2.mydomain.com. mail3.mydomain.com."
snap_after
echo "    first record of each answer: ${FIRSTS[*]}"
notice "the same three records every time, but a different one comes first: a sending MTA that takes them in order would spread its mail over all three."
check "each answer starts with a different exchange" three_different "${FIRSTS[@]}"
moved fastpath/hit.mx 3 "all three answered by the fast path"
moved slowpath/queries 0 "none reached the daemon"

step "ask for the addresses of mail.mydomain.com three times - watch the order rotate"
snap_before
ask_three_times mail.mydomain.com A "the three addresses" "192.168.2.1 192.168.2.2 192.168.2.3"
snap_after
echo "    first address of each answer: ${FIRSTS[*]}"
notice "a sender connects to the first address: each answer sends it to a different server."
check "each answer starts with a different address" three_different "${FIRSTS[@]}"
moved fastpath/hit.a 3 "all three answered by the fast path"
moved slowpath/queries 0 "none reached the daemon"

step "look up the name of 192.168.2.1 (PTR) - the reverse zone is in the fast path too"
snap_before
run client "dig @$SRV4 +tries=1 +time=2 +noall +answer -x 192.168.2.1"
snap_after
notice "192.168.2.1 names mail.mydomain.com, whose addresses (the step before) include 192.168.2.1: forward-confirmed."
check "the PTR names mail.mydomain.com." \
	eval '[ "$(answer_lines "$OUT" PTR | rdata_set)" = "mail.mydomain.com." ]'
moved fastpath/hit.ptr 1 "answered by the fast path"
moved slowpath/queries 0 "it did not reach the daemon"

step "ask for the SOA - the fast path passes it up, the daemon answers"
snap_before
run client "dig @$SRV4 +tries=1 +time=2 +noall +comments +answer mydomain.com SOA"
snap_after
notice "the fast path only answers MX, A, AAAA and PTR; the SOA went up to xdpmxd, which answered it (flag aa: authoritative)."
check "NOERROR, authoritative" eval 'printf "%s\n" "$OUT" | grep -q "status: NOERROR" &&
	printf "%s\n" "$OUT" | grep -Eq "flags: qr aa"'
check "the answer is the zone's SOA" eval '[ "$(answer_lines "$OUT" SOA | wc -l)" -eq 1 ]'
moved fastpath/hits 0 "no fast-path hit"
moved fastpath/misses 1 "the fast path counted a miss"
moved slowpath/queries_udp 1 "the daemon answered it over UDP"

step "ask for a name that does not exist - NXDOMAIN with the SOA, from the daemon"
snap_before
run client "dig @$SRV4 +tries=1 +time=2 +noall +comments +authority nosuchhost.mydomain.com A"
snap_after
notice "status NXDOMAIN, and the zone's SOA in the authority section tells resolvers how long to remember that (its last field, 300 s)."
check "NXDOMAIN, authoritative" eval 'printf "%s\n" "$OUT" | grep -q "status: NXDOMAIN" &&
	printf "%s\n" "$OUT" | grep -Eq "flags: qr aa"'
check "the SOA is in the authority section" \
	eval '[ "$(answer_lines "$OUT" SOA | awk "{ print \$1 }")" = "mydomain.com." ]'
moved fastpath/hits 0 "no fast-path hit"
moved fastpath/misses 1 "the fast path counted a miss"
moved slowpath/rcode/NXDOMAIN 1 "the daemon answered NXDOMAIN"

step "ask for mail.mydomain.com over TCP - TCP always goes to the daemon"
snap_before
run client "dig @$SRV4 +tries=1 +time=2 +tcp +noall +answer mail.mydomain.com A"
snap_after
notice "the same three addresses as over UDP: the daemon serves the same zones as the fast path."
check "the three addresses" \
	eval '[ "$(answer_lines "$OUT" A | rdata_set)" = "192.168.2.1 192.168.2.2 192.168.2.3" ]'
moved fastpath/hits 0 "no fast-path hit"
moved slowpath/queries_tcp 1 "the daemon answered it over TCP"

step "the statistics - which queries were hits and which went to the slow path"
run server "$CTL stats show | grep -v '=0\$'"
notice "fastpath.hit.* counts the answers sent from XDP (3 MX, 3 A, 1 PTR); fastpath.miss.* what it passed up; slowpath.* what the daemon answered (the SOA, the NXDOMAIN, the TCP query). Counters at 0 are left out here."
snap_after
for c in hit.mx:3 hit.a:3 hit.ptr:1; do
	v=$(counter "$AFTER" "fastpath/${c%:*}" 2>/dev/null)
	check "fastpath.${c%:*}=${c#*:}" [ "${v:-?}" = "${c#*:}" ]
done
v=$(counter "$AFTER" slowpath/queries 2>/dev/null)
check "slowpath.queries=3" [ "${v:-?}" = 3 ]

step "what a PTR mistake looks like - the zone check on examples/mismatch/"
explain "The same forward zone, and a reverse zone where 192.168.2.2 has no PTR and" \
	"192.168.2.3 points at mail1.mydomain.com (whose only address is 192.168.2.1)."
run host "$BIN/xdpmxd --check-config --zone ${MISMATCH[0]} --zone ${MISMATCH[1]}"
notice "two warnings, each with the file and line to fix: receivers checking forward-confirmed reverse DNS could reject mail sent from 192.168.2.2 and 192.168.2.3."
check "192.168.2.2 is reported without a PTR [ptr-missing]" \
	eval 'printf "%s\n" "$OUT" | grep "\[ptr-missing\]" | grep -q "192\.168\.2\.2"'
check "192.168.2.3 is reported with a PTR that does not point back [ptr-mismatch]" \
	eval 'printf "%s\n" "$OUT" | grep "\[ptr-mismatch\]" | grep -q "192\.168\.2\.3"'
check "no other address is reported" \
	eval '[ "$(printf "%s\n" "$OUT" | grep -c "\[ptr-")" -eq 2 ]'

[ ${#FAILED[@]} -eq 0 ] || exit 1
exit 0
