# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# Helpers for the end-to-end tests, sourced by run.sh. Every test runs in a
# subshell with `set -e`, after e2e_setup and with e2e_teardown on EXIT.
#
# Topology made by e2e_setup (fresh for every test):
#
#   netns xs ("server")                 netns xc ("client")
#   veth xs0  198.18.0.1/24  <------->  veth xc0  198.18.0.2/24
#             fd00::1/64                          fd00::2/64
#
# Only 198.18.0.0/15 and fd00::/8 are used, and the run itself is in a
# network namespace with no route out (run.sh).

SRV_NS=xs CLI_NS=xc SRV_IF=xs0 CLI_IF=xc0
SRV4=198.18.0.1 CLI4=198.18.0.2 SRV6=fd00::1 CLI6=fd00::2
SRV_MAC=02:00:c6:12:00:01 CLI_MAC=02:00:c6:12:00:02
BIN=$XDPMX_BUILD
# Read from the ABI headers, so tests follow an ABI bump by themselves.
XDPMX_ABI=$(sed -n 's/^#define XDPMX_ABI_VERSION \([0-9]*\).*/\1/p' "$REPO/include/xdpmx/abi.h")
XDPMX_NCOUNTERS=$(grep -cE '^[[:space:]]*XDPMX_CNT_[A-Z0-9_]+ = [0-9]+,' "$REPO/include/xdpmx/counters.h")
EXAMPLES=$REPO/examples
PIN_DIR=/sys/fs/bpf/xdpmx
CONTROL=/run/xdpmx/xdpmxd.sock

# Run a command in the server / client namespace. nsenter keeps this mount
# namespace (and so its bpffs); `ip netns exec` would give a fresh /sys.
in_srv() { nsenter --net=/run/netns/$SRV_NS -- "$@"; }
in_cli() { nsenter --net=/run/netns/$CLI_NS -- "$@"; }

e2e_setup() {
	E2E_TEST=$1
	E2E_TMP=$(mktemp -d /tmp/xdpmx-e2e.XXXXXX)
	E2E_PIDS=()
	ip netns add $SRV_NS
	ip netns add $CLI_NS
	ip link add $SRV_IF netns $SRV_NS address $SRV_MAC numrxqueues 1 numtxqueues 1 \
		type veth peer name $CLI_IF netns $CLI_NS address $CLI_MAC \
		numrxqueues 1 numtxqueues 1
	for ns in $SRV_NS $CLI_NS; do ip -n $ns link set lo up; done
	ip -n $SRV_NS addr add $SRV4/24 dev $SRV_IF
	ip -n $CLI_NS addr add $CLI4/24 dev $CLI_IF
	ip -n $SRV_NS addr add $SRV6/64 dev $SRV_IF nodad
	ip -n $CLI_NS addr add $CLI6/64 dev $CLI_IF nodad
	ip -n $SRV_NS link set $SRV_IF up
	ip -n $CLI_NS link set $CLI_IF up
	# Permanent neighbours: no ARP/ND during a test.
	ip -n $SRV_NS neigh add $CLI4 lladdr $CLI_MAC dev $SRV_IF nud permanent
	ip -n $CLI_NS neigh add $SRV4 lladdr $SRV_MAC dev $CLI_IF nud permanent
	ip -n $SRV_NS neigh add $CLI6 lladdr $CLI_MAC dev $SRV_IF nud permanent
	ip -n $CLI_NS neigh add $SRV6 lladdr $SRV_MAC dev $CLI_IF nud permanent
	# Real checksums on the wire. Frames the server's program sends back
	# with XDP_TX reach the client end only through that end's NAPI: GRO
	# turns it on, but on 6.x kernels such frames then wait for the next
	# packet; an XDP program on the client end makes it poll at once.
	in_srv ethtool -K $SRV_IF tx off >/dev/null
	in_cli ethtool -K $CLI_IF tx off >/dev/null
	in_cli ethtool -K $CLI_IF gro on >/dev/null
	in_srv ethtool -K $SRV_IF gro on >/dev/null
	ip -n $CLI_NS link set dev $CLI_IF xdpdrv obj "$BIN/tests/bpf/xdp_pass.bpf.o" sec xdp
}

# Stop every process still inside the test's namespaces, however it was
# started (a backgrounded shell function leaves $! pointing at a subshell).
kill_ns_procs() {
	local ns pids sig
	for sig in TERM KILL; do
		pids=
		for ns in $SRV_NS $CLI_NS; do
			pids+=" $(ip netns pids $ns 2>/dev/null)"
		done
		pids=$(echo $pids)
		[ -n "$pids" ] || return 0
		kill -$sig $pids 2>/dev/null || true
		[ $sig = KILL ] || wait_for 3 bash -c "[ -z \"\$(ip netns pids $SRV_NS; ip netns pids $CLI_NS)\" ]" || true
	done
}

e2e_teardown() {
	local p i
	for p in "${E2E_PIDS[@]}"; do
		kill "$p" 2>/dev/null || true
	done
	for p in "${E2E_PIDS[@]}"; do
		wait "$p" 2>/dev/null || true
	done
	kill_ns_procs
	for ((i = ${#E2E_CLEANUP[@]} - 1; i >= 0; i--)); do
		eval "${E2E_CLEANUP[i]}" || true
	done
	ip netns del $SRV_NS 2>/dev/null || true
	ip netns del $CLI_NS 2>/dev/null || true
	rm -rf "$PIN_DIR" 2>/dev/null || true
	rm -f "$CONTROL"
	rm -rf "$E2E_TMP"
}

# Run a command at teardown, after the test (last registered, first run).
on_teardown() { E2E_CLEANUP+=("$*"); }

# Remember a background pid so teardown stops it (teardown also stops
# anything left in the test's namespaces).
track() { E2E_PIDS+=("$1"); }

# Start a command in the background in the server namespace and track the
# command's own pid: bg_srv CMD... ; the pid is in $BG_PID.
bg_srv() {
	nsenter --net=/run/netns/$SRV_NS -- "$@" &
	BG_PID=$!
	track $BG_PID
}

skip() { echo "$*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }

# Wait up to $1 seconds (tenths allowed) for a command to succeed.
wait_for() {
	local t=$1 i; shift
	for ((i = 0; i < ${t%.*} * 10 + 10; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

# Assertions. Each prints what it compared, so a failing log explains itself.
assert_eq() { # expected got what
	[ "$1" = "$2" ] || fail "$3: expected '$1', got '$2'"
	echo "ok: $3 = '$2'"
}
assert_match() { # regex text what
	echo "$2" | grep -Eq -- "$1" || fail "$3: '$2' does not match /$1/"
	echo "ok: $3 matches /$1/"
}
assert_ge() { # min got what
	[ "$2" -ge "$1" ] || fail "$3: expected >= $1, got $2"
	echo "ok: $3 = $2 (>= $1)"
}

# dig from the client namespace: dig_srv [dig args...]
dig_srv() { in_cli dig +tries=1 +time=2 @$SRV4 "$@"; }
kdig_srv() { in_cli kdig +retry=0 +timeout=2 @$SRV4 "$@"; }

# dig_srv where an answer must come: on none, show dig's output and the
# non-zero counters (why the fast path did not answer) on stderr and fail.
dig_srv_answered() {
	local out
	out=$(dig_srv "$@") || {
		{ echo "$out"; "$BIN/xdpmxctl" --control "$CONTROL" --pin-dir "$PIN_DIR" stats show |
			grep -v '=0$'; } >&2 || true
		fail "no answer to dig $* (non-zero counters above)"
	}
	echo "$out"
}

# The rcode and flags of a dig answer: "NOERROR qr aa rd".
dig_status() {
	sed -n 's/.*status: \([A-Z]*\),.*/\1/p; s/.*;; flags: \([a-z ]*\);.*/\1/p' | paste -sd' '
}
