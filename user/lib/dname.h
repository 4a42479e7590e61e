/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Wire-format domain names (RFC 1035 section 3.1): helpers shared by the zone
 * loader, the RRset compiler and the slow-path responder. Userspace only.
 *
 * A name here is always uncompressed wire format including the root byte:
 * "\4mail\x08mydomain\3com\0", length 19. "Canonical" means every ASCII
 * letter lowercased (RFC 4034 section 6.2), which is how names are keyed in
 * the zone model and in the fast path's maps.
 */
#ifndef XDPMX_DNAME_H
#define XDPMX_DNAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define XDPMX_DNAME_MAX 255

/* Length of the wire name at n (root byte included), or -EINVAL if it is not
 * a well-formed uncompressed name within max bytes (labels > 63, > 255 total,
 * compression or extended label types). */
int xdpmx_dname_len(const uint8_t *n, size_t max);

/* Copy src to dst lowercased. dst must hold len bytes. */
void xdpmx_dname_canon(uint8_t *dst, const uint8_t *src, size_t len);

/* Case-insensitive equality of two wire names. */
bool xdpmx_dname_eq(const uint8_t *a, const uint8_t *b);

/* Canonical DNS name order (RFC 4034 section 6.1) of a and b, ASCII case
 * folded: <0, 0 or >0 as a sorts before, with or after b; 0 exactly when
 * xdpmx_dname_eq(a, b). For sorting names and searching sorted ones. */
int xdpmx_dname_cmp(const uint8_t *a, const uint8_t *b);

/* Whether name is equal to or below parent (case-insensitive). */
bool xdpmx_dname_is_sub(const uint8_t *name, const uint8_t *parent);

/* Number of labels, the root not counted ("\0" has 0). */
int xdpmx_dname_labels(const uint8_t *n);

/* Pointer to the suffix of n that has `labels` labels (the root has 0). */
const uint8_t *xdpmx_dname_suffix(const uint8_t *n, int labels);

/* Parent of n (one label stripped), or NULL for the root. */
const uint8_t *xdpmx_dname_parent(const uint8_t *n);

/* Presentation form ("mail.mydomain.com.") into buf; returns buf. Escapes
 * as RFC 1035 section 5.1 (\. \\ \DDD). buf must hold XDPMX_DNAME_STRLEN. */
#define XDPMX_DNAME_STRLEN (4 * XDPMX_DNAME_MAX + 2)
char *xdpmx_dname_str(const uint8_t *n, char *buf);

/* Parse presentation form into wire form (canonical case kept as given).
 * Relative names (no trailing dot) get origin appended when origin is not
 * NULL. Returns the wire length or a negative errno (-EINVAL: syntax,
 * -ENAMETOOLONG: too long). */
int xdpmx_dname_from_str(uint8_t *out, const char *s, const uint8_t *origin);

#endif /* XDPMX_DNAME_H */
