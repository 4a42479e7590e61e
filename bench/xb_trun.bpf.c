// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The test-run wrapper behind the benchmark's per-packet costs.
 *
 * BPF_PROG_TEST_RUN with `repeat` runs a program again and again over one
 * buffer, so from the second run on a DNS program would see its own answer.
 * xb_trun puts a query frame back before every run (length, then bytes) and
 * tail-calls the program under test in xb_progs[0]. The frames come in turn
 * from xb_frames[0 .. xb_nframes-1], so a run can spread its lookups over
 * many names instead of hitting one hot cache line. The cost of a program is
 * the wrapper's time per run with that program in the slot minus its time
 * with xb_pass (a bare XDP_PASS) there over the same frames, both measured
 * in the same process, so the restore, the tail call and the test-run loop
 * cancel out. The program under test may move the start of the frame
 * (xdpmx grows answers at the head) and change its length: the wrapper puts
 * both back, and calls bpf_xdp_adjust_head() and bpf_xdp_adjust_tail()
 * every time, with a delta of 0 when nothing moved, so it costs the same
 * whatever the program did. The head position is the data pointer of the
 * first run of each BPF_PROG_TEST_RUN call, kept as a number in xb_orig
 * (xb_cost resets it to 0 before each call; turning a packet pointer into
 * a number needs CAP_PERFMON, as loading xdpmx does).
 *
 * Passes nothing up and transmits nothing: it only ever runs under
 * BPF_PROG_TEST_RUN, from bench/xb_cost.c.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* Largest frame the wrapper restores: a query with a 255-octet name, EDNS,
 * IPv6 and two VLAN tags is 14 + 8 + 40 + 8 + 12 + 255 + 4 + 11 = 352. */
#define XB_FRAME_MAX 512
/* Frames a run cycles through. */
#define XB_FRAMES_MAX 4096

/* The frame to restore before each run; written by bench/xb_cost.c. */
struct xb_frame {
	__u32 len;
	__u32 pad;
	__u8 data[XB_FRAME_MAX];
};

/* index -> a frame to restore: written by xb_cost before each measurement. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XB_FRAMES_MAX);
	__type(key, __u32);
	__type(value, struct xb_frame);
} xb_frames SEC(".maps");

/* How many of xb_frames a run cycles through (set by xb_cost), and the next
 * one. Test runs execute on one CPU, so a plain global is enough. */
__u32 xb_nframes = 1;
__u32 xb_next;
/* The frame's start in the first run of this test-run call (0: not yet),
 * and a scratch slot through which the pointer becomes a number. */
__u64 xb_orig;
__u64 xb_tmp;

/* [0] -> the program under test: written by xb_cost. */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} xb_progs SEC(".maps");

SEC("xdp")
int xb_trun(struct xdp_md *ctx)
{
	__u32 key = xb_next;
	struct xb_frame *f;
	__u32 len, cur;
	__u64 d;

	*(volatile __u64 *)&xb_tmp = (__u64)(long)ctx->data;
	d = *(volatile __u64 *)&xb_tmp;
	if (!xb_orig)
		xb_orig = d;
	if (bpf_xdp_adjust_head(ctx, (int)(long)(xb_orig - d)))
		return XDP_ABORTED;
	xb_next = key + 1 >= xb_nframes ? 0 : key + 1;
	f = bpf_map_lookup_elem(&xb_frames, &key);
	if (!f)
		return XDP_ABORTED;
	len = f->len;
	if (len < 14 || len > XB_FRAME_MAX)
		return XDP_ABORTED;
	/* As numbers (the verifier refuses arithmetic on the end pointer);
	 * the frame starts at xb_orig again. */
	*(volatile __u64 *)&xb_tmp = (__u64)(long)ctx->data_end;
	cur = (__u32)(*(volatile __u64 *)&xb_tmp - xb_orig);
	if (bpf_xdp_adjust_tail(ctx, (int)len - (int)cur))
		return XDP_ABORTED;
	if (bpf_xdp_store_bytes(ctx, 0, f->data, len))
		return XDP_ABORTED;
	bpf_tail_call(ctx, &xb_progs, 0);
	/* Reached only when the slot is empty. */
	return XDP_ABORTED;
}

/* The baseline in xb_progs[0]: no work at all. */
SEC("xdp")
int xb_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
