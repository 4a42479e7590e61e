#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# The newcomer's entry point, and what CI runs. On a fresh Debian 12 machine,
# as root, from a fresh clone:
#
#   bash scripts/bootstrap.sh demo   install what is missing, build, and run
#                                    the whitepaper example end to end
#   bash scripts/bootstrap.sh test   install what is missing, build, and run
#                                    the whole test suite (make test)
#   bash scripts/bootstrap.sh deps   only install what is missing
#
# Every dependency comes from Debian packages; only packages not yet
# installed are asked for, so a second run costs nothing.
set -euo pipefail

cd "$(dirname "$0")/.."

# Build: compilers, BPF toolchain, libraries (libbpf/libxdp load and attach
# the program, ldns parses zone files, libyaml reads the config, jansson
# speaks the control protocol, criterion runs the unit tests).
BUILD_PKGS=(make gcc clang llvm pkg-config libc6-dev linux-libc-dev libelf-dev zlib1g-dev
	libbpf-dev libxdp-dev bpftool libldns-dev libyaml-dev libjansson-dev libcriterion-dev
	python3-docutils clang-format)
# Run and test: namespaces and veth (iproute2, util-linux), offload
# switches (ethtool), DNS clients (dig, kdig, ldns-read-zone), packet
# crafting for odd queries (python3-dnspython), capability dropping (libcap2-bin).
RUN_PKGS=(iproute2 util-linux ethtool dnsutils knot-dnsutils ldnsutils python3
	python3-dnspython libcap2-bin procps psmisc)

die() { echo "bootstrap: $*" >&2; exit 1; }

install_deps() {
	local missing=() p
	[ "$(id -u)" -eq 0 ] || die "run as root: it installs packages, loads BPF programs and creates network namespaces"
	[ -r /etc/debian_version ] || die "this script knows Debian (12, bookworm) only; install the packages listed in README.md by hand"
	for p in "${BUILD_PKGS[@]}" "${RUN_PKGS[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
	done
	if [ ${#missing[@]} -eq 0 ]; then
		echo "bootstrap: every dependency is installed"
		return
	fi
	echo "bootstrap: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

case "${1:-}" in
deps)
	install_deps
	;;
demo)
	install_deps
	make -j"$(nproc)"
	make demo
	;;
test)
	install_deps
	make -j"$(nproc)"
	make test
	;;
*)
	sed -n '4,14p' "$0" | sed 's/^# \{0,1\}//'
	exit 2
	;;
esac
