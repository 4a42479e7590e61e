#!/usr/bin/env python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""Throughput search for one server and one query mix, one round.

Called by bench/run.sh with the server already running in the server
namespace. Each probe runs kxdpgun (knot-dnsutils) at a fixed offered rate
for --step seconds from the client namespace, pinned to the generator core,
while xb_sample.py checks a sample of answers, and reads the CPU time the
server core spent: /proc/<tid>/schedstat of every thread of the server
processes plus the server end's NAPI kthread (where the XDP program and the
kernel's receive path run). Before every probe the NAPI kthreads and the
server's threads are pinned again (attaching XDP or a server's own affinity
code can move them). The client end's NAPI kthread runs SCHED_FIFO 50, so
the generator's core does not overflow the veth ring. The server end's stays
SCHED_OTHER and shares the server core with the server's threads: run ahead
of them (as softirq would), it fills a socket server's receive buffer
(212,992 bytes, the default) with a whole burst of the generator before the
server reads a packet, and Knot over UDP then loses 1-2 % at 30 % load.
Generator, server threads and server NAPI run at nice -10 (NICE below).

The search, bounded in probes:
  round 1: offer --max-rate (as fast as the generator goes). Under 1% loss:
           the server keeps up with the generator, done. Else, from the rate
           the flood got answered (receive livelock makes it low), step up by
           60% (or down by 30%) until a passing and a failing rate bracket
           the capacity, then bisect the bracket in log scale until it is
           within 8%: at most 6 probes.
  later:   the same from the previous round's capacity (--prev), steps of
           10%, at most 3 probes; when no rate passed in the previous round
           (--prev is minus the lowest rate tried), from 70% of that.
A passing probe where the generator sent less than 97% of the offered rate
ends the search: the server kept up with all the generator could send.
The capacity is the answered rate of the highest offered rate with under 1%
loss. With --stats-dev, one more probe at half the capacity with the
kernel's BPF statistics on gives the XDP program's run time per packet
under real traffic (xb_progstat).

Every probe and the summary go to --out as JSON lines; the capacity (pps)
is printed on stdout for the next round.
"""
import argparse
import glob
import json
import os
import re
import signal
import subprocess
import sys
import time

LOSS_MAX = 0.01
# Niceness of the generator, the server's threads and the server end's NAPI
# kthread: other work on a shared machine gets about a tenth of a core from
# them, while they share their cores with each other as equals.
NICE = -10


def tids(pids):
    out = []
    for p in pids:
        out += glob.glob("/proc/%d/task/*" % p)
    return out


def napi_pids(dev):
    """PIDs of the NAPI kthreads of dev ("napi/DEV-ID")."""
    res = []
    for d in glob.glob("/proc/[0-9]*"):
        try:
            with open(d + "/comm") as f:
                c = f.read().strip()
        except OSError:
            continue
        if c.startswith("napi/%s-" % dev):
            res.append(int(os.path.basename(d)))
    return res


def cpu_ns(paths):
    t = 0
    for p in paths:
        try:
            with open(p + "/schedstat") as f:
                t += int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            pass
    return t


def pin(a):
    """Pin the NAPI kthreads and the server's threads (see the module doc)."""
    for dev in a.srv_dev:
        for p in napi_pids(dev):
            subprocess.run(["taskset", "-pc", str(a.srv_cpu), str(p)], capture_output=True)
            subprocess.run(["renice", "-n", str(NICE), "-p", str(p)], capture_output=True)
    for dev in a.cli_dev:
        for p in napi_pids(dev):
            subprocess.run(["taskset", "-pc", str(a.gen_cpu), str(p)], capture_output=True)
            subprocess.run(["chrt", "-f", "-p", "50", str(p)], capture_output=True)
    for p in a.pids:
        subprocess.run(["taskset", "-a", "-pc", str(a.srv_cpu), str(p)], capture_output=True)
        for t in tids([p]):
            subprocess.run(["renice", "-n", str(NICE), "-p", os.path.basename(t)],
                           capture_output=True)


def cpu_busy():
    """Busy and total jiffies per CPU, from /proc/stat."""
    r = {}
    with open("/proc/stat") as f:
        for line in f:
            p = line.split()
            if p[0].startswith("cpu") and p[0] != "cpu":
                v = [int(x) for x in p[1:]]
                idle = v[3] + v[4]
                r[int(p[0][3:])] = (sum(v[:8]) - idle, sum(v[:8]))
    return r


def link_stats(ns, dev):
    """The kernel's counters of dev (ip -s -j link), plus veth's XDP_TX errors."""
    st = {}
    try:
        j = json.loads(subprocess.run(["nsenter", "--net=" + ns, "ip", "-s", "-j", "link",
                                       "show", "dev", dev], capture_output=True,
                                      text=True).stdout)[0]["stats64"]
        st = {"rx_dropped": j["rx"]["dropped"], "tx_dropped": j["tx"]["dropped"],
              "rx_packets": j["rx"]["packets"], "tx_packets": j["tx"]["packets"]}
    except (ValueError, KeyError, IndexError):
        pass
    out = subprocess.run(["nsenter", "--net=" + ns, "ethtool", "-S", dev],
                         capture_output=True, text=True).stdout
    for m in re.finditer(r"(\w*xdp_tx_errors|\w*xdp_drops|\w*drops):\s+(\d+)", out):
        st[m.group(1)] = st.get(m.group(1), 0) + int(m.group(2))
    return st


def udp_stats(ns):
    """UDP counters of a namespace (/proc/net/snmp read from inside it)."""
    out = subprocess.run(["nsenter", "--net=" + ns, "cat", "/proc/net/snmp"],
                         capture_output=True, text=True).stdout.splitlines()
    udp = [l.split()[1:] for l in out if l.startswith("Udp:")]
    if len(udp) < 2:
        return {}
    v = dict(zip(udp[0], udp[1]))
    return {"udp_" + k: int(v[k]) for k in ("InDatagrams", "RcvbufErrors", "InErrors",
                                            "SndbufErrors", "InCsumErrors") if k in v}


def delta(a, b):
    return {k: b[k] - a.get(k, 0) for k in b if b[k] - a.get(k, 0)}


def parse_kxdpgun(text):
    r = {"sent": 0, "answered": 0, "rcodes": {}}
    m = re.search(r"total queries:\s+(\d+)", text)
    if m:
        r["sent"] = int(m.group(1))
    m = re.search(r"total replies:\s+(\d+)", text)
    if m:
        r["answered"] = int(m.group(1))
    for m in re.finditer(r"responded (\S+):\s+(\d+)", text):
        r["rcodes"][m.group(1)] = int(m.group(2))
    m = re.search(r"lost (\d+)", text)
    r["gen_lost"] = int(m.group(1)) if m else 0
    return r


def probe(a, rate, stats=False):
    pin(a)
    paths = tids(a.pids) + ["/proc/%d" % p for d in a.srv_dev for p in napi_pids(d)]
    napi_paths = ["/proc/%d" % p for d in a.srv_dev for p in napi_pids(d)]
    smp = ps = None
    if a.expect:
        cmd = ["nsenter", "--net=" + a.cli_ns, "taskset", "-c", str(a.gen_cpu),
               sys.executable, os.path.join(a.bench_dir, "xb_sample.py"),
               "--iface", a.cli_dev[0], "--server", a.target, "--client", a.client,
               "--expect", a.expect, "--rate", str(a.sample_rate),
               "--count", str(a.sample_count), "--duration", str(a.step + 0.8)]
        if a.sample_mode == "reflect":
            cmd.append("--reflect")
        else:
            cmd += ["--additional", a.sample_mode]
        smp = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if stats:
        ps = subprocess.Popen(["nsenter", "--net=" + a.srv_ns, a.progstat, a.srv_dev[0]],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if ps.stdout.readline().strip() != "ready":
            ps.wait()
            sys.stderr.write("xb_tput: xb_progstat failed: %s\n" % ps.stderr.read())
            ps = None
    l0 = {d: link_stats(a.srv_ns, d) for d in a.srv_dev}
    l0.update({d: link_stats(a.cli_ns, d) for d in a.cli_dev})
    l0["srv_udp"] = udp_stats(a.srv_ns)
    b0 = cpu_busy()
    c0, n0, t0 = cpu_ns(paths), cpu_ns(napi_paths), time.monotonic()
    try:
        g = subprocess.run(["nsenter", "--net=" + a.cli_ns, "taskset", "-c", str(a.gen_cpu),
                            "nice", "-n", str(NICE), "kxdpgun", "-t", str(a.step), "-Q", str(int(rate)), "-b", "32",
                            "-F", str(a.gen_cpu), "-i", a.queries, a.target],
                           capture_output=True, text=True, timeout=a.step + 20)
        out = g.stdout + g.stderr
    except subprocess.TimeoutExpired:
        out = ""
    wall = time.monotonic() - t0
    c1, n1 = cpu_ns(paths), cpu_ns(napi_paths)
    b1 = cpu_busy()
    l1 = {d: link_stats(a.srv_ns, d) for d in a.srv_dev}
    l1.update({d: link_stats(a.cli_ns, d) for d in a.cli_dev})
    l1["srv_udp"] = udp_stats(a.srv_ns)
    r = parse_kxdpgun(out)
    # Where packets were dropped: queries the client end could not hand to
    # the server's ring show as its tx_dropped; answers as the server's;
    # queries a socket server did not read in time as srv_udp RcvbufErrors.
    r["links"] = {d: delta(l0[d], l1[d]) for d in l1}
    # How busy each core was, all tasks together: the server core's busy
    # time beyond the server's own is load from elsewhere on the machine.
    r["cpu_busy"] = {str(c): round((b1[c][0] - b0[c][0]) / max(1, b1[c][1] - b0[c][1]), 3)
                     for c in b1 if c in b0}
    r.update({"kind": "probe", "label": a.label, "block": a.block, "round": a.round,
              "offered": int(rate), "step_s": a.step, "wall_s": round(wall, 2),
              "bpf_stats": stats})
    r["sent_pps"] = r["sent"] / a.step
    r["answered_pps"] = r["answered"] / a.step
    r["loss"] = 1 - r["answered"] / r["sent"] if r["sent"] else 1.0
    r["cpu_ns"] = c1 - c0
    r["napi_ns"] = n1 - n0
    r["cpu_ns_per_answer"] = (c1 - c0) / r["answered"] if r["answered"] else None
    if not r["sent"]:
        r["error"] = out[-500:]
    if ps:
        ps.send_signal(signal.SIGTERM)
        try:
            r["progstat"] = json.loads(ps.communicate(timeout=10)[0].strip().splitlines()[-1])
        except (ValueError, IndexError, subprocess.TimeoutExpired):
            r["progstat"] = None
    if smp:
        try:
            so, se = smp.communicate(timeout=a.step + 15)
            r["sample"] = json.loads(so.strip().splitlines()[-1])
        except (ValueError, IndexError, subprocess.TimeoutExpired):
            smp.kill()
            r["sample"] = {"error": "sampler failed"}
    with open(a.out, "a") as f:
        f.write(json.dumps(r) + "\n")
    ok = r["sent"] > 0 and r["loss"] < LOSS_MAX
    sys.stderr.write("  %-22s r%d offered %8d sent %8.0f answered %8.0f loss %6.2f%% cpu/ans %s%s\n" % (
        a.label, a.round, rate, r["sent_pps"], r["answered_pps"], 100 * r["loss"],
        "%.0f ns" % r["cpu_ns_per_answer"] if r["cpu_ns_per_answer"] else "-",
        (" wrong %d/%d" % (r["sample"].get("wrong", 0), r["sample"].get("checked", 0))
         if r.get("sample") and "checked" in r["sample"] else "")))
    return ok, r


def search(a):
    probes = []
    best = None

    def run(rate, stats=False):
        nonlocal best
        ok, r = probe(a, rate, stats)
        probes.append(r)
        if ok and not stats and (best is None or r["offered"] > best["offered"]):
            best = r
        return ok, r

    def bracket(rate, lo, hi, left, up=1.6, down=0.7):
        """Probe from rate: geometric steps up/down until a passing and a
        failing rate bracket the capacity, then halve the bracket (in log
        scale) until it is within 8 % or the probes are spent."""
        while left > 0:
            ok, r = run(rate)
            left -= 1
            if ok:
                lo = rate
                if r["sent_pps"] < 0.97 * rate:
                    return True  # the generator could not offer more
            else:
                hi = min(rate, r["sent_pps"] * 1.03) if hi is None else min(hi, rate)
            if hi is None:
                rate *= up
            elif lo is None:
                rate = min(rate, r["sent_pps"]) * down
            elif hi / lo < 1.08:
                break
            else:
                rate = (lo * hi) ** 0.5
        return False

    gen_bound = False
    if a.prev == 0:
        # Round 1: as fast as the generator goes, then from what was answered.
        ok, r = run(a.max_rate)
        if ok:
            gen_bound = True
        else:
            gen_bound = bracket(max(r["answered_pps"], 1000), None, r["sent_pps"], 6)
    elif a.prev > 0:
        # Later rounds: around the previous round's capacity.
        gen_bound = bracket(a.prev, None, None, 3, up=1.1, down=0.9)
    else:
        # No rate passed last round: on down from the lowest tried.
        gen_bound = bracket(-a.prev * 0.7, None, -a.prev, 3)
    if a.stats_dev and best:
        # Half of what was answered: below the generator's ceiling too.
        run(max(best["answered_pps"] * 0.5, 1000), stats=True)
    s = {"kind": "search", "label": a.label, "block": a.block, "round": a.round,
         "probes": len(probes), "generator_bound": gen_bound}
    if best:
        s.update({"capacity_pps": best["answered_pps"], "offered": best["offered"],
                  "sent_pps": best["sent_pps"], "loss": best["loss"],
                  "cpu_ns_per_answer": best["cpu_ns_per_answer"]})
    else:
        s.update({"capacity_pps": 0, "offered": 0})
    with open(a.out, "a") as f:
        f.write(json.dumps(s) + "\n")
    # For the next round: the capacity, or minus the lowest rate tried.
    print(int(best["offered"]) if best else -int(min(p["offered"] for p in probes)))
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--label", required=True)
    p.add_argument("--block", default="")
    p.add_argument("--round", type=int, default=1)
    p.add_argument("--target", required=True, help="server address")
    p.add_argument("--client", required=True, help="client address (sampler)")
    p.add_argument("--queries", required=True, help="kxdpgun query file")
    p.add_argument("--expect", help="expect file: sample answers")
    p.add_argument("--sample-mode", default="exact", choices=["exact", "subset", "reflect"])
    p.add_argument("--sample-rate", type=float, default=300)
    p.add_argument("--sample-count", type=int, default=400)
    p.add_argument("--pid", dest="pids", type=int, action="append", default=[],
                   help="server process (all its threads count)")
    p.add_argument("--srv-dev", action="append", required=True)
    p.add_argument("--cli-dev", action="append", required=True)
    p.add_argument("--srv-ns", required=True)
    p.add_argument("--cli-ns", required=True)
    p.add_argument("--srv-cpu", type=int, default=0)
    p.add_argument("--gen-cpu", type=int, default=1)
    p.add_argument("--step", type=float, default=1.0)
    p.add_argument("--max-rate", type=float, default=3000000)
    p.add_argument("--prev", type=float, default=0, help="previous round's capacity")
    p.add_argument("--stats-dev", action="store_true",
                   help="XDP server: add a probe with BPF run-time statistics")
    p.add_argument("--progstat", default="")
    p.add_argument("--bench-dir", default=os.path.dirname(os.path.abspath(__file__)))
    p.add_argument("--out", required=True)
    return search(p.parse_args())


if __name__ == "__main__":
    sys.exit(main())
