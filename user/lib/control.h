/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The control protocol between xdpmxctl and xdpmxd. Userspace only.
 *
 * Transport: a UNIX stream socket (default XDPMX_CONTROL_PATH_DEFAULT, mode
 * 0600, owned by the daemon's user). One request per line, one response per
 * line, both single JSON objects (jansson), UTF-8, no embedded newlines. A
 * connection may carry several requests in sequence.
 *
 * Request:  {"cmd": "<object> <command>", "args": {...}}
 * Response: {"ok": true, "result": <value>}
 *       or  {"ok": false, "error": "<one line, names object and cause>",
 *            "details": [ ... optional, e.g. zone diagnostics ... ]}
 *
 * Commands and their args / result (keys are snake_case):
 *
 *   "status"          {} -> {"version", "abi", "pid", "uptime_s",
 *                     "pin_dir", "zones": N, "interfaces": [{"name",
 *                     "ifindex", "mode": "native"|"generic", "prog_id",
 *                     "multiprog": bool}], "listen": ["addr@port", ...]}
 *   "stats show"      {} -> {"fastpath": {"<counter name>": N, ...},
 *                     "fastpath_by_interface": {"<ifname>": {...}},
 *                     "slowpath": {"queries": N, "queries_udp", "queries_tcp",
 *                     "rcode": {"NOERROR": N, ...}, "qtype": {"MX": N, ...},
 *                     "tc", "dropped", "tcp_connections", "tcp_refused",
 *                     "zone_loads", "zone_load_failures"},
 *                     "hit_ratio": 0..1}   (counter names: counters.h)
 *   "stats reset"     {} -> {}
 *   "zone list"       {} -> [{"name", "file", "serial", "records", "rrsets",
 *                     "fastpath_rrsets", "fastpath_below" (RRsets left to
 *                     zones loaded below it), "loaded_at", "last_error"}]
 *   "zone show"       {"zone"} -> {"name", "serial", "records": ["text RR", ...]}
 *   "zone reload"     {"zone"?} -> [{"name", "ok", "serial", "changed"
 *                     (the zone's content or its fast-path set changed),
 *                     "fastpath"?: {"ok", "compiled", "skipped", "below",
 *                     "added", "changed", "deleted", "unchanged",
 *                     "conflicts", "unplaced"}, "error"?, "details"?}]
 *   "zone check"      {"file", "origin"?} -> {"errors", "warnings",
 *                     "messages": [{"severity", "file", "line", "check",
 *                     "text"}], "ptr_rule"?: {"hosts", "addresses",
 *                     "confirmed", "warnings", "text"} (over the served
 *                     zones with this one in place)}
 *   "record add"      {"zone", "name", "type", "ttl", "data"} -> {"persisted":
 *   "record del"        false, "fastpath": bool, "serial", "recompiled": N
 *                       (RRsets compiled for the fast path)}  (del: data
 *   "record set"        optional, meaning the whole RRset; set replaces the
 *                       RRset with one record)
 *   "rrset order"     {"name", "type", "order": "cyclic"|"random"|"fixed"}
 *                     -> {"zone", "fastpath": bool, "recompiled": N}
 *   "map dump"        {} -> [{"zone", "name", "type", "order", "records":
 *                     ["text RR", ...], "additional": [...]}]
 */
#ifndef XDPMX_CONTROL_H
#define XDPMX_CONTROL_H

#define XDPMX_CONTROL_PATH_DEFAULT "/run/xdpmx/xdpmxd.sock"
#define XDPMX_CONTROL_LINE_MAX (16 * 1024 * 1024) /* longest line either side accepts */

#endif /* XDPMX_CONTROL_H */
