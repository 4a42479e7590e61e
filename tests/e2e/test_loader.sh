# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# xdpmx-loader end to end, sourced by run.sh (harness: lib.sh): attach and
# detach on the server's veth, idempotence, foreign XDP programs, per-
# interface counters, the fast path answering once the daemon fills the
# maps, and one test per error the loader can meet on this machine.

LOADER=$BIN/xdpmx-loader

# Evaluate a Python expression over the JSON document on stdin, bound to j.
loader_json() {
	python3 -c 'import json, sys; j = json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"
}

# The id of the XDP program attached to a server interface, or "none".
loader_link_prog() {
	local id
	id=$(in_srv ip -d link show dev "$1" | sed -n 's/.*prog\/xdp id \([0-9]*\).*/\1/p')
	echo "${id:-none}"
}

# Whether a server interface has any XDP program attached ("ip link" flags).
loader_link_has_xdp() {
	in_srv ip link show dev "$1" | head -n 1 | grep -Eq '\<xdp(generic|drv|offload)?\>'
}

# One field of `xdpmx-loader -j status` for an interface.
loader_status_field() { # iface field
	in_srv $LOADER -j status |
		loader_json "[i['$2'] for i in j['interfaces'] if i['interface'] == '$1'][0]"
}

# Compile a BPF object from C source on stdin into $1 (repo headers visible).
loader_cc_bpf() {
	local sys
	sys=$(clang -v -E - </dev/null 2>&1 |
		sed -n '/<...> search starts here:/,/End of search list./{ s| \(/.*\)|-idirafter \1|p }')
	clang -target bpf -O2 -g -mcpu=v3 -I"$REPO/include" -I"$REPO/bpf" $sys \
		-x c -c - -o "$1"
}

# The trivial XDP_PASS program that plays "someone else's XDP program".
loader_foreign_prog() {
	loader_cc_bpf "$E2E_TMP/foreign.o" <<-'EOF'
		#include <linux/bpf.h>
		#include <bpf/bpf_helpers.h>
		SEC("xdp") int foreign_pass(struct xdp_md *ctx) { return XDP_PASS; }
		char LICENSE[] SEC("license") = "Dual BSD/GPL";
	EOF
}

# Start xdpmxd on the example zones over the loader's pinned maps; skip the
# test when the daemon is not built.
loader_start_daemon() {
	[ -x "$BIN/xdpmxd" ] || skip "xdpmxd not built in $BIN"
	bg_srv "$BIN/xdpmxd" --foreground --pin-dir "$PIN_DIR" --control "$CONTROL" \
		--listen "$SRV4@53" --zone "$EXAMPLES/mydomain.com.zone" \
		--zone "$EXAMPLES/2.168.192.in-addr.arpa.zone" >"$E2E_TMP/xdpmxd.log" 2>&1
	wait_for 10 test -S "$CONTROL" || { cat "$E2E_TMP/xdpmxd.log"; fail "xdpmxd did not open $CONTROL"; }
	wait_for 5 in_srv "$BIN/xdpmxctl" --control "$CONTROL" status ||
		{ cat "$E2E_TMP/xdpmxd.log"; fail "xdpmxd does not answer on $CONTROL"; }
}

test_loader_attach_auto() {
	# - `load --mode auto` on a veth attaches in native mode (veth has it)
	#   and says that libxdp fell back to a single program (no dispatcher
	#   on a kernel in lockdown integrity mode), without failing;
	# - the program on the link is the one status reports, pinned as
	#   prog_IFACE beside the maps; status shows single-program mode;
	# - loading again is "already loaded", exit 0, nothing replaced.
	local out id
	out=$(in_srv $LOADER load --mode auto $SRV_IF)
	echo "$out"
	assert_match "^$SRV_IF: loaded in native mode, program id [0-9]+, counter slot 0$" \
		"$(echo "$out" | head -n 1)" "load output"
	assert_match "single-program mode" "$out" "load reports the attach mode"
	id=$(loader_link_prog $SRV_IF)
	assert_eq "$id" "$(loader_status_field $SRV_IF prog_id)" "status prog_id = id on the link"
	assert_eq "xdpmx_prog" "$(in_srv bpftool prog show id "$id" | sed -n 's/.* name \([a-z_]*\).*/\1/p')" \
		"program name"
	[ -e "$PIN_DIR/prog_$SRV_IF" ] || fail "no program pin $PIN_DIR/prog_$SRV_IF"
	[ -e "$PIN_DIR/xdpmx_cfg" ] || fail "no map pin $PIN_DIR/xdpmx_cfg"
	assert_eq "True" "$(loader_status_field $SRV_IF attached)" "status: attached"
	assert_eq "single-program" "$(loader_status_field $SRV_IF attach)" "status: attach kind"
	assert_eq "native" "$(loader_status_field $SRV_IF mode)" "status: mode"
	assert_match '^[0-9a-f]{16}$' "$(loader_status_field $SRV_IF tag)" "status: tag"
	assert_match '^[1-9]' "$(in_srv $LOADER -j status | loader_json "len(j['interfaces'][0]['map_ids'])")" \
		"status: map ids"
	assert_match "$SRV_IF .* single-program" "$(in_srv $LOADER status)" "text status"

	out=$(in_srv $LOADER load --mode auto $SRV_IF)
	assert_match "^$SRV_IF: already loaded \\(program id $id, native mode\\)" "$out" "second load"
	assert_eq "$id" "$(loader_link_prog $SRV_IF)" "program unchanged by the second load"
}
ALL_TESTS+=(test_loader_attach_auto)

test_loader_counts_per_interface() {
	# - every instance counts into its own slot: queries to the veth move
	#   the veth's miss counter (no zones loaded: miss.no_rrset), and
	#   nothing moves on the other interface (lo, generic);
	# - the two interfaces get different slots and program instances.
	local i misses
	in_srv $LOADER load $SRV_IF >/dev/null
	in_srv $LOADER load lo >/dev/null
	assert_eq "0" "$(loader_status_field $SRV_IF slot)" "first interface slot"
	assert_eq "1" "$(loader_status_field lo slot)" "second interface slot"
	[ "$(loader_status_field $SRV_IF prog_id)" != "$(loader_status_field lo prog_id)" ] ||
		fail "both interfaces run the same program instance"
	for i in 1 2 3 4 5; do
		dig_srv +tries=1 +time=1 "q$i.mydomain.com" A >/dev/null || true
	done
	misses=$(loader_status_field $SRV_IF misses)
	assert_ge 5 "$misses" "misses counted on $SRV_IF"
	assert_eq "0" "$(loader_status_field $SRV_IF hits)" "hits on $SRV_IF without zones"
	assert_eq "0" "$(loader_status_field lo misses)" "misses on lo"
}
ALL_TESTS+=(test_loader_counts_per_interface)

test_loader_fastpath_answers() {
	# - with the daemon serving the whitepaper zones over the loader's
	#   pinned maps, an A query from the client is answered by the fast
	#   path: the veth's hit counter moves, the slow path's query counter
	#   does not;
	# - the answer is authoritative with the three addresses.
	local hits0 slow0 out
	in_srv $LOADER load --mode auto $SRV_IF >/dev/null
	loader_start_daemon
	hits0=$(loader_status_field $SRV_IF hits)
	slow0=$(in_srv "$BIN/xdpmxctl" --control "$CONTROL" -j stats show |
		loader_json "j['slowpath']['queries']")
	out=$(dig_srv_answered +norec mail.mydomain.com A)
	echo "$out"
	assert_eq "NOERROR qr aa" "$(echo "$out" | dig_status)" "rcode and flags"
	assert_eq "3" "$(echo "$out" | grep -c '^mail.mydomain.com..*IN.A')" "answer records"
	assert_eq "$((hits0 + 1))" "$(loader_status_field $SRV_IF hits)" "fast-path hits"
	assert_eq "$slow0" "$(in_srv "$BIN/xdpmxctl" --control "$CONTROL" -j stats show |
		loader_json "j['slowpath']['queries']")" "slow-path queries"
}
ALL_TESTS+=(test_loader_fastpath_answers)

test_loader_parallel_loads() {
	# - loaders running at once on different interfaces (serialised by the
	#   lock on the pin directory) create the maps once, each interface
	#   gets its own slot and program, and both stay attached.
	local p1 p2
	in_srv $LOADER load $SRV_IF >"$E2E_TMP/l1" 2>&1 &
	p1=$!
	in_srv $LOADER load lo >"$E2E_TMP/l2" 2>&1 &
	p2=$!
	wait $p1 || { cat "$E2E_TMP/l1"; fail "load $SRV_IF"; }
	wait $p2 || { cat "$E2E_TMP/l2"; fail "load lo"; }
	cat "$E2E_TMP/l1" "$E2E_TMP/l2"
	assert_eq "0 1" "$(in_srv $LOADER -j status |
		loader_json "' '.join(sorted(str(i['slot']) for i in j['interfaces']))")" "slots"
	assert_eq "True True" "$(in_srv $LOADER -j status |
		loader_json "' '.join(str(i['attached']) for i in j['interfaces'])")" "both attached"
	[ "$(loader_status_field $SRV_IF prog_id)" = "$(loader_link_prog $SRV_IF)" ] ||
		fail "$SRV_IF runs another program than recorded"
	echo "ok: $SRV_IF runs the recorded program"
}
ALL_TESTS+=(test_loader_parallel_loads)

test_loader_foreign_program() {
	# - where the kernel allows one XDP program only, load refuses to
	#   replace someone else's program (exit 1, names it, says --force)
	#   and leaves it attached;
	# - --force replaces it (atomically) by xdpmx;
	# - unload then leaves the interface with no XDP program.
	local foreign out rc=0
	loader_foreign_prog
	in_srv ip link set dev $SRV_IF xdpdrv obj "$E2E_TMP/foreign.o" sec xdp
	foreign=$(loader_link_prog $SRV_IF)
	[ "$foreign" != none ] || fail "the foreign program did not attach"
	out=$(in_srv $LOADER load $SRV_IF 2>&1) || rc=$?
	echo "$out"
	assert_eq 1 "$rc" "exit status"
	assert_match "already runs another XDP program \\('foreign_pass', id $foreign" "$out" "message"
	assert_match "with --force" "$out" "the way out"
	assert_eq "$foreign" "$(loader_link_prog $SRV_IF)" "foreign program untouched"

	out=$(in_srv $LOADER load --force $SRV_IF)
	echo "$out"
	assert_match "replaced XDP program id $foreign" "$out" "forced load"
	assert_eq "$(loader_status_field $SRV_IF prog_id)" "$(loader_link_prog $SRV_IF)" \
		"xdpmx now attached"

	in_srv $LOADER unload $SRV_IF
	loader_link_has_xdp $SRV_IF && fail "XDP still attached after unload"
	echo "ok: no XDP program on $SRV_IF"
}
ALL_TESTS+=(test_loader_foreign_program)

test_loader_unload_clean() {
	# - unload detaches (ip link shows no xdp), frees the slot and removes
	#   prog_IFACE but keeps the maps for the daemon;
	# - unloading again is a no-op with exit 0;
	# - unload --all --purge removes every pin.
	local out
	in_srv $LOADER load $SRV_IF >/dev/null
	loader_link_has_xdp $SRV_IF || fail "not attached"
	out=$(in_srv $LOADER unload $SRV_IF)
	assert_eq "$SRV_IF: unloaded" "$out" "unload output"
	loader_link_has_xdp $SRV_IF && fail "XDP still attached after unload"
	[ ! -e "$PIN_DIR/prog_$SRV_IF" ] || fail "program pin left behind"
	[ -e "$PIN_DIR/xdpmx_stats" ] || fail "maps unpinned without --purge"
	assert_eq "0" "$(in_srv $LOADER -j status | loader_json "len(j['interfaces'])")" \
		"interfaces after unload"

	out=$(in_srv $LOADER unload $SRV_IF 2>&1)
	assert_match "not loaded there, nothing to unload" "$out" "second unload"

	in_srv $LOADER unload --all --purge
	[ -z "$(ls "$PIN_DIR" 2>/dev/null | grep xdpmx_)" ] || fail "map pins left: $(ls "$PIN_DIR")"
	echo "ok: pins removed"
}
ALL_TESTS+=(test_loader_unload_clean)

test_loader_purge_in_use() {
	# - unload --purge of one interface is refused while another still
	#   runs xdpmx (it would lose its maps), and nothing changes;
	# - unload --all --purge detaches both and removes the pins.
	local out rc=0
	in_srv $LOADER load $SRV_IF >/dev/null
	in_srv $LOADER load lo >/dev/null
	out=$(in_srv $LOADER unload --purge $SRV_IF 2>&1) || rc=$?
	echo "$out"
	assert_eq 1 "$rc" "exit status"
	assert_match "still runs on lo" "$out" "message"
	loader_link_has_xdp $SRV_IF || fail "$SRV_IF was detached by a refused purge"
	in_srv $LOADER unload --all --purge
	loader_link_has_xdp $SRV_IF && fail "$SRV_IF still has XDP"
	loader_link_has_xdp lo && fail "lo still has XDP"
	[ ! -e "$PIN_DIR/xdpmx_cfg" ] || fail "cfg still pinned"
	echo "ok: both detached, pins removed"
}
ALL_TESTS+=(test_loader_purge_in_use)

test_loader_err_no_such_interface() {
	# - load and unload on a missing interface exit 1 and say so;
	# - with -j the error is {"error": ...} on stdout and nothing else.
	local out rc=0
	out=$(in_srv $LOADER load nosuch0 2>&1) || rc=$?
	assert_eq 1 "$rc" "load exit status"
	assert_eq "error: Couldn't load xdpmx on nosuch0: no such interface" "$out" "load message"
	rc=0
	out=$(in_srv $LOADER unload nosuch0 2>&1) || rc=$?
	assert_eq 1 "$rc" "unload exit status"
	assert_match "no such interface" "$out" "unload message"
	rc=0
	out=$(in_srv $LOADER -j load nosuch0 2>/dev/null) || rc=$?
	assert_eq 1 "$rc" "JSON exit status"
	assert_eq "Couldn't load xdpmx on nosuch0: no such interface" \
		"$(echo "$out" | loader_json "j['error']")" "JSON error"
}
ALL_TESTS+=(test_loader_err_no_such_interface)

test_loader_err_bpffs_not_mounted() {
	# - with no bpffs at /sys/fs/bpf (a private mount namespace without
	#   it), load and status exit 1 and print the mount command.
	local out rc=0
	out=$(in_srv unshare -m --propagation private sh -c \
		'while mountpoint -q /sys/fs/bpf; do umount -l /sys/fs/bpf; done; exec "$@"' \
		- $LOADER load $SRV_IF 2>&1) || rc=$?
	echo "$out"
	assert_eq 1 "$rc" "exit status"
	assert_match "not on a BPF filesystem" "$out" "cause"
	assert_match "mount -t bpf bpf /sys/fs/bpf" "$out" "mount command"
	loader_link_has_xdp $SRV_IF && fail "attached anyway"
	rc=0
	out=$(in_srv unshare -m --propagation private sh -c \
		'while mountpoint -q /sys/fs/bpf; do umount -l /sys/fs/bpf; done; exec "$@"' \
		- $LOADER status 2>&1) || rc=$?
	assert_eq 1 "$rc" "status exit status"
	assert_match "mount -t bpf bpf /sys/fs/bpf" "$out" "status names the mount command"
}
ALL_TESTS+=(test_loader_err_bpffs_not_mounted)

test_loader_err_not_privileged() {
	# - without CAP_BPF, CAP_NET_ADMIN and CAP_SYS_ADMIN (root with them
	#   dropped from the bounding set) load exits 1 naming the
	#   capabilities, and nothing is attached.
	local out rc=0
	out=$(in_srv setpriv --inh-caps=-all --ambient-caps=-all \
		--bounding-set=-bpf,-net_admin,-sys_admin,-perfmon $LOADER load $SRV_IF 2>&1) || rc=$?
	echo "$out"
	assert_eq 1 "$rc" "exit status"
	assert_match "not privileged" "$out" "cause"
	assert_match "CAP_BPF and CAP_NET_ADMIN" "$out" "capabilities named"
	loader_link_has_xdp $SRV_IF && fail "attached anyway"
	echo "ok: nothing attached"
}
ALL_TESTS+=(test_loader_err_not_privileged)

test_loader_err_abi_mismatch() {
	# - maps pinned by a build of another ABI version (cfg.abi_version
	#   rewritten to 7 with bpftool) make load exit 1 with both versions
	#   and the way out; status still lists, with a warning.
	local out rc=0 val
	in_srv $LOADER load $SRV_IF >/dev/null
	val=$(bpftool -j map lookup pinned "$PIN_DIR/xdpmx_cfg" key 0 0 0 0 |
		loader_json "' '.join(j['value'][4:])")
	bpftool map update pinned "$PIN_DIR/xdpmx_cfg" key 0 0 0 0 value 7 0 0 0 $val
	out=$(in_srv $LOADER load lo 2>&1) || rc=$?
	echo "$out"
	assert_eq 1 "$rc" "exit status"
	assert_match "ABI mismatch: .* have ABI version 7, this build has ABI version $XDPMX_ABI" "$out" \
		"both versions named"
	assert_match "unload --all --purge" "$out" "the way out"
	loader_link_has_xdp lo && fail "attached to lo anyway"
	out=$(in_srv $LOADER status 2>&1)
	assert_match "warning: .*ABI version 7" "$out" "status warns"
}
ALL_TESTS+=(test_loader_err_abi_mismatch)

test_loader_err_native_refused() {
	# - loopback has no native XDP: --mode native exits 1, says the driver
	#   refuses it and suggests generic; nothing is attached;
	# - --mode auto falls back to generic and says so.
	local out rc=0
	out=$(in_srv $LOADER load --mode native lo 2>&1) || rc=$?
	echo "$out"
	assert_eq 1 "$rc" "exit status"
	assert_match "driver does not support native XDP; use --mode generic" "$out" "message"
	loader_link_has_xdp lo && fail "attached anyway"
	out=$(in_srv $LOADER load --mode auto lo)
	echo "$out"
	assert_match "^lo: loaded in generic mode \\(--mode auto: native refused\\)" "$out" \
		"auto falls back"
	assert_eq "generic" "$(loader_status_field lo mode)" "status mode"
}
ALL_TESTS+=(test_loader_err_native_refused)

test_loader_err_verifier() {
	# - an object the verifier refuses (--obj, a packet read without a
	#   bounds check, otherwise shaped like the real one) exits 1 with the
	#   end of the verifier log that says why; nothing is attached.
	local out rc=0
	loader_cc_bpf "$E2E_TMP/bad.o" <<-'EOF'
		#include <linux/bpf.h>
		#include <bpf/bpf_helpers.h>
		#include <xdpmx/abi.h>
		#include "maps.h"
		#include "stats.h"
		const volatile __u32 xdpmx_abi = XDPMX_ABI_VERSION;
		SEC("xdp") int xdpmx_prog(struct xdp_md *ctx)
		{
			__u32 *p = (void *)(long)ctx->data; /* no check against data_end */
			return count_exit(*p & 1);
		}
		char LICENSE[] SEC("license") = "Dual BSD/GPL";
	EOF
	out=$(in_srv $LOADER load --obj "$E2E_TMP/bad.o" $SRV_IF 2>&1) || rc=$?
	echo "$out"
	assert_eq 1 "$rc" "exit status"
	assert_match "the verifier rejected it" "$out" "cause"
	assert_match "invalid access to packet" "$out" "the verifier's reason"
	loader_link_has_xdp $SRV_IF && fail "attached anyway"
	echo "ok: nothing attached"
}
ALL_TESTS+=(test_loader_err_verifier)

test_loader_usage() {
	# - usage errors exit 2 with the one wording and a pointer to --help;
	# - every command has --help (exit 0); -V names the libraries.
	local out rc=0 c
	out=$(in_srv $LOADER load --bogus $SRV_IF 2>&1) || rc=$?
	assert_eq 2 "$rc" "unknown option"
	assert_eq "xdpmx-loader load: unrecognized option '--bogus'
Try 'xdpmx-loader load --help'." "$out" "message"
	rc=0
	out=$(in_srv $LOADER unload 2>&1) || rc=$?
	assert_eq 2 "$rc" "unload without interfaces"
	assert_match "missing argument IFACE \\(or --all\\)" "$out" "message"
	rc=0
	out=$(in_srv $LOADER load --mode turbo $SRV_IF 2>&1) || rc=$?
	assert_eq 2 "$rc" "bad mode"
	for c in load unload status; do
		in_srv $LOADER $c --help | grep -q "^Usage: xdpmx-loader \\[OPTIONS\\] $c" ||
			fail "$c --help"
	done
	echo "ok: every command has --help"
	assert_match "libbpf v.*libxdp .*ldns" "$($LOADER -V)" "-V"
	loader_link_has_xdp $SRV_IF && fail "a usage error attached something"
	true
}
ALL_TESTS+=(test_loader_usage)
