#!/usr/bin/env python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""Zone sets, query files, expected answers and server configurations for
`make bench` (bench/run.sh). Deterministic: the same arguments write the same
bytes, so two runs measure the same work.

Zone sets (each in its own directory, with zones.list = "domain<TAB>file"):

  base     the whitepaper zone mydomain.com (3 equal MX, mail1-3, the
           round-robin host mail with 3 A and 3 AAAA, a 32-record A RRset
           for the TC case, SPF TXT) and its reverse zone 20.18.198.in-addr.arpa
  flat N   base, plus zone bench.test with N names h<i> of 3 A records each
  domains N  base, plus N zones d<i>.test, each with 2-4 MX (mx1..mxK, one A
           each) and ns with an A

--variant V writes version V of the same names (other addresses, serial
1 + V): swapping it in changes every RRset but the base zones'.

Query files are kxdpgun's format ("name type [E]"); an expect file lists
what the answer to each query must hold (xb_sample.py checks it):

  qname <TAB> qtype <TAB> edns(0/1) <TAB> rcode <TAB> answers <TAB> additionals

answers are RDATA in presentation form and additionals "owner TYPE rdata",
each list joined with '|'. Only 198.18.0.0/15 and fd00::/8 appear.

Usage: xb_gen.py zones {base|flat N|domains N} DIR
       xb_gen.py conf {knot|nsd|xdpmxd} DIR ZONES.list [options]
"""
import argparse
import os
import random
import sys

TTL = 3600
BASE_APEX = "mydomain.com"
REV_APEX = "20.18.198.in-addr.arpa"
FLAT_APEX = "bench.test"


def soa(apex, ns, serial=1):
    return (f"@\tSOA\t{ns} hostmaster.{apex}. {serial} 7200 3600 1209600 3600\n"
            f"@\tNS\t{ns}\n")


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


class Set:
    """A zone set being written: zone files, zones.list, queries, expects."""

    def __init__(self, d):
        self.d = os.path.abspath(d)
        os.makedirs(os.path.join(d, "zones"), exist_ok=True)
        self.zlist = []

    def zone(self, apex, text):
        rel = os.path.join("zones", apex + ".zone")
        write(os.path.join(self.d, rel), text)
        self.zlist.append((apex, os.path.join(self.d, rel)))

    def finish(self):
        write(os.path.join(self.d, "zones.list"),
              "".join(f"{a}\t{f}\n" for a, f in self.zlist))

    def queries(self, name, lines):
        write(os.path.join(self.d, name), "".join(l + "\n" for l in lines))

    def expects(self, name, rows):
        out = []
        for q, t, e, rc, an, ad in rows:
            out.append("\t".join([q, t, "1" if e else "0", rc, "|".join(an), "|".join(ad)]))
        write(os.path.join(self.d, name), "\n".join(out) + "\n")


def base_zones(s):
    """The whitepaper zones, and the query/expect files that use them."""
    mail_a = [f"198.18.20.{i}" for i in (1, 2, 3)]
    mail_aaaa = [f"fd00:20::{i}" for i in (1, 2, 3)]
    big_a = [f"198.18.21.{i}" for i in range(32)]
    z = [f"$ORIGIN {BASE_APEX}.\n$TTL {TTL}\n", soa(BASE_APEX, f"ns1.{BASE_APEX}."),
         "ns1\tA\t198.18.20.53\n"]
    z += [f"@\tMX\t10 mail{i}\n" for i in (1, 2, 3)]
    z += [f"mail{i}\tA\t{a}\n" for i, a in zip((1, 2, 3), mail_a)]
    z += [f"mail\tA\t{a}\n" for a in mail_a]
    z += [f"mail\tAAAA\t{a}\n" for a in mail_aaaa]
    z += [f"big\tA\t{a}\n" for a in big_a]
    z += ['@\tTXT\t"v=spf1 mx -all"\n']
    s.zone(BASE_APEX, "".join(z))
    r = [f"$ORIGIN {REV_APEX}.\n$TTL {TTL}\n", soa(REV_APEX, f"ns1.{BASE_APEX}.")]
    r += [f"{i}\tPTR\tmail.{BASE_APEX}.\n" for i in (1, 2, 3)]
    r += [f"53\tPTR\tns1.{BASE_APEX}.\n"]
    s.zone(REV_APEX, "".join(r))

    mx = [f"10 mail{i}.{BASE_APEX}." for i in (1, 2, 3)]
    mx_ad = [f"mail{i}.{BASE_APEX}. A {a}" for i, a in zip((1, 2, 3), mail_a)]
    ptr = [f"mail.{BASE_APEX}."]
    rows = {
        "mx": (BASE_APEX, "MX", True, "NOERROR", mx, mx_ad),
        "a": (f"mail.{BASE_APEX}", "A", False, "NOERROR", mail_a, []),
        "aaaa": (f"mail.{BASE_APEX}", "AAAA", True, "NOERROR", mail_aaaa, []),
        "ptr": (f"1.{REV_APEX}", "PTR", False, "NOERROR", ptr, []),
    }
    # Misses: answered by a slow path (xdpmxd), never by the fast path.
    miss = [
        (BASE_APEX, "TXT", True, "NOERROR", ['"v=spf1 mx -all"'], []),
        (BASE_APEX, "SOA", False, "NOERROR",
         [f"ns1.{BASE_APEX}. hostmaster.{BASE_APEX}. 1 7200 3600 1209600 3600"], []),
        (f"nx1.{BASE_APEX}", "A", False, "NXDOMAIN", [], []),
        (f"nx2.{BASE_APEX}", "MX", True, "NXDOMAIN", [], []),
    ]
    return rows, miss


def qline(row):
    q, t, e = row[0], row[1], row[2]
    return f"{q} {t}" + (" E" if e else "")


def gen_base(s):
    rows, miss = base_zones(s)
    for k, r in rows.items():
        s.queries(f"q-{k}.txt", [qline(r)])
        s.expects(f"e-{k}.txt", [r])
    mix = [rows[k] for k in ("mx", "a", "aaaa", "ptr")]
    s.queries("q-mix.txt", [qline(r) for r in mix])
    s.expects("e-mix.txt", mix)
    s.queries("q-miss.txt", [qline(r) for r in miss])
    s.expects("e-miss.txt", miss)


def flat_addr(i, k, var=0):
    v = 3 * i + k + 7 * var
    return f"198.19.{(v >> 8) & 255}.{v & 255}"


def gen_flat(s, n, nq, ne, var):
    gen_base(s)
    lines = [f"$ORIGIN {FLAT_APEX}.\n$TTL {TTL}\n",
             soa(FLAT_APEX, f"ns.{FLAT_APEX}.", 1 + var), "ns\tA\t198.18.22.53\n"]
    for i in range(n):
        lines.append(f"h{i}\tA\t{flat_addr(i, 0, var)}\nh{i}\tA\t{flat_addr(i, 1, var)}\n"
                     f"h{i}\tA\t{flat_addr(i, 2, var)}\n")
    s.zone(FLAT_APEX, "".join(lines))
    rng = random.Random(n)
    picks = [rng.randrange(n) for _ in range(min(nq, max(n, 1) * 4))]
    s.queries("q-flat.txt", [f"h{i}.{FLAT_APEX} A" for i in picks])
    s.expects("e-flat.txt", [(f"h{i}.{FLAT_APEX}", "A", False, "NOERROR",
                              [flat_addr(i, k, var) for k in range(3)], []) for i in picks[:ne]])


def dom_addr(i, k, var=0):
    v = 4 * i + k + 5 * var
    return f"198.18.{64 + ((v >> 8) & 63)}.{v & 255}"


def gen_domains(s, n, nq, ne, var):
    gen_base(s)
    for i in range(n):
        apex = f"d{i}.test"
        k = 2 + i % 3
        z = [f"$ORIGIN {apex}.\n$TTL {TTL}\n", soa(apex, f"ns.{apex}.", 1 + var),
             f"ns\tA\t{dom_addr(i, 3, var)}\n"]
        z += [f"@\tMX\t{10 * j} mx{j}\n" for j in range(1, k + 1)]
        z += [f"mx{j}\tA\t{dom_addr(i, j - 1, var)}\n" for j in range(1, k + 1)]
        s.zone(apex, "".join(z))
    rng = random.Random(n)
    q, e = [], []
    for _ in range(nq):
        i = rng.randrange(n)
        apex = f"d{i}.test"
        k = 2 + i % 3
        if rng.random() < 0.5:
            row = (apex, "MX", True, "NOERROR", [f"{10 * j} mx{j}.{apex}." for j in range(1, k + 1)],
                   [f"mx{j}.{apex}. A {dom_addr(i, j - 1, var)}" for j in range(1, k + 1)])
        else:
            row = (f"mx1.{apex}", "A", False, "NOERROR", [dom_addr(i, 0, var)], [])
        q.append(qline(row))
        if len(e) < ne:
            e.append(row)
    s.queries("q-dom.txt", q)
    s.expects("e-dom.txt", e)


def read_list(path):
    with open(path) as f:
        return [l.rstrip("\n").split("\t") for l in f if l.strip()]


def conf_knot(a, zones):
    """Knot DNS 3.2: one UDP worker, answer rotation on, XDP or UDP."""
    t = [
        "server:\n",
        f"    rundir: \"{a.dir}\"\n",
        f"    pidfile: \"{a.dir}/knot.pid\"\n",
        "    udp-workers: 1\n    tcp-workers: 1\n    background-workers: 1\n",
        f"    listen: {a.addr}@{a.port}\n",
        "    answer-rotation: on\n",
    ]
    if a.xdp:
        t += ["xdp:\n", f"    listen: {a.xdp}@{a.port}\n", "    udp: on\n"]
    t += [
        "control:\n", f"    listen: \"{a.dir}/knot.sock\"\n",
        "database:\n", f"    storage: \"{a.dir}/db\"\n",
        "log:\n", f"  - target: \"{a.dir}/knot.log\"\n    any: info\n",
        "template:\n  - id: default\n    zonefile-sync: -1\n    zonefile-load: whole\n"
        "    journal-content: none\n    semantic-checks: off\n",
        "zone:\n",
    ]
    t += [f"  - domain: {d}\n    file: \"{f}\"\n" for d, f in zones]
    return "".join(t)


def conf_nsd(a, zones):
    """NSD 4.6: one server process, round robin, no response rate limiting."""
    t = [
        "server:\n",
        "    server-count: 1\n",
        f"    ip-address: {a.addr}\n",
        f"    port: {a.port}\n",
        "    username: \"\"\n    chroot: \"\"\n",
        "    database: \"\"\n",
        f"    zonelistfile: \"{a.dir}/zone.list\"\n",
        f"    xfrdfile: \"{a.dir}/xfrd.state\"\n",
        f"    xfrdir: \"{a.dir}\"\n",
        f"    pidfile: \"{a.dir}/nsd.pid\"\n",
        f"    logfile: \"{a.dir}/nsd.log\"\n",
        "    round-robin: yes\n",
        "    rrl-ratelimit: 0\n",
        "    verbosity: 1\n",
        "    tcp-count: 16\n",
        "remote-control:\n    control-enable: no\n",
    ]
    t += [f"zone:\n    name: {d}\n    zonefile: \"{f}\"\n" for d, f in zones]
    return "".join(t)


def conf_xdpmxd(a, zones):
    """xdpmxd: the knot.conf-shaped file of user/lib/config.h."""
    t = [
        "server:\n",
        f"    listen: [ {a.addr}@{a.port} ]\n",
        f"    port: {a.port}\n",
        f"    control: {a.dir}/xdpmxd.sock\n",
        f"    pin-dir: {a.pin_dir}\n",
        f"    udp-workers: {a.workers}\n",
        "    rotation: cyclic\n",
    ]
    if a.xdp:
        t += [f"    interface: [ {a.xdp} ]\n", "    xdp-mode: native\n"]
    t += ["zone:\n"]
    t += [f"  - domain: {d}\n    file: {f}\n" for d, f in zones]
    return "".join(t)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    z = sub.add_parser("zones")
    z.add_argument("kind", choices=["base", "flat", "domains"])
    z.add_argument("n", nargs="?", type=int, default=0)
    z.add_argument("dir")
    z.add_argument("--queries", type=int, default=100000, help="query file lines")
    z.add_argument("--expects", type=int, default=2000, help="expect file lines")
    z.add_argument("--variant", type=int, default=0,
                   help="another version of the same names: new addresses and serials")
    c = sub.add_parser("conf")
    c.add_argument("server", choices=["knot", "nsd", "xdpmxd"])
    c.add_argument("dir", help="the server's run directory")
    c.add_argument("zones", help="a zones.list file")
    c.add_argument("--addr", default="198.18.10.1")
    c.add_argument("--port", type=int, default=53)
    c.add_argument("--xdp", default="", help="interface for XDP mode (knot, xdpmxd)")
    c.add_argument("--pin-dir", default="/sys/fs/bpf/xdpmx")
    c.add_argument("--workers", type=int, default=1)
    a = p.parse_args()

    if a.cmd == "zones":
        s = Set(a.dir)
        if a.kind == "base":
            gen_base(s)
        elif a.kind == "flat":
            gen_flat(s, a.n, a.queries, a.expects, a.variant)
        else:
            gen_domains(s, a.n, a.queries, a.expects, a.variant)
        s.finish()
        return 0
    zones = read_list(a.zones)
    os.makedirs(a.dir, exist_ok=True)
    text = {"knot": conf_knot, "nsd": conf_nsd, "xdpmxd": conf_xdpmxd}[a.server](a, zones)
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
