#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# End-to-end tests: real binaries, veth pairs in network namespaces, real
# DNS clients (dig, kdig). Modelled on xdp-tools lib/testing/test_runner.sh.
#
#   bash tests/e2e/run.sh [TEST...]     run all tests, or the named ones
#
# Environment:
#   XDPMX_BUILD      build directory holding the binaries (default: build)
#   DEBUG_TESTENV=1  on failure, open a shell inside the test environment
#   TEST_RETRIES=N   run a failing test up to N more times (default 0)
#   VERBOSE_TESTS=1  show each test's output even when it passes
#
# The whole run re-executes itself under `unshare -m -n`: a private mount
# namespace (its own bpffs at /sys/fs/bpf and its own /run/netns) and a
# network namespace with no route anywhere, so nothing it creates can leak
# or reach outside, and everything vanishes when it exits.
set -u

E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$E2E_DIR/../.." && pwd)
export XDPMX_BUILD=${XDPMX_BUILD:-$REPO/build}
SKIP_RC=77

if [ "$(id -u)" -ne 0 ]; then
	echo "e2e: skipped: needs root (network namespaces, XDP)" >&2
	exit 0
fi

if [ -z "${XDPMX_E2E_INNER:-}" ]; then
	export XDPMX_E2E_INNER=1
	exec unshare -m -n --propagation private bash "$0" "$@"
fi

# Inside: private mounts. Fresh bpffs and netns directory; loopback up.
mount -t bpf bpf /sys/fs/bpf || { echo "e2e: cannot mount bpffs" >&2; exit 1; }
mkdir -p /run/netns && mount -t tmpfs tmpfs /run/netns
mkdir -p /run/xdpmx && mount -t tmpfs tmpfs /run/xdpmx
ip link set lo up

. "$E2E_DIR/lib.sh"
ALL_TESTS=()
for f in "$E2E_DIR"/test_*.sh; do
	[ -e "$f" ] && . "$f"
done

run_one() {
	local t=$1 rc out
	out=$(mktemp)
	(
		set -eE
		# Say which command failed: under set -e a failing `out=$(cmd)`
		# would otherwise end the test without a word.
		trap 'echo "FAIL: ${BASH_SOURCE[0]##*/}:$LINENO: exit $?: $BASH_COMMAND" >&2' ERR
		E2E_PIDS=() E2E_CLEANUP=() E2E_TMP=/nonexistent
		trap 'e2e_teardown' EXIT
		e2e_setup "$t"
		"$t"
	) >"$out" 2>&1
	rc=$?
	if [ $rc -ne 0 ] && [ $rc -ne $SKIP_RC ] && [ "${DEBUG_TESTENV:-0}" = 1 ]; then
		echo "--- $t failed; debug shell in the test environment (exit to continue)"
		cat "$out"
		(E2E_PIDS=() E2E_CLEANUP=() E2E_TMP=/nonexistent; trap 'e2e_teardown' EXIT; e2e_setup "$t"; bash -i) </dev/tty >/dev/tty 2>&1 || true
	fi
	LAST_OUT=$out
	return $rc
}

want=("$@")
[ ${#want[@]} -eq 0 ] && want=("${ALL_TESTS[@]}")
pass=0 fail=0 skip=0 failed=()
for t in "${want[@]}"; do
	if ! declare -F "$t" >/dev/null; then
		echo "e2e: no such test: $t" >&2
		fail=$((fail + 1)); failed+=("$t"); continue
	fi
	tries=$((1 + ${TEST_RETRIES:-0}))
	start=$(date +%s)
	while :; do
		run_one "$t"; rc=$?
		tries=$((tries - 1))
		[ $rc -eq 0 ] || [ $rc -eq $SKIP_RC ] || [ $tries -le 0 ] && break
		echo "  RETRY    $t"
	done
	secs=$(( $(date +%s) - start ))
	if [ $rc -eq 0 ]; then
		printf '  PASS     %s (%ss)\n' "$t" "$secs"; pass=$((pass + 1))
		[ "${VERBOSE_TESTS:-0}" = 1 ] && sed 's/^/           /' "$LAST_OUT"
	elif [ $rc -eq $SKIP_RC ]; then
		printf '  SKIP     %s: %s\n' "$t" "$(tail -n 1 "$LAST_OUT")"; skip=$((skip + 1))
	else
		printf '  FAIL     %s (%ss)\n' "$t" "$secs"; fail=$((fail + 1)); failed+=("$t")
		sed 's/^/           /' "$LAST_OUT"
	fi
	rm -f "$LAST_OUT"
done
echo "e2e: $pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ] || { echo "e2e: failed: ${failed[*]}"; exit 1; }
