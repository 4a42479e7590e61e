// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The smallest XDP program: pass everything. Tests, the demo and the
 * benchmark attach it to the *client* end of a veth pair. A veth end
 * delivers frames its peer sent with XDP_TX only through its own NAPI, and
 * on 6.x kernels GRO alone leaves such frames waiting for the next packet;
 * an XDP program on the receiving end makes it poll at once.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}
