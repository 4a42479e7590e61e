#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# `make bench`: the xdpmx fast path against Knot DNS (XDP and UDP), NSD and
# a bare XDP reflector, side by side, on one machine, in one run (issue 6).
#
#   bash bench/run.sh            (root; `make bench` builds first, then runs this)
#
# What it measures, in order (BENCHMARKS.md explains every figure):
#   1. zone sets: the whitepaper zones, flat zones of 10 / 10,000 /
#      1,000,000 names, 100,000 small mail domains (bench/xb_gen.py);
#   2. per-packet cost of the XDP program with BPF_PROG_TEST_RUN, the frame
#      restored before every run, next to the bare reflector, at 10, 10,000
#      and 1,000,000 names, and the time and kernel memory of loading and
#      swapping 1,000,000 RRsets and 100,000 domains (bench/xb_cost);
#   3. throughput on a veth testbed in two network namespaces: kxdpgun in
#      one, the server in the other, threaded NAPI pinned so generator and
#      server never share a core, the highest offered rate with under 1 %
#      loss, the loss curve, server-core CPU per answer, the program's run
#      time under real traffic, and a sample of answers checked during the
#      load (bench/xb_tput.py, bench/xb_sample.py); for xdpmx (hits, and
#      misses answered by xdpmxd), Knot DNS in XDP mode and over UDP, NSD,
#      and the reflector, measured again before each server in each round;
#   4. the tables (bench/xb_report.py) into $RESULTS/report.md.
#
# Environment:
#   XDPMX_BUILD     build directory (default: build); binaries come from there
#   BENCH_QUICK=1   a short run for development: 1 round, small zone sets
#   BENCH_RESULTS   where results go (default: $XDPMX_BUILD/bench/results)
#   BENCH_GIT       the commit to record when the tree is not a git checkout
#   BENCH_BUDGET    seconds the throughput phase may take (default 720; with
#                   zone generation and the cost phase the run stays under
#                   15 minutes); rounds that would not fit are skipped and
#                   the report says which
#
# Everything runs in a private mount namespace (own bpffs, /run/netns,
# /run/xdpmx) and a network namespace with no route out; the testbed uses
# 198.18.0.0/15 and fd00::/8 only; every process, namespace, pin and temp
# dir it creates is removed on exit, however it exits.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH_DIR/.." && pwd)
export XDPMX_BUILD=${XDPMX_BUILD:-$REPO/build}
BIN=$XDPMX_BUILD/bench
RESULTS=${BENCH_RESULTS:-$XDPMX_BUILD/bench/results}
QUICK=${BENCH_QUICK:-0}
BUDGET=${BENCH_BUDGET:-720}

die() { echo "bench: $*" >&2; exit 1; }

# Debian's python3: python3-dnspython is installed for it, whatever else is
# first on PATH.
PY=/usr/bin/python3
[ -x $PY ] || PY=python3

# Debian packages the benchmark needs; installed when missing. Their
# services are stopped and never used: servers start by hand below.
install_deps() {
	local missing=() p
	for p in knot knot-dnsutils nsd python3-dnspython ethtool iproute2 util-linux procps; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	echo "bench: installing ${missing[*]}" >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		"${missing[@]}" >/dev/null || die "couldn't install ${missing[*]} with apt-get"
	for p in knot nsd; do
		systemctl stop "$p.service" >/dev/null 2>&1 || true
		systemctl disable "$p.service" >/dev/null 2>&1 || true
	done
}

if [ -z "${XB_INNER:-}" ]; then
	[ "$(id -u)" -eq 0 ] || die "run as root: it loads BPF programs and creates network namespaces"
	[ "$(nproc)" -ge 2 ] || die "needs 2 CPUs: one for the generator, one for the server"
	for f in xb_cost xb_progstat xb_reflect.bpf.o; do
		[ -e "$BIN/$f" ] || die "$BIN/$f missing: run 'make bench' (or make OUT=... bench)"
	done
	for f in xdpmxd xdpmxctl xdpmx-loader; do
		[ -x "$XDPMX_BUILD/$f" ] || die "$XDPMX_BUILD/$f missing: run make first"
	done
	install_deps
	export XB_INNER=1
	exec unshare -m -n --propagation private bash "$0" "$@"
fi

# ---- Inside: private mounts, no route out ----------------------------------

mount -t bpf bpf /sys/fs/bpf || die "cannot mount bpffs"
mkdir -p /run/netns /run/xdpmx
mount -t tmpfs tmpfs /run/netns
mount -t tmpfs tmpfs /run/xdpmx
ip link set lo up

# Zone sets and server state on a private tmpfs: 200,000 small zone files
# are written and removed in seconds there, and vanish with the namespace.
T=$(mktemp -d /tmp/xdpmx-bench.XXXXXX)
mount -t tmpfs -o size=6g,mode=0700 tmpfs "$T"
SRV_NS=/run/netns/xbs CLI_NS=/run/netns/xbc
SRV_CPU=0 GEN_CPU=1
SRV4=198.18.10.1 CLI4=198.18.10.2      # pair A: servers under test
REFL4=198.18.11.1 RCLI4=198.18.11.2    # pair B: the bare reflector, always there
PIN=/sys/fs/bpf/xb-pin
SERVER_PIDS=()
START=$SECONDS

cleanup() {
	local p
	set +e
	# Each server runs in its own session (spawn): end the whole group.
	for p in "${SERVER_PIDS[@]}"; do kill -- -"$p" 2>/dev/null; done
	for p in "${SERVER_PIDS[@]}"; do
		for _ in $(seq 50); do kill -0 -- -"$p" 2>/dev/null || break; sleep 0.1; done
		kill -9 -- -"$p" 2>/dev/null
	done
	ip netns del xbs 2>/dev/null
	ip netns del xbc 2>/dev/null
	umount "$T" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$RESULTS"
rm -rf "$RESULTS"/*.json "$RESULTS"/*.jsonl "$RESULTS"/report.md "$RESULTS"/*.log \
	"$RESULTS"/logs
LOG=$RESULTS/bench.log
exec 3>&2
exec 2> >(tee -a "$LOG" >&3)

say() { printf '%s [%4ds] %s\n' "$(date +%H:%M:%S)" $((SECONDS - START)) "$*" >&2; }
in_srv() { nsenter --net=$SRV_NS -- "$@"; }
in_cli() { nsenter --net=$CLI_NS -- "$@"; }
jsonl() { echo "$1" >>"$RESULTS/tput.jsonl"; }

# ---- The machine, recorded with the results ---------------------------------

record_env() {
	$PY - "$RESULTS/env.json" <<-EOF
	import json, os, platform, subprocess, sys
	def out(*c):
	    try:
	        r = subprocess.run(c, capture_output=True, text=True)
	        return (r.stdout.strip() or r.stderr.strip()).splitlines()[0]
	    except Exception:
	        return ""
	cpu = ""
	for l in open("/proc/cpuinfo"):
	    if l.startswith("model name"):
	        cpu = l.split(":", 1)[1].strip(); break
	mem = open("/proc/meminfo").readline().split()[1]
	json.dump({
	    "date": out("date", "-u", "+%Y-%m-%dT%H:%M:%SZ"),
	    "kernel": platform.release(), "cpu": cpu, "cpus": os.cpu_count(),
	    "mem_kib": int(mem), "loadavg_start": open("/proc/loadavg").read().split()[:3],
	    "debian": open("/etc/debian_version").read().strip(),
	    "git": os.environ.get("BENCH_GIT") or out("git", "-C", "$REPO", "describe", "--always", "--dirty"),
	    "clang": out("clang", "--version"),
	    "libbpf": out("pkg-config", "--modversion", "libbpf"),
	    "libxdp": out("pkg-config", "--modversion", "libxdp"),
	    "bpftool": out("bpftool", "version"),
	    "knotd": out("knotd", "--version"), "nsd": out("nsd", "-v"),
	    "kxdpgun": out("kxdpgun", "--version"),
	    "quick": "$QUICK" == "1",
	}, open(sys.argv[1], "w"), indent=1)
	EOF
}

# ---- Zone sets ---------------------------------------------------------------

G=$T/zones
if [ "$QUICK" = 1 ]; then
	N_BIG=20000 N_DOM=2000 ROUNDS=1 STEP=0.5 COST_RUNS=3 COST_REPEAT=100000
else
	N_BIG=1000000 N_DOM=100000 ROUNDS=3 STEP=1 COST_RUNS=5 COST_REPEAT=300000
fi

gen_zones() {
	local gen="$PY $BENCH_DIR/xb_gen.py zones"
	say "generating zone sets (flat 10 / 10,000 / $N_BIG names, $N_DOM domains)"
	$gen base "$G/base"
	$gen flat 10 "$G/flat10"
	$gen flat 10000 "$G/flat10k"
	$gen flat "$N_BIG" "$G/flatbig"
	$gen flat "$N_BIG" "$G/flatbig2" --variant 1
	$gen domains "$N_DOM" "$G/dom"
	$gen domains "$N_DOM" "$G/dom2" --variant 1
}

# ---- Per-packet cost, load and swap times, memory (no network) --------------

phase_cost() {
	say "per-packet cost: base zones, then 10 -> 10,000 -> $N_BIG names (+ a full swap)"
	taskset -c $SRV_CPU "$BIN/xb_cost" -c $SRV_CPU -r $COST_RUNS -n $COST_REPEAT \
		-z "$G/flat10/zones.list" -q "$G/flat10/q-flat.txt" \
		-S "$G/flat10k/zones.list:$G/flat10k/q-flat.txt" \
		-S "$G/flatbig/zones.list:$G/flatbig/q-flat.txt" \
		-S "$G/flatbig2/zones.list:$G/flatbig2/q-flat.txt" \
		--dir-max $((N_BIG + N_BIG / 5)) --blob128-max $((2 * N_BIG + N_BIG / 5)) \
		>"$RESULTS/cost-flat.json" 2>>"$LOG" || die "xb_cost (flat zones) failed: see $LOG"
	# The full swap above needs room for both versions of every blob; the
	# memory per RRset is that of maps sized for the zone set, as an
	# operator would size them (a hundred spare slots for the base zones).
	say "kernel memory of $N_BIG small RRsets, maps sized for them"
	taskset -c $SRV_CPU "$BIN/xb_cost" -L -c $SRV_CPU -z "$G/flatbig/zones.list" \
		--dir-max $((N_BIG + 100)) --blob128-max $((N_BIG + 100)) --blob64-max 100 \
		--blob256-max 100 --blob512-max 100 --blob1280-max 100 --zones-max 100 \
		>"$RESULTS/cost-mem.json" 2>>"$LOG" || die "xb_cost (memory) failed: see $LOG"
	say "load and swap of $N_DOM domains"
	taskset -c $SRV_CPU "$BIN/xb_cost" -c $SRV_CPU -r 3 -n $COST_REPEAT \
		-z "$G/dom/zones.list" -q "$G/dom/q-dom.txt" \
		-S "$G/dom2/zones.list:$G/dom2/q-dom.txt" \
		>"$RESULTS/cost-dom.json" 2>>"$LOG" || die "xb_cost (domains) failed: see $LOG"
	bpftool version >"$RESULTS/bpftool.txt" 2>&1 || true
}

# ---- The testbed ---------------------------------------------------------------

# Pair A (xbs0/xbc0) carries the server under test, pair B (xbs1/xbc1) the
# reflector. One rx and one tx queue per end, static MACs, permanent
# neighbours, real checksums (tx offload off), GRO on so XDP_TX frames are
# delivered and NAPI survives XDP attach/detach, threaded NAPI.
testbed_up() {
	local i s c
	ip netns add xbs
	ip netns add xbc
	for i in 0 1; do
		s=02:00:c6:12:0$i:01 c=02:00:c6:12:0$i:02
		ip link add xbs$i netns xbs address $s numrxqueues 1 numtxqueues 1 type veth \
			peer name xbc$i netns xbc address $c numrxqueues 1 numtxqueues 1
		ip -n xbs addr add 198.18.1$i.1/24 dev xbs$i
		ip -n xbc addr add 198.18.1$i.2/24 dev xbc$i
		ip -n xbs addr add fd00:b:$i::1/64 dev xbs$i nodad
		ip -n xbc addr add fd00:b:$i::2/64 dev xbc$i nodad
		ip -n xbs link set xbs$i up
		ip -n xbc link set xbc$i up
		ip -n xbs neigh add 198.18.1$i.2 lladdr $c dev xbs$i nud permanent
		ip -n xbc neigh add 198.18.1$i.1 lladdr $s dev xbc$i nud permanent
		ip -n xbs neigh add fd00:b:$i::2 lladdr $c dev xbs$i nud permanent
		ip -n xbc neigh add fd00:b:$i::1 lladdr $s dev xbc$i nud permanent
		ip netns exec xbs ethtool -K xbs$i tx off gro on >/dev/null
		ip netns exec xbc ethtool -K xbc$i tx off gro on >/dev/null
		ip netns exec xbs sh -c "echo 1 > /sys/class/net/xbs$i/threaded"
		ip netns exec xbc sh -c "echo 1 > /sys/class/net/xbc$i/threaded"
	done
	ip -n xbs link set lo up
	ip -n xbc link set lo up
	ip -n xbs link set xbs1 xdpdrv obj "$BIN/xb_reflect.bpf.o" sec xdp
}

# ---- Servers ---------------------------------------------------------------------

# Wait up to $1 s until NAME TYPE gets an answer with records from the
# server under test, while the server (SRV) still runs.
wait_answer() {
	local end=$((SECONDS + $1)) name=$2 type=$3
	while [ $SECONDS -lt $end ]; do
		in_cli kdig +retry=0 +timeout=1 @$SRV4 "$name" "$type" +short 2>/dev/null |
			grep -q . && return 0
		kill -0 "${SRV[0]}" 2>/dev/null || return 1
		sleep 0.2
	done
	return 1
}

# Wait up to $1 s until the server's processes (SRV) are idle: under 5 %
# of a core over a second. A server may answer its last zone before it has
# finished loading (xdpmxd fills the fast path's maps, Knot its zone
# contents in the background); probes must not count that work as the cost
# of answers. Prints how long it took.
wait_idle() {
	local end=$((SECONDS + $1)) t0=$SECONDS a b p
	cpu() {
		local s=0 t
		for p in "${SRV[@]}"; do
			for t in /proc/$p/task/*/schedstat; do
				[ -r "$t" ] && s=$((s + $(cut -d' ' -f1 "$t")))
			done
		done
		echo $s
	}
	while [ $SECONDS -lt $end ]; do
		a=$(cpu)
		sleep 1
		b=$(cpu)
		[ $((b - a)) -lt 50000000 ] && break
	done
	echo $((SECONDS - t0))
}

# A server that did not come up: recorded, its block skipped.
start_failed() { # SERVER ZONES WHY LOGFILE...
	say "$1 did not start with $(basename "$(dirname "$2")"): $3"
	tail -5 "${@:4}" >&2 2>/dev/null || true
	jsonl "{\"kind\": \"start-failed\", \"server\": \"$1\", \"zones\": \"$2\", \"why\": \"$3\"}"
	stop_server
	return 1
}

SRV=() # pids whose threads are the server: given to xb_tput.py

# Start a server: CMD in the server namespace, on the server core, in a
# session of its own (setsid execs when, as here, the shell's background
# child is no group leader), so that stopping it ends every process it
# forked. nsenter and taskset exec too: $! is the server itself.
spawn() { # LOGFILE CMD...
	setsid nsenter --net=$SRV_NS -- taskset -c $SRV_CPU "${@:2}" >"$1" 2>&1 </dev/null &
	SERVER_PIDS+=($!)
	SRV=($!)
}

XDPMX_VIA=daemon # how the fast path's maps were filled: daemon | xb_cost
XDPMX_XDP=xbs0   # the interface xdpmxd attaches the fast path to; empty: none

start_xdpmxd() { # zones.list check-name check-type [timeout]
	local d=$T/xdpmxd t0=$SECONDS
	rm -rf "$d" && mkdir -p "$d"
	$PY "$BENCH_DIR/xb_gen.py" conf xdpmxd "$d" "$1" ${XDPMX_XDP:+--xdp $XDPMX_XDP} --pin-dir $PIN \
		--addr $SRV4 >"$d/xdpmxd.conf"
	spawn "$d/log" "$XDPMX_BUILD/xdpmxd" -c "$d/xdpmxd.conf"
	XDPMX_VIA=daemon
	if ! wait_answer "${4:-120}" "$2" "$3"; then
		keep_logs xdpmxd "$d/log"
		start_failed xdpmxd "$1" "no answer to $2 $3 within ${4:-120} s" "$d/log"
		return 1
	fi
	local up=$((SECONDS - t0)) idle
	idle=$(wait_idle 120)
	jsonl "{\"kind\": \"start\", \"server\": \"xdpmxd\", \"zones\": \"$1\", \"seconds\": $up, \"idle_after\": $idle}"
	cp "$d/xdpmxd.conf" "$RESULTS/xdpmxd.conf"
}

# The fast path without the daemon: xdpmx-loader attaches it, xb_cost fills
# its pinned maps through the same library calls. Hits only (no slow path).
start_xdpmx_fill() { # zones.list check-name check-type
	local t0=$SECONDS
	in_srv "$XDPMX_BUILD/xdpmx-loader" load -m native -d $PIN xbs0 >/dev/null ||
		{ say "xdpmx-loader could not attach the fast path"; return 1; }
	"$BIN/xb_cost" -P $PIN -z "$1" >"$RESULTS/fill-$(basename "$(dirname "$1")").json" 2>>"$LOG" ||
		{ say "xb_cost could not fill the maps with $1"; return 1; }
	SRV=()
	XDPMX_VIA=xb_cost
	jsonl "{\"kind\": \"start\", \"server\": \"xdpmx-loader+xb_cost\", \"zones\": \"$1\", \"seconds\": $((SECONDS - t0))}"
}

stop_server() {
	[ ${#SRV[@]} -gt 0 ] || return 0
	local p=${SERVER_PIDS[-1]}
	kill -- -"$p" 2>/dev/null || true
	for _ in $(seq 100); do kill -0 -- -"$p" 2>/dev/null || break; sleep 0.1; done
	kill -9 -- -"$p" 2>/dev/null || true
	wait "$p" 2>/dev/null || true
	SRV=()
}

# Keep a server's logs with the results.
keep_logs() { # NAME FILE...
	local f
	mkdir -p "$RESULTS/logs"
	for f in "${@:2}"; do
		[ -e "$f" ] && cat "$f" >>"$RESULTS/logs/$1.log"
	done
	return 0
}

stop_xdpmxd() {
	stop_server
	keep_logs xdpmxd "$T/xdpmxd/log"
	# The daemon leaves the program and maps in place by design.
	in_srv "$XDPMX_BUILD/xdpmx-loader" unload --all --purge -d $PIN >/dev/null 2>&1 ||
		in_srv ip link set xbs0 xdp off
}

start_knot() { # zones.list xdp|udp check-name check-type
	local d=$T/knot t0=$SECONDS x=()
	rm -rf "$d" && mkdir -p "$d/db"
	[ "$2" = xdp ] && x=(--xdp xbs0)
	$PY "$BENCH_DIR/xb_gen.py" conf knot "$d" "$1" --addr $SRV4 "${x[@]}" >"$d/knot.conf"
	spawn "$d/out" knotd -c "$d/knot.conf"
	if ! wait_answer 120 "$3" "$4"; then
		keep_logs knot "$d/knot.log" "$d/out"
		start_failed "knot-$2" "$1" "no answer to $3 $4 within 120 s" "$d/knot.log" "$d/out"
		return 1
	fi
	local up=$((SECONDS - t0)) idle
	idle=$(wait_idle 120)
	jsonl "{\"kind\": \"start\", \"server\": \"knot-$2\", \"zones\": \"$1\", \"seconds\": $up, \"idle_after\": $idle}"
	cp "$d/knot.conf" "$RESULTS/knot-$2.conf"
}

stop_knot() {
	stop_server
	keep_logs knot "$T/knot/knot.log" "$T/knot/out"
	in_srv ip link set xbs0 xdp off 2>/dev/null || true
}

start_nsd() { # zones.list check-name check-type
	local d=$T/nsd t0=$SECONDS
	rm -rf "$d" && mkdir -p "$d"
	$PY "$BENCH_DIR/xb_gen.py" conf nsd "$d" "$1" --addr $SRV4 >"$d/nsd.conf"
	spawn "$d/out" nsd -d -c "$d/nsd.conf"
	if ! wait_answer 120 "$2" "$3"; then
		keep_logs nsd "$d/nsd.log" "$d/out"
		start_failed nsd "$1" "no answer to $2 $3 within 120 s" "$d/nsd.log" "$d/out"
		return 1
	fi
	# NSD forks its server and xfrd processes: they count too.
	SRV=($(pgrep -s "${SRV[0]}"))
	local up=$((SECONDS - t0)) idle
	idle=$(wait_idle 120)
	jsonl "{\"kind\": \"start\", \"server\": \"nsd\", \"zones\": \"$1\", \"seconds\": $up, \"idle_after\": $idle}"
	cp "$d/nsd.conf" "$RESULTS/nsd.conf"
}

stop_nsd() {
	local p
	stop_server
	keep_logs nsd "$T/nsd/nsd.log" "$T/nsd/out"
}

# ---- Throughput ------------------------------------------------------------------

declare -A PREV # label -> the previous round's capacity (offered qps)

# tput LABEL BLOCK ROUND QUERIES EXPECT MODE [xb_tput options...]
# The server under test on pair A (SRV holds its pids).
tput() {
	local label=$1 block=$2 round=$3 q=$4 e=$5 mode=$6 pids=() p cap
	shift 6
	for p in "${SRV[@]}"; do pids+=(--pid "$p"); done
	cap=$($PY "$BENCH_DIR/xb_tput.py" --label "$label" --block "$block" --round "$round" \
		--target $SRV4 --client $CLI4 --queries "$q" --expect "$e" --sample-mode "$mode" \
		--srv-dev xbs0 --cli-dev xbc0 --srv-ns $SRV_NS --cli-ns $CLI_NS \
		--srv-cpu $SRV_CPU --gen-cpu $GEN_CPU --step $STEP --prev "${PREV[$label]:-0}" \
		--progstat "$BIN/xb_progstat" --out "$RESULTS/tput.jsonl" "${pids[@]}" "$@") || cap=0
	PREV[$label]=$cap
}

# The reflector on pair B, with the same queries as the block's servers.
tput_reflector() { # BLOCK ROUND QUERIES EXPECT [stats]
	local label="reflector@$1" s=()
	[ "${5:-}" = stats ] && [ "$2" = 1 ] && s=(--stats-dev)
	cap=$($PY "$BENCH_DIR/xb_tput.py" --label "$label" --block "$1" --round "$2" \
		--target $REFL4 --client $RCLI4 --queries "$3" --expect "$4" --sample-mode reflect \
		--srv-dev xbs1 --cli-dev xbc1 --srv-ns $SRV_NS --cli-ns $CLI_NS \
		--srv-cpu $SRV_CPU --gen-cpu $GEN_CPU --step $STEP --prev "${PREV[$label]:-0}" \
		--progstat "$BIN/xb_progstat" --out "$RESULTS/tput.jsonl" "${s[@]}") || cap=0
	PREV[$label]=$cap
}

# The run-time statistics probe (xb_tput.py --stats-dev) in the first round
# only: one probe per target, not three, keeps the run within 15 minutes.
stats1() { [ "$1" = 1 ] && echo --stats-dev || true; }

# The fast-path counters of the last target: hits really were hits. From
# the daemon, or from the pinned maps when there is none.
xdpmx_counters() { # LABEL
	local c ctl=("$XDPMX_BUILD/xdpmxctl" -c "$T/xdpmxd/xdpmxd.sock" -d $PIN)
	c=$("${ctl[@]}" -j stats show 2>/dev/null) || c=null
	[ -n "$c" ] || c=null
	jsonl "{\"kind\": \"xdpmx-stats\", \"label\": \"$1\", \"via\": \"$XDPMX_VIA\", \"stats\": $c}"
	"${ctl[@]}" stats reset >/dev/null 2>&1 || true
}

left() { echo $((BUDGET - (SECONDS - TPUT_START))); }

# A block: one server, started once; ROUNDS rounds of the reflector then
# each of the server's query mixes. $1: estimated seconds per round (a
# round is skipped when the budget has less left), $2: block name, then a
# function that runs one round.
block() {
	local est=$1 name=$2 fn=$3 r
	for ((r = 1; r <= ROUNDS; r++)); do
		if [ "$(left)" -lt "$est" ]; then
			say "skipping $name from round $r: $(left) s left of the budget, a round needs about $est"
			jsonl "{\"kind\": \"skipped\", \"block\": \"$name\", \"from_round\": $r, \"reason\": \"time budget\"}"
			return 1
		fi
		say "block $name, round $r/$ROUNDS"
		$fn "$r"
	done
}

round_xdpmx_base() {
	local b=$G/base
	tput_reflector base-xdpmx "$1" "$b/q-mix.txt" "$b/e-mix.txt" stats
	for m in mx a mix; do
		tput "xdpmx-$m" base-xdpmx "$1" "$b/q-$m.txt" "$b/e-$m.txt" exact $(stats1 "$1")
		xdpmx_counters "xdpmx-$m"
	done
	tput xdpmx-miss base-xdpmx "$1" "$b/q-miss.txt" "$b/e-miss.txt" subset $(stats1 "$1")
	xdpmx_counters xdpmx-miss
}

# xdpmxd with no XDP program on its interface: its slow path on the same
# path into the kernel as NSD's. On veth an attached XDP program makes
# every packet it passes up costlier (the driver turns the skb into an XDP
# buffer and back), which a NIC driver does not; this block separates that
# from the daemon's own cost.
round_xdpmx_slow() {
	local b=$G/base
	tput_reflector base-xdpmx-slow "$1" "$b/q-miss.txt" "$b/e-miss.txt"
	tput xdpmx-miss-noxdp base-xdpmx-slow "$1" "$b/q-miss.txt" "$b/e-miss.txt" subset
}

round_knot_xdp() {
	tput_reflector "$BLK" "$1" "$Q" "$E"
	tput "knot-xdp$SFX" "$BLK" "$1" "$Q" "$E" subset $(stats1 "$1")
}

round_knot_udp() {
	tput_reflector "$BLK" "$1" "$Q" "$E"
	tput "knot-udp$SFX" "$BLK" "$1" "$Q" "$E" subset
}

round_nsd() {
	tput_reflector "$BLK" "$1" "$Q" "$E"
	tput "nsd$SFX" "$BLK" "$1" "$Q" "$E" subset
	if [ -z "$SFX" ]; then
		tput nsd-miss "$BLK" "$1" "$G/base/q-miss.txt" "$G/base/e-miss.txt" subset
	fi
}

round_xdpmx_scale() {
	tput_reflector "$BLK" "$1" "$Q" "$E"
	tput "xdpmx$SFX" "$BLK" "$1" "$Q" "$E" exact $(stats1 "$1")
	xdpmx_counters "xdpmx$SFX"
}

phase_tput() {
	local b=$G/base
	TPUT_START=$SECONDS
	testbed_up
	say "testbed up: server core $SRV_CPU, generator core $GEN_CPU"

	# Base zones (the whitepaper): every server, every mix.
	if start_xdpmxd "$b/zones.list" mail.mydomain.com A; then
		block 50 base-xdpmx round_xdpmx_base || true
	fi
	stop_xdpmxd
	XDPMX_XDP=
	if start_xdpmxd "$b/zones.list" mail.mydomain.com A; then
		block 20 base-xdpmx-slow round_xdpmx_slow || true
	fi
	stop_xdpmxd
	XDPMX_XDP=xbs0

	BLK=base-knot-xdp Q=$b/q-mix.txt E=$b/e-mix.txt SFX=
	if start_knot "$b/zones.list" xdp mail.mydomain.com A; then
		block 20 "$BLK" round_knot_xdp || true
	fi
	stop_knot
	BLK=base-knot-udp
	if start_knot "$b/zones.list" udp mail.mydomain.com A; then
		block 15 "$BLK" round_knot_udp || true
	fi
	stop_knot
	BLK=base-nsd
	if start_nsd "$b/zones.list" mail.mydomain.com A; then
		block 20 "$BLK" round_nsd || true
	fi
	stop_nsd

	# Scale: names loaded, and 100,000 domains for xdpmx and its peers.
	local set n last
	for set in flat10 flat10k flatbig; do
		case $set in
		flat10) n=10 ;; flat10k) n=10000 ;; *) n=$N_BIG ;;
		esac
		BLK=scale-xdpmx-$set Q=$G/$set/q-flat.txt E=$G/$set/e-flat.txt SFX=-$set
		if [ "$(left)" -lt 60 ]; then
			block 20 "$BLK" round_xdpmx_scale || true
			continue
		fi
		if start_xdpmxd "$G/$set/zones.list" "h$((n - 1)).bench.test" A; then
			block 20 "$BLK" round_xdpmx_scale || true
		fi
		stop_xdpmxd
	done
	last=d$((N_DOM - 1)).test
	BLK=scale-xdpmx-dom Q=$G/dom/q-dom.txt E=$G/dom/e-dom.txt SFX=-dom
	if [ "$(left)" -ge 130 ]; then
		# xdpmxd gets 30 s to load the domains; if it cannot, the
		# fast path's throughput is still measured, its maps filled by
		# xb_cost through the same library calls.
		if start_xdpmxd "$G/dom/zones.list" "$last" MX "${BENCH_DOM_WAIT:-30}" ||
			{ stop_xdpmxd; start_xdpmx_fill "$G/dom/zones.list"; }; then
			block 20 "$BLK" round_xdpmx_scale || true
		fi
		stop_xdpmxd
	else
		block 20 "$BLK" round_xdpmx_scale || true
	fi
	BLK=scale-knot-xdp-dom SFX=-dom
	if [ "$(left)" -ge 80 ]; then
		if start_knot "$G/dom/zones.list" xdp "$last" MX; then
			block 20 "$BLK" round_knot_xdp || true
		fi
		stop_knot
	else
		block 20 "$BLK" round_knot_xdp || true
	fi
	BLK=scale-nsd-dom SFX=-dom
	if [ "$(left)" -ge 60 ]; then
		if start_nsd "$G/dom/zones.list" "$last" MX; then
			block 20 "$BLK" round_nsd || true
		fi
		stop_nsd
	else
		block 20 "$BLK" round_nsd || true
	fi
}

# ---- Main ----------------------------------------------------------------------

PHASES=${BENCH_PHASES:-cost tput} # development aid: run only some phases
say "xdpmx bench: results in $RESULTS (quick=$QUICK, phases: $PHASES)"
record_env
gen_zones
case " $PHASES " in *" cost "*) phase_cost ;; esac
case " $PHASES " in *" tput "*) phase_tput ;; esac
$PY "$BENCH_DIR/xb_report.py" "$RESULTS" >"$RESULTS/report.md" ||
	die "xb_report.py failed"
say "done in $((SECONDS - START)) s: $RESULTS/report.md"
cat "$RESULTS/report.md"
