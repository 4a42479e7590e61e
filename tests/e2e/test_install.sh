# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# `make install` (issue 5): the layout it installs, and that the installed
# binaries run from it. The install goes to the default PREFIX, /usr/local,
# but onto a tmpfs mounted over /usr/local in this run's private mount
# namespace (run.sh), with /etc and the systemd unit directory redirected
# to the test's temporary directory: nothing reaches the real filesystem.

# Install into a tmpfs over /usr/local; SYSCONFDIR and UNITDIR under $E2E_TMP.
inst_make_install() {
	mount -t tmpfs tmpfs /usr/local
	on_teardown "umount /usr/local"
	make -s -C "$REPO" OUT="$BIN" SYSCONFDIR="$E2E_TMP/etc" UNITDIR="$E2E_TMP/unit" install \
		>"$E2E_TMP/install.log" 2>&1 || { cat "$E2E_TMP/install.log"; fail "make install"; }
}

# - make install puts the three binaries, the BPF object, the man pages,
#   the example zones and config, the config under SYSCONFDIR and a systemd
#   unit (paths substituted) where the README says;
# - the man pages are roff that man(1) can render (.TH header, NAME).
test_install_layout() {
	local f
	inst_make_install
	for f in sbin/xdpmxd sbin/xdpmx-loader sbin/xdpmxctl; do
		[ -x /usr/local/$f ] || fail "/usr/local/$f missing or not executable"
	done
	[ -s /usr/local/lib/xdpmx/xdpmx.bpf.o ] || fail "BPF object not installed"
	cmp /usr/local/lib/xdpmx/xdpmx.bpf.o "$BIN/bpf/xdpmx.bpf.o" || fail "installed object differs"
	for f in xdpmxd xdpmx-loader xdpmxctl; do
		grep -q '^\.TH' /usr/local/share/man/man8/$f.8 || fail "man page $f.8 missing"
		grep -qi "$f" /usr/local/share/man/man8/$f.8
	done
	[ ! -e /usr/local/share/man/man8/common_options.8 ] || fail "an include installed as a page"
	for f in mydomain.com.zone 2.168.192.in-addr.arpa.zone xdpmxd.conf; do
		[ -s /usr/local/share/xdpmx/examples/$f ] || fail "example $f missing"
	done
	[ -s "$E2E_TMP/etc/xdpmx/xdpmxd.conf" ] || fail "config not installed"
	assert_match "^ExecStart=/usr/local/sbin/xdpmxd " \
		"$(grep ^ExecStart= "$E2E_TMP/unit/xdpmxd.service")" "unit ExecStart"
	! grep -q '@[A-Z]*@' "$E2E_TMP/unit/xdpmxd.service" || fail "unsubstituted @VAR@ in the unit"
	echo "ok: layout"
}
ALL_TESTS+=(test_install_layout)

# - the installed loader, run from /usr/local/sbin without --obj, loads the
#   installed object (/usr/local/lib/xdpmx/xdpmx.bpf.o);
# - a binary of the build tree does not pick that object up: it loads the
#   copy built into it;
# - the installed daemon, loader and ctl answer a real query from the fast
#   path with the installed example zones.
test_install_runs() {
	local out
	inst_make_install
	out=$(env -u XDPMX_BPF_OBJ nsenter --net=/run/netns/$SRV_NS -- \
		/usr/local/sbin/xdpmx-loader -v load --mode auto $SRV_IF 2>&1)
	echo "$out"
	assert_match "Loading the BPF object /usr/local/lib/xdpmx/xdpmx.bpf.o" "$out" "installed object"
	env -u XDPMX_BPF_OBJ nsenter --net=/run/netns/$SRV_NS -- \
		/usr/local/sbin/xdpmx-loader unload --all --purge
	out=$(env -u XDPMX_BPF_OBJ nsenter --net=/run/netns/$SRV_NS -- \
		"$BIN/xdpmx-loader" -v load --mode auto $SRV_IF 2>&1)
	assert_match "Loading the BPF object built into this binary" "$out" "build tree binary"
	env -u XDPMX_BPF_OBJ nsenter --net=/run/netns/$SRV_NS -- \
		"$BIN/xdpmx-loader" unload --all --purge

	env -u XDPMX_BPF_OBJ nsenter --net=/run/netns/$SRV_NS -- /usr/local/sbin/xdpmxd \
		--interface $SRV_IF --listen $SRV4 --control $CONTROL \
		--zone /usr/local/share/xdpmx/examples/mydomain.com.zone \
		>"$E2E_TMP/xdpmxd.log" 2>&1 &
	track $!
	wait_for 20 /usr/local/sbin/xdpmxctl --control $CONTROL status ||
		{ cat "$E2E_TMP/xdpmxd.log"; fail "installed xdpmxd did not start"; }
	wait_for 5 dig_srv +short mydomain.com MX
	out=$(dig_srv +short mydomain.com MX | sort)
	assert_eq "10 mail1.mydomain.com. 10 mail2.mydomain.com. 10 mail3.mydomain.com." \
		"$(echo $out)" "MX answer"
	out=$(/usr/local/sbin/xdpmxctl --control $CONTROL stats show)
	assert_match "^fastpath\.hit\.mx=[1-9]" "$(echo "$out" | grep '^fastpath\.hit\.mx=')" "MX hits"
}
ALL_TESTS+=(test_install_runs)
