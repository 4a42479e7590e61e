#!/usr/bin/python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# Helpers for tests/e2e/test_examples.sh: the expected answers of an
# authoritative server for a set of zone files, checked against what a real
# client (dig) gets, and a bounded stream of queries across zone reloads.
# Runs inside the client's network namespace; reads the daemon's counters
# over its control socket (a UNIX socket: any namespace reaches it).
#
#   answers --server ADDR [--tcp] --control SOCK ZONEFILE...
#       Ask dig for every name of the zones with each type of TYPES, for
#       names that do not exist, and for a few names in mixed case; compare
#       every answer with the zone data (rcode, AA, the question echoed byte
#       for byte, answer and authority as sets with their TTLs, additional
#       records of MX and NS) and, from the counters, whether the fast path
#       or the daemon answered it. Prints one line per query and a summary;
#       exits 1 on any difference.
#
#   stream --server ADDR --old ZONEFILE --new ZONEFILE --stop FILE
#          [--max N] [--seconds S] QUERY...
#       Send the queries (NAME/TYPE) in turn over UDP, one at a time, until
#       FILE exists, N queries were sent or S seconds passed. Every answer
#       must be exactly the answer of the old zone or exactly that of the
#       new. Prints "sent N old O new W wrong X lost L" and the first
#       differences; exits 0 (the caller judges the counts).
#
# The expected answers follow the daemon's rules, which are those of an
# authoritative server with minimal responses: the RRset in the answer
# section and nothing in the authority section; for NODATA and NXDOMAIN the
# zone's SOA in the authority section with the TTL min(SOA TTL, SOA minimum)
# (RFC 2308 section 5); additional records for MX and NS: the A and AAAA
# RRsets of the targets in the answering zone (required), and of targets in
# the other served zones (allowed), nothing else. The zones have no
# delegations, wildcards or CNAMEs, so this model is complete for them.
import argparse
import json
import os
import socket
import subprocess
import sys
import time

import dns.flags
import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.zone

# Every type asked at every name: the fast path's four, and three it passes up.
TYPES = ["A", "AAAA", "MX", "PTR", "NS", "SOA", "TXT"]
FAST_TYPES = {"A", "AAAA", "MX", "PTR"}


# ---- the zone model ---------------------------------------------------------


def load_zones(files):
    zones = []
    for f in files:
        z = dns.zone.from_file(f, relativize=False)
        zones.append(z)
    return zones


def zone_for(zones, qname):
    """The zone with the longest origin qname is at or below, or None."""
    best = None
    for z in zones:
        if qname.is_subdomain(z.origin):
            if best is None or len(z.origin) > len(best.origin):
                best = z
    return best


def rr_tuples(name, ttl, rdtype, rdatas):
    """An RRset as a set of comparable (owner, ttl, type, rdata) tuples."""
    t = dns.rdatatype.to_text(rdtype)
    return {(name.to_text().lower(), ttl, t, rd.to_text().lower()) for rd in rdatas}


def rrset_of(zone, name, rdtype):
    node = zone.get_node(name)
    if node is None:
        return None
    rds = node.get_rdataset(dns.rdataclass.IN, rdtype)
    return rds


def expected(zones, qname_text, qtype_text):
    """The answer an authoritative server gives from the zones:
    {rcode, answer, authority, additional_min, additional_max}, the sets
    of rr_tuples; None when no zone covers the name (REFUSED: not asked)."""
    qname = dns.name.from_text(qname_text).canonicalize()
    qtype = dns.rdatatype.from_text(qtype_text)
    z = zone_for(zones, qname)
    if z is None:
        return None
    exp = {"rcode": "NOERROR", "answer": set(), "authority": set(),
           "additional_min": set(), "additional_max": set()}
    node = z.get_node(qname)
    rds = node.get_rdataset(dns.rdataclass.IN, qtype) if node is not None else None
    if rds is not None:
        exp["answer"] = rr_tuples(qname, rds.ttl, qtype, rds)
        if qtype in (dns.rdatatype.MX, dns.rdatatype.NS):
            for rd in rds:
                target = (rd.exchange if qtype == dns.rdatatype.MX else rd.target)
                target = target.canonicalize()
                owner = zone_for(zones, target)
                if owner is None:
                    continue
                for at in (dns.rdatatype.A, dns.rdatatype.AAAA):
                    trds = rrset_of(owner, target, at)
                    if trds is None:
                        continue
                    tup = rr_tuples(target, trds.ttl, at, trds)
                    exp["additional_max"] |= tup
                    if owner is z:
                        exp["additional_min"] |= tup
        return exp
    # Negative: NXDOMAIN unless the name exists (or is an empty non-terminal).
    exists = node is not None or any(
        n.is_subdomain(qname) for n in z.nodes.keys())
    if not exists:
        exp["rcode"] = "NXDOMAIN"
    soa = rrset_of(z, z.origin, dns.rdatatype.SOA)
    ttl = min(soa.ttl, soa[0].minimum)
    exp["authority"] = rr_tuples(z.origin, ttl, dns.rdatatype.SOA, soa)
    return exp


# ---- dig and its output -----------------------------------------------------


def dig(server, qname, qtype, tcp):
    cmd = ["dig", "@" + server, "+tries=1", "+time=2", "+nocmd", "+nostats", qname, qtype]
    if tcp:
        cmd.insert(2, "+tcp")
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       timeout=10)
    return p.returncode, p.stdout


def parse_dig(text):
    """dig's presentation output as a dict: rcode, flags, question (the
    line as printed, name case kept), opt (bool), and the three sections
    as lists of rr tuples."""
    out = {"rcode": None, "flags": set(), "question": None, "opt": False,
           "answer": [], "authority": [], "additional": []}
    section = None
    for line in text.splitlines():
        if "->>HEADER<<-" in line:
            out["rcode"] = line.split("status: ")[1].split(",")[0]
        elif line.startswith(";; flags:"):
            out["flags"] = set(line.split(";; flags:")[1].split(";")[0].split())
        elif line.startswith(";; OPT PSEUDOSECTION:"):
            out["opt"] = True
            section = None
        elif line.startswith(";; QUESTION SECTION:"):
            section = "question"
        elif line.startswith(";; ANSWER SECTION:"):
            section = "answer"
        elif line.startswith(";; AUTHORITY SECTION:"):
            section = "authority"
        elif line.startswith(";; ADDITIONAL SECTION:"):
            section = "additional"
        elif not line.strip():
            section = None
        elif section == "question" and line.startswith(";"):
            f = line[1:].split()
            out["question"] = (f[0], f[-2], f[-1])
        elif section in ("answer", "authority", "additional") and not line.startswith(";"):
            f = line.split(None, 4)
            rdtype = dns.rdatatype.from_text(f[3])
            rd = dns.rdata.from_text(dns.rdataclass.IN, rdtype, f[4], origin=dns.name.root,
                                     relativize=False)
            out[section].append((dns.name.from_text(f[0]).to_text().lower(), int(f[1]),
                                 f[3], rd.to_text().lower()))
    return out


# ---- the daemon's counters --------------------------------------------------


def control(path, cmd):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(path)
    s.sendall((json.dumps({"cmd": cmd, "args": {}}) + "\n").encode())
    buf = b""
    while not buf.endswith(b"\n"):
        d = s.recv(1 << 20)
        if not d:
            break
        buf += d
    s.close()
    r = json.loads(buf)
    if not r.get("ok"):
        raise RuntimeError("control %s: %s" % (cmd, r.get("error")))
    return r["result"]


def counters(path):
    st = control(path, "stats show")
    fp = st["fastpath"]
    return {
        "hits": sum(v for k, v in fp.items() if k.startswith("hit.")),
        "hit": {k[4:]: v for k, v in fp.items() if k.startswith("hit.")},
        "slow": st["slowpath"]["queries"],
        "slow_tcp": st["slowpath"]["queries_tcp"],
    }


# ---- answers ----------------------------------------------------------------


def fmt(s):
    return "{" + ", ".join(" ".join(str(x) for x in t) for t in sorted(s)) + "}"


def check_one(zones, server, qname, qtype, tcp, ctl):
    """Ask once and compare. Returns (problems, source)."""
    exp = expected(zones, qname, qtype)
    before = counters(ctl)
    rc, text = dig(server, qname, qtype, tcp)
    after = counters(ctl)
    probs = []
    if rc != 0:
        return ["no answer (dig exit status %d): %s" % (rc, text.strip().splitlines()[-1:])], "-"
    got = parse_dig(text)
    if got["rcode"] != exp["rcode"]:
        probs.append("rcode %s, expected %s" % (got["rcode"], exp["rcode"]))
    for f in ("qr", "aa", "rd"):
        if f not in got["flags"]:
            probs.append("flag %s missing (flags: %s)" % (f, " ".join(sorted(got["flags"]))))
    for f in ("tc", "ra"):
        if f in got["flags"]:
            probs.append("flag %s set" % f)
    if got["question"] != (qname, "IN", qtype):
        probs.append("question %s, expected %s IN %s byte for byte" % (got["question"], qname, qtype))
    if not got["opt"]:
        probs.append("no OPT record, though the query had one")
    for sec in ("answer", "authority"):
        g = got[sec]
        if len(set(g)) != len(g):
            probs.append("%s section has duplicates: %s" % (sec, g))
        if set(g) != exp[sec]:
            probs.append("%s section %s, expected %s" % (sec, fmt(set(g)), fmt(exp[sec])))
    ad = set(got["additional"])
    if not (exp["additional_min"] <= ad <= exp["additional_max"]):
        probs.append("additional section %s, expected at least %s and at most %s" % (
            fmt(ad), fmt(exp["additional_min"]), fmt(exp["additional_max"])))
    if len(ad) != len(got["additional"]):
        probs.append("additional section has duplicates")

    # Who answered it. The fast path answers UDP queries for its types when
    # the RRset exists; everything else reaches the daemon.
    dh, ds = after["hits"] - before["hits"], after["slow"] - before["slow"]
    fast = not tcp and qtype in FAST_TYPES and exp["answer"]
    if fast:
        source = "fastpath"
        dt = after["hit"].get(qtype.lower(), 0) - before["hit"].get(qtype.lower(), 0)
        if (dh, ds, dt) != (1, 0, 1):
            probs.append("expected a fast-path hit.%s: hits moved by %d (hit.%s by %d), "
                         "slow-path queries by %d" % (qtype.lower(), dh, qtype.lower(), dt, ds))
    else:
        source = "slowpath"
        if (dh, ds) != (0, 1):
            probs.append("expected the daemon to answer: fast-path hits moved by %d, "
                         "slow-path queries by %d" % (dh, ds))
        if tcp and after["slow_tcp"] - before["slow_tcp"] != 1:
            probs.append("slowpath.queries_tcp did not move by 1")
    return probs, source


def cmd_answers(a):
    zones = load_zones(a.zonefile)
    queries = []
    for z in zones:
        for name in sorted(z.nodes.keys()):
            for t in TYPES:
                queries.append((name.to_text(), t))
    # Names that do not exist: beside an existing name, below one, and in
    # the reverse zone.
    for z in zones:
        queries.append((dns.name.Name((b"nosuch",) + z.origin.labels).to_text(), "A"))
    queries.append(("x.mail.mydomain.com.", "A"))
    queries.append(("4.2.168.192.in-addr.arpa.", "PTR"))
    # Mixed case (resolvers use 0x20 randomisation): the question must come
    # back as sent.
    queries += [("MaIl.MyDoMaIn.CoM.", "A"), ("MYDOMAIN.com.", "MX"),
                ("1.2.168.192.IN-ADDR.ARPA.", "PTR"), ("MyDomain.Com.", "SOA")]
    queries = [(n, t) for n, t in queries if expected(zones, n, t) is not None]

    transport = "tcp" if a.tcp else "udp"
    nfail = nfast = nslow = 0
    for qname, qtype in queries:
        probs, source = check_one(zones, a.server, qname, qtype, a.tcp, a.control)
        if source == "fastpath":
            nfast += 1
        elif source == "slowpath":
            nslow += 1
        if probs:
            nfail += 1
            print("FAIL %s %s over %s to %s (%s):" % (qname, qtype, transport, a.server, source))
            for p in probs:
                print("    " + p)
        else:
            print("ok %s %s over %s: %s" % (qname, qtype, transport, source))
    print("checked %d queries over %s to %s: %d from the fast path, %d from the daemon, "
          "%d failed" % (len(queries), transport, a.server, nfast, nslow, nfail))
    sys.exit(1 if nfail else 0)


# ---- stream -----------------------------------------------------------------


def canon(msg):
    """The parts of an answer the zone decides, as comparable sets."""
    def sec(s):
        return {(rr.name.to_text().lower(), rr.ttl, dns.rdatatype.to_text(rr.rdtype),
                 rd.to_text().lower()) for rr in s for rd in rr}
    return (dns.rcode.to_text(msg.rcode()), bool(msg.flags & dns.flags.AA),
            frozenset(sec(msg.answer)), frozenset(sec(msg.authority)),
            frozenset(sec(msg.additional)))


def canon_expected(exp):
    # In the stream the additional section must be exactly the required
    # part: MX targets in the same zone.
    return (exp["rcode"], True, frozenset(exp["answer"]), frozenset(exp["authority"]),
            frozenset(exp["additional_min"]))


def cmd_stream(a):
    old, new = load_zones([a.old]), load_zones([a.new])
    qs = []
    for spec in a.query:
        name, qtype = spec.rsplit("/", 1)
        qs.append((name, qtype, canon_expected(expected(old, name, qtype)),
                   canon_expected(expected(new, name, qtype))))
    sent = n_old = n_new = wrong = lost = 0
    problems = []
    deadline = time.monotonic() + a.seconds
    while sent < a.max and time.monotonic() < deadline and not os.path.exists(a.stop):
        name, qtype, e_old, e_new = qs[sent % len(qs)]
        sent += 1
        q = dns.message.make_query(name, qtype, use_edns=0)
        try:
            r = dns.query.udp(q, a.server, timeout=1.0)
        except Exception as e:  # timeout, or an answer that is not ours
            lost += 1
            if len(problems) < 5:
                problems.append("query %d %s %s: %s" % (sent, name, qtype, type(e).__name__))
            continue
        c = canon(r)
        if c == e_old:
            n_old += 1
        elif c == e_new:
            n_new += 1
        else:
            wrong += 1
            if len(problems) < 5:
                problems.append("query %d %s %s: %s" % (sent, name, qtype, c))
    print("sent %d old %d new %d wrong %d lost %d" % (sent, n_old, n_new, wrong, lost))
    for p in problems:
        print("    " + p)


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("answers")
    p.add_argument("--server", required=True)
    p.add_argument("--tcp", action="store_true")
    p.add_argument("--control", required=True)
    p.add_argument("zonefile", nargs="+")
    p = sub.add_parser("stream")
    p.add_argument("--server", required=True)
    p.add_argument("--old", required=True)
    p.add_argument("--new", required=True)
    p.add_argument("--stop", required=True)
    p.add_argument("--max", type=int, default=20000)
    p.add_argument("--seconds", type=float, default=30)
    p.add_argument("query", nargs="+")
    a = ap.parse_args()
    if a.cmd == "answers":
        cmd_answers(a)
    else:
        cmd_stream(a)


if __name__ == "__main__":
    main()
