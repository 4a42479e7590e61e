/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The fast path's one exit: every packet ends by counting exactly one
 * counter (include/xdpmx/counters.h) and returning the XDP action that
 * counter stands for, so the counters and the actions cannot disagree.
 *
 * The stages of the program hand it their final verdict (a counter id;
 * XDPMX_GO, "carry on", bpf/parse.h, never reaches it).
 *
 * BPF only. Defines the iface_slot rodata constant, so exactly one BPF unit
 * (bpf/xdpmx.bpf.c) includes it, after bpf/maps.h.
 */
#ifndef XDPMX_BPF_STATS_H
#define XDPMX_BPF_STATS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include <xdpmx/abi.h>
#include <xdpmx/counters.h>

#include "maps.h"

/* The interface slot of this program instance (0 .. XDPMX_IFACE_MAX - 1),
 * set by the loader through the skeleton's rodata before load. Counters are
 * indexed iface_slot * XDPMX_CNT__MAX + counter; since the verifier sees the
 * constant, the per-interface split costs nothing per packet. */
const volatile __u32 iface_slot = 0;

/* The action a counter stands for: hits (the per-qtype ones and HIT_TC) go
 * out with XDP_TX, responses sent to our port are dropped, impossible states
 * abort, everything else goes up unchanged. */
static __always_inline int action_of(__u32 cnt)
{
	if (cnt <= XDPMX_CNT_HIT_TC)
		return XDP_TX;
	if (cnt == XDPMX_CNT_DROP_RESPONSE)
		return XDP_DROP;
	if (cnt == XDPMX_CNT_ABORTED)
		return XDP_ABORTED;
	return XDP_PASS;
}

/* Count the packet under cnt (an enum xdpmx_counter) in this CPU's copy and
 * return the XDP action for it. A slot outside the map (a loader bug) loses
 * the count, not the packet. */
static __always_inline int count_exit(__u32 cnt)
{
	__u32 key = iface_slot * XDPMX_CNT__MAX + cnt;
	__u64 *v;

	v = bpf_map_lookup_elem(&XDPMX_MAP_STATS, &key);
	if (v)
		*v += 1; /* per-CPU value: no other CPU writes it, no atomics */
	return action_of(cnt);
}

#endif /* XDPMX_BPF_STATS_H */
