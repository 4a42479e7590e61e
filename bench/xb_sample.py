#!/usr/bin/env python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""Correctness under load: sample answers while kxdpgun loads the server.

Runs in the client namespace next to kxdpgun. Sends the queries of an
expect file (bench/xb_gen.py) from UDP port SPORT (below 2000, so kxdpgun's
XDP filter, which takes ports >= 2000, passes the answers to the kernel),
captures every answer frame on the interface with an AF_PACKET socket, and
checks each one independently of the server's code:

  - IPv4 header checksum and UDP checksum recomputed (RFC 1071/768), UDP and
    IP lengths against the bytes received;
  - DNS: same ID, QR set, the question echoed byte for byte (the queries
    use random 0x20 case), RD copied, AA set, TC clear, the expected rcode;
  - the answer section is exactly the expected RRset (any order: rotation),
    owner and type those of the question; EDNS OPT present exactly when the
    query had one;
  - the additional section (OPT aside) equals the expected records
    (--additional exact) or contains them (--additional subset: servers that
    also add NS glue). In --reflect mode only the checksums, QR and the
    echoed question are checked: the bare reflector answers nothing.

Bounded: at most --count answers checked, at --rate queries per second, for
at most --duration seconds. Prints one JSON object: sent, answered, checked,
wrong (by reason, with up to five examples), tc (truncated answers without
records: valid, the client would retry over TCP, but not an answer), the
first answer record seen per name (rotation), and lost (no answer within
the run).
"""
import argparse
import json
import os
import random
import select
import socket
import struct
import sys
import time

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype

ETH_P_ALL = 0x0003


def csum16(data, s=0):
    if len(data) & 1:
        data += b"\0"
    for (w,) in struct.iter_unpack("!H", data):
        s += w
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def udp_ok(src, dst, udp):
    """True when the UDP checksum of udp (header + payload) verifies."""
    (ck,) = struct.unpack("!H", udp[6:8])
    if ck == 0 and len(src) == 4:
        return True  # no checksum, allowed over IPv4
    pseudo = src + dst + struct.pack("!HH", 17, len(udp))
    return csum16(pseudo + udp) == 0xFFFF


def parse_frame(f, sport):
    """(dns payload, error) for a UDP/53 answer frame to sport, or None."""
    if len(f) < 14:
        return None
    et = struct.unpack("!H", f[12:14])[0]
    off = 14
    if et == 0x8100:
        et = struct.unpack("!H", f[16:18])[0]
        off = 18
    if et == 0x0800:
        ip = f[off:]
        if len(ip) < 20 or ip[9] != 17:
            return None
        ihl = (ip[0] & 15) * 4
        tot = struct.unpack("!H", ip[2:4])[0]
        udp = ip[ihl:tot]
        if len(udp) < 8 or struct.unpack("!HH", udp[0:4]) != (53, sport):
            return None
        if csum16(ip[:ihl]) != 0xFFFF:
            return (None, "bad IPv4 header checksum")
        if tot > len(ip):
            return (None, "IPv4 total length beyond the frame")
        src, dst = ip[12:16], ip[16:20]
    elif et == 0x86DD:
        ip = f[off:]
        if len(ip) < 48 or ip[6] != 17:
            return None
        plen = struct.unpack("!H", ip[4:6])[0]
        udp = ip[40:40 + plen]
        if struct.unpack("!HH", udp[0:4]) != (53, sport):
            return None
        if 40 + plen > len(ip):
            return (None, "IPv6 payload length beyond the frame")
        src, dst = ip[8:24], ip[24:40]
    else:
        return None
    ulen = struct.unpack("!H", udp[4:6])[0]
    if ulen != len(udp):
        return (None, "UDP length %d for %d bytes" % (ulen, len(udp)))
    if not udp_ok(src, dst, udp):
        return (None, "bad UDP checksum")
    return (bytes(udp[8:]), None)


def mix_case(name, rng):
    return "".join(c.upper() if c.isalpha() and rng.random() < 0.5 else c for c in name)


def load_expect(path):
    rows = []
    with open(path) as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            if len(p) < 6:
                continue
            rows.append({
                "qname": p[0], "qtype": p[1], "edns": p[2] == "1", "rcode": p[3],
                "an": set(x.lower() for x in p[4].split("|") if x),
                "ad": set(x.lower() for x in p[5].split("|") if x),
            })
    return rows


def check(row, qwire, q, wire, mode):
    """None if the answer is right, else the reason."""
    try:
        m = dns.message.from_wire(wire)
    except Exception as e:  # noqa: BLE001 - any parse failure is a wrong answer
        return "unparsable: %s" % e
    if m.id != q.id:
        return "ID %d for query %d" % (m.id, q.id)
    if not m.flags & dns.flags.QR:
        return "QR not set"
    # The question, byte for byte (0x20 case preserved).
    qlen = len(qwire) - 12 - (11 if q.edns >= 0 else 0)
    if wire[12:12 + qlen] != qwire[12:12 + qlen]:
        return "question not echoed byte for byte"
    if mode == "reflect":
        return None
    if (m.flags & dns.flags.RD) != (q.flags & dns.flags.RD):
        return "RD not copied"
    if not m.flags & dns.flags.AA:
        return "AA not set"
    if m.flags & dns.flags.TC:
        # Valid (the client retries over TCP), but no records: counted apart.
        return "TC" if not m.answer else "TC set with records"
    if dns.rcode.to_text(m.rcode()) != row["rcode"]:
        return "rcode %s, expected %s" % (dns.rcode.to_text(m.rcode()), row["rcode"])
    if (m.edns >= 0) != row["edns"]:
        return "EDNS %s in the answer, query had %s" % (m.edns >= 0, row["edns"])
    an = set()
    qn = dns.name.from_text(row["qname"])
    qt = dns.rdatatype.from_text(row["qtype"])
    for rrset in m.answer:
        if rrset.name != qn or rrset.rdtype != qt or rrset.rdclass != dns.rdataclass.IN:
            return "answer holds %s %s" % (rrset.name, dns.rdatatype.to_text(rrset.rdtype))
        # Lowercased: names in RDATA may be compressed against the
        # question, whose case is the query's (0x20).
        an.update(r.to_text().lower() for r in rrset)
    if an != row["an"]:
        return "answer %s, expected %s" % (sorted(an), sorted(row["an"]))
    ad = set()
    for rrset in m.additional:
        for r in rrset:
            ad.add(("%s %s %s" % (rrset.name, dns.rdatatype.to_text(rrset.rdtype),
                                  r.to_text())).lower())
    if mode == "exact" and ad != row["ad"]:
        return "additional %s, expected %s" % (sorted(ad), sorted(row["ad"]))
    if mode == "subset" and not row["ad"] <= ad:
        return "additional %s lacks %s" % (sorted(ad), sorted(row["ad"] - ad))
    return None


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--iface", required=True)
    p.add_argument("--server", required=True)
    p.add_argument("--client", required=True, help="our address on the interface")
    p.add_argument("--expect", required=True)
    p.add_argument("--sport", type=int, default=1953)
    p.add_argument("--rate", type=float, default=300)
    p.add_argument("--count", type=int, default=500)
    p.add_argument("--duration", type=float, default=3)
    p.add_argument("--additional", choices=["exact", "subset"], default="exact")
    p.add_argument("--reflect", action="store_true")
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    if not 0 < a.sport < 2000:
        p.error("--sport must be below 2000 (kxdpgun's filter takes the ports above)")
    mode = "reflect" if a.reflect else a.additional
    rows = load_expect(a.expect)
    if not rows:
        p.error("no rows in %s" % a.expect)
    rng = random.Random(a.seed)

    raw = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    raw.bind((a.iface, 0))
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    udp.bind((a.client, a.sport))
    udp.setblocking(False)

    pending = {}  # id -> (row, wire, msg)
    res = {"sent": 0, "answered": 0, "checked": 0, "wrong": 0, "tc": 0, "reasons": {},
           "examples": [], "first_records": {}, "socket_received": 0}
    t0 = time.monotonic()
    nxt = t0
    i = 0
    while True:
        now = time.monotonic()
        done_sending = now - t0 >= a.duration or res["sent"] >= a.count
        if done_sending and (not pending or now - t0 >= a.duration + 1):
            break
        if not done_sending and now >= nxt:
            row = rows[i % len(rows)]
            i += 1
            if row["edns"]:
                q = dns.message.make_query(mix_case(row["qname"], rng), row["qtype"],
                                           use_edns=0, payload=1232)
            else:
                q = dns.message.make_query(mix_case(row["qname"], rng), row["qtype"],
                                           use_edns=False)
            q.id = rng.randrange(65536)
            while q.id in pending:
                q.id = rng.randrange(65536)
            w = q.to_wire()
            pending[q.id] = (row, w, q)
            udp.sendto(w, (a.server, 53))
            res["sent"] += 1
            nxt += 1.0 / a.rate
        r, _, _ = select.select([raw, udp], [], [], max(0.0, min(0.01, nxt - now)))
        if udp in r:
            try:
                while True:
                    udp.recv(4096)
                    res["socket_received"] += 1
            except BlockingIOError:
                pass
        if raw not in r:
            continue
        while True:
            try:
                f = raw.recv(65535, socket.MSG_DONTWAIT)
            except BlockingIOError:
                break
            got = parse_frame(f, a.sport)
            if got is None:
                continue
            payload, err = got
            qid = struct.unpack("!H", payload[0:2])[0] if payload and len(payload) >= 2 else None
            if err is None and qid not in pending:
                continue  # a late duplicate, or not ours
            res["answered"] += 1
            if err is None:
                row, w, q = pending.pop(qid)
                err = check(row, w, q, payload, mode)
                if err is None and not a.reflect:
                    m = dns.message.from_wire(payload)
                    if m.answer:
                        key = "%s/%s" % (row["qname"], row["qtype"])
                        first = m.answer[0][0].to_text().lower()
                        seen = res["first_records"].setdefault(key, {})
                        seen[first] = seen.get(first, 0) + 1
            res["checked"] += 1
            if err == "TC":
                res["tc"] += 1
            elif err:
                res["wrong"] += 1
                kind = " ".join(err.split()[:2])
                res["reasons"][kind] = res["reasons"].get(kind, 0) + 1
                if len(res["examples"]) < 5:
                    res["examples"].append(err[:300])
    deadline = time.monotonic() + 0.2
    while time.monotonic() < deadline:  # answers the kernel also delivered
        try:
            udp.recv(4096)
            res["socket_received"] += 1
        except BlockingIOError:
            time.sleep(0.01)
    res["lost"] = len(pending)
    res["mode"] = mode
    json.dump(res, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
