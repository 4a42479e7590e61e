#!/usr/bin/python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# Helpers for tests/e2e/test_daemon.sh: talk to xdpmxd's control socket,
# pick values out of JSON, and send the DNS messages dig and kdig cannot
# (crafted headers, pipelined TCP, bounded query streams). Uses only the
# standard library and dnspython (python3-dnspython).
#
#   ctl SOCKET CMD [ARGS_JSON]          one control request; prints the response
#   get PATH                            print a value of the JSON on stdin:
#                                       PATH is keys/indexes joined by '.'
#   lines PATH                          the list at PATH, one item per line
#   raw SERVER HEX                      send bytes over UDP, print the answer's
#                                       rcode and flags, or "noanswer"
#   opcode SERVER OPCODE NAME           a query with that opcode: "RCODE flags"
#   pipeline SERVER NAME...             one TCP connection, all queries written
#                                       at once; one line per response, in order
#   idle SERVER SECONDS                 connect over TCP, stay silent; print
#                                       how long until the server closed
#   hold SERVER SECONDS                 connect over TCP and keep it open
#   stream SERVER NAME TYPE N GAP       N queries, GAP seconds apart, each
#                                       waiting 0.5 s; print "answered lost"
#   compare SERVER NAME/TYPE...         ask each over UDP and over TCP: print
#                                       the first difference, or "same N"
import json
import socket
import struct
import sys
import time

import dns.exception
import dns.flags
import dns.message
import dns.opcode
import dns.query
import dns.rcode
import dns.rdatatype


def ctl(path, cmd, args="{}"):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(30)
    s.connect(path)
    s.sendall((json.dumps({"cmd": cmd, "args": json.loads(args)}) + "\n").encode())
    buf = b""
    while not buf.endswith(b"\n"):
        d = s.recv(1 << 20)
        if not d:
            break
        buf += d
    print(buf.decode().strip())


def lookup(path):
    """Follow path; a key may itself hold dots ("hit.a")."""
    v = json.load(sys.stdin)
    parts = path.split(".") if path else []
    while parts:
        if isinstance(v, list):
            v, parts = v[int(parts[0])], parts[1:]
            continue
        for n in range(len(parts), 0, -1):
            if ".".join(parts[:n]) in v:
                v, parts = v[".".join(parts[:n])], parts[n:]
                break
        else:
            raise KeyError(".".join(parts))
    return v


def get(path):
    v = lookup(path)
    print(json.dumps(v) if isinstance(v, (dict, list)) else v)


def lines(path):
    for item in lookup(path):
        print(item)


def family(server):
    return socket.AF_INET6 if ":" in server else socket.AF_INET


def describe(m):
    flags = dns.flags.to_text(m.flags).lower()
    return "%s %s" % (dns.rcode.to_text(m.rcode()), flags)


def raw(server, hexbytes):
    s = socket.socket(family(server), socket.SOCK_DGRAM)
    s.settimeout(1.5)
    s.sendto(bytes.fromhex(hexbytes), (server, 53))
    try:
        data = s.recv(65535)
    except socket.timeout:
        print("noanswer")
        return
    print(describe(dns.message.from_wire(data, question_only=True)))


def opcode(server, op, name):
    q = dns.message.make_query(name, "A")
    q.set_opcode(dns.opcode.from_text(op))
    r = dns.query.udp(q, server, timeout=2)
    print(describe(r))


def tcp_connect(server):
    s = socket.socket(family(server), socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect((server, 53))
    return s


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        d = s.recv(n - len(buf))
        if not d:
            raise EOFError("connection closed")
        buf += d
    return buf


def pipeline(server, names):
    s = tcp_connect(server)
    qs = [dns.message.make_query(n, "A") for n in names]
    s.sendall(b"".join(struct.pack("!H", len(w)) + w for w in (q.to_wire() for q in qs)))
    for q in qs:
        (n,) = struct.unpack("!H", recv_exact(s, 2))
        r = dns.message.from_wire(recv_exact(s, n))
        ok = "id-ok" if r.id == q.id else "id-MISMATCH"
        addrs = sorted(rd.to_text() for rr in r.answer for rd in rr)
        print(q.question[0].name.to_text(), ok, dns.rcode.to_text(r.rcode()), " ".join(addrs))


def idle(server, secs):
    s = tcp_connect(server)
    s.settimeout(float(secs))
    t = time.monotonic()
    try:
        d = s.recv(1)
        print("closed" if not d else "data", "%.1f" % (time.monotonic() - t))
    except socket.timeout:
        print("open", "%.1f" % (time.monotonic() - t))
    except ConnectionResetError:
        print("reset", "%.1f" % (time.monotonic() - t))


def hold(server, secs):
    s = tcp_connect(server)
    time.sleep(float(secs))
    s.close()


def stream(server, name, qtype, n, gap):
    answered = lost = 0
    deadline = time.monotonic() + int(n) * (float(gap) + 0.6) + 5
    for _ in range(int(n)):
        if time.monotonic() > deadline:
            break
        q = dns.message.make_query(name, qtype)
        try:
            r = dns.query.udp(q, server, timeout=0.5)
            if r.rcode() == 0 and r.answer:
                answered += 1
            else:
                lost += 1
        except Exception:
            lost += 1
        time.sleep(float(gap))
    print(answered, lost)


def canon(m):
    """A message as comparable text: header bits and sorted sections."""
    out = [dns.rcode.to_text(m.rcode()), dns.flags.to_text(m.flags)]
    for sec in (m.answer, m.authority, m.additional):
        out.append(sorted(
            "%s %d %s %s" % (rr.name.to_text().lower(), rr.ttl,
                             dns.rdatatype.to_text(rr.rdtype), rd.to_text().lower())
            for rr in sec for rd in rr))
    return out


def compare(server, specs):
    n = 0
    for spec in specs:
        name, qtype = spec.rsplit("/", 1)
        q = dns.message.make_query(name, qtype)
        try:
            u = dns.query.udp(q, server, timeout=2)
        except dns.exception.Timeout:
            print("timeout", spec, "udp")
            return
        try:
            t = dns.query.tcp(q, server, timeout=2)
        except dns.exception.Timeout:
            print("timeout", spec, "tcp")
            return
        cu, ct = canon(u), canon(t)
        if cu != ct:
            print("differ", spec)
            print("  udp:", cu)
            print("  tcp:", ct)
            return
        n += 1
    print("same", n)


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "ctl":
        ctl(*args)
    elif cmd == "get":
        get(args[0] if args else "")
    elif cmd == "lines":
        lines(args[0])
    elif cmd == "raw":
        raw(*args)
    elif cmd == "opcode":
        opcode(*args)
    elif cmd == "pipeline":
        pipeline(args[0], args[1:])
    elif cmd == "idle":
        idle(*args)
    elif cmd == "hold":
        hold(*args)
    elif cmd == "stream":
        stream(*args)
    elif cmd == "compare":
        compare(args[0], args[1:])
    else:
        sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    main()
