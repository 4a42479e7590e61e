# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# examples/demo.sh (what `make demo`, the first README command, runs),
# sourced by run.sh (harness: lib.sh). The demo makes its own namespaces
# (xdemo-srv, xdemo-cli), pins (/sys/fs/bpf/xdemo) and temporary directory;
# run.sh already put the whole run in a private mount and network
# namespace, so it cannot clash with anything outside, and it does not
# touch the harness's xs/xc. Each test checks the demo's output against
# what the tools it runs print (dig, xdpmxctl, xdpmxd), and that it left
# nothing behind.
#
# XDPMX_XDP_MODE reaches the demo unchanged (its loader --mode).

DEMO=$REPO/examples/demo.sh

# What the demo could leave behind in this test's private namespaces, as
# one comparable text: namespaces, links, pins, the bpffs mount, the lock
# file of this mount namespace.
demo_footprint() {
	echo "netns: $(ip netns list | grep -o '^xdemo[^ ]*' | paste -sd' ')"
	echo "links: $(ip -o link show | grep -o 'xdemo[^:@]*' | paste -sd' ')"
	echo "pins: $(ls -d /sys/fs/bpf/xdemo 2>/dev/null)"
	echo "bpffs mounts: $(grep -c ' /sys/fs/bpf bpf ' /proc/mounts)"
	echo "lock: $(ls /run/lock/xdpmx-demo.$(stat -L -c %i /proc/self/ns/mnt).lock 2>/dev/null)"
}

# The demo's temporary directory, as its output in $E2E_TMP/demo.out names
# it (with the control socket).
demo_workdir() {
	sed -n 's|.*control socket, \(/tmp/xdemo\.[A-Za-z0-9]*\)/xdpmxd\.sock\.$|\1|p' \
		"$E2E_TMP/demo.out"
}

# The demo's temporary directory (named in its output, with the control
# socket) is gone, and no process still uses it (the daemon has it in its
# --control argument). /tmp and the process table are shared with the
# machine, so only this run's own directory is looked for.
demo_assert_no_leftovers() {
	local work p
	work=$(demo_workdir)
	[ -n "$work" ] || fail "the demo did not name its temporary directory"
	[ ! -e "$work" ] || fail "the demo left $work"
	for p in /proc/[0-9]*; do
		grep -qa -- "$work" "$p/cmdline" 2>/dev/null &&
			fail "process ${p#/proc/} still uses $work: $(tr '\0' ' ' <"$p/cmdline")"
	done
	echo "ok: $work and every process using it are gone"
}

# Whatever a failed test left of a demo, removed so the next test starts
# clean (run.sh keeps one mount namespace, and so one /run/netns and one
# bpffs, for all tests). Installed by every test in front of the
# harness's teardown.
demo_teardown() {
	local ns
	for ns in xdemo-srv xdemo-cli; do
		[ -e /run/netns/$ns ] || continue
		kill -KILL $(ip netns pids $ns) 2>/dev/null || true
		ip netns del $ns 2>/dev/null || true
	done
	rm -rf /sys/fs/bpf/xdemo
	e2e_teardown
}
demo_setup() { trap demo_teardown EXIT; }

# Run the demo with a bound on its time; its output in $E2E_TMP/demo.out,
# its exit status in DEMO_RC.
demo_run() {
	DEMO_RC=0
	timeout -k 5 120 "$@" >"$E2E_TMP/demo.out" 2>&1 || DEMO_RC=$?
	cat "$E2E_TMP/demo.out"
}

# The lines of the demo's output from the heading of step $1 to the next.
demo_step() {
	awk -v n="$1" '/^==> / { on = ($0 ~ "^==> Step " n ":") } on' "$E2E_TMP/demo.out"
}

# The first records of the three answers shown in a step (the output of
# dig +noall +answer, indented by the demo), one line: "x y z".
demo_firsts() { # step type
	demo_step "$1" | awk -v t="$2" '
		/^\[client\]\$ / { first = 1; next }
		$4 == t && first { print $NF; first = 0 }' | paste -sd' '
}

# Wait up to 30 s until the demo writing $2 (pid $3) has begun step $1;
# if it ends or the time is up first, show its output and fail, naming it
# as $4 ("the demo").
demo_wait_step() { # step out pid who
	local i
	for ((i = 0; i < 600; i++)); do
		grep -q "^==> Step $1:" "$2" && return 0
		kill -0 "$3" 2>/dev/null || break
		sleep 0.05
	done
	grep -q "^==> Step $1:" "$2" || { cat "$2"; fail "$4 did not reach step $1"; }
}

# Every step ran, in order, and the demo ended as it says it does.
demo_assert_steps() {
	local headings
	headings=$(grep -o '^==> Step [0-9]*' "$E2E_TMP/demo.out" | awk '{ print $3 }' | paste -sd' ')
	assert_eq "1 2 3 4 5 6 7 8 9 10 11 12" "$headings" "steps run, in order"
	assert_match "^==> Cleaning up" "$(grep '^==> Cleaning up' "$E2E_TMP/demo.out")" "clean-up ran"
}

test_demo_runs() {
	# - the demo exits 0 and says every step did what it says; no step
	#   reports FAILED;
	# - the zone check (xdpmxd --check-config) on the example loads both
	#   zones with no PTR warning; on examples/mismatch/ it warns
	#   [ptr-missing] for 192.168.2.2 and [ptr-mismatch] for 192.168.2.3;
	# - dig shows three MX and three A answers, each with the three
	#   records, each starting with a different one (rotation visible),
	#   the PTR of 192.168.2.1, the SOA (NOERROR), the NXDOMAIN with the
	#   SOA, and the TCP answer;
	# - xdpmxctl stats show: 3 MX, 3 A and 1 PTR hits, 3 slow-path queries;
	# - afterwards nothing it made is left: namespaces, links, pins,
	#   processes, temporary directory; the bpffs mount is as before.
	demo_setup
	local before s
	before=$(demo_footprint)
	demo_run bash "$DEMO"
	assert_eq 0 "$DEMO_RC" "demo exit status"
	demo_assert_steps
	grep -q 'FAILED' "$E2E_TMP/demo.out" && fail "a step reports FAILED"
	assert_match "^The demo is complete: every step did what it says.$" \
		"$(tail -n 1 "$E2E_TMP/demo.out")" "last line"

	s=$(demo_step 1)
	assert_eq 2 "$(echo "$s" | grep -c 'xdpmxd\[info\]: Zone .* loaded from .*: .* 0 warnings')" \
		"step 1: both example zones load without warnings"
	echo "$s" | grep 'xdpmxd\[' | grep -q '\[ptr-' && fail "step 1: a PTR warning on the example"
	echo "ok: step 1: no PTR warning on the example"
	s=$(demo_step 12)
	assert_match 'xdpmxd\[warning\]: .*192\.168\.2\.2 .*\[ptr-missing\]' "$s" "step 12: missing PTR"
	assert_match 'xdpmxd\[warning\]: .*192\.168\.2\.3 .*mail1\.mydomain\.com.*\[ptr-mismatch\]' "$s" \
		"step 12: PTR that does not point back"

	assert_eq 9 "$(demo_step 5 | grep -cE '^    mydomain\.com\.[[:space:]]+3600[[:space:]]+IN[[:space:]]+MX[[:space:]]+10 mail[123]\.mydomain\.com\.$')" \
		"step 5: MX records shown"
	s=$(demo_firsts 5 MX)
	assert_eq 3 "$(echo "$s" | tr ' ' '\n' | sort -u | wc -l)" "step 5: three answers led by three exchanges ($s)"
	assert_eq 9 "$(demo_step 6 | grep -cE '^    mail\.mydomain\.com\.[[:space:]]+3600[[:space:]]+IN[[:space:]]+A[[:space:]]+192\.168\.2\.[123]$')" \
		"step 6: A records shown"
	s=$(demo_firsts 6 A)
	assert_eq 3 "$(echo "$s" | tr ' ' '\n' | sort -u | wc -l)" "step 6: three answers led by three addresses ($s)"
	assert_match '^    1\.2\.168\.192\.in-addr\.arpa\.[[:space:]]+3600[[:space:]]+IN[[:space:]]+PTR[[:space:]]+mail\.mydomain\.com\.$' \
		"$(demo_step 7)" "step 7: PTR"
	assert_match 'status: NOERROR' "$(demo_step 8)" "step 8: SOA answered"
	assert_match 'IN[[:space:]]+SOA[[:space:]]+ns1\.mydomain\.com\.' "$(demo_step 8)" "step 8: the SOA record"
	assert_match 'status: NXDOMAIN' "$(demo_step 9)" "step 9: NXDOMAIN"
	assert_match '^    mydomain\.com\.[[:space:]]+300[[:space:]]+IN[[:space:]]+SOA' "$(demo_step 9)" \
		"step 9: the SOA in the authority section"
	assert_eq 3 "$(demo_step 10 | grep -cE '^    mail\.mydomain\.com\.[[:space:]]+3600[[:space:]]+IN[[:space:]]+A[[:space:]]')" \
		"step 10: the TCP answer"

	s=$(demo_step 11)
	for c in fastpath.hit.mx=3 fastpath.hit.a=3 fastpath.hit.ptr=1 slowpath.queries=3 \
		slowpath.queries_tcp=1 slowpath.rcode.NXDOMAIN=1; do
		assert_match "^    $c\$" "$s" "step 11: statistics"
	done

	assert_eq "$before" "$(demo_footprint)" "what is left after the demo"
	demo_assert_no_leftovers
}
ALL_TESTS+=(test_demo_runs)

test_demo_mounts_bpffs() {
	# - on a machine where bpffs is not mounted (a mount namespace with
	#   /sys/fs/bpf unmounted), the demo mounts it, runs to the end with
	#   exit 0, and unmounts it again: /sys/fs/bpf is no bpffs afterwards.
	demo_setup
	local out
	out=$(timeout -k 5 120 unshare -m --propagation private bash -c '
		while mountpoint -q /sys/fs/bpf; do umount -l /sys/fs/bpf; done
		bash "$1" >"$2" 2>&1
		echo "rc=$?"
		mountpoint -q /sys/fs/bpf && echo "bpffs: mounted" || echo "bpffs: not mounted"
		' - "$DEMO" "$E2E_TMP/demo.out")
	cat "$E2E_TMP/demo.out"
	echo "$out"
	assert_match "^rc=0$" "$out" "demo exit status"
	assert_match "^    removed: the bpffs this demo mounted on /sys/fs/bpf$" \
		"$(cat "$E2E_TMP/demo.out")" "demo says it unmounted bpffs"
	assert_match "^bpffs: not mounted$" "$out" "bpffs after the demo"
	assert_match "^\\[host\\]\\$ mount -t bpf bpf /sys/fs/bpf$" "$(demo_step 2)" "demo mounted bpffs"
	demo_assert_steps
}
ALL_TESTS+=(test_demo_mounts_bpffs)

test_demo_interrupted() {
	# - Ctrl-C (SIGINT to the demo's process group) in the middle of the
	#   queries: the demo says it was interrupted, cleans up, exits 130,
	#   and leaves nothing behind.
	demo_setup
	local before pid
	before=$(demo_footprint)
	# A process group of its own, with SIGINT at its default (a command
	# started with & from a script would inherit SIGINT ignored).
	python3 -c 'import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.setpgid(0, 0)
os.execvp(sys.argv[1], sys.argv[1:])' timeout -k 5 120 bash "$DEMO" >"$E2E_TMP/demo.out" 2>&1 &
	pid=$!
	track $pid
	demo_wait_step 6 "$E2E_TMP/demo.out" $pid "the demo"
	kill -INT -- -$pid
	DEMO_RC=0
	wait $pid || DEMO_RC=$?
	cat "$E2E_TMP/demo.out"
	assert_eq 130 "$DEMO_RC" "demo exit status after SIGINT"
	assert_match "^demo: interrupted \\(SIGINT\\): cleaning up$" "$(cat "$E2E_TMP/demo.out")" "message"
	assert_match "^==> Cleaning up" "$(cat "$E2E_TMP/demo.out")" "clean-up ran"
	assert_match "^The demo was interrupted \\(SIGINT\\) during step 6; what it had made is removed.$" \
		"$(tail -n 1 "$E2E_TMP/demo.out")" "last line"
	assert_eq "$before" "$(demo_footprint)" "what is left after the interrupted demo"
	demo_assert_no_leftovers
}
ALL_TESTS+=(test_demo_interrupted)

test_demo_refuses_non_root() {
	# - run by an unprivileged user the demo exits 2, says it needs root
	#   and why, and creates nothing.
	demo_setup
	local before out rc=0
	before=$(demo_footprint)
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups bash "$DEMO" 2>&1) || rc=$?
	echo "$out"
	assert_eq 2 "$rc" "exit status"
	assert_match "needs root" "$out" "message"
	assert_match "sudo make demo" "$out" "what to do"
	assert_eq "$before" "$(demo_footprint)" "nothing made"
}
ALL_TESTS+=(test_demo_refuses_non_root)

test_demo_one_at_a_time() {
	# - while a demo runs, a second one refuses (exit 2, says another demo
	#   is running) and touches nothing: the first one still completes its
	#   steps;
	# - a demo killed with SIGKILL (no clean-up) leaves its namespaces,
	#   pins and daemon behind; the next demo says it removes them, stops
	#   that daemon, runs to the end with exit 0, and afterwards nothing of
	#   either is left.
	demo_setup
	local before pid out rc=0 dpid lock
	before=$(demo_footprint)
	bash "$DEMO" >"$E2E_TMP/demo1.out" 2>&1 &
	pid=$!
	track $pid
	demo_wait_step 6 "$E2E_TMP/demo1.out" $pid "the first demo"
	out=$(timeout 60 bash "$DEMO" 2>&1) || rc=$?
	echo "$out"
	assert_eq 2 "$rc" "exit status of a second demo"
	assert_eq "demo: another demo is running (or one was stopped just now: try again in a few seconds)" \
		"$out" "the second demo's message"
	dpid=$(sed -n 's/^    xdpmxd .*, pid \([0-9]*\), up .*/\1/p' "$E2E_TMP/demo1.out")
	[ -n "$dpid" ] || fail "no daemon pid in the first demo's output"
	track "$dpid"
	kill -KILL $pid
	wait $pid 2>/dev/null || true
	cat "$E2E_TMP/demo1.out"
	kill -0 "$dpid" 2>/dev/null || fail "the killed demo's daemon is gone already; nothing to test"
	[ -d /sys/fs/bpf/xdemo ] || fail "the killed demo left no pins; nothing to test"
	echo "ok: the killed demo left its daemon ($dpid) and pins behind"
	# Its last dig (2 s at most) still holds the lock it inherited.
	lock=/run/lock/xdpmx-demo.$(stat -L -c %i /proc/self/ns/mnt).lock
	wait_for 5 flock -n "$lock" true || fail "the killed demo's lock stays taken"

	demo_run bash "$DEMO"
	assert_eq 0 "$DEMO_RC" "exit status of the demo after a killed one"
	assert_match "^demo: removed what an interrupted earlier demo left behind: processes $dpid namespace xdemo-srv namespace xdemo-cli /sys/fs/bpf/xdemo$" \
		"$(head -n 1 "$E2E_TMP/demo.out")" "leftovers removed"
	kill -0 "$dpid" 2>/dev/null && fail "the killed demo's daemon still runs"
	demo_assert_steps
	assert_eq "$before" "$(demo_footprint)" "what is left after both demos"
	demo_assert_no_leftovers
	# The killed demo's own temporary directory stays: it could not remove
	# it, and /tmp is shared with the machine, so the next demo leaves it.
	cp "$E2E_TMP/demo1.out" "$E2E_TMP/demo.out"
	rm -rf "$(demo_workdir)"
}
ALL_TESTS+=(test_demo_one_at_a_time)
