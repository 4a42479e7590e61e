/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * What the fast path answers, as DNS records in presentation form: the
 * "map dump" result of the control protocol (control.h), built from
 * xdpmx_fp_dump(). Userspace only; for the daemon, and for any tool that
 * shows the maps.
 */
#ifndef XDPMX_MAPDUMP_H
#define XDPMX_MAPDUMP_H

#include <jansson.h>

#include "fastpath.h"

/*
 * Decode one blob of the directory key (name_len octets of key->name) into
 * entry: "order", "records" (answer records) and "additional", each record
 * one line of text. Returns 0, or -EINVAL (the blob is inconsistent; entry
 * gets an "error") or -ENOMEM.
 */
int xdpmx_blob_decode(const struct xdpmx_key_l *key, uint8_t name_len, const uint8_t *blob,
		      uint16_t blob_len, json_t *entry);

/* Every RRset the program answers now: [{"zone", "name", "type", "order",
 * "records", "additional"}]. NULL and *err (a negative errno) on failure. */
json_t *xdpmx_map_dump_json(struct xdpmx_fp *fp, int *err);

#endif /* XDPMX_MAPDUMP_H */
