# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# xdpmx top-level build. Everything is built out of tree into $(OUT).
# `make help` lists the targets.

OUT ?= build
CLANG ?= clang
BPFTOOL ?= bpftool
CC ?= gcc
PKG_CONFIG ?= pkg-config
PREFIX ?= /usr/local
DESTDIR ?=
SBINDIR ?= $(PREFIX)/sbin
LIBDIR ?= $(PREFIX)/lib
DATADIR ?= $(PREFIX)/share
MANDIR ?= $(DATADIR)/man
SYSCONFDIR ?= /etc
UNITDIR ?= /lib/systemd/system
# Where the loader looks for the BPF object when it is not next to it.
BPF_OBJ_DIR ?= $(LIBDIR)/xdpmx

ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/' \
	-e 's/ppc64le/powerpc/' -e 's/mips.*/mips/' -e 's/riscv64/riscv/')

ifeq ($(V),1)
	Q =
	msg =
else
	Q = @
	msg = @printf '  %-8s %s\n' "$(1)" "$(patsubst $(OUT)/%,%,$(2))";
endif

.DELETE_ON_ERROR:
.SUFFIXES:

# ---- flags ---------------------------------------------------------------

PKGS := libbpf libxdp ldns yaml-0.1 jansson
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
CRIT_CFLAGS := $(shell $(PKG_CONFIG) --cflags criterion 2>/dev/null)
CRIT_LIBS := $(shell $(PKG_CONFIG) --libs criterion 2>/dev/null)

CFLAGS ?= -O2 -g
override CFLAGS += -std=gnu11 -Wall -Wextra -Werror -Wno-missing-field-initializers \
	-Iinclude -Iuser/lib -I$(OUT) $(PKG_CFLAGS) -MMD -MP \
	-DXDPMX_BPF_OBJ_DIR='"$(BPF_OBJ_DIR)"' -DXDPMX_SBINDIR='"$(SBINDIR)"' -DXDPMX_VERSION='"$(VERSION)"'
LDLIBS += $(PKG_LIBS) -lelf -lz -lpthread
# libxdp has no run-time version call: -V of the CLIs reports its headers'.
override CFLAGS += -DXDPMX_LIBXDP_VERSION='"$(shell $(PKG_CONFIG) --modversion libxdp 2>/dev/null)"'

VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

# clang's default system include dirs, so <asm/types.h> etc. resolve for
# -target bpf without -I/usr/include/x86_64-linux-gnu tricks.
CLANG_BPF_SYS_INCLUDES := $(shell $(CLANG) -v -E - </dev/null 2>&1 \
	| sed -n '/<...> search starts here:/,/End of search list./{ s| \(/.*\)|-idirafter \1|p }')

BPF_CFLAGS := -target bpf -O2 -g -Wall -Werror -Wno-compare-distinct-pointer-types \
	-mcpu=v3 -D__TARGET_ARCH_$(ARCH) -Iinclude -Ibpf $(CLANG_BPF_SYS_INCLUDES) -MMD -MP

# ---- sources -------------------------------------------------------------

BPF_SRCS := $(wildcard bpf/*.bpf.c)
BPF_OBJS := $(patsubst bpf/%.bpf.c,$(OUT)/bpf/%.bpf.o,$(BPF_SRCS))
SKELS := $(patsubst bpf/%.bpf.c,$(OUT)/%.skel.h,$(BPF_SRCS))

# Test-only BPF objects (no skeleton): e.g. the XDP_PASS program tests and
# the demo put on the client end of a veth pair.
TEST_BPF_SRCS := $(wildcard tests/bpf/*.bpf.c)
TEST_BPF_OBJS := $(patsubst tests/bpf/%.bpf.c,$(OUT)/tests/bpf/%.bpf.o,$(TEST_BPF_SRCS))

BENCH_BPF_SRCS := $(wildcard bench/*.bpf.c)
BENCH_BPF_OBJS := $(patsubst bench/%.bpf.c,$(OUT)/bench/%.bpf.o,$(BENCH_BPF_SRCS))
# Named in an explicit rule (bench:) so make treats them as files that ought
# to exist: otherwise, in a fresh build tree, it skips the bench/%.o rule
# (its skeleton prerequisites neither exist nor are mentioned) and compiles
# bench/*.c with the generic rule, without -I$(OUT)/bench.
BENCH_SKELS := $(patsubst $(OUT)/bench/%.bpf.o,$(OUT)/bench/%.skel.h,$(BENCH_BPF_OBJS))

LIB_SRCS := $(wildcard user/lib/*.c)
LIB_OBJS := $(patsubst %.c,$(OUT)/%.o,$(LIB_SRCS))
LIB := $(OUT)/libxdpmx.a

# One binary per directory under user/ (besides lib/), built from all its .c.
BIN_DIRS := loader daemon ctl
BIN_NAME_loader := xdpmx-loader
BIN_NAME_daemon := xdpmxd
BIN_NAME_ctl := xdpmxctl
BINS := $(foreach d,$(BIN_DIRS),$(if $(wildcard user/$(d)/*.c),$(OUT)/$(BIN_NAME_$(d))))

# Unit tests: one criterion binary per tests/unit/test_*.c.
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(OUT)/tests/unit/%,$(UNIT_SRCS))

# Program tests: one criterion binary from every tests/prog/*.c.
PROG_SRCS := $(wildcard tests/prog/*.c)
PROG_OBJS := $(patsubst %.c,$(OUT)/%.o,$(PROG_SRCS))
PROG_BIN := $(if $(PROG_SRCS),$(OUT)/tests/prog/test_prog)

# Helpers the benchmark builds (bench/*.c, each its own binary).
BENCH_SRCS := $(filter-out %.bpf.c,$(wildcard bench/*.c))
BENCH_BINS := $(patsubst bench/%.c,$(OUT)/bench/%,$(BENCH_SRCS))

# common_options.rst is an include of the CLI pages, not a page of its own.
MAN_SRCS := $(filter-out docs/man/common_options.rst,$(wildcard docs/man/*.rst))
MANS := $(patsubst docs/man/%.rst,$(OUT)/man/%,$(MAN_SRCS))

# ---- targets -------------------------------------------------------------

.PHONY: all check test bench demo install clean help man format format-check \
	compile_commands.json

all: $(BPF_OBJS) $(SKELS) $(LIB) $(BINS) $(TEST_BPF_OBJS)

help:
	@echo 'Targets:'
	@echo '  all           build the BPF object, its skeleton, libxdpmx and the binaries (default)'
	@echo '  check         unit tests and program tests (program tests skip without privileges)'
	@echo '  test          check, then the end-to-end tests in network namespaces (root)'
	@echo '  demo          run the whitepaper example end to end in network namespaces (root)'
	@echo '  bench         the benchmark; writes results under $(OUT)/bench (root, ~15 min)'
	@echo '  install       install binaries, BPF object, man pages, example config, systemd unit'
	@echo '  man           build the man pages (needs rst2man from python3-docutils)'
	@echo '  format-check  check formatting against .clang-format'
	@echo '  clean         remove $(OUT)'
	@echo 'Variables: V=1 (show commands), OUT, CLANG, BPFTOOL, PREFIX, DESTDIR'

$(OUT)/bpf/%.bpf.o: bpf/%.bpf.c | $(OUT)/bpf
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUT)/tests/bpf/%.bpf.o: tests/bpf/%.bpf.c
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUT)/bench/%.bpf.o: bench/%.bpf.c | $(OUT)/bench
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUT)/%.skel.h: $(OUT)/bpf/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $* > $@

$(OUT)/bench/%.skel.h: $(OUT)/bench/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $* > $@

# Userspace objects may include any skeleton.
$(OUT)/%.o: %.c $(SKELS) | $(OUT)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(CRIT_CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

define bin_rule
$(OUT)/$(BIN_NAME_$(1)): $(patsubst %.c,$(OUT)/%.o,$(wildcard user/$(1)/*.c)) $(LIB)
	$$(call msg,LD,$$@)
	$$(Q)$$(CC) $$(CFLAGS) $$^ -o $$@ $$(LDLIBS)
endef
$(foreach d,$(BIN_DIRS),$(eval $(call bin_rule,$(d))))

$(OUT)/tests/unit/%: $(OUT)/tests/unit/%.o $(LIB)
	$(call msg,LD,$@)
	$(Q)$(CC) $(CFLAGS) $^ -o $@ $(LDLIBS) $(CRIT_LIBS)

$(PROG_BIN): $(PROG_OBJS) $(LIB) $(BPF_OBJS)
	$(call msg,LD,$@)
	$(Q)$(CC) $(CFLAGS) $(PROG_OBJS) $(LIB) -o $@ $(LDLIBS) $(CRIT_LIBS)

$(OUT)/bench/%: $(OUT)/bench/%.o $(LIB) $(BENCH_BPF_OBJS) $(BENCH_SKELS)
	$(call msg,LD,$@)
	$(Q)$(CC) $(CFLAGS) $(OUT)/bench/$*.o $(LIB) -o $@ $(LDLIBS)

$(OUT)/bench/%.o: bench/%.c $(SKELS) $(BENCH_SKELS) | $(OUT)/bench
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -I$(OUT)/bench -c $< -o $@

$(OUT) $(OUT)/bpf $(OUT)/bench $(OUT)/man:
	$(Q)mkdir -p $@

# Program tests load the real object; they find it through this variable.
TEST_ENV := XDPMX_BPF_OBJ=$(abspath $(OUT)/bpf/xdpmx.bpf.o) XDPMX_BUILD=$(abspath $(OUT))

check: all $(UNIT_BINS) $(PROG_BIN)
	$(Q)set -e; for t in $(UNIT_BINS) $(PROG_BIN); do \
		echo "  TEST     $${t#$(OUT)/}"; \
		$(TEST_ENV) $$t --short-filename $(CRITERION_FLAGS); \
	done

test: check
	$(Q)$(TEST_ENV) bash tests/e2e/run.sh

demo: all
	$(Q)$(TEST_ENV) bash examples/demo.sh

bench: all $(BENCH_BPF_OBJS) $(BENCH_SKELS) $(BENCH_BINS)
	$(Q)$(TEST_ENV) bash bench/run.sh

man: $(MANS)

$(OUT)/man/%: docs/man/%.rst docs/man/common_options.rst | $(OUT)/man
	$(call msg,MAN,$@)
	$(Q)rst2man $< > $@

install: all man
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BPF_OBJ_DIR) \
		$(DESTDIR)$(SYSCONFDIR)/xdpmx $(DESTDIR)$(UNITDIR) $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(DATADIR)/xdpmx/examples
	install -m 0755 $(BINS) $(DESTDIR)$(SBINDIR)/
	install -m 0644 $(OUT)/bpf/xdpmx.bpf.o $(DESTDIR)$(BPF_OBJ_DIR)/
	install -m 0644 $(MANS) $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 examples/*.zone examples/*.conf $(DESTDIR)$(DATADIR)/xdpmx/examples/
	test -e $(DESTDIR)$(SYSCONFDIR)/xdpmx/xdpmxd.conf || \
		install -m 0644 examples/xdpmxd.conf $(DESTDIR)$(SYSCONFDIR)/xdpmx/xdpmxd.conf
	sed 's|@SBINDIR@|$(SBINDIR)|g; s|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
		dist/xdpmxd.service.in > $(DESTDIR)$(UNITDIR)/xdpmxd.service

format-check:
	$(Q)clang-format --dry-run --Werror $$(git ls-files '*.c' '*.h')

format:
	$(Q)clang-format -i $$(git ls-files '*.c' '*.h')

compile_commands.json:
	$(Q)bear -- $(MAKE) -B all

clean:
	$(call msg,CLEAN,$(OUT))
	$(Q)rm -rf $(OUT)

-include $(shell find $(OUT) -name '*.d' 2>/dev/null)
