#!/usr/bin/env python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""The tables of BENCHMARKS.md, from a results directory of bench/run.sh.

Reads env.json, cost-flat.json, cost-dom.json and tput.jsonl; writes
Markdown on stdout: the headline, then per-packet cost, throughput, the
loss curves, scale, load and swap times, memory, correctness under load,
and every target of issue 6 with the measured value and by how much it is
met or missed. Every figure is a median over rounds; every ratio is taken
within one round (or one test-run measurement) and then the median taken.

Usage: xb_report.py RESULTS_DIR
"""
import json
import os
import statistics
import sys


def med(v):
    v = [x for x in v if x is not None]
    return statistics.median(v) if v else None


def fmt(x, nd=0, unit=""):
    if x is None:
        return "n/a"
    if nd == 0:
        return "{:,.0f}{}".format(x, unit)
    return "{:,.{}f}{}".format(x, nd, unit)


def pct(x):
    """A shortfall in percent: one decimal below 10 %, so 0.898 is not 'by 0 %'."""
    return "{:.1f}".format(x) if abs(x) < 10 else "{:.0f}".format(x)


def kq(x):
    if x == 0:
        return "none"  # every rate probed lost 1 % or more
    return "n/a" if x is None else "{:,.0f}k".format(x / 1000)


def rng(v, nd=0):
    v = [x for x in v if x is not None]
    if not v:
        return ""
    return "{}–{}".format(fmt(min(v), nd), fmt(max(v), nd))


def load(d):
    r = {"env": {}, "flat": None, "dom": None, "mem": None, "tput": []}
    for k, f in (("env", "env.json"), ("flat", "cost-flat.json"), ("dom", "cost-dom.json"),
                 ("mem", "cost-mem.json")):
        p = os.path.join(d, f)
        if os.path.exists(p):
            with open(p) as fh:
                r[k] = json.load(fh)
    p = os.path.join(d, "tput.jsonl")
    if os.path.exists(p):
        with open(p) as fh:
            r["tput"] = [json.loads(l) for l in fh if l.strip()]
    return r


class Tput:
    """Searches, probes and counters of tput.jsonl, by label and round."""

    def __init__(self, recs):
        self.search = {}  # label -> round -> summary
        self.probes = {}  # label -> [probe]
        self.block = {}   # label -> block
        self.counters = {}  # label -> [stats]
        self.starts = []
        self.skipped = []
        for r in recs:
            k = r["kind"]
            if k == "search":
                self.search.setdefault(r["label"], {})[r["round"]] = r
                self.block[r["label"]] = r["block"]
            elif k == "probe":
                self.probes.setdefault(r["label"], []).append(r)
            elif k == "xdpmx-stats" and r.get("stats"):
                if r.get("via") == "xb_cost":
                    # No daemon to reset them: cumulative, keep the last.
                    self.counters[r["label"]] = [r["stats"]]
                else:
                    self.counters.setdefault(r["label"], []).append(r["stats"])
            elif k == "start":
                self.starts.append(r)
            elif k == "skipped":
                self.skipped.append(r)

    def refl(self, label):
        return "reflector@" + self.block.get(label, "")

    def caps(self, label):
        return {rd: s.get("capacity_pps") for rd, s in self.search.get(label, {}).items()}

    def cpu(self, label):
        return {rd: s.get("cpu_ns_per_answer") for rd, s in self.search.get(label, {}).items()}

    def ratio(self, label, what="caps"):
        """Per round: label's figure / the reflector's in the same block and round."""
        f = getattr(self, what)
        a, b = f(label), f(self.refl(label))
        return [a[rd] / b[rd] for rd in a if rd in b and a[rd] and b[rd]]

    def cross(self, la, lb):
        """Per round: la's capacity / lb's (different blocks, same round number)."""
        a, b = self.caps(la), self.caps(lb)
        return [a[rd] / b[rd] for rd in a if rd in b and a[rd] and b[rd]]

    def foreign(self, label, cpu="0"):
        """Median share of the server core that neither the server nor its
        NAPI kthread used during the label's probes: load from elsewhere."""
        v = []
        for p in self.probes.get(label, []):
            b = (p.get("cpu_busy") or {}).get(cpu)
            if b is not None and p.get("step_s"):
                v.append(max(0.0, b - p["cpu_ns"] / 1e9 / max(p.get("wall_s", 0) or 0,
                                                                p["step_s"])))
        m = med(v)
        return "n/a" if m is None else "{:.0f} %".format(100 * m)

    def progstat(self, label):
        return [p["progstat"]["ns_per_run"] for p in self.probes.get(label, [])
                if p.get("progstat")]

    def sample(self, label):
        t = {"checked": 0, "wrong": 0, "tc": 0, "reasons": {}, "examples": [], "lost": 0,
             "sent": 0, "rot": {}}
        for p in self.probes.get(label, []):
            s = p.get("sample") or {}
            if "checked" not in s:
                continue
            for k in ("checked", "wrong", "tc", "lost", "sent"):
                t[k] += s.get(k, 0)
            for k, v in s.get("reasons", {}).items():
                t["reasons"][k] = t["reasons"].get(k, 0) + v
            t["examples"] += s.get("examples", [])[: max(0, 3 - len(t["examples"]))]
            for q, seen in s.get("first_records", {}).items():
                d = t["rot"].setdefault(q, {})
                for rec, n in seen.items():
                    d[rec] = d.get(rec, 0) + n
        return t


def zone_set(path):
    """The zone set a zones path belongs to: the name of its directory."""
    return os.path.basename(os.path.dirname(path))


def stages(*runs):
    """The stages of each cost run given, in order (a run not made: none)."""
    for r in runs:
        yield from (r or {}).get("stages", [])


def cost_stage(c, i):
    try:
        return c["stages"][i]
    except (TypeError, IndexError, KeyError):
        return None


def main():
    if len(sys.argv) != 2:
        sys.stderr.write("Usage: xb_report.py RESULTS_DIR\n")
        return 2
    R = load(sys.argv[1])
    env, flat, dom = R["env"], R["flat"], R["dom"]
    T = Tput(R["tput"])
    out = []
    w = out.append
    targets = []  # (target, measured, verdict)

    st0 = cost_stage(flat, 0)
    cases = st0["cases"] if st0 else {}

    def case(name, key="ns_median", st=None):
        c = (st or st0 or {}).get("cases", {}).get(name)
        return c.get(key) if c else None

    # ---- Headline ------------------------------------------------------------
    hit_labels = [l for l in ("xdpmx-mx", "xdpmx-a", "xdpmx-mix") if l in T.search]
    w("## Headline\n")
    lines = []
    for l in hit_labels:
        r = med(T.ratio(l))
        lines.append("- **{}**: {} answered queries/s, {} × the bare reflector in the same "
                     "round; {} ns of server-core CPU per answer ({} × the reflector's).".format(
                         l, kq(med(T.caps(l).values())), fmt(r, 2), fmt(med(T.cpu(l).values())),
                         fmt(med(T.ratio(l, "cpu")), 2)))
    for peer in ("knot-xdp", "knot-udp", "nsd"):
        if "xdpmx-mix" in T.search and peer in T.search:
            lines.append("- xdpmx (mix) vs **{}** on the same queries: {} × ({} vs {} queries/s)."
                         .format(peer, fmt(med(T.cross("xdpmx-mix", peer)), 1),
                                 kq(med(T.caps("xdpmx-mix").values())),
                                 kq(med(T.caps(peer).values()))))
    if "xdpmx-miss" in T.search and "nsd-miss" in T.search:
        lines.append("- Slow path (misses answered by xdpmxd) vs NSD on the same queries: {} ×."
                     .format(fmt(med(T.cross("xdpmx-miss", "nsd-miss")), 2)))
    if "xdpmx-miss-noxdp" in T.search and "nsd-miss" in T.search:
        lines.append("- The same without the XDP program on the interface (xdpmxd's slow path "
                     "alone): {} × NSD.".format(fmt(med(T.cross("xdpmx-miss-noxdp", "nsd-miss")), 2)))
    if cases:
        lines.append("- Program run time (BPF_PROG_TEST_RUN, frame restored each run): MX hit "
                     "{} ns, A hit {} ns, bare reflector {} ns: {} × and {} × the reflector."
                     .format(fmt(case("mx"), 0), fmt(case("a"), 0), fmt(case("reflect"), 1),
                             fmt(case("mx", "ratio_median"), 1), fmt(case("a", "ratio_median"), 1)))
    w("\n".join(lines) + "\n")

    # ---- Per-packet cost -------------------------------------------------------
    if cases:
        m = flat.get("method", {})
        w("\n## Per-packet cost of the XDP program\n")
        w("Method: {}; {} repetitions per measurement, {} measurements per case, interleaved; "
          "the figure is the median, the ratio the median of the per-measurement ratios to "
          "the reflector measured in the same pass. Zones: the whitepaper zones plus 10 names "
          "(stage 1 of cost-flat.json).\n".format(m.get("name", "?"), fmt(m.get("repeat")),
                                                  m.get("runs", "?")))
        w("| case | what | ns per packet | range | × reflector | answer bytes |")
        w("|---|---|---:|---|---:|---:|")
        for k, c in cases.items():
            w("| {} | {} | {} | {} | {} | {} |".format(
                k, c["what"], fmt(c["ns_median"], 1), rng(c["ns"], 1),
                fmt(c["ratio_median"], 2), c["answer_bytes"] if c["answer_bytes"] else "passed"))
        base = [c["baseline_median"] for c in cases.values()]
        w("\nThe wrapper with a bare XDP_PASS (subtracted above) costs {} ns per run: the "
          "test-run loop, restoring the frame, the tail call.\n".format(rng(base, 1)))
        p = flat.get("prog", {})
        if p:
            w("Program size: {} bytes xlated ({} instructions), {} bytes JITed; the verifier "
              "processed {} instructions.\n".format(fmt(p.get("xlated_bytes")),
                                                   fmt(p.get("xlated_bytes", 0) / 8),
                                                   fmt(p.get("jited_bytes")),
                                                   fmt(p.get("verified_insns"))))
        # Under real traffic.
        rows = []
        for l in ["reflector@base-xdpmx"] + hit_labels + ["xdpmx-miss", "knot-xdp"] + \
                sorted(x for x in T.probes if x.startswith("xdpmx-") and x not in hit_labels
                       and x != "xdpmx-miss") + ["knot-xdp-dom"]:
            v = T.progstat(l)
            if v:
                cnt = sum(p["progstat"]["run_cnt"] for p in T.probes[l] if p.get("progstat"))
                rows.append("| {} | {} | {} | {} |".format(
                    l, next((p["progstat"]["name"] for p in T.probes[l] if p.get("progstat")), ""),
                    fmt(med(v), 0), fmt(cnt)))
        if rows:
            w("Under real traffic, as corroboration: `kernel.bpf_stats_enabled` (through "
              "BPF_ENABLE_STATS) during one probe per target in the first round, at half its "
              "capacity: run_time_ns / run_cnt of the attached program. It includes the "
              "statistics' own two clock reads per run, and the program shares its caches "
              "with the rest of the receive path, so it is higher than the test-run figure; "
              "compare rows with each other.\n")
            w("| server / mix | program | ns per packet | packets |")
            w("|---|---|---:|---:|")
            w("\n".join(rows) + "\n")

    # ---- Throughput ------------------------------------------------------------
    order = ["xdpmx-mx", "xdpmx-a", "xdpmx-mix", "xdpmx-miss", "xdpmx-miss-noxdp", "knot-xdp",
             "knot-udp", "nsd", "nsd-miss"]
    present = [l for l in order if l in T.search]
    if present:
        w("\n## Throughput (veth testbed, kxdpgun)\n")
        w("Capacity: answered queries per second at the highest offered rate with under 1 % "
          "loss (median over rounds); × reflector: the ratio to the bare reflector measured "
          "in the same round just before (median of the per-round ratios); CPU: server-core "
          "time (server threads + server-end NAPI kthread) per answer at that rate; other "
          "load: the median share of the server core busy with neither, over the probes "
          "(the sampler, other tenants of the machine). "
          "'gen' marks a server that kept up with everything the generator sent; 'none': "
          "every rate probed lost 1 % or more (see the loss curves).\n")
        w("| server | queries | capacity | per round | × reflector | CPU ns/answer | "
          "CPU × reflector | reflector (same rounds) | other load, server core |")
        w("|---|---|---:|---|---:|---:|---:|---:|---:|")
        for l in present:
            caps = T.caps(l)
            gb = any(s.get("generator_bound") for s in T.search[l].values())
            q = {"xdpmx-mx": "MX, EDNS", "xdpmx-a": "A", "xdpmx-miss": "misses",
                 "xdpmx-miss-noxdp": "misses, no XDP program", "nsd-miss": "misses"}.get(l, "mix")
            w("| {} | {} | {}{} | {} | {} | {} | {} | {} | {} |".format(
                l, q, kq(med(caps.values())), " (gen)" if gb else "",
                " / ".join(kq(caps[k]) for k in sorted(caps)), fmt(med(T.ratio(l)), 2),
                fmt(med(T.cpu(l).values())), fmt(med(T.ratio(l, "cpu")), 2),
                kq(med(T.caps(T.refl(l)).values())), T.foreign(l)))
        w("\nQuery mixes: MX = `mydomain.com MX` with EDNS (3 MX + 3 A additional); A = "
          "`mail.mydomain.com A` (3 A, no EDNS); mix = MX (EDNS), A, AAAA (EDNS), PTR in turn; "
          "misses = TXT and SOA at the apex and two unknown names (NXDOMAIN), none of which "
          "the fast path answers; misses, no XDP program = the same with xdpmxd started "
          "without an interface, nothing attached to the server's veth (as for NSD).\n")

    # ---- Loss curves ---------------------------------------------------------------
    if T.probes:
        w("\n## Loss curves\n")
        w("Every probe, all rounds, by offered rate: offered → answered (loss). Probes with "
          "BPF statistics on are marked *.\n")
        for l in sorted(T.probes, key=lambda x: (x.startswith("reflector"), x)):
            ps = sorted(T.probes[l], key=lambda p: p["offered"])
            pts = ["{}→{} ({:.1f} %){}".format(kq(p["offered"]), kq(p["answered_pps"]),
                                                100 * p["loss"], "*" if p.get("bpf_stats") else "")
                   for p in ps]
            w("- **{}**: {}".format(l, ", ".join(pts)))
        w("")

    # ---- Where the losses were -------------------------------------------------------
    if T.probes:
        rows = []
        for l in sorted(T.probes, key=lambda x: (x.startswith("reflector"), x)):
            lost = ring = srv = sock = 0
            n = 0
            for p in T.probes[l]:
                if p["loss"] < 0.01 or not p["sent"]:
                    continue
                n += 1
                lost += p["sent"] - p["answered"]
                for dev, d in (p.get("links") or {}).items():
                    if dev.startswith("xbc"):
                        ring += d.get("tx_dropped", 0)
                    elif dev.startswith("xbs"):
                        # rx_dropped (an XDP drop, a redirect to a full
                        # AF_XDP ring; veth's rx_queue_0_drops repeats it),
                        # tx_dropped, and XDP_TX frames the peer refused.
                        srv += sum(d.get(k, 0) for k in ("rx_dropped", "tx_dropped",
                                                          "rx_queue_0_xdp_tx_errors"))
                    elif dev == "srv_udp":
                        sock += d.get("udp_RcvbufErrors", 0)
            if n and lost > 0:
                other = max(0, lost - ring - srv - sock)
                rows.append("| {} | {} | {} | {} % | {} % | {} % | {} % |".format(
                    l, n, fmt(lost), fmt(100 * ring / lost), fmt(100 * sock / lost),
                    fmt(100 * srv / lost), fmt(100 * other / lost)))
        if rows:
            w("\n## Where the losses were\n")
            w("Over the probes that lost 1 % or more: the share of lost queries dropped "
              "because the server end's veth ring (256 frames, fixed in the driver) was full "
              "(the client end's tx_dropped), because a socket server did not read its socket "
              "in time (UDP RcvbufErrors in the server namespace), at the server end (XDP "
              "drops, a redirect to a full AF_XDP ring, transmit errors), and anywhere else "
              "(the generator's own receive path, answers after the run).\n")
            w("| target | probes | queries lost | full veth ring | socket buffer | server end | "
              "elsewhere |")
            w("|---|---:|---:|---:|---:|---:|---:|")
            w("\n".join(rows) + "\n")

    # ---- Scale ---------------------------------------------------------------------
    w("\n## Scale: names loaded\n")
    if flat:
        w("Per-packet cost, one process, zone sets swapped in one after another "
          "(cost-flat.json): `a` = one name (hot cache), `set` = A hits spread over up to "
          "4096 of the loaded names (the wrapper cycles through them).\n")
        w("| stage | RRsets loaded | a: ns | set: ns | set × its value at 10 names | "
          "reflector ns |")
        w("|---|---:|---:|---:|---:|---:|")
        s10 = case("set")
        for st in stages(flat):
            c = st.get("cases", {})
            sset = c.get("set", {}).get("ns_median")
            w("| {} | {} | {} | {} | {} | {} |".format(
                zone_set(st["zones"]), fmt(st["mem"]["rrsets"]),
                fmt(c.get("a", {}).get("ns_median"), 1), fmt(sset, 1),
                fmt(sset / s10, 2) if sset and s10 else "n/a",
                fmt(c.get("reflect", {}).get("ns_median"), 1)))
    sl = [l for l in T.search if l.startswith("xdpmx-") and l not in order]
    if sl:
        w("\nThroughput with the zone set loaded in xdpmxd (each its own block; "
          "the reflector measured in the same rounds):\n")
        w("| server | capacity | × reflector | CPU ns/answer | CPU × reflector | "
          "bpf_stats ns/packet |")
        w("|---|---:|---:|---:|---:|---:|")
        for l in sorted(sl) + [x for x in ("knot-xdp-dom", "nsd-dom") if x in T.search]:
            w("| {} | {} | {} | {} | {} | {} |".format(
                l, kq(med(T.caps(l).values())), fmt(med(T.ratio(l)), 2),
                fmt(med(T.cpu(l).values())), fmt(med(T.ratio(l, "cpu")), 2),
                fmt(med(T.progstat(l)))))

    # ---- Load and swap -------------------------------------------------------------
    w("\n## Loading and swapping zones\n")
    w("Through the daemon's own path (xdpmx_zone_load, xdpmx_compile_zone, "
      "xdpmx_fp_zone_apply in deferred mode, one xdpmx_fp_flush at the end), one CPU.\n")
    w("| zone set | zones | RRsets | added / changed / unchanged | parse s | compile s | "
      "apply s | reclaim s | compile + apply + reclaim s |")
    w("|---|---:|---:|---|---:|---:|---:|---:|---:|")
    for st in stages(flat, dom):
        l = st["load"]
        w("| {} | {} | {} | {} / {} / {} | {} | {} | {} | {} | {} |".format(
            zone_set(st["zones"]), fmt(l["zones"]), fmt(l["rrsets"]), fmt(l["added"]),
            fmt(l["changed"]), fmt(l["unchanged"]), fmt(l["parse_s"], 2),
            fmt(l["compile_s"], 2), fmt(l["apply_s"], 2), fmt(l["flush_s"], 2),
            fmt(l["compile_s"] + l["apply_s"] + l["flush_s"], 2)))
    if T.starts:
        w("\nServer start until the last zone answers, and then until the server is idle "
          "(under 5 % of a core; probes start only then), in seconds: " + ", ".join(
              "{} {} {} + {}".format(s["server"], zone_set(s["zones"]),
                                     s["seconds"], s.get("idle_after", "?"))
              for s in T.starts) + ".\n")

    # ---- Memory ---------------------------------------------------------------------
    w("\n## Kernel memory\n")
    w("`memlock`: the kernel's own accounting of each map (fdinfo), summed; "
      "`kernel_bytes`: xdpmx_fp_mem()'s estimate from the map shapes. The directory and "
      "the blob arrays are preallocated at their capacity, so what counts is how they are "
      "sized.\n")
    sized = cost_stage(R["mem"], 0)
    if sized:
        m = sized["mem"]
        n = max(1, m["rrsets"])
        w("Maps sized for the {} zone set ({} RRsets, nearly all of three A records: a "
          "directory for {} RRsets, {} slots in blob128, 100 in each other class):\n".format(
              zone_set(sized["zones"]), fmt(m["rrsets"]),
              fmt(m["rrsets"] + 100), fmt(m["max_blobs"][1])))
        w("| map | capacity | value bytes | memlock | per RRset |")
        w("|---|---:|---:|---:|---:|")
        for name, v in sorted((m.get("maps") or {}).items(), key=lambda x: -x[1]["memlock"]):
            w("| {} | {} | {} | {} | {} |".format(name, fmt(v["max_entries"]),
                                                 fmt(v["value_size"]), fmt(v["memlock"]),
                                                 fmt(v["memlock"] / n, 1)))
        per = m["memlock_bytes"] / n
        w("| **all maps** | | | **{}** | **{}** |\n".format(fmt(m["memlock_bytes"]),
                                                          fmt(per, 1)))
        targets.append(("kernel memory per small RRset < 300 bytes",
                        "{} B (maps sized for {} RRsets)".format(fmt(per, 0), fmt(m["rrsets"])),
                        "met" if per < 300 else "missed by {} B".format(fmt(per - 300))))
    w("As loaded by the cost runs (capacities with room for a full swap of the "
      "1,000,000-name zone, or abi.h's defaults for the domains):\n")
    w("| zone set | RRsets | directory slots | blob64 / blob128 / blob256 slots | "
      "kernel_bytes | memlock |")
    w("|---|---:|---:|---|---:|---:|")
    for st in stages(flat, dom):
        m = st["mem"]
        w("| {} | {} | {} | {} | {} | {} |".format(
            zone_set(st["zones"]), fmt(m["rrsets"]), fmt(m["max_entries"][0]),
            " / ".join(fmt(x) for x in m["max_blobs"][:3]), fmt(m["kernel_bytes"]),
            fmt(m["memlock_bytes"])))

    # ---- Correctness -------------------------------------------------------------------
    if T.probes:
        w("\n## Correctness under load\n")
        w("During every probe, xb_sample.py sent the queries of the expect file (0x20 "
          "case, from a port kxdpgun's filter passes to the kernel) and checked each answer "
          "frame captured on the client end: IPv4 and UDP checksums recomputed, lengths, ID, "
          "the question byte for byte, flags, rcode, the answer RRset exactly (any order), "
          "EDNS iff the query had it, the additional records exactly (xdpmx; `subset` for "
          "servers that add NS glue). Reflector: checksums, QR, the question.\n")
        w("| server | answers checked | wrong | reasons | TC, no records | lost (no answer) | "
          "names seen ≥ 3 times with > 1 first record |")
        w("|---|---:|---:|---|---:|---:|---|")
        for l in sorted(T.probes, key=lambda x: (x.startswith("reflector"), x)):
            s = T.sample(l)
            if not s["checked"] and not s["sent"]:
                continue
            # Rotation: of the names answered at least 3 times, how many
            # came back with more than one record first.
            seen = [v for v in s["rot"].values() if sum(v.values()) >= 3]
            rot = "{} of {}".format(sum(1 for v in seen if len(v) > 1), len(seen)) if seen else ""
            w("| {} | {} | {} | {} | {} | {} | {} |".format(
                l, fmt(s["checked"]), fmt(s["wrong"]),
                ", ".join("{} ({})".format(k, v) for k, v in s["reasons"].items()) or "",
                fmt(s["tc"]), fmt(s["lost"]), rot))
        if T.counters:
            w("\nxdpmx's own counters over each search (xdpmxctl stats show): every "
              "counter that moved.\n")
            w("| target | fast-path counters | slow-path queries |")
            w("|---|---|---:|")
            for l, sts in T.counters.items():
                tot = {}
                slow = 0
                for s in sts:
                    for k, v in s.get("fastpath", {}).items():
                        tot[k] = tot.get(k, 0) + v
                    slow += (s.get("slowpath") or {}).get("queries", 0) or 0
                w("| {} | {} | {} |".format(l, ", ".join("{} {}".format(k, fmt(v))
                                                       for k, v in tot.items() if v), fmt(slow)))

    # ---- Targets --------------------------------------------------------------------
    def add(t, val, ok, miss):
        targets.append((t, val, "met" if ok else miss))

    for l in hit_labels:
        r = med(T.ratio(l))
        if r is not None:
            add("{}: answered q/s ≥ 0.9 × reflector".format(l), fmt(r, 3) + " ×", r >= 0.9,
                "missed by {} %".format(pct(100 * (0.9 - r) / 0.9)))
        c = med(T.ratio(l, "cpu"))
        if c is not None:
            add("{}: CPU per hit ≤ 1.2 × reflector".format(l), fmt(c, 2) + " ×", c <= 1.2,
                "missed by {} %".format(pct(100 * (c - 1.2) / 1.2)))
    for l in sorted(sl):
        r = med(T.ratio(l))
        if r is not None:
            add("{}: answered q/s ≥ 0.9 × reflector".format(l), fmt(r, 3) + " ×", r >= 0.9,
                "missed by {} %".format(pct(100 * (0.9 - r) / 0.9)))
        c = med(T.ratio(l, "cpu"))
        if c is not None:
            add("{}: CPU per hit ≤ 1.2 × reflector".format(l), fmt(c, 2) + " ×", c <= 1.2,
                "missed by {} %".format(pct(100 * (c - 1.2) / 1.2)))
    for peer, k in (("knot-xdp", 3), ("nsd", 5)):
        x = med(T.cross("xdpmx-mix", peer))
        if x is not None:
            add("xdpmx (mix) ≥ {} × {}".format(k, peer), fmt(x, 2) + " ×", x >= k,
                "missed by {} %".format(pct(100 * (k - x) / k)))
    for peer, k in (("knot-xdp-dom", 3), ("nsd-dom", 5)):
        x = med(T.cross("xdpmx-dom", peer))
        if x is not None:
            add("xdpmx (100,000 domains) ≥ {} × {}".format(k, peer), fmt(x, 2) + " ×", x >= k,
                "missed by {} %".format(pct(100 * (k - x) / k)))
    if cases:
        for c, k in (("mx", 8), ("a", 6)):
            r = case(c, "ratio_median")
            add("{} hit run time ≤ {} × reflector (test run)".format(c.upper(), k),
                "{} × ({} ns)".format(fmt(r, 1), fmt(case(c), 0)), r is not None and r <= k,
                "missed by {} % ({} ns over {} × {} ns)".format(
                    pct(100 * (r - k) / k) if r else "?",
                    fmt(case(c) - k * case("reflect"), 0) if r else "?", k,
                    fmt(case("reflect"), 1)))
    if flat and len(flat.get("stages", [])) >= 3:
        s10 = case("set")
        big = flat["stages"][2]["cases"].get("set", {}).get("ns_median")
        a10 = case("a")
        abig = flat["stages"][2]["cases"].get("a", {}).get("ns_median")
        if s10 and big:
            add("cost at {} names within 10 % of 10 names (spread)".format(
                fmt(flat["stages"][2]["mem"]["rrsets"])), "{} × ({} vs {} ns)".format(
                fmt(big / s10, 2), fmt(big, 0), fmt(s10, 0)), big <= 1.1 * s10,
                "missed by {} %".format(pct(100 * (big / s10 - 1.1))))
        if a10 and abig:
            add("cost at {} names within 10 % of 10 names (one hot name)".format(
                fmt(flat["stages"][2]["mem"]["rrsets"])), "{} ×".format(fmt(abig / a10, 2)),
                abig <= 1.1 * a10, "missed by {} %".format(pct(100 * (abig / a10 - 1.1))))
    if flat and len(flat.get("stages", [])) >= 4:
        l = flat["stages"][3]["load"]
        t = l["compile_s"] + l["apply_s"] + l["flush_s"]
        add("{} RRsets compiled and swapped in < 5 s".format(fmt(l["rrsets"])),
            "{} s (+ {} s parsing the zone file)".format(fmt(t, 2), fmt(l["parse_s"], 1)),
            t < 5, "missed by {} s".format(fmt(t - 5, 2)))
    x = med(T.cross("xdpmx-miss", "nsd-miss"))
    if x is not None:
        add("slow path (misses) ≥ NSD, same queries", fmt(x, 2) + " ×", x >= 1,
            "missed by {} %".format(pct(100 * (1 - x))))
    x = med(T.cross("xdpmx-miss-noxdp", "nsd-miss"))
    if x is not None:
        add("slow path (misses) ≥ NSD, same queries, no XDP program on the interface "
            "(as NSD)", fmt(x, 2) + " ×", x >= 1, "missed by {} %".format(pct(100 * (1 - x))))

    w("\n## Targets of issue 6\n")
    w("| target | measured | verdict |")
    w("|---|---|---|")
    for t in targets:
        w("| {} | {} | {} |".format(*t))

    if T.skipped:
        w("\nSkipped for the time budget: " + ", ".join(
            "{} from round {}".format(s["block"], s.get("from_round", 1)) for s in T.skipped) + ".\n")
    fails = [r for r in R["tput"] if r["kind"] == "start-failed"]
    if fails:
        w("\nServers that did not start: " + "; ".join(
            "{} with {} ({})".format(f["server"], zone_set(f["zones"]),
                                     f["why"]) for f in fails) + ".\n")

    # ---- Machine -------------------------------------------------------------------------
    if env:
        w("\n## Machine and versions\n")
        for k in ("date", "kernel", "cpu", "cpus", "mem_kib", "debian", "loadavg_start", "git",
                  "clang", "libbpf", "libxdp", "bpftool", "knotd", "nsd", "kxdpgun", "quick"):
            if k in env:
                w("- {}: {}".format(k, env[k]))
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
